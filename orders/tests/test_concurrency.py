"""Concurrency rules, proven with real threads on real PostgreSQL connections."""

import threading

import pytest
from django.db import connection

from accounts.services import setup_table
from conftest import postgres_only
from core.exceptions import Conflict
from kitchen.models import KitchenTicket
from orders.models import EventType, Order, OrderAudit, OrderEvent, StaffCall, TableSession
from orders.services import change_order_status, close_session, delete_order, place_order
from orders.staff_calls import acknowledge_staff_call, call_staff
from orders.tests.events import assert_tickets_follow_their_orders

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _many_orders_per_table(settings):
    """These races put more orders on one table at once than its rate limit allows
    (orders/tests/test_rate_limits.py races the limit itself)."""
    settings.TABLE_ORDER_LIMIT = 1000


def run_together(functions):
    """Start every function at the same moment on its own thread and connection.

    Returns (results, errors) in the order of `functions`.
    """
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def one_item(menu_item):
    return [{"menu_item_id": menu_item.id, "quantity": 1}]


def test_twenty_first_orders_at_one_table_open_one_session_with_distinct_numbers(table, menu):
    results, errors = run_together([lambda: place_order(table=table, items=one_item(menu[0]))] * 20)
    assert errors == [None] * 20
    assert TableSession.objects.filter(table=table).count() == 1
    numbers = sorted(order.number for order, _created in results)
    assert numbers == list(range(1, 21))
    assert len({order.session_id for order, _created in results}) == 1


def test_orders_at_many_tables_of_a_store_never_repeat_a_number(store, menu):
    tables = [setup_table(store=store, number=n, password="1234")[0] for n in range(1, 11)]
    calls = [lambda t=t: place_order(table=t, items=one_item(menu[1])) for t in tables for _ in range(2)]
    _results, errors = run_together(calls)
    assert errors == [None] * 20
    assert sorted(Order.objects.values_list("number", flat=True)) == list(range(1, 21))
    assert TableSession.objects.count() == 10


def test_concurrent_replays_of_one_idempotency_key_make_one_order(table, menu):
    results, errors = run_together(
        [lambda: place_order(table=table, items=one_item(menu[0]), idempotency_key="same-tap")] * 10
    )
    assert errors == [None] * 10
    assert Order.objects.count() == 1
    assert sum(created for _order, created in results) == 1
    assert OrderEvent.objects.filter(type=EventType.ORDER_CREATED).count() == 1
    # The losers' tickets went with their orders: one ticket, announced once.
    assert (KitchenTicket.objects.count(), OrderEvent.objects.filter(type=EventType.TICKET_CREATED).count()) == (1, 1)
    # The replays that lost the race gave their numbers back: no gap before the next order.
    assert place_order(table=table, items=one_item(menu[1]))[0].number == 2


def test_an_order_racing_a_close_never_lands_in_a_closed_session(table, menu, manager):
    place_order(table=table, items=one_item(menu[0]))
    calls = [lambda: place_order(table=table, items=one_item(menu[1]))] * 10
    calls.insert(5, lambda: close_session(table=table, actor=manager))
    _results, errors = run_together(calls)
    assert errors == [None] * 11
    closed = TableSession.objects.get(table=table, closed_at__isnull=False)
    for order in Order.objects.filter(session=closed):
        assert order.created_at <= closed.closed_at
    later = Order.objects.exclude(session=closed)
    assert all(order.created_at >= closed.closed_at for order in later)
    assert TableSession.objects.filter(table=table, closed_at__isnull=True).count() == (1 if later else 0)
    assert Order.objects.count() == 11


def test_two_managers_deleting_one_order_delete_it_once(table, menu, manager):
    order, _ = place_order(table=table, items=one_item(menu[0]))
    _results, errors = run_together([lambda: delete_order(order=order, actor=manager)] * 2)
    assert sorted(type(e).__name__ for e in errors if e) == ["DoesNotExist"]
    assert OrderEvent.objects.filter(type=EventType.ORDER_DELETED).count() == 1


def test_two_managers_stepping_one_order_back_at_once_step_it_back_once(table, menu, manager):
    order = place_order(table=table, items=one_item(menu[0]))[0]
    change_order_status(order=order, status="completed")

    def step_back():
        return change_order_status(order=order, status="preparing", actor=manager, allow_step_back=True)

    results, errors = run_together([step_back] * 6)
    assert sum(result is not None for result in results) == 1
    assert all(isinstance(error, Conflict) for error in errors if error is not None)
    assert Order.objects.get(pk=order.pk).status == "preparing"
    assert OrderAudit.objects.filter(kind="stepped_back").count() == 1
    assert OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).count() == 2


