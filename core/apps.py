from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Table Order core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from core.runtime.dbpool import renew_all_on_broken_connection

        connection_created.connect(renew_all_on_broken_connection, dispatch_uid="core.runtime.dbpool")
