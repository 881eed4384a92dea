"""Hours (영업 설정): orders refused while ordering is closed, the store settings API, the menu's
`ordering` block and the `store.updated` event."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.hours import SEOUL
from accounts.models import Role, Store
from accounts.services import create_manager, setup_table, update_store_settings
from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from core.exceptions import Conflict
from orders.models import EventType, Order, OrderEvent
from orders.outbox import events_after
from orders.services import place_order
from orders.sse import AllEvents, KitchenEvents, SessionFilter
from orders.tests.test_concurrency import run_together

STORE = "/api/v1/admin/store"
MENU = "/api/v1/menu"
ORDERS = "/api/v1/orders"


def manager_headers(user):
    return {"Authorization": f"Bearer {manager_tokens(user)['access']}"}


def tablet_headers(table, **extra):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}", **extra}


def order_body(menu):
    return {"items": [{"menu_item_id": menu[0].id, "quantity": 1}]}


def patch(client, manager, body):
    return client.patch(STORE, body, content_type="application/json", headers=manager_headers(manager))


def break_around_now():
    """A break on today's weekday (Seoul) that started at the last full minute and ends 2 h later
    (within the day: the test runs before 21:59 or moves the break back)."""
    now = timezone.now().astimezone(SEOUL).replace(second=0, microsecond=0)
    start = min(now, now.replace(hour=21, minute=59))
    end = start + timedelta(hours=2) if start.hour < 22 else start.replace(hour=23, minute=59)
    return {"weekday": now.weekday(), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}, end


def test_a_manager_reads_the_store_settings_with_the_ordering_state(client, manager):
    response = client.get(STORE, headers=manager_headers(manager))
    assert response.status_code == 200
    assert response.json() == {
        "ordering_paused": False,
        "pause_message": "",
        "break_times": [],
        "last_order_time": None,
        "opening_time": None,
        "staff_call_reasons": ["물", "앞접시", "수저", "계산 요청", "기타"],
        "staff_call_reason_translations": {},
        "origin_notice": "",
        "origin_notice_translations": {},
        "cart_reminder_chime": True,
        "ordering": {"open": True, "reason": None, "message": "", "reopens_at": None, "closes_at": None},
    }


def test_pausing_refuses_orders_with_the_reason_and_staff_calls_still_work(client, manager, table, menu):
    response = patch(client, manager, {"ordering_paused": True, "pause_message": "재료 준비 중입니다"})
    assert response.status_code == 200
    assert response.json()["ordering"] == {
        "open": False,
        "reason": "paused",
        "message": "재료 준비 중입니다",
        "reopens_at": None,
        "closes_at": None,
    }

    refused = client.post(
        ORDERS,
        order_body(menu),
        content_type="application/json",
        headers=tablet_headers(table, **{"Idempotency-Key": "k1"}),
    )
    assert refused.status_code == 409
    assert refused.json() == {
        "error": {"code": "ordering_closed", "message": "재료 준비 중입니다", "reason": "paused", "reopens_at": None}
    }
    assert not Order.objects.exists()

    call = client.post(
        "/api/v1/staff-calls", {"reason": "물"}, content_type="application/json", headers=tablet_headers(table)
    )
    assert call.status_code == 201

    assert patch(client, manager, {"ordering_paused": False}).json()["ordering"]["open"] is True
    placed = client.post(
        ORDERS,
        order_body(menu),
        content_type="application/json",
        headers=tablet_headers(table, **{"Idempotency-Key": "k1"}),
    )
    assert placed.status_code == 201


def test_the_refusal_is_in_the_documented_error_shape(client, manager, table, menu):
    patch(client, manager, {"ordering_paused": True})
    refused = client.post(
        ORDERS,
        order_body(menu),
        content_type="application/json",
        headers=tablet_headers(table, **{"Idempotency-Key": "k1"}),
    )
    error = client.get("/api/schema/?format=json").json()["components"]["schemas"]["Error"]
    assert set(refused.json()["error"]) <= set(error["properties"]["error"]["properties"])
    assert refused.json()["error"]["message"]


def test_a_replayed_key_still_gets_its_order_while_closed(client, manager, table, menu):
    headers = tablet_headers(table, **{"Idempotency-Key": "k1"})
    first = client.post(ORDERS, order_body(menu), content_type="application/json", headers=headers)
    patch(client, manager, {"ordering_paused": True})
    again = client.post(ORDERS, order_body(menu), content_type="application/json", headers=headers)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def test_a_break_refuses_orders_until_it_ends(client, manager, table, menu):
    breaks, end = break_around_now()
    response = patch(client, manager, {"break_times": [breaks]})
    assert response.status_code == 200, response.content
    refused = client.post(
        ORDERS,
        order_body(menu),
        content_type="application/json",
        headers=tablet_headers(table, **{"Idempotency-Key": "k1"}),
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["reason"] == "break"
    assert datetime.fromisoformat(refused.json()["error"]["reopens_at"]) == end
    assert end.strftime("%H:%M") in refused.json()["error"]["message"]


def test_an_order_checked_on_an_old_copy_of_the_store_is_refused_under_the_lock(table, menu):
    """The table's store was read before the pause: its version tells the write to check again."""
    assert table.store.ordering_paused is False
    update_store_settings(store=Store.objects.get(pk=table.store_id), actor=None, ordering_paused=True)
    with pytest.raises(Conflict) as refused:
        place_order(table=table, items=order_body(menu)["items"], idempotency_key="k1")
    assert refused.value.code == "ordering_closed"
    assert not Order.objects.exists()


