"""The order write: a placed order's session (when its table has none open), the order, its
lines, any other rows that belong to it, and its `order.created` event, under the store's
write lock, in one transaction (`write_order`).

Where the transaction is, is explicit; two dialects sit behind `write_order`:
- Outside any transaction on PostgreSQL, the order is a transaction of its own: one message
  (`write_in_one_message`) that takes the store's lock and, in one statement, reads what the
  order depends on, writes every row and the event, and notifies the event. A message of
  several statements is one transaction, so the lock is released, the rows committed and the
  notification delivered when the database reaches its end: no round trip to this process,
  whose pauses would otherwise hold up the store's other orders, while the lock is held. It
  refuses to run inside an atomic block, where it could not commit as the block expects.
- Inside a caller's `transaction.atomic()` block, and on other databases (SQLite, in
  development) in a block of its own: the same reads and writes, one statement at a time
  (`write_in_steps`), committed or rolled back with the block.

Both build the event's payload with `order_created_payload` from the same order and lines.
The database fills in only what it decides under the lock: the order's id and number (and
the display number made from it, `DISPLAY_NUMBER`), its time (`ISO_TIME`), the session's id
and the table's total and count. The time is taken under the lock, so that within a store
times follow commit order (an order placed after a table's close is later than the close):
in the one message the database's clock, in steps this process's clock once the lock is held.
Both apply the table's order limit as `refuse_if_limited` states it.

A row that must exist if and only if the order does (a model with an `order` foreign key) is
passed to `write_order` in `rows`: both dialects write it in the order's transaction, and give
its `created_at`, if it has one, the order's time. An event
that must be announced with the order (a kitchen ticket's `ticket.created`) is passed in
`followers`: both dialects write it after `order.created`, with the next event ids, its subject
given the order's id, number, display number and time (`Follower`).

Given the store's `ordering_version` that the caller checked its hours against (a cached copy
of the store, accounts.hours.ordering_state), both dialects compare it with the store's row
under the lock, in the statement they run anyway, and raise `OrderingChanged` (writing
nothing) if the hours changed meanwhile: a pause committed before the order is never missed.
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Store
from accounts.services import lock_store
from core.ratelimit import refuse_if_limited
from orders import outbox
from orders.models import EventType, Order, OrderEvent, OrderLine, TableSession
from orders.selectors import table_state_of

# Order.display_number in SQL: at least four digits (test_order_write proves them equal).
DISPLAY_NUMBER = "'#' || CASE WHEN number < 10000 THEN lpad(number::text, 4, '0') ELSE number::text END"
# `now` as Order.as_dict writes a time (Python's isoformat), in UTC as the connection's time zone
# is (test_order_write proves them equal).
ISO_TIME = (
    "to_char(now AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN mod(extract(microseconds FROM now), "
    "1000000) = 0 THEN '' ELSE to_char(now AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)


class OrderingChanged(Exception):
    """The store's hours changed since the caller checked them; nothing was written."""


@dataclass(frozen=True)
class Follower:
    """An event written with an order, after its `order.created`: `payload[subject]` (an object)
    is given the order's `order_id`, `number`, `display_number` and `created_at`."""

    type: str
    subject: str
    payload: dict[str, Any]

    def completed(self, order: Order) -> dict[str, Any]:
        """The payload with the order's fields, as the locked statement fills them in."""
        fields = {
            "order_id": order.id,
            "number": order.number,
            "display_number": order.display_number,
            "created_at": order.created_at.isoformat(),
        }
        return {**self.payload, self.subject: {**self.payload[self.subject], **fields}}


