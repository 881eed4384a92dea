"""Abuse limits: orders and staff calls per table (counted in the database, under the store
lock) and open streams per tablet and per manager (per process)."""

import asyncio
import gc
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import RequestFactory

from accounts.models import Store
from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from core.exceptions import RateLimited
from orders import sse, stream_access
from orders.hub import hub
from orders.models import EventType, Order, OrderEvent, OrderLine, StaffCall, TableSession
from orders.services import close_session, delete_order, place_order
from orders.staff_calls import acknowledge_staff_call, call_staff
from orders.tests.sse_client import ASGIStream, run
from orders.tests.test_concurrency import run_together

ORDERS = "/api/v1/orders"
CALLS = "/api/v1/staff-calls"
ADMIN_STREAM = "/api/v1/admin/stream"
TABLET_STREAM = "/api/v1/orders/stream"


def tablet(table, key=None):
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def order_body(item):
    return {"items": [{"menu_item_id": item.id, "quantity": 1}]}


def post_order(client, table, item, key):
    return client.post(ORDERS, order_body(item), content_type="application/json", headers=tablet(table, key))


def post_call(client, table, reason):
    return client.post(CALLS, {"reason": reason}, content_type="application/json", headers=tablet(table))


def fill_orders(table, item, count, prefix="tap"):
    return [
        place_order(table=table, items=order_body(item)["items"], idempotency_key=f"{prefix}-{n}")[0]
        for n in range(count)
    ]


def state():
    """Everything an order or a call could have written."""
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        StaffCall.objects.count(),
        TableSession.objects.count(),
        OrderEvent.objects.count(),
        list(Store.objects.values_list("last_order_number", flat=True)),
    )


def age(model, by):
    model.objects.update(created_at=F("created_at") - by)


def assert_rate_limited(response, *, within):
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= within


def test_the_defaults_leave_room_for_a_busy_table(settings):
    limits = (settings.TABLE_ORDER_LIMIT, settings.TABLE_STAFF_CALL_LIMIT, settings.TABLE_RATE_WINDOW)
    assert limits == (10, 6, timedelta(seconds=60))
    assert (settings.STREAMS_PER_TABLE, settings.STREAMS_PER_MANAGER) == (4, 10)


# Orders


def test_an_order_over_the_tables_limit_is_429_and_changes_nothing(client, table, menu, settings):
    for n in range(settings.TABLE_ORDER_LIMIT):
        assert post_order(client, table, menu[0], f"tap-{n}").status_code == 201
    before = state()
    response = post_order(client, table, menu[0], "one-too-many")
    assert_rate_limited(response, within=60)
    assert state() == before
    # Another table of the store orders as usual.
    neighbour = setup_table(store=table.store, number=2, password="1234")[0]
    assert post_order(client, neighbour, menu[0], "next-door").status_code == 201


def test_a_replayed_order_is_never_limited(client, table, menu, settings):
    first = post_order(client, table, menu[0], "tap-0").json()
    for n in range(1, settings.TABLE_ORDER_LIMIT):
        post_order(client, table, menu[0], f"tap-{n}")
    before = state()
    replay = post_order(client, table, menu[0], "tap-0")
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first["id"]
    assert state() == before


def test_the_window_slides_and_retry_after_says_when(client, table, menu, settings):
    window = settings.TABLE_RATE_WINDOW
    fill_orders(table, menu[0], settings.TABLE_ORDER_LIMIT)
    # The oldest of the limit leaves the window in 5 seconds.
    age(Order, window - timedelta(seconds=5))
    response = post_order(client, table, menu[0], "early")
    assert_rate_limited(response, within=5)
    assert int(response["Retry-After"]) >= 4
    age(Order, timedelta(seconds=6))
    assert post_order(client, table, menu[0], "on-time").status_code == 201


