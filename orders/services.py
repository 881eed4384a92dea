"""Every write to order state. Each function is one transaction that records its event.

Lock order, to keep concurrent writes deadlock-free and events in commit order: every
service first takes the store's write lock (`accounts.services.lock_store`), then the rows
it changes. Order numbers, the one-open-session rule and event ids all rely on it.
"""

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Store, Table, User
from accounts.services import lock_store
from core.exceptions import Conflict, RateLimited
from orders import audit, outbox
from orders.hours import ordering_closed
from orders.models import STATUS_FLOW, EventType, Order, OrderLine, OrderStatus, TableSession
from orders.order_write import Follower, OrderingChanged, write_order
from orders.pricing import fingerprint, normalize_items, normalize_note, price_lines, validate_idempotency_key
from orders.selectors import open_session, session_totals, table_state
from orders.signals import order_deleted, order_placing, order_status_changed


def place_order(*, table: Table, items: Any, note: Any = "", idempotency_key: str | None = None) -> tuple[Order, bool]:
    """Place an order for `table`: [{menu_item_id, quantity, option_ids?}] priced from the menu
    now (unit price = item price + the chosen options' deltas), with an optional `note`.

    Returns (order, created). A repeated idempotency key returns the first order
    (created=False) while that order is live in the open session; the same key with other
    items, options or note, or after its order was deleted or its session closed, raises
    Conflict. A table that placed TABLE_ORDER_LIMIT orders within TABLE_RATE_WINDOW gets
    RateLimited and nothing is written; a repeated key still returns its order. While the
    store's ordering is closed (accounts.hours) an order gets Conflict `ordering_closed`, and a
    repeated key still returns its order; the hours are checked on the table's copy of the
    store (no query) and that copy's version again under the store's lock (`write_order`).
    Checks and pricing happen before the store lock, so the locked part is only what needs it
    (`orders.order_write.write_order`, which says where the transaction is). Lines copy the
    item's name and the options' names and deltas. Receivers of `order_placing` (the kitchen's
    tickets) add rows and events that are written in the order's transaction.

    A repeated key is found by the unique key on (placing table, idempotency key): its insert fails
    and the first order is read then (`_replayed_order`), so the usual, new order makes no
    query for it.
    """
    lines = normalize_items(items)
    note = normalize_note(note)
    validate_idempotency_key(idempotency_key)
    request_fingerprint = fingerprint(lines, note)
    try:
        priced = price_lines(table.store_id, lines)
    except ValidationError:
        # A replay gets its order even if the menu has changed since (an item sold out).
        replayed = _replayed_order(table, idempotency_key, request_fingerprint)
        if replayed is None:
            raise
        return replayed, False
    order = Order(
        store_id=table.store_id,
        table=table,
        total=sum(line.unit_price * line.quantity for line in priced),
        note=note,
        idempotency_key=idempotency_key,
        request_fingerprint=request_fingerprint,
    )
    order_lines = [
        OrderLine(
            order=order,
            menu_item_id=line.item_id,
            name=line.name,
            unit_price=line.unit_price,
            quantity=line.quantity,
            options=line.options,
        )
        for line in priced
    ]
    rows: list[Model] = []
    followers: list[Follower] = []
    for _receiver, extra in order_placing.send(
        sender=Order, store_id=table.store_id, table=table, note=note, lines=priced
    ):
        extra_rows, extra_followers = cast(tuple[list[Model], list[Follower]], extra)
        rows.extend(extra_rows)
        followers.extend(extra_followers)
    store = table.store
    # Each turn is a change of the hours committed meanwhile; read the store again then.
    while (closed := ordering_closed(store)) is None:
        try:
            order = write_order(
                order, order_lines, rows=rows, followers=followers, ordering_version=store.ordering_version
            )
        except OrderingChanged:
            store = Store.objects.get(pk=table.store_id)
            continue
        except (IntegrityError, RateLimited):
            # The key's first order exists (committed before this one, maybe while it waited for the
            # store lock, and it may have filled the table's limit); the rollback gave back the
            # number this one took.
            replayed = _replayed_order(table, idempotency_key, request_fingerprint)
            if replayed is None:
                raise
            return replayed, False
        return order, True
    replayed = _replayed_order(table, idempotency_key, request_fingerprint)
    if replayed is None:
        raise closed
    return replayed, False


