"""The manager API for moving guests: POST admin/tables/{id}/move and admin/orders/{id}/move."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import create_manager, setup_table
from accounts.tokens import manager_tokens, table_tokens
from menus.models import MenuItem
from orders.models import EventType, Order, OrderEvent, TableSession
from orders.selectors import open_session
from orders.services import delete_order, place_order

pytestmark = pytest.mark.django_db
API = "/api/v1/admin"


def client_for(principal):
    tokens = table_tokens(principal) if hasattr(principal, "number") else manager_tokens(principal)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


@pytest.fixture
def api(manager):
    return client_for(manager)


@pytest.fixture
def tables(store):
    return [setup_table(store=store, number=n, password="1234")[0] for n in (1, 2)]


def order_at(table, item):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])[0]


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def state(store):
    """What a refused move must leave as it was."""
    return (
        list(Order.objects.filter(store=store).values("id", "table_id", "session_id")),
        list(TableSession.objects.filter(store=store).values()),
        OrderEvent.objects.filter(store=store).count(),
    )


def test_moving_a_table_answers_the_target_table_as_the_tables_list_shows_it(api, tables, menu):
    one, two = tables
    order = order_at(one, menu[0])
    response = api.post(f"{API}/tables/{one.id}/move", {"to_table_id": two.id}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["number"]) == (two.id, 2)
    assert body["session"]["total"] == 9000 and body["session"]["order_count"] == 1
    assert [o["id"] for o in body["session"]["latest_orders"]] == [order.id]
    assert body == api.get(f"{API}/tables/{two.id}").json()
    assert api.get(f"{API}/tables/{one.id}").json()["session"] is None


def test_a_table_in_use_is_a_409_unless_merged(api, tables, menu, store):
    one, two = tables
    order_at(one, menu[0])
    order_at(two, menu[1])
    before = state(store)
    refused = error_of(api.post(f"{API}/tables/{one.id}/move", {"to_table_id": two.id}, format="json"), 409)
    assert refused["code"] == "table_in_use" and "2" in refused["message"]
    assert state(store) == before
    merged = api.post(f"{API}/tables/{one.id}/move", {"to_table_id": two.id, "merge": True}, format="json")
    assert merged.status_code == 200
    assert merged.json()["session"]["order_count"] == 2 and merged.json()["session"]["total"] == 17000


def test_a_table_without_guests_is_a_409(api, tables, store):
    one, two = tables
    refused = error_of(api.post(f"{API}/tables/{one.id}/move", {"to_table_id": two.id}, format="json"), 409)
    assert refused["code"] == "no_open_session"


@pytest.mark.parametrize("body", [{}, {"to_table_id": "x"}, {"to_table_id": 999999}, {"to_table_id": None}])
def test_a_bad_target_is_a_field_error_and_changes_nothing(api, tables, menu, store, body):
    one, _two = tables
    order_at(one, menu[0])
    before = state(store)
    refused = error_of(api.post(f"{API}/tables/{one.id}/move", body, format="json"), 400)
    assert list(refused["fields"]) == ["to_table_id"]
    assert state(store) == before


def test_the_same_table_or_another_stores_table_is_a_field_error(api, tables, menu, store, other_store):
    one, _two = tables
    order = order_at(one, menu[0])
    far = setup_table(store=other_store, number=7, password="1234")[0]
    far_order = order_at(far, MenuItem.objects.get(store=other_store))
    before, far_before = state(store), state(other_store)
    for target in (one, far):
        for url in (f"{API}/tables/{one.id}/move", f"{API}/orders/{order.id}/move"):
            refused = error_of(api.post(url, {"to_table_id": target.id, "merge": True}, format="json"), 400)
            assert list(refused["fields"]) == ["to_table_id"]
            if target is far:
                # Told as an id that does not exist: nothing says the other store's table does.
                unknown = error_of(api.post(url, {"to_table_id": 999999}, format="json"), 400)
                shown = refused["fields"]["to_table_id"][0].replace(str(far.id), "N")
                assert shown == unknown["fields"]["to_table_id"][0].replace("999999", "N")
    # Nor can its table or order be moved from here.
    assert api.post(f"{API}/tables/{far.id}/move", {"to_table_id": one.id}, format="json").status_code == 404
    assert api.post(f"{API}/orders/{far_order.id}/move", {"to_table_id": one.id}, format="json").status_code == 404
    assert (state(store), state(other_store)) == (before, far_before)


def test_moving_an_order_answers_it_at_its_new_table(api, tables, menu):
    one, two = tables
    order = order_at(one, menu[0])
    response = api.post(f"{API}/orders/{order.id}/move", {"to_table_id": two.id}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["number"], body["table"]) == (order.id, order.number, {"id": two.id, "number": 2})
    assert body["session_id"] == open_session(two).id
    detail = api.get(f"{API}/orders/{order.id}").json()
    assert [(r["kind"], r["from_table"], r["to_table"], r["by"]) for r in detail["audit"]] == [
        ("moved", 1, 2, "manager")
    ]


def test_a_deleted_order_is_a_409(api, tables, menu, manager, store):
    one, two = tables
    order = order_at(one, menu[0])
    delete_order(order=order, actor=manager)
    before = state(store)
    refused = error_of(api.post(f"{API}/orders/{order.id}/move", {"to_table_id": two.id}, format="json"), 409)
    assert refused["code"] == "order_deleted"
    assert state(store) == before


def test_kitchen_staff_and_tablets_are_refused_both_moves(store, tables, menu):
    one, two = tables
    order = order_at(one, menu[0])
    cook = create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)
    before = state(store)
    for principal, status in ((cook, 403), (one, 403)):
        client = client_for(principal)
        for url in (f"{API}/tables/{one.id}/move", f"{API}/orders/{order.id}/move"):
            response = client.post(url, {"to_table_id": two.id, "merge": True}, format="json")
            assert response.status_code in ({status} if principal is cook else {401, 403}), response.content
    assert state(store) == before
    assert not OrderEvent.objects.filter(type__in=[EventType.SESSION_MOVED, EventType.ORDER_MOVED]).exists()