def test_an_order_on_an_old_copy_still_goes_through_when_the_change_keeps_ordering_open(table, menu):
    update_store_settings(store=Store.objects.get(pk=table.store_id), actor=None, pause_message="곧 마감")
    order, created = place_order(table=table, items=order_body(menu)["items"], idempotency_key="k1")
    assert created and order.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"break_times": [{"weekday": 0, "start": "15:00", "end": "14:00"}]}, "break_times"),
        (
            {
                "break_times": [
                    {"weekday": 0, "start": "15:00", "end": "17:00"},
                    {"weekday": 0, "start": "16:00", "end": "18:00"},
                ]
            },
            "break_times",
        ),
        ({"break_times": [{"weekday": 7, "start": "15:00", "end": "17:00"}]}, "break_times"),
        ({"break_times": [{"weekday": 1, "start": "3 pm", "end": "17:00"}]}, "break_times"),
        ({"pause_message": "가" * 101}, "pause_message"),
        ({"ordering_paused": "maybe"}, "ordering_paused"),
        ({"last_order_time": "25:00"}, "last_order_time"),
        ({"last_order_time": "06:00"}, "opening_time"),
        ({"staff_call_reasons": []}, "staff_call_reasons"),
    ],
)
def test_bad_settings_are_a_400_naming_the_field_and_nothing_changes(client, manager, body, field):
    before = list(Store.objects.values())
    events = OrderEvent.objects.count()
    response = patch(client, manager, body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert list(Store.objects.values()) == before
    assert OrderEvent.objects.count() == events


def test_kitchen_staff_may_not_read_or_change_the_store_settings(client, store):
    cook = create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)
    assert client.get(STORE, headers=manager_headers(cook)).status_code == 403
    assert patch(client, cook, {"ordering_paused": True}).status_code == 403
    assert Store.objects.get(pk=store.pk).ordering_paused is False


def test_a_change_publishes_store_updated_with_the_ordering_state_and_the_tablet_settings(client, manager):
    patch(client, manager, {"ordering_paused": True, "pause_message": "잠시만요", "last_order_time": "21:00"})
    event = OrderEvent.objects.filter(type=EventType.STORE_UPDATED).get()
    assert event.table_id is None  # store-wide: every tablet and dashboard hears it
    assert event.payload == {
        "ordering": {"open": False, "reason": "paused", "message": "잠시만요", "reopens_at": None, "closes_at": None},
        "store_name": "알파 식당",
        "staff_call_reasons": ["물", "앞접시", "수저", "계산 요청", "기타"],
        "ordering_paused": True,
        "pause_message": "잠시만요",
        "staff_call_reason_translations": {},
        "origin_notice": "",
        "origin_notice_translations": {},
        "cart_reminder_chime": True,
    }
    shown = client.get(STORE, headers=manager_headers(manager)).json()
    assert shown["last_order_time"] == "21:00"


