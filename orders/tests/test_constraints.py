"""The rules the database itself enforces, even against code that skips the services."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Table, User
from menus.models import MenuItem
from orders.models import Order, OrderLine, TableSession
from orders.services import place_order


def violates(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_open_session_per_table(table, store):
    TableSession.objects.create(store=store, table=table)
    violates(lambda: TableSession.objects.create(store=store, table=table))
    TableSession.objects.update(closed_at=timezone.now())
    TableSession.objects.create(store=store, table=table)
    assert TableSession.objects.count() == 2


def test_table_numbers_are_unique_per_store(table, store, other_store):
    violates(lambda: Table.objects.create(store=store, number=1, password="x"))
    violates(lambda: Table.objects.create(store=store, number=0, password="x"))
    Table.objects.create(store=other_store, number=1, password="x")


def test_usernames_are_unique_per_store_and_among_platform_users(store, other_store):
    violates(lambda: User.objects.create(store=store, username="manager"))
    User.objects.create(store=None, username="root")
    violates(lambda: User.objects.create(store=None, username="root"))
    assert User.objects.filter(username="manager").count() == 2


@pytest.mark.parametrize("price", [0, 10_000_001])
def test_menu_prices_stay_within_1_to_10_million_won(menu, price):
    violates(lambda: MenuItem.objects.filter(pk=menu[0].pk).update(price=price))


def test_order_numbers_are_unique_per_store_and_keys_per_table(table, menu):
    order, _ = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}], idempotency_key="k")
    fields = {"store": order.store, "table": table, "session": order.session, "total": 1}
    violates(lambda: Order.objects.create(**fields, number=order.number))
    violates(lambda: Order.objects.create(**fields, number=order.number + 1, idempotency_key="k"))
    Order.objects.create(**fields, number=order.number + 1)
    Order.objects.create(**fields, number=order.number + 2)


@pytest.mark.parametrize("quantity", [0, 100])
def test_order_line_quantities_stay_within_1_to_99(table, menu, quantity):
    order, _ = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    violates(lambda: OrderLine.objects.create(order=order, name="x", unit_price=1, quantity=quantity))
