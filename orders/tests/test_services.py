"""The order rules, tested at the service layer."""

import pytest
from django.core.exceptions import ValidationError

from accounts.services import setup_table
from core.exceptions import Conflict
from orders.models import EventType, Order, OrderAudit, OrderEvent, OrderLine, TableSession
from orders.selectors import open_session, session_totals
from orders.services import change_order_status, close_session, delete_order, place_order


def lines(*pairs):
    return [{"menu_item_id": item.id, "quantity": quantity} for item, quantity in pairs]


def test_place_order_prices_from_the_menu_and_copies_lines(table, menu):
    stew, _soup, rice = menu
    order, created = place_order(table=table, items=lines((stew, 2), (rice, 1)))
    assert created
    assert order.total == 2 * 9000 + 1000
    assert [(line.name, line.unit_price, line.quantity) for line in order.lines.all()] == [
        ("김치찌개", 9000, 2),
        ("공기밥", 1000, 1),
    ]
    assert order.status == "pending"
    assert order.number == 1
    assert order.as_dict()["items"][0]["line_total"] == 18000


def test_menu_changes_never_rewrite_past_orders(table, menu):
    stew = menu[0]
    order, _ = place_order(table=table, items=lines((stew, 1)))
    stew.name, stew.price = "새 김치찌개", 12000
    stew.save()
    order.lines.get().menu_item.delete()
    line = OrderLine.objects.get(order=order)
    assert (line.name, line.unit_price, line.menu_item_id) == ("김치찌개", 9000, None)
    assert Order.objects.get(pk=order.pk).total == 9000


def test_order_numbers_increase_per_store_and_never_repeat(table, menu, other_store):
    other_table = setup_table(store=other_store, number=1, password="1234")[0]
    first, _ = place_order(table=table, items=lines((menu[0], 1)))
    delete_order(order=first, actor=None)
    second, _ = place_order(table=table, items=lines((menu[0], 1)))
    elsewhere, _ = place_order(
        table=other_table, items=[{"menu_item_id": other_store.menu_items.get().id, "quantity": 1}]
    )
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert second.display_number == "#0002"


def test_first_order_opens_a_session_and_later_orders_join_it(table, menu):
    assert open_session(table) is None
    first, _ = place_order(table=table, items=lines((menu[0], 1)))
    second, _ = place_order(table=table, items=lines((menu[1], 1)))
    assert first.session_id == second.session_id == open_session(table).id
    assert TableSession.objects.count() == 1


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one item"),
        ("not a list", "at least one item"),
        ([{"menu_item_id": 1, "quantity": 1}] * 51, "at most 50 lines"),
        ([{"quantity": 1}], "menu item id is required"),
        ([{"menu_item_id": "1", "quantity": 1}], "menu item id is required"),
        ([{"menu_item_id": None, "quantity": 0}], "menu item id is required"),
    ],
)
def test_malformed_orders_are_rejected_and_write_nothing(table, menu, items, message):
    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=items)
    assert message in str(error.value.message_dict["items"])
    assert not Order.objects.exists() and not TableSession.objects.exists() and not OrderEvent.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 100, 1.5, True, "2"])
def test_quantity_must_be_1_to_99(table, menu, quantity):
    with pytest.raises(ValidationError, match="quantity must be from 1 to 99"):
        place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": quantity}])
    assert not Order.objects.exists()


def test_quantity_limits_are_inclusive(table, menu):
    order, _ = place_order(table=table, items=lines((menu[0], 99), (menu[1], 1)))
    assert [line.quantity for line in order.lines.all()] == [99, 1]


def test_fifty_lines_are_allowed(table, menu):
    order, _ = place_order(table=table, items=lines(*[(menu[2], 1)] * 50))
    assert order.lines.count() == 50 and order.total == 50_000


