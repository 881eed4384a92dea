"""Who hears a move, live and on replay: each table's tablet its own table's event, every
dashboard both, the kitchen only its tickets (driven in-process over ASGI on both databases)."""

import pytest

from accounts.models import Role
from accounts.services import create_manager, setup_table
from accounts.tokens import manager_tokens, table_tokens
from orders.moves import move_order, move_session
from orders.services import close_session, place_order
from orders.tests.sse_client import ASGIStream, db, run

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN = "/api/v1/admin/stream"
TABLET = "/api/v1/orders/stream"


def order(table, item):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])[0]


@pytest.fixture
def tables(store, manager, menu):
    one, two = (setup_table(store=store, number=n, password="1234")[0] for n in (1, 2))
    # Table 2 had guests before: its next session's id is above table 1's current one.
    order(two, menu[2])
    close_session(table=two, actor=manager)
    return one, two


def test_both_tablets_and_the_dashboard_hear_a_move_and_the_kitchen_its_ticket(store, tables, menu, manager):
    one, two = tables
    mine = order(one, menu[0])
    cook = create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)
    tokens = [table_tokens(one)["access"], table_tokens(two)["access"], manager_tokens(manager)["access"]]

    async def scenario():
        async with (
            ASGIStream(TABLET, token=tokens[0]) as old,
            ASGIStream(TABLET, token=tokens[1]) as new,
            ASGIStream(ADMIN, token=tokens[2]) as dashboard,
            ASGIStream(ADMIN, token=manager_tokens(cook)["access"]) as kitchen,
        ):
            for stream in (old, new, dashboard, kitchen):
                await stream.events(1)
            target = await db(move_session)(table=one, to_table=two, actor=manager)
            (left,) = await old.events(1)
            (arrived,) = await new.events(1)
            both = await dashboard.events(3)
            (ticket,) = await kitchen.events(1)
            for stream in (old, new, kitchen):
                assert await stream.expect_silence(0.3) is None
            # The next guests at the old table order, and a manager moves that order over.
            later = await db(order)(one, menu[1])
            await db(move_order)(order=later, to_table=two, actor=manager)
            _created, lost = await old.events(2)
            (gained,) = await new.events(1)
            return left, arrived, both, ticket, target, lost, gained

    left, arrived, both, ticket, target, lost, gained = run(scenario)
    assert (left.event, left.data["table"]["session_id"], left.data["orders"]) == ("session.moved", None, [])
    assert arrived.event == "session.moved"
    assert arrived.data["table"]["session_id"] == target.id
    assert [o["id"] for o in arrived.data["orders"]] == [mine.id]
    assert [(f.event, (f.data.get("table") or f.data["ticket"]["table"])["id"]) for f in both] == [
        ("session.moved", one.id),
        ("session.moved", two.id),
        ("ticket.updated", two.id),
    ]
    assert (ticket.event, ticket.data["ticket"]["table"]["number"]) == ("ticket.updated", 2)
    assert (lost.event, lost.data["table"]["id"], gained.event, gained.data["table"]["id"]) == (
        "order.moved",
        one.id,
        "order.moved",
        two.id,
    )
    assert gained.data["order"]["session_id"] == target.id


def test_a_tablet_reconnecting_after_a_move_replays_it(store, tables, menu, manager):
    one, two = tables
    mine = order(one, menu[0])
    old_token, new_token = table_tokens(one)["access"], table_tokens(two)["access"]

    async def last_id(token):
        async with ASGIStream(TABLET, token=token) as stream:
            (opened,) = await stream.events(1)
            return opened.id

    async def replay(token, after, count):
        async with ASGIStream(TABLET, token=token, headers={"last-event-id": str(after)}) as stream:
            opened, *frames = await stream.events(1 + count)
            assert await stream.expect_silence(0.3) is None
            return opened, frames

    old_after, new_after = run(last_id, old_token), run(last_id, new_token)
    target = move_session(table=one, to_table=two, actor=manager)
    # The old table's tablet learns as it does of a close it missed: its guests' session is
    # the table's last closed one now, and it has none open (the move itself is theirs no more).
    opened, frames = run(replay, old_token, old_after, 0)
    assert (opened.data["session_id"], opened.data["closed_session_id"], frames) == (None, mine.session_id, [])
    opened, (arrived,) = run(replay, new_token, new_after, 1)
    assert opened.data["session_id"] == target.id
    assert (arrived.event, [o["id"] for o in arrived.data["orders"]]) == ("session.moved", [mine.id])
