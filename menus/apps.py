from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = _("Menus")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Store
        from core.notices import Notice, on_notice
        from menus.selectors import forget_store
        from menus.stations import add_first_station

        # Every process's cache of tablet menus hears of each new version (menus.selectors).
        on_notice(Notice.MENU, forget_store)
        post_save.connect(add_first_station, sender=Store, dispatch_uid="menus.first_station")
