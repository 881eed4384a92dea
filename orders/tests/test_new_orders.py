"""NEW on the dashboards is a fact of the order: new until a manager acts on it (확인, a status
change or a delete), the same on every screen, after reloads and reconnects."""

import pytest

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_menu
from orders.models import EventType, Order, OrderEvent
from orders.outbox import events_after
from orders.services import acknowledge_order, change_order_status, close_session, delete_order, place_order

API = "/api/v1/admin"


@pytest.fixture
def api(client, manager):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


def order(table, item, quantity=1):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}])[0]


def acknowledge(api, order_id):
    return api.post(f"{API}/orders/{order_id}/acknowledge", {}, content_type="application/json")


def updates():
    return list(OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).order_by("id"))


def test_a_placed_order_is_new_everywhere_it_shows(api, table, menu):
    placed = order(table, menu[0])
    created = OrderEvent.objects.get(type=EventType.ORDER_CREATED)
    assert created.payload["order"]["acknowledged_at"] is None
    assert api.get(f"{API}/orders/{placed.id}").json()["acknowledged_at"] is None
    assert api.get(f"{API}/orders").json()["results"][0]["acknowledged_at"] is None
    [latest] = api.get(f"{API}/tables/{table.id}").json()["session"]["latest_orders"]
    assert latest["acknowledged_at"] is None


def test_acknowledging_marks_it_seen_once_with_who_and_tells_every_screen(api, manager, table, menu):
    placed = order(table, menu[0])
    response = acknowledge(api, placed.id)
    assert response.status_code == 200
    placed.refresh_from_db()
    assert placed.acknowledged_by == manager
    assert placed.status == "pending"
    body = response.json()
    assert body == Order.objects.with_lines().get(pk=placed.pk).as_dict()
    assert body["acknowledged_at"] == placed.acknowledged_at.isoformat()
    [event] = updates()
    assert event.payload["order"] == body
    assert event.payload["table"]["order_count"] == 1
    # A screen that reconnects replays it with everything else after the id it last saw.
    replayed = events_after(after_id=event.id - 1, store_id=table.store_id, limit=10)
    assert [(e.id, e.type) for e in replayed] == [(event.id, "order.updated")]
    assert '"acknowledged_at":"' in replayed[0].data

    # Again is fine: the same answer, the first time kept, no second event.
    again = acknowledge(api, placed.id)
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == body["acknowledged_at"]
    assert len(updates()) == 1


def test_a_status_change_or_a_delete_is_acting_on_it(table, manager, menu):
    changed, deleted = order(table, menu[0]), order(table, menu[1])
    change_order_status(order=changed, status="preparing")
    changed.refresh_from_db()
    assert changed.acknowledged_at is not None
    assert updates()[-1].payload["order"]["acknowledged_at"] == changed.acknowledged_at.isoformat()
    first_seen = changed.acknowledged_at
    change_order_status(order=changed, status="completed")
    changed.refresh_from_db()
    assert changed.acknowledged_at == first_seen

    delete_order(order=deleted, actor=manager)
    deleted.refresh_from_db()
    assert (deleted.acknowledged_at is not None, deleted.acknowledged_by) == (True, manager)
    event = OrderEvent.objects.get(type=EventType.ORDER_DELETED)
    assert event.payload["order"]["acknowledged_at"] == deleted.acknowledged_at.isoformat()


def test_an_order_seen_already_is_not_announced_again(table, manager, menu):
    placed = order(table, menu[0])
    change_order_status(order=placed, status="preparing")
    _order, changed = acknowledge_order(order=placed, actor=manager)
    assert not changed
    assert len(updates()) == 1


def test_the_floor_snapshot_carries_every_new_order_and_the_three_newest(api, manager, table, menu):
    orders = [order(table, menu[0]) for _ in range(6)]
    # The two oldest were seen; the other four are new.
    for seen in orders[:2]:
        acknowledge_order(order=seen, actor=manager)
    latest = api.get(f"{API}/tables/{table.id}").json()["session"]["latest_orders"]
    assert [o["id"] for o in latest] == [o.id for o in reversed(orders[2:])]
    assert [o["acknowledged_at"] is None for o in latest] == [True] * 4

    # Once the floor has seen them all, the card shows the three newest, as before.
    for seen in orders[2:]:
        acknowledge_order(order=seen, actor=manager)
    latest = api.get(f"{API}/tables").json()["results"][0]["session"]["latest_orders"]
    assert [o["id"] for o in latest] == [o.id for o in reversed(orders[3:])]
    assert all(o["acknowledged_at"] for o in latest)


def test_a_deleted_order_or_an_ended_session_has_nothing_to_acknowledge(api, table, menu):
    deleted, ended = order(table, menu[0]), order(table, menu[1])
    delete_order(order=deleted, actor=None)
    assert acknowledge(api, deleted.id).status_code == 404
    Order.objects.filter(pk=ended.pk).update(acknowledged_at=None)
    close_session(table=table, actor=None)
    response = acknowledge(api, ended.id)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "session_closed")
    ended.refresh_from_db()
    assert ended.acknowledged_at is None
    assert updates() == []


def test_another_stores_order_is_not_found_and_stays_new(api, other_store):
    their_table = setup_table(store=other_store, number=1, password="1234")[0]
    theirs = order(their_table, other_store.menu_items.get())
    assert acknowledge(api, theirs.id).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None
    assert not OrderEvent.objects.filter(store=other_store, type=EventType.ORDER_UPDATED).exists()


def test_only_a_manager_may_acknowledge(client, table, menu):
    placed = order(table, menu[0])
    url = f"{API}/orders/{placed.id}/acknowledge"
    assert client.post(url).status_code == 401
    tablet = {"HTTP_AUTHORIZATION": f"Bearer {table_tokens(table)['access']}"}
    assert client.post(url, **tablet).status_code in (401, 403)
    placed.refresh_from_db()
    assert placed.acknowledged_at is None


def test_the_tablet_sees_the_same_order_shape(client, store, table):
    item = make_menu(store, items=(("콜라", 2000),))[0]
    placed = order(table, item)
    tablet = {"HTTP_AUTHORIZATION": f"Bearer {table_tokens(table)['access']}"}
    [shown] = client.get("/api/v1/orders", **tablet).json()["results"]
    assert shown == Order.objects.with_lines().get(pk=placed.pk).as_dict()