def test_sold_out_unknown_and_other_store_items_are_rejected(table, menu, other_store):
    menu[1].is_available = False
    menu[1].save()
    foreign = other_store.menu_items.get()
    with pytest.raises(ValidationError) as error:
        place_order(
            table=table,
            items=[*lines((menu[0], 1), (menu[1], 1), (foreign, 1)), {"menu_item_id": 999999, "quantity": 1}],
        )
    messages = error.value.message_dict["items"]
    assert messages == [
        "Line 2: 된장찌개 is sold out.",
        f"Line 3: item {foreign.id} is not on this store's menu.",
        "Line 4: item 999999 is not on this store's menu.",
    ]
    assert not Order.objects.exists() and not OrderEvent.objects.exists()


def test_idempotency_key_returns_the_first_order(table, menu):
    first, created = place_order(table=table, items=lines((menu[0], 2)), idempotency_key="tap-1")
    again, created_again = place_order(table=table, items=lines((menu[0], 2)), idempotency_key="tap-1")
    assert created and not created_again
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert OrderEvent.objects.filter(type=EventType.ORDER_CREATED).count() == 1


def test_idempotency_key_with_another_body_is_a_conflict(table, menu):
    place_order(table=table, items=lines((menu[0], 2)), idempotency_key="tap-1")
    with pytest.raises(Conflict) as error:
        place_order(table=table, items=lines((menu[0], 3)), idempotency_key="tap-1")
    assert error.value.code == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_the_same_key_at_another_table_is_another_order(store, table, menu):
    table2 = setup_table(store=store, number=2, password="1234")[0]
    a, _ = place_order(table=table, items=lines((menu[0], 1)), idempotency_key="k")
    b, _ = place_order(table=table2, items=lines((menu[0], 1)), idempotency_key="k")
    assert a.pk != b.pk


def test_idempotency_key_replays_within_the_open_session_after_status_changes(table, menu):
    first, _ = place_order(table=table, items=lines((menu[0], 1)), idempotency_key="tap-1")
    change_order_status(order=first, status="completed")
    place_order(table=table, items=lines((menu[1], 1)), idempotency_key="tap-2")
    again, created = place_order(table=table, items=lines((menu[0], 1)), idempotency_key="tap-1")
    assert (again.pk, created, again.status) == (first.pk, False, "completed")


def expire_by_closing(order, manager):
    close_session(table=order.table, actor=manager)


def expire_by_deleting(order, manager):
    delete_order(order=order, actor=manager)


@pytest.mark.parametrize("expire", [expire_by_closing, expire_by_deleting])
@pytest.mark.parametrize("quantity", [1, 2], ids=["same items", "other items"])
def test_a_key_whose_order_left_the_open_session_is_expired_and_writes_nothing(table, menu, manager, expire, quantity):
    first, _ = place_order(table=table, items=lines((menu[0], 1)), idempotency_key="tap-1")
    expire(first, manager)
    before = (Order.objects.count(), TableSession.objects.count(), OrderEvent.objects.count())
    with pytest.raises(Conflict) as error:
        place_order(table=table, items=lines((menu[0], quantity)), idempotency_key="tap-1")
    assert error.value.code == "idempotency_key_expired"
    assert "new key" in error.value.message
    assert (Order.objects.count(), TableSession.objects.count(), OrderEvent.objects.count()) == before
    fresh, created = place_order(table=table, items=lines((menu[0], 1)), idempotency_key="tap-2")
    assert created and fresh.pk != first.pk and open_session(table).id == fresh.session_id


@pytest.mark.parametrize("key", ["", "x" * 101, "bad\nkey"])
def test_bad_idempotency_keys_are_rejected(table, menu, key):
    with pytest.raises(ValidationError):
        place_order(table=table, items=lines((menu[0], 1)), idempotency_key=key)
    assert not Order.objects.exists()


def test_status_moves_forward_only(table, menu):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    assert change_order_status(order=order, status="preparing").status == "preparing"
    with pytest.raises(Conflict):
        change_order_status(order=order, status="pending")
    with pytest.raises(Conflict):
        change_order_status(order=order, status="preparing")
    assert change_order_status(order=order, status="completed").status == "completed"
    with pytest.raises(ValidationError):
        change_order_status(order=order, status="eaten")
    assert Order.objects.get(pk=order.pk).status == "completed"
    updates = OrderEvent.objects.filter(type=EventType.ORDER_UPDATED)
    assert [e.payload["order"]["status"] for e in updates] == ["preparing", "completed"]


