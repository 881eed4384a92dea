from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitchenConfig(AppConfig):
    name = "kitchen"
    verbose_name = _("Kitchen")

    def ready(self) -> None:
        from kitchen import tickets
        from kitchen.alerts import watcher
        from orders.signals import order_deleted, order_placing, order_status_changed, orders_moved, stream_opened

        # An order's tickets and print jobs are written in its own transaction (orders.signals).
        order_placing.connect(tickets.rows_for_order, dispatch_uid="kitchen.tickets")
        order_deleted.connect(tickets.cancel_for_order, dispatch_uid="kitchen.cancel")
        order_status_changed.connect(tickets.follow_order_status, dispatch_uid="kitchen.follow")
        orders_moved.connect(tickets.follow_moved_orders, dispatch_uid="kitchen.moved")
        # Every process serving the store's screens watches for late jobs and silent agents.
        stream_opened.connect(watcher.start, dispatch_uid="kitchen.alert_watcher")
