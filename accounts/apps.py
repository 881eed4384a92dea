from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Stores and accounts")

    def ready(self):
        from accounts import schema, signals  # noqa: F401  (OpenAPI security schemes; login expiry)
