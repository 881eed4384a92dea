"""The reliability rules about the kitchen's events, on made-up snapshots: they hold for a
store that behaves, and each catches its own breach (no server, no database)."""

from types import SimpleNamespace

from orders.models import STAFF_ONLY_EVENTS
from reliability import streams
from reliability.invariants import Findings, Snapshot, check_tickets
from reliability.streams import Segment, stream_expectation

STORE, TABLE, SESSION = 1, 2, 3
TICKET, OTHER_TICKET = "8d1d8b55-1c7a-4a3e-9a8e-6e1b0f1d2c3a", "0b5c7f2e-3d4a-4b6c-8e9f-1a2b3c4d5e6f"


def event(event_id, event_type, payload, store_id=STORE):
    return {
        "id": event_id,
        "store_id": store_id,
        "table_id": TABLE,
        "session_id": SESSION,
        "type": event_type,
        "payload": payload,
    }


def order_created(order_id, number):
    order = {"id": order_id, "number": number, "created_at": f"2026-12-07T10:00:0{number}+00:00", "total": 9000}
    return {"order": order, "table": {"session_id": SESSION, "total": 9000, "order_count": number}}


def ticket(ticket_id, order_id, number, status="new"):
    created_at = f"2026-12-07T10:00:0{number}+00:00"
    fields = {"id": ticket_id, "order_id": order_id, "number": number, "created_at": created_at, "status": status}
    return {"ticket": fields}


def snapshot(events, *, tickets, deleted=()):
    orders = {
        order_id: {"id": order_id, "deleted_at": "then" if order_id in deleted else None}
        for order_id in {row["order_id"] for row in tickets.values()}
    }
    return Snapshot(stores={}, orders=orders, line_totals={}, sessions={}, calls={}, tickets=tickets, events=events)


def broken(snap):
    findings = Findings()
    check_tickets(snap, findings)
    return set(findings.violations)


def test_the_rules_list_of_staff_only_events_is_the_apps():
    apps = {str(kind) for kind in STAFF_ONLY_EVENTS}
    assert apps == streams.STAFF_ONLY_EVENTS


def test_a_store_whose_tickets_follow_their_orders_keeps_the_rules():
    events = [
        event(10, "order.created", order_created(5, 1)),
        event(11, "order.created", order_created(99, 1), store_id=7),  # another store's, in between
        event(12, "ticket.created", ticket(TICKET, 5, 1)),
        event(13, "ticket.created", ticket(OTHER_TICKET, 99, 1), store_id=7),
        event(14, "order.deleted", order_created(5, 1)),
        event(15, "ticket.updated", ticket(TICKET, 5, 1, "cancelled")),
    ]
    tickets = {TICKET: {"order_id": 5, "status": "cancelled"}, OTHER_TICKET: {"order_id": 99, "status": "new"}}
    assert broken(snapshot(events, tickets=tickets, deleted={5})) == set()


def test_each_breach_of_the_ticket_rules_is_found():
    created, announced = (
        event(10, "order.created", order_created(5, 1)),
        event(12, "ticket.created", ticket(TICKET, 5, 1)),
    )
    tickets = {TICKET: {"order_id": 5, "status": "new"}}
    late = [created, event(11, "staff_call.created", {"call": {"id": 1}}), announced]
    assert "order's tickets not announced right after it, as it" in broken(snapshot(late, tickets=tickets))
    wrong_number = [created, event(12, "ticket.created", ticket(TICKET, 5, 2))]
    assert "order's tickets not announced right after it, as it" in broken(snapshot(wrong_number, tickets=tickets))
    assert "ticket not announced exactly once" in broken(snapshot([created, announced, announced], tickets=tickets))
    not_cancelled = snapshot([created, announced], tickets=tickets, deleted={5})
    assert "deleted order's ticket not cancelled" in broken(not_cancelled)
    stale = snapshot([created, announced], tickets={TICKET: {"order_id": 5, "status": "done"}})
    assert "ticket's last event differs from its status" in broken(stale)
    without = snapshot([created], tickets={})
    without.orders[5] = {"id": 5, "deleted_at": None}
    assert "order without a kitchen ticket" in broken(without)


def test_a_tablets_stream_is_not_expected_to_carry_the_kitchens_events():
    events = [event(10, "order.created", order_created(5, 1)), event(11, "ticket.created", ticket(TICKET, 5, 1))]
    snap = SimpleNamespace(events=events, sessions={})
    segment = Segment(requested_at=0, opened_at=0, opened=0, cursor=9, session_id=SESSION)
    tablet = SimpleNamespace(store_id=STORE, table_id=TABLE, segments=[segment])
    manager = SimpleNamespace(store_id=STORE, table_id=None, segments=[segment])
    assert stream_expectation(snap, tablet) == ({10}, set())
    assert stream_expectation(snap, manager) == ({10, 11}, set())