def test_the_limit_counts_deleted_orders_and_restarts_with_the_next_guests(table, menu, manager, settings):
    orders = fill_orders(table, menu[0], settings.TABLE_ORDER_LIMIT)
    delete_order(order=orders[0], actor=manager)
    with pytest.raises(RateLimited):
        fill_orders(table, menu[0], 1, prefix="more")
    # "이용 완료": the next guests' session starts with a clean count.
    close_session(table=table, actor=manager)
    assert len(fill_orders(table, menu[0], settings.TABLE_ORDER_LIMIT, prefix="next")) == settings.TABLE_ORDER_LIMIT


def test_a_smaller_limit_from_settings_applies(client, table, menu, settings):
    settings.TABLE_ORDER_LIMIT = 2
    settings.TABLE_RATE_WINDOW = timedelta(seconds=10)
    fill_orders(table, menu[0], 2)
    assert_rate_limited(post_order(client, table, menu[0], "third"), within=10)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_retry_that_waited_for_the_lock_while_its_order_filled_the_limit_gets_that_order(table, menu, settings):
    """The retry finds no order before the store lock (the first request has not committed);
    once it has the lock, the table is at its limit, but the order it asked for exists now."""
    fill_orders(table, menu[0], settings.TABLE_ORDER_LIMIT - 1)
    items = order_body(menu[0])["items"]
    first_holds_the_lock, let_first_commit = threading.Event(), threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                results["first"] = place_order(table=table, items=items, idempotency_key="flaky-wifi")
                first_holds_the_lock.set()
                let_first_commit.wait(10)
        finally:
            connection.close()

    def retry():
        try:
            results["retry"] = place_order(table=table, items=items, idempotency_key="flaky-wifi")
        except Exception as error:
            results["retry"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=retry)]
    threads[0].start()
    assert first_holds_the_lock.wait(10)
    threads[1].start()
    wait_for_a_lock_waiter()
    let_first_commit.set()
    for thread in threads:
        thread.join(10)
    (order, created), retried = results["first"], results["retry"]
    assert created
    assert retried == (order, False)
    assert Order.objects.count() == settings.TABLE_ORDER_LIMIT


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_orders_at_one_table_stop_exactly_at_the_limit(table, menu, settings):
    items = order_body(menu[0])["items"]
    count = settings.TABLE_ORDER_LIMIT + 5
    results, errors = run_together([lambda: place_order(table=table, items=items)] * count)
    assert sum(result is not None for result in results) == settings.TABLE_ORDER_LIMIT
    assert all(isinstance(error, RateLimited) for error in errors if error is not None)
    assert Order.objects.count() == settings.TABLE_ORDER_LIMIT
    assert OrderEvent.objects.filter(type=EventType.ORDER_CREATED).count() == settings.TABLE_ORDER_LIMIT
    numbers = sorted(Order.objects.values_list("number", flat=True))
    assert numbers == list(range(1, settings.TABLE_ORDER_LIMIT + 1))