def test_a_step_back_racing_a_close_is_recorded_as_the_close_found_it(table, menu, manager):
    order = place_order(table=table, items=one_item(menu[0]))[0]
    change_order_status(order=order, status="completed")
    calls = [
        lambda: change_order_status(order=order, status="preparing", actor=manager, allow_step_back=True),
        lambda: close_session(table=table, actor=manager),
    ]
    _results, errors = run_together(calls)
    assert errors[1] is None
    stepped_back = errors[0] is None
    assert isinstance(errors[0], Conflict) or stepped_back
    unfinished = OrderAudit.objects.filter(kind="closed_unfinished")
    assert [(r.from_status, r.to_status) for r in unfinished] == ([("preparing", "preparing")] if stepped_back else [])
    assert Order.objects.get(pk=order.pk).status == ("preparing" if stepped_back else "completed")


def test_event_ids_follow_commit_order_within_a_store(store, menu):
    tables = [setup_table(store=store, number=n, password="1234")[0] for n in range(1, 6)]
    run_together([lambda t=t: place_order(table=t, items=one_item(menu[0])) for t in tables for _ in range(3)])
    events = list(OrderEvent.objects.order_by("id"))
    # Numbers are assigned under the same store lock as event ids: both orders must agree.
    assert [e.payload["order"]["number"] for e in events if e.type == EventType.ORDER_CREATED] == list(range(1, 16))
    # Each order's ticket is announced right after it, whatever the order raced.
    assert assert_tickets_follow_their_orders(events) == 15


def test_replays_racing_a_close_are_the_first_order_or_expired_never_a_new_order(table, menu, manager):
    first, _ = place_order(table=table, items=one_item(menu[0]), idempotency_key="tap")
    calls = [lambda: place_order(table=table, items=one_item(menu[0]), idempotency_key="tap")] * 10
    calls.insert(5, lambda: close_session(table=table, actor=manager))
    results, errors = run_together(calls)
    replays = [result for index, result in enumerate(results) if index != 5 and result is not None]
    expired = [error for error in errors if error is not None]
    assert errors[5] is None
    assert all(order.pk == first.pk and not created for order, created in replays)
    assert all(isinstance(error, Conflict) and error.code == "idempotency_key_expired" for error in expired)
    assert len(replays) + len(expired) == 10
    assert Order.objects.count() == 1
    assert TableSession.objects.filter(closed_at__isnull=True).count() == 0
    assert list(OrderEvent.objects.values_list("type", flat=True)) == [
        EventType.ORDER_CREATED,
        EventType.TICKET_CREATED,
        EventType.SESSION_CLOSED,
    ]


def test_two_taps_of_the_call_button_at_once_make_one_call_and_one_event(table):
    results, errors = run_together([lambda: call_staff(table=table, reason="물")] * 2)
    assert errors == [None, None]
    assert sorted(created for _call, created in results) == [False, True]
    assert len({call.pk for call, _created in results}) == 1
    assert StaffCall.objects.count() == 1
    assert TableSession.objects.count() == 1
    assert OrderEvent.objects.filter(type=EventType.STAFF_CALL_CREATED).count() == 1


def test_a_call_racing_a_first_order_shares_its_session(table, menu):
    results, errors = run_together(
        [lambda: call_staff(table=table, reason="물"), lambda: place_order(table=table, items=one_item(menu[0]))]
    )
    assert errors == [None, None]
    (call, _created), (order, _created) = results
    assert call.session_id == order.session_id
    assert TableSession.objects.count() == 1


def test_two_managers_acknowledging_one_call_at_once_make_one_event(table, manager):
    call, _created = call_staff(table=table, reason="물")
    results, errors = run_together([lambda: acknowledge_staff_call(call=call, actor=manager)] * 2)
    assert errors == [None, None]
    assert sorted(changed for _call, changed in results) == [False, True]
    assert OrderEvent.objects.filter(type=EventType.STAFF_CALL_ACKNOWLEDGED).count() == 1


def test_racing_taps_of_one_key_with_options_make_one_order_and_other_choices_are_refused(table, menu):
    spice = menu[0].option_groups.create(store=menu[0].store, name="맵기", min_select=1, max_select=1)
    mild, hot = spice.options.create(name="순한맛"), spice.options.create(name="매운맛", display_order=1)

    def tap(option, note):
        items = [{"menu_item_id": menu[0].id, "quantity": 1, "option_ids": [option.id]}]
        return lambda: place_order(table=table, items=items, note=note, idempotency_key="same-tap")

    bodies = [(mild, "덜 맵게")] * 8 + [(hot, "덜 맵게"), (mild, "")]
    results, errors = run_together([tap(option, note) for option, note in bodies])

    order = Order.objects.get()
    line = order.lines.get()
    placed = (line.options[0]["id"], order.note)
    assert OrderEvent.objects.filter(type=EventType.ORDER_CREATED).count() == 1
    assert sum(bool(result and result[1]) for result in results) == 1
    for (option, note), result, error in zip(bodies, results, errors, strict=True):
        if (option.id, note) == placed:
            assert error is None and result[0].pk == order.pk
        else:
            assert isinstance(error, Conflict) and error.code == "idempotency_key_reused"
