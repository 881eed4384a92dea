"""Signals menus send; orders (which menus must not import) turns them into stream events."""

from django.dispatch import Signal

# Sent inside the transaction of every menu write, holding the store's write lock: store_id.
menu_changed = Signal()
