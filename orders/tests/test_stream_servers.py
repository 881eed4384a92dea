"""Streams across real server processes (gunicorn + uvicorn workers) on PostgreSQL.

The servers run as subprocesses against this test run's database, which `transactional_db`
commits to so they can see it. What streams do across a PostgreSQL restart is proved on a
private server of its own (reliability/tests/test_faults.py, test_database_restart.py), not
on the shared one these tests use.
"""

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
    stop or a deploy does not wait out the graceful timeout for clients that never hang up."""
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
                with pytest.raises(EOFError):
                    await stream.next_frame(graceful)
            return time.monotonic() - started

    with stack:
        ended_after = run(scenario)
    # Far from the graceful timeout the streams would otherwise have held the stop for.
    assert ended_after < graceful / 3
