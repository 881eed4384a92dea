"""Every write to order state. Each function is one transaction that records its event.

Lock order, to keep concurrent writes deadlock-free and events in commit order: every
service first takes the store's write lock (`accounts.services.lock_store`), then the rows
it changes. Order numbers, the one-open-session rule and event ids all rely on it.
"""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Store
from accounts.services import lock_store
from core.exceptions import Conflict, RateLimited
from core.ratelimit import refuse_if_limited
from orders import outbox
from orders.models import STATUS_FLOW, EventType, Order, OrderEvent, OrderLine, TableSession
from orders.pricing import fingerprint, normalize_items, normalize_note, price_lines, validate_idempotency_key
from orders.selectors import open_session, session_totals, table_state, table_state_of


def place_order(*, table, items, note="", idempotency_key=None):
    """Place an order for `table`: [{menu_item_id, quantity, option_ids?}] priced from the menu
    now (unit price = item price + the chosen options' deltas), with an optional `note`.

    Returns (order, created). A repeated idempotency key returns the first order
    (created=False) while that order is live in the open session; the same key with other
    items, options or note, or after its order was deleted or its session closed, raises
    Conflict. A table that placed TABLE_ORDER_LIMIT orders within TABLE_RATE_WINDOW gets
    RateLimited and nothing is written; a repeated key still returns its order.
    Checks and pricing happen before the store lock, so the locked part is only what needs it:
    on PostgreSQL one message that takes the lock, reads, writes and commits
    (`_place_in_one_message`). Lines copy the item's name and the options' names and deltas.

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
    """Write `order` and its lines with its event under the store's write lock, giving the
    order its id, number, session and time; with `commit`, commit too (PostgreSQL)."""
    if connection.vendor == "postgresql":
        session = _place_in_one_message(order, lines, commit=commit)
    else:
        session = _place_in_steps(order, lines)
    order._state.adding, order._state.db = False, connection.alias
    if session is not None:
        session._state.adding, session._state.db = False, connection.alias
        order.session = session
    # The response shows what the event carries (`Order.as_dict`), without reading the lines back.
    order.written_lines = lines


def _refuse_if_limited(limiting, now):
    # The session's orders are all of the table's recent ones, unless a manager has just closed
    # it: then the next guests start with a clean count.
    refuse_if_limited(
        limiting,
        now=now,
        window=settings.TABLE_RATE_WINDOW,
        message=_("This table has placed many orders in a short time. Please wait a moment and try again."),
    )


def _place_in_one_message(order, lines, *, commit):
    """PostgreSQL: one message (`_one_message_sql`) takes the store's lock, then in one statement
    reads what the order depends on, writes the session (if new), the order, its lines and its
    event, and notifies the event; with `commit` (the service's transaction is the outermost
    one) the COMMIT follows in the same message. Returns the session it opened, or None.

    The store's lock is held only while the database runs that message: no round trip to this
    process, whose pauses (a garbage collection, a wait for the GIL) would otherwise hold up
    the store's other orders. Django's commit at the end of the atomic block then finds the
    transaction already committed (psycopg sends nothing). A refused order (rate limit) writes
    nothing, takes no number and no ids.
    """
    table = order.table
    # The payload as the order and table state would give it, with stand-ins for what only the
    # locked statement knows; the statement puts those in (`||` of jsonb objects).
    order.number, order.created_at = 0, timezone.now()
    params = {
        "store": order.store_id,
        "table": table.id,
        "offset": settings.TABLE_ORDER_LIMIT - 1,
        "window": settings.TABLE_RATE_WINDOW,
        "total": order.total,
        "note": order.note,
        "key": order.idempotency_key,
        "fingerprint": order.request_fingerprint,
        "status": order.status,
        "type": EventType.ORDER_CREATED.value,
        "order": outbox.encode(order.as_dict(lines)),
        "table_state": outbox.encode(table_state_of(table, None, 0, 0)),
        "channel": outbox.CHANNEL,
        "max_bytes": outbox.MAX_NOTIFICATION_BYTES,
    }
    for n, line in enumerate(lines):
        params |= {
            f"item_{n}": line.menu_item_id,
            f"name_{n}": line.name,
            f"price_{n}": line.unit_price,
            f"quantity_{n}": line.quantity,
            f"options_{n}": outbox.encode(line.options),
        }
    with connection.cursor() as cursor:
        cursor.execute(_one_message_sql(len(lines), commit), params)
        cursor.nextset()
        limiting, now, order_id, number, session_id, opened, _notified = cursor.fetchone()
    if order_id is None:
        _refuse_if_limited(limiting, now)
        raise AssertionError("the locked statement refused an order that is within the limit")
    order.id, order.number, order.session_id = order_id, number, session_id
    order.created_at = order.updated_at = now
    for line in lines:
        line.order_id = order.id
    if not opened:
        return None
    return TableSession(id=session_id, store_id=order.store_id, table=table, opened_at=now)


def _place_in_steps(order, lines):
    """SQLite: the store's lock, then the read (`_read_sql`), then the rows one by one; each row
    gets its id as it is inserted. Returns the session it opened, or None."""
    table = order.table
    lock_store(table.store_id)
    with connection.cursor() as cursor:
        cursor.execute(
            _read_sql(), {"store": table.store_id, "table": table.id, "offset": settings.TABLE_ORDER_LIMIT - 1}
        )
        number, session_id, limiting, total, count = cursor.fetchone()
    if limiting is not None:
        # SQLite gives the time as stored, without its zone; the ORM would convert it so.
        limiting = connection.ops.convert_datetimefield_value(limiting, None, connection)
    now = timezone.now()
    _refuse_if_limited(limiting, now)
    session = None
    if session_id is None:
        session = TableSession.objects.create(store_id=table.store_id, table=table, opened_at=now)
        session_id = session.id
    order.number, order.session_id, order.created_at, order.updated_at = number, session_id, now, now
    order.save(force_insert=True)
    for line in lines:
        line.order_id = order.id
    OrderLine.objects.bulk_create(lines)
    outbox.publish(
        store=Store(pk=order.store_id),
        event_type=EventType.ORDER_CREATED,
        payload={
            "order": order.as_dict(lines),
            "table": table_state_of(table, session_id, total + order.total, count + 1),
        },
        table=table,
        session=TableSession(pk=session_id),
    )
    return session


def _quoted(model, names=()):
    """The model's table, and these fields' columns, quoted."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)
    return quote(model._meta.db_table), columns


