"""Publishing and fan-out: commit-only delivery, commit order, reconnect with catch-up, pruning."""

import asyncio
import json
import threading
from datetime import timedelta
from io import StringIO
from operator import attrgetter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.services import setup_table
from conftest import postgres_only
from core.listener import listener
from orders.hub import StreamEnded, hub
from orders.models import OrderEvent
from orders.outbox import COLUMNS, Event
from orders.services import place_order
from orders.tests.sse_client import db, run

pytestmark = pytest.mark.django_db(transaction=True)


def order(table, item, quantity=1):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}])[0]


def place_then_roll_back(table, item):
    with transaction.atomic():
        order(table, item)
        raise RuntimeError("the change fails after its event was written")


def order_id(event):
    return json.loads(event.data)["order"]["id"]


async def next_event(subscription, timeout=5.0):
    event = await subscription.get(timeout)
    assert event is not None, "no event arrived"
    return event


async def next_order(subscription, timeout=5.0):
    """The next order's `order.created`, after checking that its ticket's event comes next."""
    created, ticket = await next_event(subscription, timeout), await next_event(subscription, timeout)
    assert (created.type, ticket.type) == ("order.created", "ticket.created")
    assert json.loads(ticket.data)["ticket"]["order_id"] == order_id(created)
    assert ticket.id > created.id and (ticket.table_id, ticket.session_id) == (created.table_id, created.session_id)
    return created


def test_a_rolled_back_change_is_never_delivered(store, table, menu):
    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        await hub.ready()
        with pytest.raises(RuntimeError):
            await db(place_then_roll_back)(table, menu[0])
        committed = await db(order)(table, menu[1])
        event = await next_order(subscription)
        assert order_id(event) == committed.id
        assert await subscription.get(0.3) is None
        assert await db(OrderEvent.objects.count)() == 2  # the order's and its ticket's

    run(scenario)


@postgres_only
def test_concurrent_orders_arrive_in_commit_order(store, table, menu, settings):
    """Order numbers are given out under the store lock, i.e. in commit order."""
    writers, per_writer = 6, 5
    settings.TABLE_ORDER_LIMIT = writers * per_writer  # more than a table's rate limit, at once

    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        await hub.ready()

        def write_many():
            try:
                for _ in range(per_writer):
                    order(table, menu[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=write_many) for _ in range(writers)]
        for thread in threads:
            thread.start()
        # Each order's event, then its ticket's (next_order), one order after another.
        received = [await next_event(subscription, 15) for _ in range(2 * writers * per_writer)]
        for thread in threads:
            thread.join(10)
        orders = received[::2]
        assert [e.type for e in orders] == ["order.created"] * writers * per_writer
        numbers = [json.loads(e.data)["order"]["number"] for e in orders]
        assert numbers == list(range(1, writers * per_writer + 1))
        tickets = [json.loads(e.data)["ticket"] for e in received[1::2]]
        assert [(t["order_id"], t["number"]) for t in tickets] == [
            (order_id(e), n) for e, n in zip(orders, numbers, strict=True)
        ]
        assert [e.id for e in received] == sorted(e.id for e in received)
        assert await subscription.get(0.3) is None

    run(scenario)


def test_subscriptions_hear_only_their_store_or_table(store, table, menu, other_store):
    other_table = setup_table(store=other_store, number=1, password="1234")[0]
    other_item = other_store.menu_items.get()
    neighbour = setup_table(store=store, number=2, password="1234")[0]

    async def scenario():
        whole_store = hub.subscribe(store_id=store.id)
        one_table = hub.subscribe(store_id=store.id, table_id=table.id)
        await hub.ready()
        await db(order)(other_table, other_item)
        await db(order)(neighbour, menu[0])
        mine = await db(order)(table, menu[0])
        first, second = await next_order(whole_store), await next_order(whole_store)
        assert (first.table_id, second.table_id) == (neighbour.id, table.id)
        only = await next_order(one_table)
        assert only.table_id == table.id and order_id(only) == mine.id
        assert await whole_store.get(0.2) is None and await one_table.get(0.2) is None

    run(scenario)


@postgres_only
def test_listener_reconnects_and_catches_up_on_events_sent_while_it_was_away(store, table, menu):
    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        generation = await hub.ready()
        await db(order)(table, menu[0])
        await next_order(subscription)
        subscription.advance((await db(OrderEvent.objects.latest)("id")).id)
        await db(terminate_backends)(listener.backend_pids)
        # Written while the listener is down or reconnecting: its NOTIFY reaches no one.
        missed = await db(order)(table, menu[1])
        event = await next_order(subscription, 15)
        assert order_id(event) == missed.id
        assert hub.generation > generation
        after = await db(order)(table, menu[2])
        assert order_id(await next_order(subscription)) == after.id
        assert await subscription.get(0.3) is None

    run(scenario)


def terminate_backends(pids):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(pids)])


def test_deliver_from_another_thread_reaches_the_loop(store, table, menu):
    """The SQLite path: `publish` hands committed events to the hub from a worker thread."""

    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        row = await db(lambda: OrderEvent.objects.create(store=store, type="order.created", payload={"n": 1}))()
        await asyncio.to_thread(hub.deliver, Event.from_row(attrgetter(*COLUMNS)(row)))
        event = await next_event(subscription)
        assert (event.id, event.data) == (row.id, '{"n":1}')

    run(scenario)


def test_an_event_is_read_and_encoded_once_per_process_not_per_subscriber(store, table, menu):
    async def scenario():
        subscriptions = [hub.subscribe(store_id=store.id) for _ in range(3)]
        subscriptions.append(hub.subscribe(store_id=store.id, table_id=table.id))
        await hub.ready()
        await db(order)(table, menu[0])
        first, *others = [await next_event(subscription) for subscription in subscriptions]
        assert all(event is first for event in others)
        assert first.message.startswith(f"id: {first.id}\nevent: order.created\ndata: {{".encode())

    run(scenario)


def test_a_subscriber_too_far_behind_is_ended_not_grown(store, monkeypatch):
    monkeypatch.setattr("orders.hub.SUBSCRIBER_QUEUE_SIZE", 3)

    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        events = [Event.from_row((i, store.id, None, None, "t", {})) for i in range(1, 6)]
        hub.dispatch(events)
        assert subscription.closed
        received = []
        with pytest.raises(StreamEnded):
            while True:
                received.append((await subscription.get(1)).id)
        # What was queued before the overflow, without a gap; the client then replays the rest.
        assert received == [1, 2, 3]

    run(scenario)


def test_prune_events_deletes_only_events_past_retention(store, settings):
    old = OrderEvent.objects.create(store=store, type="order.created", payload={})
    recent = OrderEvent.objects.create(store=store, type="order.created", payload={})
    OrderEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    OrderEvent.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=6))
    settings.ORDER_EVENT_RETENTION_DAYS = 7
    out = StringIO()
    call_command("prune_events", "--batch-size", "1", stdout=out)
    assert list(OrderEvent.objects.values_list("id", flat=True)) == [recent.pk]
    assert "1" in out.getvalue()
    call_command("prune_events", "--days", "5", stdout=StringIO())
    assert not OrderEvent.objects.exists()
    with pytest.raises(CommandError):
        call_command("prune_events", "--days", "0", stdout=StringIO())
