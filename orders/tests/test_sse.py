"""The SSE views, driven in-process over ASGI (on SQLite by the in-process hub, on PostgreSQL
by this process's LISTEN connection)."""

import asyncio
import contextlib
import threading

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import revoke_tablet, setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_menu, make_store
from core import listener
from kitchen import alerts
from orders import sse, stream_access
from orders.hub import hub
from orders.services import change_order_status, close_session, delete_order, place_order
from orders.tests.sse_client import ASGIStream, db, run

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "/api/v1/admin/stream"
TABLET = "/api/v1/orders/stream"


def order(table, item, quantity=1):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}])[0]


def orders_of(frames):
    """The order ids of a dashboard's `order.created` frames, after checking that each is
    followed by its ticket's `ticket.created` (the store has one kitchen station)."""
    created = [f for f in frames if f.event == "order.created"]
    assert [f.event for f in frames] == ["order.created", "ticket.created"] * len(created)
    for order_frame, ticket_frame in zip(frames[::2], frames[1::2], strict=True):
        assert ticket_frame.data["ticket"]["order_id"] == order_frame.data["order"]["id"]
        assert ticket_frame.id > order_frame.id
    return [f.data["order"]["id"] for f in created]


@pytest.fixture
def manager_token(manager):
    return manager_tokens(manager)["access"]


@pytest.fixture
def tablet_token(table):
    return table_tokens(table)["access"]


def test_admin_stream_announces_itself_then_carries_new_orders(table, menu, manager_token):
    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token) as stream:
            assert stream.status == 200
            assert stream.response_headers["content-type"].startswith("text/event-stream")
            assert stream.response_headers["x-accel-buffering"] == "no"
            assert "no-cache" in stream.response_headers["cache-control"]
            first = await stream.next_frame()
            # Spread out per stream, so clients dropped together come back apart.
            assert sse.RETRY_MILLISECONDS[0] <= first.retry <= sse.RETRY_MILLISECONDS[1]
            (opened,) = await stream.events(1)
            assert opened.event == "stream.open"
            assert opened.data == {"last_event_id": 0, "session_id": None}
            placed = await db(order)(table, menu[0], 2)
            (created,) = await stream.events(1)
            assert created.event == "order.created"
            assert created.id > opened.id
            assert created.data["order"]["id"] == placed.id
            assert created.data["order"]["total"] == 18000
            assert created.data["table"] == {
                "id": table.id,
                "number": 1,
                "session_id": placed.session_id,
                "total": 18000,
                "order_count": 1,
            }
            # The kitchen's ticket, right after: a manager's stream carries everything.
            (ticket,) = await stream.events(1)
            assert (ticket.event, ticket.id) == ("ticket.created", created.id + 1)
            assert ticket.data["ticket"]["order_id"] == placed.id
            assert ticket.data["ticket"]["lines"] == [{"name": "김치찌개", "quantity": 2, "options": []}]

    run(scenario)


def test_every_event_type_reaches_the_dashboard_in_commit_order(table, menu, manager, manager_token):
    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token) as stream:
            await stream.events(1)
            first = await db(order)(table, menu[0])
            second = await db(order)(table, menu[1])
            await db(change_order_status)(order=first, status="preparing")
            await db(delete_order)(order=second, actor=manager)
            await db(close_session)(table=table, actor=manager)
            frames = await stream.events(8)
        assert [f.event for f in frames] == [
            "order.created",
            "ticket.created",
            "order.created",
            "ticket.created",
            "order.updated",
            "order.deleted",
            "ticket.updated",
            "session.closed",
        ]
        ids = [f.id for f in frames]
        assert ids == sorted(ids) and len(set(ids)) == 8
        assert orders_of(frames[:4]) == [first.id, second.id]
        assert frames[4].data["order"]["status"] == "preparing"
        assert frames[5].data["table"]["total"] == 9000
        # The deleted order's ticket, cancelled.
        assert frames[6].data["ticket"]["id"] == frames[3].data["ticket"]["id"]
        assert frames[6].data["ticket"]["status"] == "cancelled"
        assert frames[7].data["table"]["total"] == 0

    run(scenario)


