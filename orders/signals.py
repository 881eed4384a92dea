"""Signals orders sends, so apps above it (the kitchen) can add to an order's writes without
orders importing them."""

from django.dispatch import Signal

# Sent by `place_order` before the order is written (no lock held, no transaction), with
# `store_id`, `table`, `note` and `lines` (orders.pricing.PricedLine). A receiver returns
# `(rows, followers)`: rows with an `order` foreign key and `orders.order_write.Follower`
# events, written in the order's own transaction (`write_order`).
order_placing = Signal()

# Sent inside the transaction of `delete_order`, holding the store's lock, once the order is
# marked deleted: `order` (read with its table), `actor`.
order_deleted = Signal()

# Sent inside the transaction of `change_order_status`, holding the store's lock, once the
# order's new status is saved: `order`, `from_status`, `actor`.
order_status_changed = Signal()

# Sent on the event loop when a store's event stream opens (orders.sse), with `store_id`: the
# kitchen starts this process's alert watcher on it (Django runs no ASGI startup hook).
stream_opened = Signal()

# Sent inside the transaction of a move (orders.moves), holding the store's lock, once orders
# have moved to another table: `orders` (read with their new table and session), `actor`.
orders_moved = Signal()
