from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TableOrderConfig(AppConfig):
    name = "tableorder"
    verbose_name = "Table Order"

    def ready(self):
        from django.db.backends.signals import connection_created

        from tableorder.dbpool import renew_all_on_broken_connection

        connection_created.connect(renew_all_on_broken_connection, dispatch_uid="tableorder.dbpool")


class TableOrderAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back-office site (tableorder.admin_site) as `admin.site`."""

    default = False
    default_site = "tableorder.admin_site.TableOrderAdminSite"
