"""Moves racing orders, closes and each other, with real threads on real PostgreSQL connections.

Each outcome must be one a sequential run could give: no order lost or counted twice, one open
session per table at most, events in commit order that replay to the database's own state.
"""

import pytest

from accounts.services import setup_table
from conftest import postgres_only
from core.exceptions import Conflict
from orders.models import EventType, Order, OrderEvent, TableSession
from orders.moves import move_order, move_session
from orders.selectors import open_session, session_totals
from orders.services import close_session, place_order
from orders.tests.test_concurrency import run_together

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _many_orders_per_table(settings):
    settings.TABLE_ORDER_LIMIT = 1000


@pytest.fixture
def tables(store):
    return [setup_table(store=store, number=n, password="1234")[0] for n in (1, 2, 3)]


def one_item(item):
    return [{"menu_item_id": item.id, "quantity": 1}]


def replayed_floor(store):
    """Each table's state as a dashboard that applied every event in id order has it:
    {table id: (session id, total, order count, {live order ids})}."""
    floor = {}
    for event in OrderEvent.objects.filter(store=store).order_by("id"):
        payload = event.payload
        if "table" not in payload or event.table_id is None or not isinstance(payload["table"], dict):
            continue
        state = payload["table"]
        session_id = state["session_id"]
        _old_session, _total, _count, orders = floor.get(state["id"], (None, 0, 0, {}))
        orders = {oid: sid for oid, sid in orders.items() if sid == session_id}
        if event.type in (EventType.ORDER_CREATED, EventType.ORDER_UPDATED, EventType.ORDER_MOVED):
            if payload["order"]["session_id"] == session_id:
                orders[payload["order"]["id"]] = session_id
            else:
                orders.pop(payload["order"]["id"], None)
        elif event.type == EventType.ORDER_DELETED:
            orders.pop(payload["order"]["id"], None)
        elif event.type == EventType.SESSION_MOVED:
            orders.update({order["id"]: order["session_id"] for order in payload["orders"]})
        floor[state["id"]] = (session_id, state["total"], state["order_count"], orders)
    return {table_id: (sid, total, count, set(orders)) for table_id, (sid, total, count, orders) in floor.items()}


def database_floor(tables):
    floor = {}
    for table in tables:
        session = open_session(table)
        if session is None:
            floor[table.id] = (None, 0, 0, set())
        else:
            total, count = session_totals(session.id)
            ids = set(Order.objects.live().filter(session=session).values_list("id", flat=True))
            floor[table.id] = (session.id, total, count, ids)
    return floor


def assert_consistent(store, tables):
    """One open session per table, every order in a session of its own table, and the events
    replay to what the database holds."""
    for table in tables:
        assert TableSession.objects.filter(table=table, closed_at__isnull=True).count() <= 1
    for order in Order.objects.filter(store=store).select_related("session"):
        assert order.session.table_id == order.table_id
    replayed = replayed_floor(store)
    for table_id, state in database_floor(tables).items():
        assert replayed.get(table_id, (None, 0, 0, set())) == state


@pytest.mark.parametrize("at", [0, 1])
def test_a_move_racing_orders_at_either_table_loses_none(store, tables, menu, manager, at):
    one, two, _three = tables
    place_order(table=one, items=one_item(menu[0]))
    arriving = tables[at]
    calls = [lambda: place_order(table=arriving, items=one_item(menu[1]))] * 8
    calls.insert(4, lambda: move_session(table=one, to_table=two, merge=True, actor=manager))
    _results, errors = run_together(calls)
    assert errors == [None] * 9
    assert Order.objects.count() == 9
    # Every order is live and counted once, wherever it ended up.
    totals = [session_totals(s.id) for s in TableSession.objects.filter(closed_at__isnull=True)]
    assert sum(total for total, _count in totals) == 9000 + 8 * 8000
    assert sum(count for _total, count in totals) == 9
    if at == 0:
        # An order at the old table after the move opened its next guests' session; one before went along.
        moved = TableSession.objects.get(table=one, moved_to__isnull=False)
        later = Order.objects.filter(table=one)
        assert all(order.session_id > moved.id for order in later)
    assert_consistent(store, tables)


