"""Money and counters are 64-bit columns: past 2**31 they are stored, counted and shown exactly.

A tablet's order is capped at ₩100,000,000 (orders/pricing.py), but a column holds more than
one order's worth: these tests write past the 32-bit range directly, as years of orders or
password resets would. On PostgreSQL a 32-bit column refuses these values
(NumericValueOutOfRange); SQLite stores 64 bits whatever the column type.
"""

from django.test import Client

from accounts.models import Store, Table
from accounts.services import revoke_tablet
from accounts.tokens import manager_tokens, table_tokens
from orders.models import Order, OrderLine
from orders.selectors import session_totals
from orders.services import place_order

PAST_INT32 = 2**31 + 7


def order(table, item):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])[0]


def test_order_numbers_go_on_past_two_to_the_31st(table, menu):
    Store.objects.filter(pk=table.store_id).update(last_order_number=PAST_INT32)
    placed = order(table, menu[0])
    placed.refresh_from_db()
    assert placed.number == PAST_INT32 + 1
    assert Store.objects.get(pk=table.store_id).last_order_number == PAST_INT32 + 1
    assert placed.as_dict()["number"] == PAST_INT32 + 1


def test_totals_and_line_prices_past_two_to_the_31st_are_stored_and_shown(table, menu, manager):
    first, second = order(table, menu[0]), order(table, menu[1])
    Order.objects.filter(pk=first.pk).update(total=PAST_INT32)
    OrderLine.objects.filter(order=first).update(unit_price=PAST_INT32)
    Order.objects.filter(pk=second.pk).update(total=3 * PAST_INT32)

    assert session_totals(first.session_id) == (4 * PAST_INT32, 2)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {manager_tokens(manager)['access']}")
    response = client.get("/api/v1/admin/tables")
    assert response.status_code == 200, response.content
    [floor] = response.json()["results"]
    assert floor["session"]["total"] == 4 * PAST_INT32
    shown = {shown["id"]: shown for shown in floor["session"]["latest_orders"]}
    assert shown[first.id]["total"] == PAST_INT32
    assert shown[first.id]["items"][0]["unit_price"] == PAST_INT32


def test_token_versions_go_on_past_two_to_the_31st(table):
    Table.objects.filter(pk=table.pk).update(token_version=PAST_INT32)
    table.refresh_from_db()
    old_tokens = table_tokens(table)
    revoke_tablet(table=table)
    assert Table.objects.get(pk=table.pk).token_version == PAST_INT32 + 1
    client = Client(HTTP_AUTHORIZATION=f"Bearer {old_tokens['access']}")
    assert client.get("/api/v1/menu").status_code == 401
    client = Client(HTTP_AUTHORIZATION=f"Bearer {table_tokens(table)['access']}")
    assert client.get("/api/v1/menu").status_code == 200


def test_manager_token_versions_go_on_past_two_to_the_31st(manager):
    type(manager).objects.filter(pk=manager.pk).update(token_version=PAST_INT32)
    manager.refresh_from_db()
    manager.set_password("a-new-password")
    manager.save()
    manager.refresh_from_db()
    assert manager.token_version == PAST_INT32 + 1
