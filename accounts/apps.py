from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Stores and accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import schema, signals  # noqa: F401  (OpenAPI security schemes; login expiry)
        from accounts.models import Store, Table
        from accounts.signin import (
            forget_tables_of_store,
            store_saved_or_deleted,
            table_cache,
            table_saved_or_deleted,
        )
        from core.notices import Notice, on_notice

        # Every process's cache of signed-in tables hears of each change (accounts.signin).
        on_notice(Notice.TABLE, table_cache.forget)
        on_notice(Notice.STORE, forget_tables_of_store)
        post_save.connect(table_saved_or_deleted, sender=Table, dispatch_uid="accounts.table_saved")
        post_delete.connect(table_saved_or_deleted, sender=Table, dispatch_uid="accounts.table_deleted")
        post_save.connect(store_saved_or_deleted, sender=Store, dispatch_uid="accounts.store_saved")
        post_delete.connect(store_saved_or_deleted, sender=Store, dispatch_uid="accounts.store_deleted")
