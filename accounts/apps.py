from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Stores and accounts")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts import schema, signals  # noqa: F401  (OpenAPI security schemes; login expiry)
        from accounts.authentication import store_saved_or_deleted, table_saved_or_deleted
        from accounts.models import Store, Table

        # Every process's cache of signed-in tables hears of each change (accounts.authentication).
        post_save.connect(table_saved_or_deleted, sender=Table, dispatch_uid="accounts.table_saved")
        post_delete.connect(table_saved_or_deleted, sender=Table, dispatch_uid="accounts.table_deleted")
        post_save.connect(store_saved_or_deleted, sender=Store, dispatch_uid="accounts.store_saved")
        post_delete.connect(store_saved_or_deleted, sender=Store, dispatch_uid="accounts.store_deleted")