@pytest.mark.parametrize("closing", [0, 1])
def test_a_move_racing_a_close_of_either_table_is_one_or_the_other_first(store, tables, menu, manager, closing):
    one, two, _three = tables
    first = place_order(table=one, items=one_item(menu[0]))[0]
    place_order(table=two, items=one_item(menu[1]))
    calls = [
        lambda: move_session(table=one, to_table=two, merge=True, actor=manager),
        lambda: close_session(table=tables[closing], actor=manager),
    ]
    _results, errors = run_together(calls)
    assert errors[1] is None or isinstance(errors[1], Conflict)
    assert errors[0] is None or isinstance(errors[0], Conflict)
    order = Order.objects.get(pk=first.pk)
    if closing == 0:
        # Moved first (then the empty table had nothing to close), or closed first (nothing to move).
        assert (errors[0] is None) != (errors[1] is None)
        assert order.table == (two if errors[0] is None else one)
    else:
        # Either way the close succeeded; the move merged first (then its orders closed with
        # table 2) or came after (table 2 was empty: a plain move).
        assert errors == [None, None]
        assert order.table == two
        assert order.session.is_open != (Order.objects.filter(table=two, session__closed_at__isnull=False).count() == 2)
    assert_consistent(store, tables)


def test_two_managers_moving_one_table_at_once_move_it_once(store, tables, menu, manager):
    one, two, three = tables
    order = place_order(table=one, items=one_item(menu[0]))[0]
    calls = [lambda: move_session(table=one, to_table=two, actor=manager)] * 3
    calls += [lambda: move_session(table=one, to_table=three, actor=manager)] * 3
    _results, errors = run_together(calls)
    assert sum(error is None for error in errors) == 1
    assert {error.code for error in errors if error is not None} == {"no_open_session"}
    assert OrderEvent.objects.filter(type=EventType.SESSION_MOVED).count() == 2
    assert Order.objects.get(pk=order.pk).table in (two, three)
    assert_consistent(store, tables)


def test_two_managers_moving_one_order_to_two_tables_move_it_in_turn(store, tables, menu, manager):
    one, two, three = tables
    order = place_order(table=one, items=one_item(menu[0]))[0]
    calls = [lambda t=t: move_order(order=order, to_table=t, actor=manager) for t in (two, three) * 3]
    _results, errors = run_together(calls)
    # A move from where the order already is, is refused; each other one moves it on.
    assert all(error is None or error.__class__.__name__ == "ValidationError" for error in errors)
    moves = sum(error is None for error in errors)
    assert OrderEvent.objects.filter(type=EventType.ORDER_MOVED).count() == 2 * moves
    assert Order.objects.get(pk=order.pk).audits.count() == moves
    assert_consistent(store, tables)


def test_merging_two_tables_into_each_other_at_once_leaves_one_party(store, tables, menu, manager):
    one, two, _three = tables
    place_order(table=one, items=one_item(menu[0]))
    place_order(table=two, items=one_item(menu[1]))
    calls = [
        lambda: move_session(table=one, to_table=two, merge=True, actor=manager),
        lambda: move_session(table=two, to_table=one, merge=True, actor=manager),
    ]
    _results, errors = run_together(calls)
    # The second finds its table empty and the other in use: with `merge` it moves the merged
    # guests back (a plain move), as it would one after the other.
    assert errors == [None, None]
    (session,) = TableSession.objects.filter(closed_at__isnull=True)
    assert set(Order.objects.values_list("table", flat=True)) == {session.table_id}
    assert session_totals(session.id) == (17000, 2)
    assert_consistent(store, tables)


def test_a_tablets_retries_racing_a_move_of_its_order_place_it_once(store, tables, menu, manager):
    one, two, _three = tables
    place_order(table=one, items=one_item(menu[0]))

    def retry():
        return place_order(table=one, items=one_item(menu[1]), idempotency_key="tap-1")

    calls = [retry] * 6
    calls.insert(3, lambda: move_session(table=one, to_table=two, actor=manager))
    results, errors = run_together(calls)
    assert errors == [None] * 7
    placed = [result for result in results if isinstance(result, tuple)]
    assert len({order.id for order, _created in placed}) == 1
    assert sum(created for _order, created in placed) == 1
    assert Order.objects.filter(idempotency_key="tap-1").count() == 1
    assert_consistent(store, tables)