def test_a_step_back_is_one_step_audited_and_announced(table, menu, manager):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    change_order_status(order=order, status="completed")
    with pytest.raises(Conflict) as error:
        change_order_status(order=order, status="pending", actor=manager, allow_step_back=True)
    assert error.value.code == "status_back_too_far"
    with pytest.raises(Conflict) as error:  # the admin's bulk actions only move orders on
        change_order_status(order=order, status="preparing", actor=manager)
    assert error.value.code == "status_not_forward"
    assert not OrderAudit.objects.exists()
    back = change_order_status(order=order, status="preparing", actor=manager, allow_step_back=True)
    assert back.status == "preparing"
    record = OrderAudit.objects.get()
    assert (record.kind, record.from_status, record.to_status, record.actor, record.store_id) == (
        "stepped_back",
        "completed",
        "preparing",
        manager,
        table.store_id,
    )
    event = OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).last()
    assert event.payload["order"]["status"] == "preparing"
    assert change_order_status(order=order, status="pending", actor=manager, allow_step_back=True).status == "pending"
    with pytest.raises(Conflict):  # nothing before pending
        change_order_status(order=order, status="pending", actor=manager, allow_step_back=True)
    assert OrderAudit.objects.count() == 2


def test_a_step_back_and_its_record_commit_together(table, menu, manager, monkeypatch):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    change_order_status(order=order, status="preparing")

    def refuse(**kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr("orders.outbox.OrderEvent.objects.create", refuse)
    with pytest.raises(RuntimeError):
        change_order_status(order=order, status="pending", actor=manager, allow_step_back=True)
    assert Order.objects.get(pk=order.pk).status == "preparing"
    assert not OrderAudit.objects.exists()


def test_a_deletion_records_who_when_and_why(table, menu, manager):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    delete_order(order=order, actor=manager, reason="other", reason_text=" 손님이 자리를 옮김 ")
    record = OrderAudit.objects.get()
    order.refresh_from_db()
    assert (record.kind, record.reason, record.reason_text, record.actor, record.at) == (
        "deleted",
        "other",
        "손님이 자리를 옮김",
        manager,
        order.deleted_at,
    )
    assert record.as_dict()["reason_label"] == "Other"


@pytest.mark.parametrize(
    ("reason", "text", "field"),
    [("rude", "", "reason"), ("other", "", "reason_text"), ("other", "x" * 201, "reason_text"), ("", "x", "reason")],
)
def test_a_bad_deletion_reason_deletes_nothing(table, menu, manager, reason, text, field):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    with pytest.raises(ValidationError) as error:
        delete_order(order=order, actor=manager, reason=reason, reason_text=text)
    assert set(error.value.message_dict) == {field}
    assert Order.objects.get(pk=order.pk).deleted_at is None
    assert not OrderAudit.objects.exists()
    assert not OrderEvent.objects.filter(type=EventType.ORDER_DELETED).exists()


def test_closing_records_each_unfinished_order_and_leaves_its_status(table, menu, manager):
    waiting, _ = place_order(table=table, items=lines((menu[0], 1)))
    cooking, _ = place_order(table=table, items=lines((menu[1], 1)))
    served, _ = place_order(table=table, items=lines((menu[2], 1)))
    gone, _ = place_order(table=table, items=lines((menu[2], 1)))
    change_order_status(order=cooking, status="preparing")
    change_order_status(order=served, status="completed")
    delete_order(order=gone, actor=manager)
    session = close_session(table=table, actor=manager)
    assert session.unfinished_count == 2
    records = OrderAudit.objects.filter(kind="closed_unfinished").order_by("order_id")
    assert [(r.order_id, r.from_status, r.to_status, r.actor, r.at) for r in records] == [
        (waiting.id, "pending", "pending", manager, session.closed_at),
        (cooking.id, "preparing", "preparing", manager, session.closed_at),
    ]
    assert {o.pk: o.status for o in Order.objects.filter(session=session)} == {
        waiting.id: "pending",
        cooking.id: "preparing",
        served.id: "completed",
        gone.id: "pending",
    }
    event = OrderEvent.objects.get(type=EventType.SESSION_CLOSED)
    assert event.payload["session"]["unfinished_count"] == 2


def test_pending_may_skip_to_completed(table, menu):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    assert change_order_status(order=order, status="completed").status == "completed"


def test_delete_is_soft_audited_and_recomputes_the_total(table, menu, manager):
    keep, _ = place_order(table=table, items=lines((menu[0], 1)))
    gone, _ = place_order(table=table, items=lines((menu[1], 2)))
    assert session_totals(keep.session_id) == (9000 + 16000, 2)
    delete_order(order=gone, actor=manager)
    gone.refresh_from_db()
    assert gone.deleted_by == manager and gone.deleted_at is not None
    assert session_totals(keep.session_id) == (9000, 1)
    event = OrderEvent.objects.get(type=EventType.ORDER_DELETED)
    assert event.payload["table"]["total"] == 9000
    assert event.payload["deleted_by"] == "manager"


def test_deleting_twice_is_not_found_the_second_time(table, menu, manager):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    delete_order(order=order, actor=manager)
    with pytest.raises(Order.DoesNotExist):
        delete_order(order=order, actor=manager)
    with pytest.raises(Order.DoesNotExist):
        change_order_status(order=order, status="preparing")
    assert OrderEvent.objects.filter(type=EventType.ORDER_DELETED).count() == 1


def test_close_session_resets_the_table_and_the_next_guest_starts_clean(table, menu, manager):
    first, _ = place_order(table=table, items=lines((menu[0], 1)))
    session = close_session(table=table, actor=manager)
    assert session.closed_at is not None and session.closed_by == manager
    assert open_session(table) is None
    event = OrderEvent.objects.get(type=EventType.SESSION_CLOSED)
    assert event.payload["session"]["total"] == 9000
    assert event.payload["table"] == {"id": table.id, "number": 1, "session_id": None, "total": 0, "order_count": 0}
    nxt, _ = place_order(table=table, items=lines((menu[1], 1)))
    assert nxt.session_id != first.session_id
    assert session_totals(nxt.session_id) == (8000, 1)


def test_closing_a_table_without_a_session_is_a_conflict(table, manager):
    with pytest.raises(Conflict):
        close_session(table=table, actor=manager)
    assert not OrderEvent.objects.exists()


def test_orders_of_ended_sessions_cannot_change(table, menu, manager):
    order, _ = place_order(table=table, items=lines((menu[0], 1)))
    close_session(table=table, actor=manager)
    with pytest.raises(Conflict):
        change_order_status(order=order, status="preparing")
    with pytest.raises(Conflict):
        delete_order(order=order, actor=manager)


def test_every_change_writes_one_event_with_what_a_dashboard_needs(table, menu, manager):
    order, _ = place_order(table=table, items=lines((menu[0], 2)))
    change_order_status(order=order, status="preparing")
    delete_order(order=order, actor=manager)
    close_session(table=table, actor=manager)
    events = list(OrderEvent.objects.all())
    # The kitchen's: its ticket announced with the order, and cancelled with it.
    assert [e.type for e in events] == [
        "order.created",
        "ticket.created",
        "order.updated",
        "order.deleted",
        "ticket.updated",
        "session.closed",
    ]
    assert all(e.store_id == table.store_id and e.table_id == table.id for e in events)
    assert events[1].payload["ticket"]["id"] == events[4].payload["ticket"]["id"]
    assert (events[1].payload["ticket"]["order_id"], events[4].payload["ticket"]["status"]) == (order.id, "cancelled")
    created = events[0].payload
    assert created["order"]["items"][0] == {
        "menu_item_id": menu[0].id,
        "name": "김치찌개",
        "unit_price": 9000,
        "quantity": 2,
        "line_total": 18000,
        "options": [],
    }
    assert created["table"]["total"] == 18000 and created["table"]["order_count"] == 1
    assert [e.id for e in events] == sorted(e.id for e in events)