def open_or_create_session(table: Table) -> TableSession:
    """The table's open session, opened now if it has none (a first staff call); call it
    holding the store's write lock."""
    return open_session(table) or TableSession.objects.create(store_id=table.store_id, table=table)


def _replayed_order(table: Table, idempotency_key: str | None, request_fingerprint: str) -> Order | None:
    """The order this key already placed at this table, or None.

    Conflict if that order was deleted or its session closed (replaying it would tell the
    next guests an order was placed when it was not), or if its items, options or note differ.
    """
    if idempotency_key is None:
        return None
    # The key is the placing tablet's, wherever a manager has moved its order since (the
    # unique key's own expression, so the lookup uses its index).
    existing: Order | None = (
        Order.objects.annotate(key_table=Coalesce("placed_from", "table"))
        .filter(key_table=table.id, idempotency_key=idempotency_key)
        .select_related("session")
        .with_lines()
        .first()
    )
    if existing is None:
        return None
    if existing.deleted_at is not None or not existing.session.is_open:
        raise Conflict(
            _(
                "This idempotency key's order was deleted or its table session has ended; "
                "send the order again with a new key."
            ),
            "idempotency_key_expired",
        )
    if existing.request_fingerprint != request_fingerprint:
        raise Conflict(_("This idempotency key was already used for a different order."), "idempotency_key_reused")
    return existing


def _publish(event_type: EventType, order: Order, **extra: Any) -> None:
    payload = {"order": order.as_dict(), "table": table_state(order.table, order.session), **extra}
    outbox.publish(store=order.store, event_type=event_type, payload=payload, table=order.table, session=order.session)


def _locked_current_order(order: Order) -> Order:
    """Re-read the order under lock; it must still exist and be in an open session."""
    lock_store(order.store_id)
    locked: Order = (
        Order.objects.live().select_for_update().select_related("session", "table", "store").get(pk=order.pk)
    )
    if not locked.session.is_open:
        raise Conflict(_("This order's table session has already ended."), "session_closed")
    return locked


@transaction.atomic
def acknowledge_order(*, order: Order, actor: User | None) -> tuple[Order, bool]:
    """확인: `actor` (a manager; None from a script) has seen the order, so it is no longer new
    on any dashboard.

    Returns (order, changed): an order acted on already (확인, a status change or a delete
    does it) stays as it was and nothing is published. Its session must still be open
    (Conflict `session_closed`); a deleted order is not found.
    """
    order = _locked_current_order(order)
    fields = order.acknowledge(actor)
    if fields:
        order.save(update_fields=[*fields, "updated_at"])
    order = Order.objects.with_lines().get(pk=order.pk)
    if fields:
        _publish(EventType.ORDER_UPDATED, order)
    return order, bool(fields)