def test_last_event_id_replays_exactly_the_missed_events_then_goes_live(table, menu, manager_token):
    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token) as stream:
            await stream.events(1)
            await db(order)(table, menu[0])
            _created, seen = await stream.events(2)
        missed = [await db(order)(table, menu[1]) for _ in range(3)]
        async with ASGIStream(ADMIN, token=manager_token, headers={"last-event-id": str(seen.id)}) as stream:
            opened, *replayed = await stream.events(7)
            assert opened.event == "stream.open" and opened.id == seen.id
            assert orders_of(replayed) == [o.id for o in missed]
            live = await db(order)(table, menu[2])
            after = await stream.events(2)
            assert orders_of(after) == [live.id]
            assert await stream.expect_silence(0.3) is None
        # A new EventSource (after a fresh ticket) passes the cursor as a query parameter.
        async with ASGIStream(f"{ADMIN}?last_event_id={replayed[-1].id}", token=manager_token) as stream:
            _opened, *again = await stream.events(3)
            assert [f.id for f in again] == [f.id for f in after]

    run(scenario)


def test_a_long_replay_comes_in_batches_without_gaps(table, menu, manager_token, monkeypatch):
    monkeypatch.setattr(sse, "REPLAY_BATCH", 2)
    missed = [order(table, menu[0]) for _ in range(5)]

    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token, headers={"last-event-id": "0"}) as stream:
            _opened, *replayed = await stream.events(11)
            assert orders_of(replayed) == [o.id for o in missed]
            live = await db(order)(table, menu[1])
            assert orders_of(await stream.events(2)) == [live.id]
            assert await stream.expect_silence(0.3) is None

    run(scenario)


def test_a_future_last_event_id_does_not_swallow_new_events(table, menu, manager_token):
    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token, headers={"last-event-id": "999999"}) as stream:
            (opened,) = await stream.events(1)
            assert opened.id == 0
            await db(order)(table, menu[0])
            (created,) = await stream.events(1)
            assert created.event == "order.created"

    run(scenario)


def test_a_store_stream_never_carries_another_stores_events(table, menu, manager_token):
    other = make_store(code="gamma", name="감마 식당", username="boss")
    other_table = setup_table(store=other, number=1, password="1234")[0]
    other_item = make_menu(other)[0]

    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token, headers={"last-event-id": "0"}) as stream:
            await stream.events(1)
            await db(order)(other_table, other_item)
            await db(order)(other_table, other_item)
            mine = await db(order)(table, menu[0])
            assert orders_of(await stream.events(2)) == [mine.id]
            assert await stream.expect_silence(0.3) is None
        assert all(f.data is None or f.data.get("table", {}).get("id") != other_table.id for f in stream.frames)
        assert all(
            f.data is None or f.data.get("ticket", {}).get("table", {}).get("id") != other_table.id
            for f in stream.frames
        )

    run(scenario)


def test_tablet_stream_carries_only_its_tables_current_session(store, table, menu, manager):
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    earlier = order(table, menu[0])
    close_session(table=table, actor=manager)
    token = table_tokens(table)["access"]

    async def scenario():
        async with ASGIStream(TABLET, token=token, headers={"last-event-id": "0"}) as stream:
            (opened,) = await stream.events(1)
            assert opened.data["session_id"] is None
            await db(order)(neighbour, menu[0])
            mine = await db(order)(table, menu[1])
            (created,) = await stream.events(1)
            assert created.data["order"]["id"] == mine.id
            await db(close_session)(table=table, actor=manager)
            (closed,) = await stream.events(1)
            assert closed.event == "session.closed"
            next_guest = await db(order)(table, menu[2])
            (created,) = await stream.events(1)
            assert created.data["order"]["id"] == next_guest.id
            assert created.data["order"]["session_id"] != mine.session_id
            assert await stream.expect_silence(0.3) is None
        # Reconnecting from the very start replays the current guest's events only.
        async with ASGIStream(TABLET, token=token, headers={"last-event-id": "0"}) as stream:
            opened, replayed = await stream.events(2)
            assert opened.data["session_id"] == next_guest.session_id
            assert replayed.data["order"]["id"] == next_guest.id
            assert await stream.expect_silence(0.3) is None
        shown = {f.data["order"]["id"] for f in stream.frames if f.data and "order" in f.data}
        assert earlier.id not in shown
        # Neither live nor replayed: the kitchen's events are not for a guest's tablet.
        assert [f.event for f in stream.frames if f.event] == ["stream.open", "order.created"]

    run(scenario)