def test_the_menu_carries_the_ordering_state_and_its_etag_follows_it(client, manager, table, menu):
    first = client.get(MENU, headers=tablet_headers(table))
    assert first.json()["ordering"]["open"] is True
    assert client.get(MENU, headers=tablet_headers(table, **{"If-None-Match": first["ETag"]})).status_code == 304

    patch(client, manager, {"ordering_paused": True, "pause_message": "잠시만요"})
    paused = client.get(MENU, headers=tablet_headers(table, **{"If-None-Match": first["ETag"]}))
    assert paused.status_code == 200
    assert paused.json()["ordering"]["reason"] == "paused"


def test_the_menu_s_ordering_state_is_of_the_request_s_moment_not_of_the_cached_menu(
    client, store, table, menu, monkeypatch
):
    """A break that starts by the clock writes nothing: the next read shows it all the same."""
    update_store_settings(store=store, actor=None, break_times=[{"weekday": 0, "start": "15:00", "end": "17:00"}])
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 7, 14, 59, tzinfo=SEOUL))
    before = client.get(MENU, headers=tablet_headers(table))
    assert before.json()["ordering"]["closes_at"] == "2026-12-07T15:00:00+09:00"
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 7, 15, 0, tzinfo=SEOUL))
    during = client.get(MENU, headers=tablet_headers(table, **{"If-None-Match": before["ETag"]}))
    assert during.status_code == 200
    assert during["ETag"] != before["ETag"]
    assert during.json()["ordering"]["reason"] == "break"
    assert during.json()["ordering"]["reopens_at"] == "2026-12-07T17:00:00+09:00"
    assert during.json()["categories"] == before.json()["categories"]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_pause_committed_while_orders_are_placed_leaves_a_sequential_outcome(settings, table, menu):
    """Each order either committed before the pause (its event comes first) or was refused;
    every order thread holds the store as it was before the pause."""
    settings.TABLE_ORDER_LIMIT = 1000
    tables = [setup_table(store=table.store, number=n, password="1234")[0] for n in range(2, 10)]
    for t in tables:
        t.store = Store.objects.get(pk=table.store_id)

    def pause():
        update_store_settings(store=Store.objects.get(pk=table.store_id), actor=None, ordering_paused=True)

    def order(t):
        return lambda: place_order(table=t, items=order_body(menu)["items"], idempotency_key=f"k{t.number}")

    _results, errors = run_together([pause, *(order(t) for t in tables)])

    assert errors[0] is None
    assert all(error is None or getattr(error, "code", None) == "ordering_closed" for error in errors[1:])
    paused_at = OrderEvent.objects.get(type=EventType.STORE_UPDATED).id
    placed = OrderEvent.objects.filter(type=EventType.ORDER_CREATED).values_list("id", flat=True)
    assert all(event_id < paused_at for event_id in placed)
    assert len(placed) == Order.objects.count() == sum(error is None for error in errors[1:])
    with pytest.raises(Conflict):
        place_order(table=tables[0], items=order_body(menu)["items"], idempotency_key="after")


def test_store_updated_reaches_a_tablet_s_stream_and_the_managers_not_the_kitchen_s(client, manager, table, menu):
    place_order(table=table, items=order_body(menu)["items"], idempotency_key="k1")
    session_id = Order.objects.get().session_id
    patch(client, manager, {"ordering_paused": True})
    (event,) = events_after(
        after_id=0, store_id=table.store_id, limit=100, table_id=table.id, min_session_id=session_id
    )[-1:]
    assert event.type == EventType.STORE_UPDATED
    assert SessionFilter(session_id).admits(event)
    assert AllEvents().admits(event)
    assert not KitchenEvents().admits(event)
