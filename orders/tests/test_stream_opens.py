"""How a stream starts: from the store's recent events in memory when they reach back far
enough (orders.hub.Recent), else from the outbox; stream opens past the waiting limit are
turned away at once; a draining process ends its streams spread out, each told when to return."""

import asyncio
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from core.runtime.handler import STREAM_BUSY_RETRY_AFTER
from orders.hub import RECENT_EVENTS, RECONNECT_MILLISECONDS, hub
from orders.models import OrderEvent
from orders.services import place_order
from orders.sse import stream_start
from orders.stream_access import StreamAccess
from orders.tests.sse_client import ASGIStream, db, run

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "/api/v1/admin/stream"
TABLET = "/api/v1/orders/stream"


def order(table, item):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])[0]


def counted_start(access, last_event_id, generation):
    """`stream_start` as a stream's open runs it (a thread), with the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        start = stream_start(access, last_event_id, generation)
    return start, len(queries)


def event_ids(store):
    return list(OrderEvent.objects.filter(store=store).order_by("id").values_list("id", flat=True))


@postgres_only
def test_a_reconnect_within_the_recent_events_reads_nothing_and_misses_nothing(store, table, menu, manager):
    """A deploy's reconnects come with a Last-Event-ID of moments ago: answered from memory."""
    for _ in range(3):
        order(table, menu[0])
    dashboard = StreamAccess(store_id=store.id, user_id=manager.id, token_version=manager.token_version)

    async def scenario():
        held = hub.subscribe(store_id=store.id)
        generation = await hub.ready()
        # The first start reads the store's latest events once and keeps them.
        first, first_queries = await db(counted_start)(dashboard, None, generation)
        ids = await db(event_ids)(store)
        assert first.cursor == ids[-1] and first.batch == [] and first_queries == 1
        # Events heard since are kept too.
        placed = await db(order)(table, menu[1])
        while (event := await held.get(5)) is not None and event.type != "ticket.created":
            pass
        ids = await db(event_ids)(store)
        again, queries = await db(counted_start)(dashboard, ids[1], generation)
        assert queries == 0
        assert again.cursor == ids[1] and [e.id for e in again.batch] == ids[2:]
        assert again.batch[-2].type == "order.created" and str(placed.id) in again.batch[-2].data
        hub.unsubscribe(held)

    run(scenario)


@postgres_only
def test_an_older_gap_is_read_from_the_outbox_and_a_tablet_gets_only_its_table(store, table, menu, settings):
    settings.TABLE_ORDER_LIMIT = 1000
    other_table, _ = setup_table(store=store, number=2, password="1234")
    orders = RECENT_EVENTS // 2 + 2  # each makes order.created and ticket.created
    for index in range(orders):
        order(table if index % 2 else other_table, menu[0])
    tablet = StreamAccess(store_id=store.id, table_id=table.id, token_version=table.token_version)

    async def scenario():
        held = hub.subscribe(store_id=store.id)
        generation = await hub.ready()
        ids = await db(event_ids)(store)
        # Not in memory any more: the outbox, with the table's events only.
        old, queries = await db(counted_start)(tablet, ids[0], generation)
        assert queries >= 2
        recent, recent_queries = await db(counted_start)(tablet, ids[-6], generation)
        hub.unsubscribe(held)
        return old, recent, recent_queries

    old, recent, recent_queries = run(scenario)
    mine = list(OrderEvent.objects.filter(table=table).order_by("id").values_list("id", flat=True))
    assert [e.id for e in old.batch] == [i for i in mine if i > old.cursor]
    assert [e.id for e in recent.batch] == [i for i in mine if i > recent.cursor]
    # The table's session ids are read for every tablet; the events came from memory.
    assert recent_queries == 1


def test_stream_opens_past_the_waiting_limit_are_turned_away_at_once(table, manager, settings):
    settings.STREAM_OPENS_WAITING = 0
    token = manager_tokens(manager)["access"]

    async def scenario():
        async with ASGIStream(ADMIN, token=token) as stream:
            return stream.status, stream.response_headers, await stream.body()

    status, headers, body = run(scenario)
    assert status == 503 and b'"server_busy"' in body
    low, high = STREAM_BUSY_RETRY_AFTER
    assert low <= int(headers["retry-after"]) <= high
    assert hub.subscriber_count() == 0


def test_a_drain_ends_streams_spread_out_each_told_when_to_come_back(table, menu, manager, settings):
    settings.STREAM_DRAIN_RATE = 10  # five streams over half a second
    manager_token = manager_tokens(manager)["access"]
    tablet_token = table_tokens(table)["access"]

    async def last_words(stream):
        frames = []
        with pytest.raises(EOFError):
            while True:
                frames.append(await stream.next_frame(5))
        return frames[-1], time.monotonic()

    async def scenario():
        streams = [ASGIStream(ADMIN, token=manager_token) for _ in range(4)] + [ASGIStream(TABLET, token=tablet_token)]
        for stream in streams:
            await stream.__aenter__()
            await stream.events(1)
        started = time.monotonic()
        hub.drain()
        # A stream that opens while the process drains ends at once, told the same.
        async with ASGIStream(ADMIN, token=manager_token) as late:
            assert (await late.events(1))[0].event == "stream.open"
            late_words = await last_words(late)
        ended = await asyncio.gather(*(last_words(stream) for stream in streams))
        for stream in streams:
            await stream.__aexit__(None, None, None)
        return started, late_words, ended

    started, late_words, ended = run(scenario)
    for frame, _when in [late_words, *ended]:
        assert RECONNECT_MILLISECONDS[0] <= frame.retry <= RECONNECT_MILLISECONDS[1]
    moments = sorted(when - started for _frame, when in ended)
    assert moments[-1] - moments[0] >= 0.25 and moments[-1] < 2
    assert hub.subscriber_count() == 0