def _session_reads():
    """The SELECT list of what an order depends on in the table's open session (`open_session`):
    its id, the rate limit's row (the creation time of the TABLE_ORDER_LIMIT-th newest order of
    the session), and its live total and count."""
    orders, _ = _quoted(Order)
    of_session = "session_id = (SELECT id FROM open_session)"
    return (
        "(SELECT id FROM open_session) AS session_id, "  # noqa: S608 (names from the models)
        f"(SELECT created_at FROM {orders} WHERE {of_session} "
        "ORDER BY created_at DESC LIMIT 1 OFFSET %(offset)s) AS limiting, "
        f"(SELECT CAST(COALESCE(SUM(total), 0) AS BIGINT) FROM {orders} "
        f"WHERE {of_session} AND deleted_at IS NULL) AS total, "
        f"(SELECT COUNT(*) FROM {orders} WHERE {of_session} AND deleted_at IS NULL) AS count"
    )


def _open_session_cte():
    sessions, _ = _quoted(TableSession)
    return f"open_session AS (SELECT id FROM {sessions} WHERE table_id = %(table)s AND closed_at IS NULL)"  # noqa: S608


@functools.cache
def _read_sql():
    """SQLite: the store's next order number and what the order depends on, in one statement."""
    stores, _ = _quoted(Store)
    return (
        f"WITH {_open_session_cte()} "  # noqa: S608 (names from the models)
        f"UPDATE {stores} SET last_order_number = last_order_number + 1 WHERE id = %(store)s "
        f"RETURNING last_order_number, {_session_reads()}"
    )


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
SESSION_COLUMNS = ("id", "store", "table", "opened_at")
# `now` as Python's isoformat() writes it (Order.as_dict), in UTC as the connection's time zone is.
ISO_TIME = (
    "to_char(now AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN mod(extract(microseconds FROM now), "
    "1000000) = 0 THEN '' ELSE to_char(now AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)
# Order.display_number: at least four digits.
DISPLAY_NUMBER = "'#' || CASE WHEN number < 10000 THEN lpad(number::text, 4, '0') ELSE number::text END"


@functools.cache
def _one_message_sql(line_count, commit):
    """`_place_in_one_message`'s message for an order of `line_count` lines."""
    stores, _ = _quoted(Store)
    sessions, session_columns = _quoted(TableSession, SESSION_COLUMNS)
    orders, order_columns = _quoted(Order, ORDER_COLUMNS)
    order_lines, line_columns = _quoted(OrderLine, LINE_COLUMNS)
    events, event_columns = _quoted(OrderEvent, EVENT_COLUMNS)
    sequence = "nextval(pg_get_serial_sequence('{}', 'id'))".format
    line_rows = ", ".join(
        f"(%(item_{n})s::bigint, %(name_{n})s, %(price_{n})s::bigint, %(quantity_{n})s::int, %(options_{n})s::jsonb)"
        for n in range(line_count)
    )
    sql = (
        "SELECT pg_advisory_xact_lock(%(store)s); "  # noqa: S608 (names from the models, values as parameters)
        f"WITH {_open_session_cte()}, "
        f"state AS (SELECT clock_timestamp() AS now, {_session_reads()}), "
        # Event ids are taken here, under the lock, so that they follow commit order.
        f"placed AS (SELECT state.*, {sequence(Order._meta.db_table)} AS order_id, "
        f"{sequence(OrderEvent._meta.db_table)} AS event_id, "
        f"COALESCE(state.session_id, {sequence(TableSession._meta.db_table)}) AS order_session_id "
        "FROM state WHERE state.limiting IS NULL OR state.limiting <= state.now - %(window)s), "
        f"numbered AS (UPDATE {stores} SET last_order_number = last_order_number + 1 "
        "WHERE id = %(store)s AND EXISTS (SELECT FROM placed) RETURNING last_order_number AS number), "
        "payload AS (SELECT placed.*, numbered.number, jsonb_build_object("
        "'order', %(order)s::jsonb || jsonb_build_object('id', order_id, 'number', number, "
        f"'display_number', {DISPLAY_NUMBER}, 'created_at', {ISO_TIME}, 'session_id', order_session_id), "
        "'table', %(table_state)s::jsonb || jsonb_build_object('session_id', order_session_id, "
        "'total', total + %(total)s, 'order_count', count + 1)) AS payload FROM placed, numbered), "
        "event AS (SELECT payload.*, concat_ws(':', event_id, %(store)s, %(table)s, order_session_id, %(type)s, "
        "payload::text) AS message FROM payload), "
        f"new_session AS (INSERT INTO {sessions} ({session_columns}) "
        "SELECT order_session_id, %(store)s, %(table)s, now FROM event WHERE session_id IS NULL), "
        f"new_order AS (INSERT INTO {orders} ({order_columns}) SELECT order_id, %(store)s, %(table)s, "
        "order_session_id, number, %(status)s, %(total)s, %(note)s, %(key)s, %(fingerprint)s, now, now FROM event), "
        f"new_lines AS (INSERT INTO {order_lines} ({line_columns}) SELECT event.order_id, line.* "
        f"FROM event, (VALUES {line_rows}) AS line), "
        f"new_event AS (INSERT INTO {events} ({event_columns}) SELECT event_id, %(store)s, %(table)s, "
        "order_session_id, %(type)s, payload, now FROM event) "
        "SELECT state.limiting, state.now, event.order_id, event.number, event.order_session_id, "
        "event.session_id IS NULL, "
        # The notification (`orders.outbox.notification`), delivered at commit.
        "CASE WHEN event.order_id IS NOT NULL THEN pg_notify(%(channel)s, CASE WHEN octet_length(event.message) "
        "< %(max_bytes)s THEN event.message ELSE concat_ws(':', event.event_id, %(store)s) END) END "
        "FROM state LEFT JOIN event ON true"
    )
    return sql + "; COMMIT" if commit else sql


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
