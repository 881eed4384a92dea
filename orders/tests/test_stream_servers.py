"""Streams across real server processes (gunicorn + uvicorn workers) on PostgreSQL.

The servers run as subprocesses against this test run's database, which `transactional_db`
commits to so they can see it. What streams do across a PostgreSQL restart is proved on a
private server of its own (reliability/tests/test_faults.py, test_database_restart.py), not
on the shared one these tests use.
"""

import asyncio
import os
import signal
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from core.tests.processes import app_server
from orders.hub import RECONNECT_MILLISECONDS
from orders.tests.sse_client import HTTPStream, run

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

ADMIN = "/api/v1/admin/stream"
TABLET = "/api/v1/orders/stream"


def servers(count, tmp_path, env=None):
    """`count` single-worker servers, each its own process with its own listener."""
    stack = ExitStack()
    urls = [stack.enter_context(app_server(Path(tmp_path) / f"server-{index}.log", env=env)) for index in range(count)]
    return stack, urls


async def post_order(client, base_url, token, item):
    response = await client.post(
        f"{base_url}/api/v1/orders",
        json={"items": [{"menu_item_id": item.id, "quantity": 1}]},
        headers={"authorization": f"Bearer {token}", "idempotency-key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_an_order_placed_through_one_server_reaches_streams_held_by_another(table, menu, manager, tmp_path):
    manager_token = manager_tokens(manager)["access"]
    tablet_token = table_tokens(table)["access"]
    stack, (first, second) = servers(2, tmp_path)

    async def scenario():
        async with (
            HTTPStream(first + ADMIN, token=manager_token) as dashboard,
            HTTPStream(first + TABLET, token=tablet_token) as tablet,
            httpx.AsyncClient() as client,
        ):
            assert dashboard.status == 200 and tablet.status == 200
            assert dashboard.response.headers["x-accel-buffering"] == "no"
            await dashboard.events(1)
            await tablet.events(1)
            placed = [await post_order(client, second, tablet_token, item) for item in menu]
            # The dashboard hears each order and then its kitchen ticket; the tablet only the order.
            frames = await dashboard.events(2 * len(placed))
            assert [f.event for f in frames] == ["order.created", "ticket.created"] * len(placed)
            assert [f.data["order"]["id"] for f in frames[::2]] == [order["id"] for order in placed]
            assert [f.data["ticket"]["order_id"] for f in frames[1::2]] == [order["id"] for order in placed]
            frames = await tablet.events(len(placed))
            assert [(f.event, f.data["order"]["id"]) for f in frames] == [("order.created", o["id"]) for o in placed]
            for stream in (dashboard, tablet):
                assert await stream.expect_silence(0.3) is None

    with stack:
        run(scenario)


def test_a_server_stops_at_once_with_streams_open(table, manager, tmp_path):
    """The hub ends its streams on SIGTERM ahead of the server's own handler (orders.hub), so a
    stop or a deploy does not wait out the graceful timeout for clients that never hang up;
    each stream's last words tell its client when to come back."""
    manager_token = manager_tokens(manager)["access"]
    tablet_token = table_tokens(table)["access"]
    graceful = 30
    stack, (server,) = servers(1, tmp_path, env={"GUNICORN_GRACEFUL_TIMEOUT": str(graceful)})

    async def scenario():
        async with (
            HTTPStream(server + ADMIN, token=manager_token) as dashboard,
            HTTPStream(server + TABLET, token=tablet_token) as tablet,
        ):
            await dashboard.events(1)
            await tablet.events(1)
            started = time.monotonic()
            os.kill(server.pid, signal.SIGTERM)
            for stream in (dashboard, tablet):
                last = await stream.next_frame(graceful)
                assert RECONNECT_MILLISECONDS[0] <= last.retry <= RECONNECT_MILLISECONDS[1]
                with pytest.raises(EOFError):
                    await stream.next_frame(graceful)
            return time.monotonic() - started

    with stack:
        ended_after = run(scenario)
    # Far from the graceful timeout the streams would otherwise have held the stop for.
    assert ended_after < graceful / 3


def test_a_reload_hands_over_to_new_workers_without_a_refusal_or_a_lost_event(table, menu, manager, tmp_path):
    """A deploy's reload (SIGHUP to gunicorn's master, deploy/gunicorn.conf.py): the new workers
    start on the same socket while the old one still serves, then the old one drains its
    streams, whose clients resume with Last-Event-ID on the new one. Orders placed all along
    are all answered 201 and each reaches both streams exactly once."""
    manager_token = manager_tokens(manager)["access"]
    tablet_token = table_tokens(table)["access"]
    stack, (server,) = servers(1, tmp_path, env={"STREAM_HANDOVER_SECONDS": "1"})
    (old_worker,) = server.worker_pids()

    async def follow(path, token, heard, stop):
        """Like an EventSource: reopen after each end with the last id, until `stop`. A
        connection the old worker had accepted in the instant it stopped is closed unanswered:
        tried again, as a browser does."""
        last_id, opens = None, 0
        while not stop.is_set():
            headers = {} if last_id is None else {"last-event-id": str(last_id)}
            try:
                async with HTTPStream(server + path, token=token, headers=headers) as stream:
                    assert stream.status == 200
                    opens += 1
                    while not stop.is_set():
                        frame = await stream.next_frame(2)
                        if frame.id is not None:
                            last_id = frame.id
                        if frame.event == "order.created":
                            heard.append(frame.data["order"]["id"])
            except (EOFError, TimeoutError, httpx.HTTPError):
                await asyncio.sleep(0.05)
        return opens

    async def scenario():
        stop = asyncio.Event()
        dashboard_heard, tablet_heard = [], []
        followers = [
            asyncio.create_task(follow(ADMIN, manager_token, dashboard_heard, stop)),
            asyncio.create_task(follow(TABLET, tablet_token, tablet_heard, stop)),
        ]
        placed = []
        async with httpx.AsyncClient(timeout=10) as client:
            await asyncio.sleep(0.5)
            os.kill(server.pid, signal.SIGHUP)
            reloaded_at = time.monotonic()
            while time.monotonic() - reloaded_at < 6:
                placed.append((await post_order(client, server, tablet_token, menu[0]))["id"])
                await asyncio.sleep(0.1)
            deadline = time.monotonic() + 10
            while len(tablet_heard) < len(placed) or len(dashboard_heard) < len(placed):
                assert time.monotonic() < deadline, "events missing after the reload"
                await asyncio.sleep(0.1)
        stop.set()
        opens = await asyncio.gather(*followers)
        return placed, dashboard_heard, tablet_heard, opens

    with stack:
        placed, dashboard_heard, tablet_heard, opens = run(scenario)
        new_workers = server.worker_pids()
    assert new_workers and old_worker not in new_workers
    # Each stream was drained and came back (a reconnect that reached the old worker in the
    # instant before it stopped accepting is sent on again); every order arrived once, in order.
    assert all(2 <= count <= 4 for count in opens), opens
    assert dashboard_heard == placed and tablet_heard == placed