def wait_for_a_lock_waiter(timeout=10):
    """Until some connection waits for an advisory lock (the store's write lock)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("nobody waited for the store lock")


# Staff calls


def test_a_new_call_over_the_tables_limit_is_429_and_changes_nothing(client, table, manager, settings):
    reasons = table.store.staff_call_reasons
    for n in range(settings.TABLE_STAFF_CALL_LIMIT):
        call, created = call_staff(table=table, reason=reasons[n % len(reasons)])
        assert created
        acknowledge_staff_call(call=call, actor=manager)
    before = state()
    assert_rate_limited(post_call(client, table, reasons[0]), within=60)
    assert state() == before
    age(StaffCall, settings.TABLE_RATE_WINDOW)
    assert post_call(client, table, reasons[0]).status_code == 201


def test_a_second_tap_on_a_waiting_call_is_not_a_new_call(client, table, manager, settings):
    reasons = table.store.staff_call_reasons
    for _call in range(settings.TABLE_STAFF_CALL_LIMIT - 1):
        acknowledge_staff_call(call=call_staff(table=table, reason=reasons[0])[0], actor=manager)
    waiting = post_call(client, table, reasons[1])
    assert waiting.status_code == 201
    # At the limit now, but tapping the waiting reason again just shows that call.
    for _tap in range(3):
        again = post_call(client, table, reasons[1])
        assert again.status_code == 200
        assert again.json()["id"] == waiting.json()["id"]
    assert_rate_limited(post_call(client, table, reasons[2]), within=60)
    assert OrderEvent.objects.filter(type=EventType.STAFF_CALL_CREATED).count() == settings.TABLE_STAFF_CALL_LIMIT


# Streams


transactional = pytest.mark.django_db(transaction=True)


def assert_too_many_streams(stream, body):
    assert stream.status == 429
    assert stream.response_headers["content-type"] == "application/json"
    assert int(stream.response_headers["retry-after"]) >= 1
    assert b'"too_many_streams"' in body


@transactional
def test_a_tablet_may_hold_its_cap_of_streams_and_a_closed_one_frees_its_place(table, manager, settings):
    settings.STREAMS_PER_TABLE = 2
    token = table_tokens(table)["access"]
    other_table = setup_table(store=table.store, number=2, password="1234")[0]

    async def scenario():
        async with ASGIStream(TABLET_STREAM, token=token) as first, ASGIStream(TABLET_STREAM, token=token) as second:
            await first.events(1)
            await second.events(1)
            async with ASGIStream(TABLET_STREAM, token=token) as third:
                assert_too_many_streams(third, await third.body())
            # Another tablet and the manager have places of their own.
            async with ASGIStream(TABLET_STREAM, token=table_tokens(other_table)["access"]) as neighbour:
                assert neighbour.status == 200
            async with ASGIStream(ADMIN_STREAM, token=manager_tokens(manager)["access"]) as dashboard:
                assert dashboard.status == 200
        # Both disconnected: the tablet reconnects as often as it likes, within its cap.
        for _reconnect in range(3):
            async with ASGIStream(TABLET_STREAM, token=token) as again:
                assert again.status == 200
                await again.events(1)
        assert sse.stream_slots.open_count(("table", table.id)) == 0

    run(scenario)


@transactional
def test_a_manager_may_hold_its_cap_of_streams_whatever_the_credential(store, manager, settings):
    settings.STREAMS_PER_MANAGER = 2
    token = manager_tokens(manager)["access"]

    async def scenario():
        async with ASGIStream(ADMIN_STREAM, token=token) as first:
            await first.events(1)
            ticket = stream_access.issue_ticket(manager)
            async with ASGIStream(f"{ADMIN_STREAM}?ticket={ticket}") as second:
                assert second.status == 200
                async with ASGIStream(ADMIN_STREAM, token=token) as third:
                    assert_too_many_streams(third, await third.body())
            async with ASGIStream(ADMIN_STREAM, token=token) as after_one_closed:
                assert after_one_closed.status == 200
                await after_one_closed.events(1)

    run(scenario)


@transactional
def test_a_stream_dropped_before_it_started_gives_its_place_back(manager, settings):
    settings.STREAMS_PER_MANAGER = 1
    request = RequestFactory().get(
        ADMIN_STREAM, headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"}
    )
    key = ("manager", manager.id)

    async def scenario():
        # The view, called on the loop as the test process allows (DJANGO_ALLOW_ASYNC_UNSAFE).
        response = sse.admin_stream(request)
        assert response.status_code == 200
        assert sse.stream_slots.open_count(key) == 1
        refused = sse.admin_stream(request)
        assert refused.status_code == 429
        # The server never iterated the body (its client left first): no `finally` ran.
        del response
        gc.collect()
        assert sse.stream_slots.open_count(key) == 0
        assert hub.subscriber_count() == 0
        await asyncio.sleep(0)

    run(scenario)


def test_the_limits_are_in_the_schema(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path, method in [(ORDERS, "post"), (CALLS, "post"), (ADMIN_STREAM, "get"), (TABLET_STREAM, "get")]:
        answer = paths[path][method]["responses"]["429"]
        assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert "Retry-After" in answer["headers"]
