from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from accounts.signals import store_changed
        from core.listener import listener
        from core.notices import Notice, on_notice
        from menus.signals import menu_changed
        from orders.hours import publish_store_updated
        from orders.hub import hub
        from orders.outbox import CHANNEL, event_committed, publish_menu_updated

        # The tablet's menu carries the store's staff-call reasons too.
        menu_changed.connect(publish_menu_updated, dispatch_uid="orders.menu_updated")
        store_changed.connect(publish_menu_updated, dispatch_uid="orders.store_changed")
        store_changed.connect(publish_store_updated, dispatch_uid="orders.store_updated")
        # Before any request can start the listener: its channels are fixed once it runs.
        listener.add_channel(CHANNEL, hub.heard, on_connect=hub.catch_up)
        event_committed.connect(hub.deliver, dispatch_uid="orders.hub")
        # A revoked tablet's open streams end at once, not at their next periodic check.
        on_notice(Notice.TABLE, hub.table_changed)
