from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self):
        from accounts.signals import store_changed
        from menus.signals import menu_changed
        from orders.events import publish_menu_updated

        # The tablet's menu carries the store's staff-call reasons too.
        menu_changed.connect(publish_menu_updated, dispatch_uid="orders.menu_updated")
        store_changed.connect(publish_menu_updated, dispatch_uid="orders.store_changed")
