from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = _("Menus")

    def ready(self) -> None:
        from core.notices import Notice, on_notice
        from menus.selectors import tablet_menu_cache

        # Every process's cache of tablet menus hears of each new version (menus.selectors).
        on_notice(Notice.MENU, tablet_menu_cache.forget)
