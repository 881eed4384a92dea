"""Moving guests (이동·합석) at the service layer: orders.moves on both databases."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.services import setup_table
from conftest import make_menu, make_store
from core.exceptions import Conflict
from kitchen.models import KitchenTicket, TicketStatus
from kitchen.services import finish_ticket
from orders.models import AuditKind, EventType, Order, OrderAudit, OrderEvent, StaffCall, TableSession
from orders.moves import move_order, move_session
from orders.selectors import open_session, order_history, session_totals, table_session_ids
from orders.services import close_session, delete_order, place_order
from orders.staff_calls import acknowledge_staff_call, call_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tables(store):
    return [setup_table(store=store, number=n, password="1234")[0] for n in (1, 2, 3)]


def order_at(table, item, quantity=1, key=None):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}], idempotency_key=key)[0]


def events_after(event_id, *types):
    rows = OrderEvent.objects.filter(id__gt=event_id).order_by("id")
    return [event for event in rows if not types or event.type in types]


def last_event_id():
    return OrderEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# Moving a session to an empty table


def test_a_session_moves_to_an_empty_table_with_its_orders_calls_and_numbers(tables, menu, manager):
    one, two, _three = tables
    first, second = order_at(one, menu[0], 2), order_at(one, menu[1])
    call = call_staff(table=one, reason="물")[0]
    source = open_session(one)
    target = move_session(table=one, to_table=two, actor=manager)
    assert target.table == two and target.is_open and target.opened_at == source.opened_at
    assert open_session(one) is None
    moved = list(Order.objects.filter(session=target).order_by("id"))
    assert [(o.id, o.number, o.table_id) for o in moved] == [(first.id, 1, two.id), (second.id, 2, two.id)]
    assert session_totals(target.id) == (2 * 9000 + 8000, 2)
    assert StaffCall.objects.get(pk=call.pk).session == target
    source.refresh_from_db()
    assert source.closed_at is not None and source.closed_by == manager and source.moved_to == target


def test_the_old_session_ends_empty_and_never_shows_in_history(tables, menu, manager):
    one, two, _three = tables
    order_at(one, menu[0])
    target = move_session(table=one, to_table=two, actor=manager)
    close_session(table=two, actor=manager)
    history = list(order_history(Order.objects.filter(store=one.store)))
    assert [(o.table_id, o.session_id) for o in history] == [(two.id, target.id)]
    # Session ids only grow per table: the old table's last closed session is the one that left.
    assert table_session_ids(one.id)["closed"] > 0
    assert TableSession.objects.get(table=one).orders.live().count() == 0


def test_each_moved_order_is_audited_with_who_and_where(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0])
    move_session(table=one, to_table=two, actor=manager)
    record = OrderAudit.objects.get(order=order)
    assert (record.kind, record.from_table, record.to_table, record.actor) == (AuditKind.MOVED, one, two, manager)
    assert record.as_dict()["from_table"] == 1 and record.as_dict()["to_table"] == 2


def test_a_deleted_order_stays_with_the_session_it_was_deleted_in(tables, menu, manager):
    one, two, _three = tables
    kept, deleted = order_at(one, menu[0]), order_at(one, menu[1])
    delete_order(order=deleted, actor=manager)
    source = open_session(one)
    target = move_session(table=one, to_table=two, actor=manager)
    assert Order.objects.get(pk=kept.pk).session == target
    assert Order.objects.get(pk=deleted.pk).session == source
    assert session_totals(target.id) == (9000, 1)


# Events


def test_a_move_publishes_one_event_per_table_each_with_its_state(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0])
    call = call_staff(table=one, reason="물")[0]
    source = open_session(one)
    before = last_event_id()
    target = move_session(table=one, to_table=two, actor=manager)
    moved = events_after(before, EventType.SESSION_MOVED)
    assert [(e.table_id, e.session_id) for e in moved] == [(one.id, source.id), (two.id, target.id)]
    common = {
        "from_table": {"id": one.id, "number": 1},
        "to_table": {"id": two.id, "number": 2},
        "session_id": target.id,
        "from_session_id": source.id,
        "merged": False,
    }
    left, arrived = (event.payload for event in moved)
    assert left == {
        **common,
        "table": {"id": one.id, "number": 1, "session_id": None, "total": 0, "order_count": 0},
        "orders": [],
        "calls": [],
    }
    assert {key: arrived[key] for key in common} == common
    assert arrived["from_table_state"] == left["table"]
    assert arrived["table"] == {"id": two.id, "number": 2, "session_id": target.id, "total": 9000, "order_count": 1}
    assert [(o["id"], o["number"], o["table"], o["session_id"]) for o in arrived["orders"]] == [
        (order.id, order.number, {"id": two.id, "number": 2}, target.id)
    ]
    assert [(c["id"], c["table"]["id"], c["session_id"]) for c in arrived["calls"]] == [(call.id, two.id, target.id)]


def test_the_kitchen_hears_the_moved_orders_open_tickets_again(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0])
    ticket = KitchenTicket.objects.get(order=order)
    before = last_event_id()
    move_session(table=one, to_table=two, actor=manager)
    tickets = events_after(before, EventType.TICKET_UPDATED)
    assert [(e.payload["ticket"]["id"], e.payload["ticket"]["table"], e.table_id) for e in tickets] == [
        (str(ticket.id), {"id": two.id, "number": 2}, two.id)
    ]
    # After the table's events: a screen never sees a ticket at a table its card has not reached.
    assert [e.type for e in events_after(before)] == [EventType.SESSION_MOVED] * 2 + [EventType.TICKET_UPDATED]


def test_a_ticket_the_display_no_longer_shows_is_not_announced(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0])
    ticket = KitchenTicket.objects.get(order=order)
    finish_ticket(ticket=ticket, actor=manager)
    long_ago = KitchenTicket.objects.get(pk=ticket.pk).done_at - timedelta(hours=1)
    KitchenTicket.objects.filter(pk=ticket.pk).update(done_at=long_ago)
    assert KitchenTicket.objects.get(pk=ticket.pk).status == TicketStatus.DONE
    before = last_event_id()
    move_session(table=one, to_table=two, actor=manager)
    assert events_after(before, EventType.TICKET_UPDATED) == []


# Merging


def test_a_move_to_a_table_in_use_is_refused_unless_merged(tables, menu, manager):
    one, two, _three = tables
    order_at(one, menu[0])
    order_at(two, menu[1])
    before = last_event_id()
    with pytest.raises(Conflict) as refused:
        move_session(table=one, to_table=two, actor=manager)
    assert refused.value.code == "table_in_use"
    assert events_after(before) == [] and Order.objects.filter(table=one).count() == 1


def test_a_merge_makes_one_session_and_one_bill(tables, menu, manager):
    one, two, _three = tables
    mine, theirs = order_at(one, menu[0]), order_at(two, menu[1])
    there = open_session(two)
    source = open_session(one)
    before = last_event_id()
    target = move_session(table=one, to_table=two, merge=True, actor=manager)
    assert target == there
    assert set(Order.objects.filter(session=there).values_list("id", flat=True)) == {mine.id, theirs.id}
    assert session_totals(there.id) == (9000 + 8000, 2)
    source.refresh_from_db()
    assert source.moved_to == there and source.closed_at is not None
    left, arrived = (e.payload for e in events_after(before, EventType.SESSION_MOVED))
    assert left["merged"] is arrived["merged"] is True
    # The target's screens add the orders that came; they have their own already.
    assert [o["id"] for o in arrived["orders"]] == [mine.id]
    assert arrived["table"]["total"] == 17000 and arrived["table"]["order_count"] == 2


def test_a_merge_keeps_one_waiting_call_per_reason(tables, menu, manager):
    one, two, _three = tables
    order_at(one, menu[0])
    order_at(two, menu[0])
    duplicate = call_staff(table=one, reason="물")[0]
    spoons = call_staff(table=one, reason="수저")[0]
    seen = call_staff(table=one, reason="앞접시")[0]
    acknowledge_staff_call(call=seen, actor=manager)
    waiting = call_staff(table=two, reason="물")[0]
    source = open_session(one)
    target = move_session(table=one, to_table=two, merge=True, actor=manager)
    assert set(StaffCall.objects.filter(session=target).values_list("id", flat=True)) == {
        waiting.id,
        spoons.id,
        seen.id,
    }
    # The guests' 물 is waiting at the new table already: theirs ended with their old session.
    assert StaffCall.objects.get(pk=duplicate.pk).session == source


def test_merging_an_empty_session_into_a_table_moves_nothing_but_ends_it(tables, menu, manager):
    one, two, _three = tables
    call_staff(table=one, reason="물")
    order_at(two, menu[0])
    target = move_session(table=one, to_table=two, merge=True, actor=manager)
    assert open_session(one) is None and StaffCall.objects.get().session == target


# Refusals


def test_a_table_without_guests_has_nothing_to_move(tables, manager):
    one, two, _three = tables
    with pytest.raises(Conflict) as refused:
        move_session(table=one, to_table=two, actor=manager)
    assert refused.value.code == "no_open_session"


def test_the_same_table_or_another_stores_is_a_field_error(tables, menu, manager):
    one, _two, _three = tables
    order_at(one, menu[0])
    other = make_store(code="beta", name="베타")
    elsewhere = setup_table(store=other, number=2, password="1234")[0]
    for to_table in (one, elsewhere):
        with pytest.raises(ValidationError) as refused:
            move_session(table=one, to_table=to_table, merge=True, actor=manager)
        assert list(refused.value.message_dict) == ["to_table_id"]
    assert Order.objects.get().table == one and OrderEvent.objects.filter(store=other).count() == 0


# One order


def test_an_order_moves_into_the_target_tables_session_and_its_old_one_stays_open(tables, menu, manager):
    one, two, three = tables
    stays, goes = order_at(one, menu[0]), order_at(one, menu[1])
    order_at(two, menu[2])
    source, there = open_session(one), open_session(two)
    before = last_event_id()
    moved = move_order(order=goes, to_table=two, actor=manager)
    assert (moved.number, moved.table, moved.session) == (goes.number, two, there)
    assert open_session(one) == source and session_totals(source.id) == (9000, 1)
    left, arrived = events_after(before, EventType.ORDER_MOVED)
    assert (left.table_id, left.session_id, arrived.table_id, arrived.session_id) == (
        one.id,
        source.id,
        two.id,
        there.id,
    )
    assert left.payload["table"] == {
        "id": one.id,
        "number": 1,
        "session_id": source.id,
        "total": 9000,
        "order_count": 1,
    }
    assert arrived.payload["table"]["total"] == 8000 + 1000
    assert left.payload["order"] == arrived.payload["order"] == moved.as_dict()
    assert arrived.payload["from_table_state"] == left.payload["table"]
    assert OrderAudit.objects.get(order=goes).kind == AuditKind.MOVED
    # To a table without guests: it opens their session.
    again = move_order(order=stays, to_table=three, actor=manager)
    assert again.session.table == three and again.session.is_open
    assert stays.id not in set(Order.objects.filter(session=source).values_list("id", flat=True))


def test_a_deleted_order_or_one_of_an_ended_session_does_not_move(tables, menu, manager):
    one, two, _three = tables
    deleted, ended = order_at(one, menu[0]), order_at(one, menu[1])
    delete_order(order=deleted, actor=manager)
    with pytest.raises(Conflict) as refused:
        move_order(order=deleted, to_table=two, actor=manager)
    assert refused.value.code == "order_deleted"
    close_session(table=one, actor=manager)
    with pytest.raises(Conflict) as refused:
        move_order(order=ended, to_table=two, actor=manager)
    assert refused.value.code == "session_closed"
    with pytest.raises(ValidationError):
        move_order(order=ended, to_table=one, actor=manager)
    assert not OrderEvent.objects.filter(type=EventType.ORDER_MOVED).exists()


# Idempotency keys


def test_a_tablets_retry_after_its_order_moved_away_returns_that_order(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0], key="tap-1")
    move_session(table=one, to_table=two, actor=manager)
    again, created = place_order(
        table=one, items=[{"menu_item_id": menu[0].id, "quantity": 1}], idempotency_key="tap-1"
    )
    assert (again.id, created) == (order.id, False)
    assert Order.objects.count() == 1
    # With another body the key is still the first order's.
    with pytest.raises(Conflict) as refused:
        place_order(table=one, items=[{"menu_item_id": menu[1].id, "quantity": 1}], idempotency_key="tap-1")
    assert refused.value.code == "idempotency_key_reused"


def test_a_retry_after_the_moved_orders_session_closed_is_refused(tables, menu, manager):
    one, two, _three = tables
    order_at(one, menu[0], key="tap-1")
    move_session(table=one, to_table=two, actor=manager)
    close_session(table=two, actor=manager)
    with pytest.raises(Conflict) as refused:
        place_order(table=one, items=[{"menu_item_id": menu[0].id, "quantity": 1}], idempotency_key="tap-1")
    assert refused.value.code == "idempotency_key_expired"


def test_the_same_key_at_the_target_table_is_another_tablets_and_both_stand(tables, menu, manager):
    one, two, _three = tables
    mine = order_at(one, menu[0], key="same-key")
    theirs = order_at(two, menu[1], key="same-key")
    move_session(table=one, to_table=two, merge=True, actor=manager)
    assert set(Order.objects.filter(table=two).values_list("id", flat=True)) == {mine.id, theirs.id}
    # Each tablet's retry finds its own order.
    item = [{"menu_item_id": menu[1].id, "quantity": 1}]
    assert place_order(table=two, items=item, idempotency_key="same-key") == (theirs, False)
    item = [{"menu_item_id": menu[0].id, "quantity": 1}]
    assert place_order(table=one, items=item, idempotency_key="same-key")[0].id == mine.id
    # A new order at the old table with a new key starts its next guests' session.
    fresh, created = place_order(table=one, items=item, idempotency_key="next-guests")
    assert created and fresh.table == one and fresh.session != mine.session


def test_a_moved_order_moved_back_keeps_its_key_for_the_table_that_placed_it(tables, menu, manager):
    one, two, _three = tables
    order = order_at(one, menu[0], key="tap-1")
    move_order(order=order, to_table=two, actor=manager)
    move_order(order=order, to_table=one, actor=manager)
    assert Order.objects.get(pk=order.pk).placed_from == one
    again = place_order(table=one, items=[{"menu_item_id": menu[0].id, "quantity": 1}], idempotency_key="tap-1")
    assert again == (order, False)


def test_orders_of_another_store_are_untouched(tables, menu, manager):
    other = make_store(code="beta", name="베타")
    far = setup_table(store=other, number=1, password="1234")[0]
    far_order = order_at(far, make_menu(other)[0])
    one, two, _three = tables
    order_at(one, menu[0])
    move_session(table=one, to_table=two, actor=manager)
    assert Order.objects.get(pk=far_order.pk).table == far