@transaction.atomic
def change_order_status(
    *, order: Order, status: str, actor: User | None = None, allow_step_back: bool = False
) -> Order:
    """Move an order on: forward any number of steps (pending → preparing → completed), or,
    with `allow_step_back`, back exactly one step (completed → preparing, preparing → pending)
    to undo a mis-tap.

    A step back is recorded (`OrderAudit`: who, when, from, to) in this transaction. Both
    directions publish `order.updated`, so tablets and every dashboard follow. The rule is
    checked on the order as it is under the store lock: of two managers stepping one order
    back at once, the second finds it moved already and gets a Conflict. The same status, a
    step back without `allow_step_back` (admin actions, which move orders on in bulk) and
    two steps back are Conflicts that change nothing.
    """
    if status not in STATUS_FLOW:
        raise ValidationError({"status": _("Unknown status.")})
    order = _locked_current_order(order)
    before = order.status
    step = STATUS_FLOW.index(OrderStatus(status)) - STATUS_FLOW.index(OrderStatus(before))
    if step < -1 and allow_step_back:
        raise Conflict(
            _("An order moves back one step at a time: it is %(status)s.") % {"status": order.get_status_display()},
            "status_back_too_far",
        )
    if step <= 0 and not (step == -1 and allow_step_back):
        raise Conflict(
            _("An order can only move forward: it is %(status)s.") % {"status": order.get_status_display()},
            "status_not_forward",
        )
    order.status = status
    order.completed_at = timezone.now() if status == OrderStatus.COMPLETED else None
    order.save(update_fields=["status", "completed_at", "updated_at", *order.acknowledge(actor)])
    if step < 0:
        audit.record_step_back(order=order, from_status=before, actor=actor)
    order = Order.objects.with_lines().get(pk=order.pk)
    _publish(EventType.ORDER_UPDATED, order)
    order_status_changed.send(sender=Order, order=order, from_status=before, actor=actor)
    return order


@transaction.atomic
def delete_order(*, order: Order, actor: User | None, reason: Any = "", reason_text: Any = "") -> Order:
    """Delete an order (직권 수정): kept for audit, counted nowhere, hidden from guests.

    `reason` is one of `DeleteReason` or "" (none given; older clients send none), with an
    optional `reason_text` that "other" requires (`orders.audit.deletion_reason`); a bad one
    is a ValidationError and deletes nothing. Who, when and why go to an `OrderAudit` record
    in this transaction; `deleted_at`/`deleted_by` on the order say who and when as before.
    """
    reason, reason_text = audit.deletion_reason(reason, reason_text)
    order = _locked_current_order(order)
    order.deleted_at = timezone.now()
    order.deleted_by = actor
    order.save(update_fields=["deleted_at", "deleted_by", "updated_at", *order.acknowledge(actor)])
    audit.record_deletion(order=order, actor=actor, reason=reason, reason_text=reason_text)
    order = Order.objects.with_lines().get(pk=order.pk)
    _publish(EventType.ORDER_DELETED, order, deleted_by=actor.get_username() if actor else None)
    order_deleted.send(sender=Order, order=order, actor=actor)
    return order


@transaction.atomic
def close_session(*, table: Table, actor: User | None) -> TableSession:
    """ "이용 완료": the table's current orders move to history and its total resets.

    Orders not completed by then keep their status (대기중 or 준비중), and each gets an
    `OrderAudit` record "closed before it was completed" (who, when, its status then), which
    history shows beside it. Closing does not mark them 완료: it cannot know whether the food
    was served, and an owner reading history later wants to see which orders the floor never
    finished (to check they were served and paid), not a 완료 nobody tapped. The session's
    `unfinished_count` is their number; the `session.closed` event carries it too.
    """
    lock_store(table.store_id)
    session = open_session(table)
    if session is None:
        raise Conflict(_("This table has no open session."), "no_open_session")
    session.closed_at = timezone.now()
    session.closed_by = actor
    session.save(update_fields=["closed_at", "closed_by"])
    session.unfinished_count = audit.record_closed_unfinished(
        orders=Order.objects.live().filter(session=session).exclude(status=OrderStatus.COMPLETED),
        actor=actor,
        at=session.closed_at,
    )
    total, count = session_totals(session.id)
    outbox.publish(
        store=table.store,
        event_type=EventType.SESSION_CLOSED,
        table=table,
        session=session,
        payload={
            "session": {
                "id": session.id,
                "closed_at": session.closed_at.isoformat(),
                "total": total,
                "order_count": count,
                "unfinished_count": session.unfinished_count,
            },
            "table": table_state(table, None),
        },
    )
    return session
