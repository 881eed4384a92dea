from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class TableOrderConfig(AppConfig):
    name = "tableorder"
    verbose_name = "Table Order"


class TableOrderAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back-office site (tableorder.admin_site) as `admin.site`."""

    default = False
    default_site = "tableorder.admin_site.TableOrderAdminSite"
