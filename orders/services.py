"""Every write to order state. Each function is one transaction that records its event.

Lock order, to keep concurrent writes deadlock-free and events in commit order: every
service first takes the store's write lock (`accounts.services.lock_store`), then the rows
it changes. Order numbers, the one-open-session rule and event ids all rely on it.
"""

import functools
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Store
from accounts.services import lock_store
from orders import outbox
from orders.models import STATUS_FLOW, EventType, Order, OrderEvent, OrderLine, TableSession
from orders.pricing import fingerprint, normalize_items, normalize_note, price_lines, validate_idempotency_key
from orders.selectors import open_session, session_totals, table_state, table_state_of
from tableorder.exceptions import Conflict, RateLimited
from tableorder.ratelimit import refuse_if_limited


def place_order(*, table, items, note="", idempotency_key=None):
    """Place an order for `table`: [{menu_item_id, quantity, option_ids?}] priced from the menu
    now (unit price = item price + the chosen options' deltas), with an optional `note`.

    Returns (order, created). A repeated idempotency key returns the first order
    (created=False) while that order is live in the open session; the same key with other
    items, options or note, or after its order was deleted or its session closed, raises
    Conflict. A table that placed TABLE_ORDER_LIMIT orders within TABLE_RATE_WINDOW gets
    RateLimited and nothing is written; a repeated key still returns its order.
    Checks and pricing happen before the store lock, so the locked part is only the writes
    that need it: one statement that reads what the order depends on (`_lock_and_read`), one
    that writes it (`_write_order`), and the commit. Lines copy the item's name and the
    options' names and deltas.

    A repeated key is found by the unique key on (table, idempotency key): its insert fails
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
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            _place_locked(order, order_lines, commit=outermost)
    except (IntegrityError, RateLimited):
        # The key's first order exists (committed before this one, maybe while it waited for the
        # store lock, and it may have filled the table's limit); the rollback gave back the
        # number this one took.
        replayed = _replayed_order(table, idempotency_key, request_fingerprint)
        if replayed is None:
            raise
        return replayed, False
    return order, True


def _place_locked(order, lines, *, commit):
    """Write `order` and its lines with its event, holding the store's write lock; with
    `commit`, commit too (see `_write_order`)."""
    table = order.table
    state = _lock_and_read(table)
    now = timezone.now()
    # The session's orders are all of the table's recent ones, unless a manager has just closed
    # it: then the next guests start with a clean count.
    refuse_if_limited(
        state.limiting,
        now=now,
        window=settings.TABLE_RATE_WINDOW,
        message=_("This table has placed many orders in a short time. Please wait a moment and try again."),
    )
    session = None
    if state.session_id is None:
        session = TableSession(id=state.new_ids.session, store_id=table.store_id, table=table, opened_at=now)
    order.id, order.number, order.created_at, order.updated_at = state.new_ids.order, state.number, now, now
    order.session_id = state.session_id or state.new_ids.session
    if connection.vendor == "postgresql":
        for line in lines:
            line.order_id = order.id
        payload = _created_payload(order, lines, state)
        _write_order(session, order, lines, event_id=state.new_ids.event, payload=payload, commit=commit)
    else:
        # SQLite has no sequences to take ids from: each row gets its id as it is inserted.
        if session is not None:
            session.save(force_insert=True)
            order.session_id = session.id
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(lines)
        outbox.publish(
            store=Store(pk=order.store_id),
            event_type=EventType.ORDER_CREATED,
            payload=_created_payload(order, lines, state),
            table=table,
            session=TableSession(pk=order.session_id),
        )
    order._state.adding, order._state.db = False, connection.alias
    if session is not None:
        session._state.adding, session._state.db = False, connection.alias
        order.session = session
    # The response shows what the event carries (`Order.as_dict`), without reading the lines back.
    order.written_lines = lines


def _created_payload(order, lines, state):
    """The order.created event's payload: the order, and the table's state once the order is
    in (the open session's total and count before it, plus it)."""
    table = table_state_of(order.table, order.session_id, state.total + order.total, state.count + 1)
    return {"order": order.as_dict(lines), "table": table}


class _Read(NamedTuple):
    number: int
    session_id: int | None
    limiting: object
    total: int
    count: int
    new_ids: object


class _NewIds(NamedTuple):
    order: int | None = None
    event: int | None = None
    session: int | None = None


def _lock_and_read(table):
    """Take the store's write lock, then in one statement the store's next order number and
    what the order depends on: the table's open session, the rate limit's row (the creation
    time of the TABLE_ORDER_LIMIT-th newest order of the session), the session's live total and
    count, and on PostgreSQL the new rows' ids from their sequences (taken under the lock, so
    event ids follow commit order).

    On PostgreSQL the lock (`accounts.services.lock_store`'s advisory lock) and the statement
    go in one message, one round trip: the statement starts once the lock is granted, and in
    READ COMMITTED it sees everything committed before.
    """
    postgres = connection.vendor == "postgresql"
    sql = _read_sql(postgres)
    params = {"store": table.store_id, "table": table.id, "offset": settings.TABLE_ORDER_LIMIT - 1}
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT pg_advisory_xact_lock(%(store)s); " + sql, params)
            cursor.nextset()
        else:
            lock_store(table.store_id)
            cursor.execute(sql, params)
        number, session_id, limiting, total, count, *ids = cursor.fetchone()
    if limiting is not None and not postgres:
        # SQLite gives the time as stored, without its zone; the ORM would convert it so.
        limiting = connection.ops.convert_datetimefield_value(limiting, None, connection)
    return _Read(number, session_id, limiting, total, count, _NewIds(*ids))


@functools.cache
def _read_sql(postgres):
    quote = connection.ops.quote_name
    store, session, order = Store._meta, TableSession._meta, Order._meta
    orders = quote(order.db_table)
    of_session = "session_id = (SELECT id FROM open_session)"
    sql = (
        f"WITH open_session AS (SELECT id FROM {quote(session.db_table)} "  # noqa: S608
        "WHERE table_id = %(table)s AND closed_at IS NULL) "
        f"UPDATE {quote(store.db_table)} SET last_order_number = last_order_number + 1 WHERE id = %(store)s "
        "RETURNING last_order_number, (SELECT id FROM open_session), "
        f"(SELECT created_at FROM {orders} WHERE {of_session} ORDER BY created_at DESC LIMIT 1 OFFSET %(offset)s), "
        f"(SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM {orders} WHERE {of_session} AND deleted_at IS NULL), "
        f"(SELECT COUNT(*) FROM {orders} WHERE {of_session} AND deleted_at IS NULL)"
    )
    if postgres:
        sequence = "nextval(pg_get_serial_sequence('{}', 'id'))".format
        sql += (
            f", {sequence(order.db_table)}, {sequence(OrderEvent._meta.db_table)}, "
            f"CASE WHEN NOT EXISTS (SELECT FROM open_session) THEN {sequence(session.db_table)} END"
        )
    return sql


SESSION_COLUMNS = ("id", "store", "table", "opened_at")
ORDER_COLUMNS = (
    "id",
    "store",
    "table",
    "session",
    "number",
    "status",
    "total",
    "note",
    "idempotency_key",
    "request_fingerprint",
    "created_at",
    "updated_at",
)
LINE_COLUMNS = ("order", "menu_item", "name", "unit_price", "quantity", "options")
EVENT_COLUMNS = ("id", "store", "table", "session", "type", "payload", "created_at")


def _write_order(session, order, lines, *, event_id, payload, commit):
    """PostgreSQL: one statement that inserts the session (if new), the order, its lines and
    its event, and notifies the event (`orders.outbox.notification`, delivered at commit).

    With `commit` (the service's transaction is the outermost one), the COMMIT goes in the
    same message: the database releases the store lock as soon as the order is written,
    instead of one more round trip to this process later; Django's commit at the end of the
    atomic block then finds the transaction already committed (psycopg sends nothing).
    """
    data = outbox.encode(payload)
    event = (event_id, order.store_id, order.table_id, order.session_id, EventType.ORDER_CREATED.value)
    params = []
    if session is not None:
        params += [session.id, session.store_id, session.table_id, session.opened_at]
    params += [
        order.id,
        order.store_id,
        order.table_id,
        order.session_id,
        order.number,
        order.status,
        order.total,
        order.note,
        order.idempotency_key,
        order.request_fingerprint,
        order.created_at,
        order.updated_at,
    ]
    for line in lines:
        options = outbox.encode(line.options)
        params += [line.order_id, line.menu_item_id, line.name, line.unit_price, line.quantity, options]
    # The payload goes in as the text the notification carries: encoded once.
    params += [*event, data, order.created_at, outbox.CHANNEL, outbox.notification(*event, data)]
    with connection.cursor() as cursor:
        cursor.execute(_write_sql(session is not None, len(lines), commit), params)


@functools.cache
def _write_sql(new_session, line_count, commit):
    inserts = [
        _insert_sql(Order, ORDER_COLUMNS),
        _insert_sql(OrderLine, LINE_COLUMNS, line_count),
        _insert_sql(OrderEvent, EVENT_COLUMNS),
    ]
    if new_session:
        inserts.insert(0, _insert_sql(TableSession, SESSION_COLUMNS))
    sql = "WITH " + ", ".join(f"w{n} AS ({insert})" for n, insert in enumerate(inserts)) + " SELECT pg_notify(%s, %s)"
    return sql + "; COMMIT" if commit else sql


def _insert_sql(model, names, rows=1):
    """`INSERT INTO <table> (<columns>) VALUES (...), ...` of these fields; a JSON field's
    value is given as JSON text."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    row = "(" + ", ".join("%s::jsonb" if field.get_internal_type() == "JSONField" else "%s" for field in fields) + ")"
    columns = ", ".join(quote(field.column) for field in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"  # noqa: S608


def open_or_create_session(table):
    """The table's open session, opened now if it has none (a first staff call); call it
    holding the store's write lock."""
    return open_session(table) or TableSession.objects.create(store_id=table.store_id, table=table)


def _replayed_order(table, idempotency_key, request_fingerprint):
    """The order this key already placed at this table, or None.

    Conflict if that order was deleted or its session closed (replaying it would tell the
    next guests an order was placed when it was not), or if its items, options or note differ.
    """
    if idempotency_key is None:
        return None
    existing = (
        Order.objects.filter(table=table, idempotency_key=idempotency_key)
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


def _publish(event_type, order, *, lines=None, **extra):
    payload = {"order": order.as_dict(lines), "table": table_state(order.table, order.session), **extra}
    outbox.publish(store=order.store, event_type=event_type, payload=payload, table=order.table, session=order.session)


def _locked_current_order(order):
    """Re-read the order under lock; it must still exist and be in an open session."""
    lock_store(order.store_id)
    locked = Order.objects.live().select_for_update().select_related("session", "table", "store").get(pk=order.pk)
    if not locked.session.is_open:
        raise Conflict(_("This order's table session has already ended."), "session_closed")
    return locked


@transaction.atomic
def change_order_status(*, order, status):
    """Move an order forward: pending → preparing → completed (steps may be skipped)."""
    if status not in STATUS_FLOW:
        raise ValidationError({"status": _("Unknown status.")})
    order = _locked_current_order(order)
    if STATUS_FLOW.index(status) <= STATUS_FLOW.index(order.status):
        raise Conflict(
            _("An order can only move forward: it is %(status)s.") % {"status": order.get_status_display()},
            "status_not_forward",
        )
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    order = Order.objects.with_lines().get(pk=order.pk)
    _publish(EventType.ORDER_UPDATED, order)
    return order


@transaction.atomic
def delete_order(*, order, actor):
    """Delete an order (직권 수정): kept for audit, counted nowhere, hidden from guests."""
    order = _locked_current_order(order)
    order.deleted_at = timezone.now()
    order.deleted_by = actor
    order.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    order = Order.objects.with_lines().get(pk=order.pk)
    _publish(EventType.ORDER_DELETED, order, deleted_by=actor.get_username() if actor else None)
    return order


@transaction.atomic
def close_session(*, table, actor):
    """ "이용 완료": the table's current orders move to history and its total resets."""
    lock_store(table.store_id)
    session = open_session(table)
    if session is None:
        raise Conflict(_("This table has no open session."), "no_open_session")
    session.closed_at = timezone.now()
    session.closed_by = actor
    session.save(update_fields=["closed_at", "closed_by"])
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
            },
            "table": table_state(table, None),
        },
    )
    return session