def test_a_tablet_stream_never_carries_the_kitchens_events(table, menu, manager, manager_token, tablet_token):
    async def scenario():
        async with ASGIStream(TABLET, token=tablet_token) as stream:
            await stream.events(1)
            first = await db(order)(table, menu[0])
            second = await db(order)(table, menu[1])
            await db(change_order_status)(order=first, status="completed")  # its ticket is done
            await db(delete_order)(order=second, actor=manager)  # its ticket is cancelled
            frames = await stream.events(4)
            assert await stream.expect_silence(0.3) is None
        assert [f.event for f in frames] == ["order.created", "order.created", "order.updated", "order.deleted"]
        # The manager's stream, replaying the same, has the tickets' events in between.
        async with ASGIStream(ADMIN, token=manager_token, headers={"last-event-id": "0"}) as stream:
            _opened, *everything = await stream.events(9)
            assert await stream.expect_silence(0.3) is None
        assert [f.event for f in everything] == [
            "order.created",
            "ticket.created",
            "order.created",
            "ticket.created",
            "order.updated",
            "ticket.updated",
            "order.deleted",
            "ticket.updated",
        ]
        assert [f.data["ticket"]["status"] for f in everything if f.event == "ticket.updated"] == ["done", "cancelled"]

    run(scenario)


def test_a_tablet_stream_opens_with_its_tables_last_closed_session(store, table, menu, manager, tablet_token):
    neighbour = setup_table(store=store, number=2, password="1234")[0]

    async def opened_data():
        async with ASGIStream(TABLET, token=tablet_token) as stream:
            (opened,) = await stream.events(1)
            return opened.data

    # Before the first "이용 완료" there is none, with or without guests at the table.
    assert run(opened_data)["closed_session_id"] is None
    first = order(table, menu[0])
    data = run(opened_data)
    assert (data["session_id"], data["closed_session_id"]) == (first.session_id, None)
    close_session(table=table, actor=manager)
    assert run(opened_data)["closed_session_id"] == first.session_id
    # The next guests' session is open; the last closed one is still the previous party's.
    second = order(table, menu[1])
    data = run(opened_data)
    assert data["session_id"] == second.session_id
    assert data["closed_session_id"] == first.session_id
    # Another table's sessions are not this table's.
    order(neighbour, menu[0])
    close_session(table=neighbour, actor=manager)
    close_session(table=table, actor=manager)
    data = run(opened_data)
    assert data["session_id"] is None
    assert data["closed_session_id"] == second.session_id


def test_tokens_must_match_the_stream(manager_token, tablet_token):
    async def scenario():
        statuses = {}
        for name, url, headers in [
            ("none admin", ADMIN, {}),
            ("none tablet", TABLET, {}),
            ("tablet on admin", ADMIN, {"authorization": f"Bearer {tablet_token}"}),
            ("manager on tablet", TABLET, {"authorization": f"Bearer {manager_token}"}),
            ("garbage", ADMIN, {"authorization": "Bearer nonsense"}),
            ("bad cursor", ADMIN, {"authorization": f"Bearer {manager_token}", "last-event-id": "abc"}),
        ]:
            async with ASGIStream(url, headers=headers) as stream:
                statuses[name] = (stream.status, (await stream.body())[:200])
        assert statuses["none admin"][0] == 401
        assert b'"not_authenticated"' in statuses["none admin"][1]
        assert statuses["none tablet"][0] == 401
        assert statuses["tablet on admin"][0] == 401
        assert statuses["manager on tablet"][0] == 401
        assert statuses["garbage"][0] == 401
        assert statuses["bad cursor"][0] == 400
        assert hub.subscriber_count() == 0

    run(scenario)


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_managers_session_cookie_opens_the_admin_stream(table, menu, manager):
    cookie = session_cookie(manager)

    async def scenario():
        async with ASGIStream(ADMIN, headers={"cookie": cookie}) as stream:
            assert stream.status == 200
            await stream.events(1)
            await db(order)(table, menu[0])
            (created,) = await stream.events(1)
            assert created.event == "order.created"

    run(scenario)


def test_a_session_without_a_store_is_refused():
    cookie = session_cookie(User.objects.create_superuser(username="root", password="platform-pass-1234"))

    async def scenario():
        async with ASGIStream(ADMIN, headers={"cookie": cookie}) as stream:
            assert stream.status == 403
            assert b"permission_denied" in await stream.body()
        assert hub.subscriber_count() == 0

    run(scenario)


