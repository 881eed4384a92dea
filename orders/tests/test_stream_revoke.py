"""Signing a tablet out ends its open streams at once, on every server (orders.hub).

A revoke or a password reset sends the table's notice (core.notices); each server's hub has
that table's tablet streams check their credential before they send anything more, so a
tablet that was signed out never hears the next guests' orders. Another table's stream and
the store's dashboard stay open.
"""

import asyncio
import time

import httpx
import pytest

from accounts.services import revoke_tablet, setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import postgres_only
from orders.hub import hub
from orders.tests.sse_client import HTTPStream, db, run
from orders.tests.test_stream_servers import ADMIN, TABLET, post_order, servers


def test_a_tables_notice_has_only_its_tablet_streams_check_again():
    """Any thread may deliver the notice (SQLite's committing thread); the loop's streams hear it."""

    async def scenario():
        mine = hub.subscribe(store_id=1, table_id=7)
        other_table = hub.subscribe(store_id=1, table_id=8)
        dashboard = hub.subscribe(store_id=1)
        waiting = asyncio.ensure_future(mine.get(timeout=30))
        await asyncio.sleep(0)
        await asyncio.to_thread(hub.table_changed, 7)
        # Woken at once (no event: the stream checks its credential before anything more).
        assert await asyncio.wait_for(waiting, 1) is None
        assert (mine.recheck, other_table.recheck, dashboard.recheck) == (True, False, False)

    run(scenario)


async def until_end(stream, seconds):
    """The event frames `stream` sends until it ends or `seconds` pass, and whether it ended."""
    heard = []
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            frame = await stream.next_frame(left)
            if frame.event is not None:
                heard.append(frame.event)
    except EOFError:
        return heard, True
    except TimeoutError:
        pass
    return heard, False


def _revoke(table):
    revoke_tablet(table=table)


def _reset(table):
    setup_table(store=table.store, number=table.number, password="9876")


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("sign_out", [_revoke, _reset], ids=["revoke", "password reset"])
def test_signing_a_tablet_out_ends_its_streams_on_every_server(sign_out, store, table, menu, manager, tmp_path):
    other_table = setup_table(store=store, number=2, password="1234")[0]
    old_token = table_tokens(table)["access"]
    other_token = table_tokens(other_table)["access"]
    manager_token = manager_tokens(manager)["access"]
    item = menu[0]
    stack, (first, second) = servers(2, tmp_path)

    async def scenario():
        async with (
            HTTPStream(second + TABLET, token=old_token) as revoked,
            HTTPStream(second + TABLET, token=other_token) as other,
            HTTPStream(second + ADMIN, token=manager_token) as dashboard,
            httpx.AsyncClient() as client,
        ):
            for stream in (revoked, other, dashboard):
                assert stream.status == 200
                await stream.events(1)
            started = time.monotonic()
            await db(sign_out)(table)
            # The next guests sign in again at once and order through the other server.
            new_token = await db(lambda: table_tokens(type(table).objects.get(pk=table.pk))["access"])()
            placed = await post_order(client, first, new_token, item)
            heard, ended = await until_end(revoked, 5)
            assert heard == [] and ended
            assert [f.data["order"]["id"] for f in await dashboard.events(1)] == [placed["id"]]
            ended_after = time.monotonic() - started
            theirs = await post_order(client, first, other_token, item)
            assert [f.data["order"]["id"] for f in await other.events(1)] == [theirs["id"]]
            # The signed-out token opens no new stream.
            refused = await client.get(second + TABLET, headers={"authorization": f"Bearer {old_token}"})
            assert refused.status_code == 401
            return ended_after

    with stack:
        ended_after = run(scenario)
    assert ended_after < 2, ended_after
