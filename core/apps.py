from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Table Order core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from core import notices
        from core.listener import listener
        from core.runtime import collector
        from core.runtime.dbpool import renew_all_on_broken_connection

        # The same interpreter settings in every process as in a production worker.
        collector.configure()

        connection_created.connect(renew_all_on_broken_connection, dispatch_uid="core.runtime.dbpool")
        # Before any request can start the listener: its channels are fixed once it runs.
        listener.add_channel(notices.NOTICE_CHANNEL, notices.heard)