def test_stream_ticket_opens_only_its_own_stream_for_a_minute(table, menu, manager_token, tablet_token):
    client = Client()
    manager_ticket = client.post("/api/v1/stream-ticket", HTTP_AUTHORIZATION=f"Bearer {manager_token}").json()
    tablet_ticket = client.post("/api/v1/stream-ticket", HTTP_AUTHORIZATION=f"Bearer {tablet_token}").json()
    assert manager_ticket["expires_in"] == 60 and manager_ticket["stream"] == ADMIN
    assert tablet_ticket["stream"] == TABLET
    assert client.post("/api/v1/stream-ticket").status_code == 401
    assert client.post("/api/v1/stream-ticket", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401

    async def scenario():
        async with ASGIStream(f"{TABLET}?ticket={tablet_ticket['ticket']}") as stream:
            assert stream.status == 200
            await stream.events(1)
            await db(order)(table, menu[0])
            (created,) = await stream.events(1)
            assert created.event == "order.created"
        async with ASGIStream(f"{ADMIN}?ticket={manager_ticket['ticket']}") as stream:
            assert stream.status == 200
        async with ASGIStream(f"{ADMIN}?ticket={tablet_ticket['ticket']}") as stream:
            assert stream.status == 401
        async with ASGIStream(f"{TABLET}?ticket={manager_ticket['ticket']}") as stream:
            assert stream.status == 401
        async with ASGIStream(f"{ADMIN}?ticket={manager_ticket['ticket'][:-2]}xx") as stream:
            assert stream.status == 401

    run(scenario)


def test_expired_or_revoked_tickets_are_refused(table, manager, monkeypatch):
    tablet_ticket = stream_access.issue_ticket(table)
    manager_ticket = stream_access.issue_ticket(manager)
    revoke_tablet(table=table)

    async def scenario():
        async with ASGIStream(f"{TABLET}?ticket={tablet_ticket}") as stream:
            assert stream.status == 401
            assert b"tablet_signed_out" in await stream.body()
        async with ASGIStream(f"{ADMIN}?ticket={manager_ticket}") as stream:
            assert stream.status == 200
        monkeypatch.setattr(stream_access, "TICKET_MAX_AGE_SECONDS", -1)
        async with ASGIStream(f"{ADMIN}?ticket={manager_ticket}") as stream:
            assert stream.status == 401
            assert b"ticket_invalid" in await stream.body()

    run(scenario)


def test_idle_streams_get_heartbeats(manager_token, monkeypatch):
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.1)

    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token) as stream:
            await stream.events(1)
            beats = [await stream.next_frame(2) for _ in range(2)]
        assert [b.comment for b in beats] == ["ping", "ping"]

    run(scenario)


def test_an_open_stream_ends_when_its_tablet_is_signed_out(table, menu, tablet_token, monkeypatch):
    monkeypatch.setattr(sse, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(sse, "REVALIDATE_SECONDS", 0.1)

    async def scenario():
        async with ASGIStream(TABLET, token=tablet_token) as stream:
            await stream.events(1)
            await asyncio.sleep(0.3)
            assert await stream.expect_silence(0.2) is None
            await db(revoke_tablet)(table=table)
            frames_after_revoke = 0
            with pytest.raises(EOFError):
                while frames_after_revoke < 100:
                    await stream.next_frame(2)
                    frames_after_revoke += 1
        assert hub.subscriber_count() == 0

    run(scenario)


def test_a_client_that_goes_away_leaves_nothing_behind(table, menu, manager_token, tablet_token):
    async def scenario():
        for _ in range(3):
            async with ASGIStream(ADMIN, token=manager_token) as admin, ASGIStream(TABLET, token=tablet_token) as tab:
                await admin.events(1)
                await tab.events(1)
                assert hub.subscriber_count() == 2
            assert admin.task.done() and tab.task.done()
        await asyncio.sleep(0)
        assert hub.subscriber_count() == 0
        # Only the listener (PostgreSQL) and the kitchen's alert watcher may remain: one per
        # process, not one per client.
        others = asyncio.all_tasks() - {asyncio.current_task()}
        per_process = (listener.TASK_NAME, alerts.WATCHER_TASK_NAME)
        assert [t for t in others if not t.get_name().startswith(per_process)] == []

    run(scenario)


def test_open_streams_hold_no_thread_each(table, menu, manager_token, settings):
    """Django keeps a request's thread until its response is sent: hours for a stream, one
    idle thread each. core.runtime.handler lets it go once the stream starts."""
    settings.STREAMS_PER_MANAGER = count = 30

    async def scenario():
        before = threading.active_count()
        async with contextlib.AsyncExitStack() as streams:
            opened = [await streams.enter_async_context(ASGIStream(ADMIN, token=manager_token)) for _ in range(count)]
            for stream in opened:
                await stream.events(1)
            # The loop's shared pool for the streams' database work, and no more.
            assert threading.active_count() - before < count // 3
            # Still streaming, each of them.
            await db(order)(table, menu[0])
            for stream in opened:
                assert (await stream.events(1))[0].event == "order.created"

    run(scenario)


def test_shutdown_ends_open_streams(manager_token):
    async def scenario():
        async with ASGIStream(ADMIN, token=manager_token) as stream:
            await stream.events(1)
            hub.close_all()
            with pytest.raises(EOFError):
                await stream.next_frame(5)
        assert hub.subscriber_count() == 0

    run(scenario)