def write_order(
    order: Order,
    lines: list[OrderLine],
    *,
    rows: Sequence[Model] = (),
    followers: Sequence[Follower] = (),
    ordering_version: int | None = None,
) -> Order:
    """Write `order` (unsaved, with its store, table, total, note, key and fingerprint), its
    `lines` and `rows` (other rows with an `order` foreign key, left unset) with its
    `order.created` event and then the `followers`' events, in one transaction; or raise
    RateLimited, or OrderingChanged if the store's `ordering_version` is no longer the one
    given (None: not compared), and write nothing.

    Inside a caller's atomic block the order is part of the caller's transaction; otherwise it
    commits before this returns. Returns the order as written, with its id, number, session
    and time, as if read with `Order.objects.with_lines()` (and with its session, when this
    order opened it).
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        session = write_in_one_message(order, lines, rows, followers, ordering_version)
    else:
        with transaction.atomic():
            session = write_in_steps(order, lines, rows, followers, ordering_version)
    order.updated_at = order.created_at
    for row in (*lines, *rows):
        row.order_id = order.id  # type: ignore[attr-defined]
    for row in rows:
        if _has_created_at(type(row)):
            row.created_at = order.created_at  # type: ignore[attr-defined]
    return _as_read(order, lines, session)


def _as_read(order: Order, lines: list[OrderLine], session: TableSession | None) -> Order:
    """The order just inserted, as the ORM would read it back, carrying the lines it was written
    with (`Order.written_lines`): no query to show it."""
    fields = [field.attname for field in Order._meta.concrete_fields]
    written = Order.from_db(connection.alias, fields, [getattr(order, name) for name in fields])
    written.table = order.table
    if session is not None:
        written.session = session
    written.written_lines = lines
    return written


def order_created_payload(order: Order, lines: list[OrderLine], *, total: int, count: int) -> dict[str, Any]:
    """The `order.created` event's payload: the order as the API shows it, and its table's
    state after it (`total` and `count` of the session's live orders, this one included)."""
    return {"order": order.as_dict(lines), "table": table_state_of(order.table, order.session_id, total, count)}


def _refuse_if_limited(limiting: datetime | None, now: datetime) -> None:
    # The session's orders are all of the table's recent ones, unless a manager has just closed
    # it: then the next guests start with a clean count.
    refuse_if_limited(
        limiting,
        now=now,
        window=settings.TABLE_RATE_WINDOW,
        message=_("This table has placed many orders in a short time. Please wait a moment and try again."),
    )


def write_in_steps(
    order: Order,
    lines: list[OrderLine],
    rows: Sequence[Model] = (),
    followers: Sequence[Follower] = (),
    ordering_version: int | None = None,
) -> TableSession | None:
    """Inside the caller's atomic block: the store's lock, then the read (`_read_sql`), then the
    rows one by one; each row gets its id as it is inserted. Returns the session it opened, or
    None."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("write_in_steps writes inside the caller's transaction.atomic() block.")
    table = order.table
    lock_store(table.store_id)
    with connection.cursor() as cursor:
        cursor.execute(
            _read_sql(), {"store": table.store_id, "table": table.id, "offset": settings.TABLE_ORDER_LIMIT - 1}
        )
        number, version, session_id, limiting, total, count = cursor.fetchone()
    if ordering_version is not None and version != ordering_version:
        raise OrderingChanged
    now = timezone.now()
    if isinstance(limiting, str):
        # SQLite gives the time as stored: text in UTC, without its zone.
        limiting = parse_datetime(limiting)
    if limiting is not None and timezone.is_naive(limiting):
        limiting = timezone.make_aware(limiting, UTC)
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
    for model, group in _by_model(rows):
        for row in group:
            row.order_id = order.id
            if _has_created_at(model):
                row.created_at = now
        model._default_manager.bulk_create(group)
    store, session_row = Store(pk=order.store_id), TableSession(pk=session_id)
    outbox.publish(
        store=store,
        event_type=EventType.ORDER_CREATED,
        payload=order_created_payload(order, lines, total=total + order.total, count=count + 1),
        table=table,
        session=session_row,
    )
    for follower in followers:
        outbox.publish(
            store=store, event_type=follower.type, payload=follower.completed(order), table=table, session=session_row
        )
    return session


def write_in_one_message(
    order: Order,
    lines: list[OrderLine],
    rows: Sequence[Model] = (),
    followers: Sequence[Follower] = (),
    ordering_version: int | None = None,
) -> TableSession | None:
    """PostgreSQL, outside any transaction: one message (`_one_message_sql`), a transaction of
    its own, takes the store's lock, then in one statement reads what the order depends on,
    writes the session (if new), the order, its lines, `rows`, its event and the followers'
    events, and notifies the events in id order. Returns the session it opened, or None. A
    refused order (the table's limit) writes nothing and takes no number and no ids."""
    if connection.in_atomic_block or not connection.get_autocommit():
        raise TransactionManagementError("write_in_one_message is a transaction of its own: call it outside atomic().")
    table = order.table
    # The payload with stand-ins for what only the locked statement knows; the statement puts
    # those in (`||` of jsonb objects).
    order.number, order.created_at = 0, timezone.now()
    payload = order_created_payload(order, lines, total=0, count=0)
    params: dict[str, Any] = {
        "store": order.store_id,
        "table": table.id,
        "window": settings.TABLE_RATE_WINDOW,
        "offset": settings.TABLE_ORDER_LIMIT - 1,
        "total": order.total,
        "note": order.note,
        "key": order.idempotency_key,
        "fingerprint": order.request_fingerprint,
        "status": order.status,
        "type": EventType.ORDER_CREATED.value,
        "order": outbox.encode(payload["order"]),
        "table_state": outbox.encode(payload["table"]),
        "channel": outbox.CHANNEL,
        "max_bytes": outbox.MAX_NOTIFICATION_BYTES,
        "ordering_version": ordering_version,
    }
    groups = _by_model([*lines, *rows])
    for g, (_model, group) in enumerate(groups):
        for n, row in enumerate(group):
            for field in _row_fields(type(row)):
                params[f"r{g}_{n}_{field.column}"] = field.get_db_prep_save(getattr(row, field.attname), connection)
    for k, follower in enumerate(followers):
        params[f"f{k}_type"] = follower.type
        params[f"f{k}_subject"] = follower.subject
        params[f"f{k}_payload"] = outbox.encode(follower.payload)
    shape = tuple((model, len(group)) for model, group in groups)
    with connection.cursor() as cursor:
        cursor.execute(_one_message_sql(shape, len(followers)), params)
        cursor.nextset()
        limiting, now, version, order_id, number, session_id, opened, *_notified = cursor.fetchone()
    if order_id is None and ordering_version is not None and version != ordering_version:
        raise OrderingChanged
    if order_id is None:
        _refuse_if_limited(limiting, now)
        raise AssertionError("the locked statement refused an order that is within the limit")
    order.id, order.number, order.session_id, order.created_at = order_id, number, session_id, now
    if not opened:
        return None
    return TableSession(id=session_id, store_id=order.store_id, table=table, opened_at=now)


def _by_model(rows: Sequence[Model]) -> list[tuple[type[Model], list[Any]]]:
    """`rows` grouped by model, in the order each model first appears."""
    groups: dict[type[Model], list[Any]] = {}
    for row in rows:
        groups.setdefault(type(row), []).append(row)
    return list(groups.items())


def _row_fields(model: type[Model]) -> list[Any]:
    """The columns a row that belongs to an order is inserted with as given: all but its order,
    its `created_at` (the order's time) and an id the database gives (a primary key made in
    Python, a UUID, is inserted as given)."""
    return [
        field
        for field in model._meta.concrete_fields
        # An auto id is the one field the database fills in on its own (`db_returning`).
        if not (field.primary_key and getattr(field, "db_returning", False))
        and field.name not in ("order", "created_at")
    ]


def _has_created_at(model: type[Model]) -> bool:
    return any(field.name == "created_at" for field in model._meta.concrete_fields)


def _quoted(model: type[Model], names: tuple[str, ...] = ()) -> tuple[str, str]:
    """The model's table, and these fields' columns, quoted."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in names)  # type: ignore[union-attr,arg-type]
    return quote(model._meta.db_table), columns


def _session_reads() -> str:
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


def _open_session_cte() -> str:
    sessions, _ = _quoted(TableSession)
    return f"open_session AS (SELECT id FROM {sessions} WHERE table_id = %(table)s AND closed_at IS NULL)"  # noqa: S608


@functools.cache
def _read_sql() -> str:
    """The store's next order number and what the order depends on, in one statement."""
    stores, _ = _quoted(Store)
    return (
        f"WITH {_open_session_cte()} "  # noqa: S608 (names from the models)
        f"UPDATE {stores} SET last_order_number = last_order_number + 1 WHERE id = %(store)s "
        f"RETURNING last_order_number, ordering_version, {_session_reads()}"
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
EVENT_COLUMNS = ("id", "store", "table", "session", "type", "payload", "created_at")
SESSION_COLUMNS = ("id", "store", "table", "opened_at")


def _rows_sql(shape: tuple[tuple[type[Model], int], ...]) -> str:
    """One `WITH` item per model of the order's rows: an INSERT of its rows, each with the
    order's id; `shape` gives each model and how many rows of it there are."""
    items = []
    for g, (model, count) in enumerate(shape):
        fields = _row_fields(model)
        timed = ("created_at",) if _has_created_at(model) else ()
        table, columns = _quoted(model, ("order", *timed, *(field.name for field in fields)))
        values = ", ".join(
            "(" + ", ".join(f"%(r{g}_{n}_{field.column})s::{field.db_type(connection)}" for field in fields) + ")"
            for n in range(count)
        )
        selected = "event.order_id, event.now" if timed else "event.order_id"
        items.append(
            f"new_rows_{g} AS (INSERT INTO {table} ({columns}) SELECT {selected}, row.* "  # noqa: S608
            f"FROM event, (VALUES {values}) AS row)"
        )
    return ", ".join(items)


@functools.cache
def _one_message_sql(shape: tuple[tuple[type[Model], int], ...], followers: int = 0) -> str:
    """`write_in_one_message`'s message for an order whose lines and rows have this `shape`,
    with this many followers."""
    stores, _ = _quoted(Store)
    sessions, session_columns = _quoted(TableSession, SESSION_COLUMNS)
    orders, order_columns = _quoted(Order, ORDER_COLUMNS)
    events, event_columns = _quoted(OrderEvent, EVENT_COLUMNS)
    sequence = "nextval(pg_get_serial_sequence('{}', 'id'))".format
    return (
        "SELECT pg_advisory_xact_lock(%(store)s); "  # noqa: S608 (names from the models, values as parameters)
        f"WITH {_open_session_cte()}, "
        f"state AS (SELECT clock_timestamp() AS now, {_session_reads()}, "
        f"(SELECT ordering_version FROM {stores} WHERE id = %(store)s) AS ordering_version), "
        # Event ids are taken here, under the lock, so that they follow commit order. The limit
        # as refuse_if_limited states it: refused while the limiting order is within the window.
        f"placed AS (SELECT state.*, {sequence(Order._meta.db_table)} AS order_id, "
        f"{sequence(OrderEvent._meta.db_table)} AS event_id, "
        f"COALESCE(state.session_id, {sequence(TableSession._meta.db_table)}) AS order_session_id "
        "FROM state WHERE (state.limiting IS NULL OR state.limiting <= state.now - %(window)s) "
        "AND (%(ordering_version)s::bigint IS NULL OR state.ordering_version = %(ordering_version)s)), "
        f"numbered AS (UPDATE {stores} SET last_order_number = last_order_number + 1 "
        "WHERE id = %(store)s AND EXISTS (SELECT FROM placed) RETURNING last_order_number AS number), "
        "payload AS (SELECT placed.*, numbered.number, jsonb_build_object("
        "'order', %(order)s::jsonb || jsonb_build_object('id', order_id, 'number', number, "
        f"'display_number', {DISPLAY_NUMBER}, 'created_at', {ISO_TIME}, 'session_id', order_session_id), "
        "'table', %(table_state)s::jsonb || jsonb_build_object('session_id', order_session_id, "
        "'total', total + %(total)s, 'order_count', count + 1)) AS payload FROM placed, numbered), "
        # The notification as outbox.notification writes it (test_order_write proves them equal).
        f"event AS (SELECT payload.*, {_message('event_id', 'order_session_id', '%(type)s', 'payload')} AS message "
        "FROM payload), "
        f"new_session AS (INSERT INTO {sessions} ({session_columns}) "
        "SELECT order_session_id, %(store)s, %(table)s, now FROM event WHERE session_id IS NULL), "
        f"new_order AS (INSERT INTO {orders} ({order_columns}) SELECT order_id, %(store)s, %(table)s, "
        "order_session_id, number, %(status)s, %(total)s, %(note)s, %(key)s, %(fingerprint)s, now, now FROM event), "
        f"{_rows_sql(shape)}, "
        f"new_event AS (INSERT INTO {events} ({event_columns}) SELECT event_id, %(store)s, %(table)s, "
        "order_session_id, %(type)s, payload, now FROM event)"
        f"{_followers_sql(followers)} "
        "SELECT state.limiting, state.now, state.ordering_version, event.order_id, event.number, "
        "event.order_session_id, event.session_id IS NULL, "
        "CASE WHEN event.order_id IS NOT NULL THEN pg_notify(%(channel)s, event.message) END"
        # The followers' notifications after the order's, in id order (PostgreSQL evaluates a
        # SELECT list after its ORDER BY), so that every listener hears ids in ascending order.
        + (
            ", (SELECT count(sent) FROM (SELECT pg_notify(%(channel)s, message) AS sent FROM followed ORDER BY id) n)"
            if followers
            else ""
        )
        + " FROM state LEFT JOIN event ON true"
    )


def _message(event_id: str, session_id: str, event_type: str, payload: str) -> str:
    """SQL of an event's notification (`outbox.notification`): the whole event, or only
    `<id>:<store id>` when that would not fit."""
    whole = f"concat_ws(':', {event_id}, %(store)s, %(table)s, {session_id}, {event_type}, {payload}::text)"
    return (
        f"CASE WHEN octet_length({whole}) < %(max_bytes)s THEN {whole} ELSE concat_ws(':', {event_id}, %(store)s) END"
    )


def _followers_sql(count: int) -> str:
    """The `followed` item of `_one_message_sql`: the followers' events, each with the next id
    and its subject given the order's fields (`Follower.completed`), and their notifications."""
    if not count:
        return ""
    events, event_columns = _quoted(OrderEvent, EVENT_COLUMNS)
    values = ", ".join(f"({k}, %(f{k}_type)s, %(f{k}_subject)s, %(f{k}_payload)s::jsonb)" for k in range(count))
    order_fields = (
        "jsonb_build_object('order_id', order_id, 'number', number, "
        f"'display_number', {DISPLAY_NUMBER}, 'created_at', {ISO_TIME})"
    )
    payload = f"f.payload || jsonb_build_object(f.subject, (f.payload -> f.subject) || {order_fields})"
    return (
        f", followers AS (SELECT event.*, nextval(pg_get_serial_sequence('{OrderEvent._meta.db_table}', 'id')) "  # noqa: S608
        f"AS follower_id, f.type AS follower_type, {payload} AS follower_payload "
        f"FROM event, (VALUES {values}) AS f(k, type, subject, payload) ORDER BY f.k), "
        f"followed AS (INSERT INTO {events} ({event_columns}) SELECT follower_id, %(store)s, %(table)s, "
        "order_session_id, follower_type, follower_payload, now FROM followers "
        f"RETURNING id, {_message('id', 'session_id', 'type', 'payload')} AS message)"
    )
