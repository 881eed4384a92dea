"""The events outbox: events written in the change's transaction, and read back as `Event`s.

Publishing writes an `OrderEvent` row inside the service's transaction. On PostgreSQL the
same transaction runs `pg_notify('tableorder_events', ...)`, which the database delivers only
at commit, so a rolled-back change is never announced; each process's listener
(core.listener) hears it and its hub (orders.hub) fans it out. The notification carries
the whole event (`notification`) when it fits in PostgreSQL's 8,000 bytes, so the hub need
not read the row back; otherwise only `<id>:<store id>`, and the hub reads the row.
Elsewhere (SQLite, one development process) the event reaches the hub through
`transaction.on_commit` and the `event_committed` signal.

Ordering guarantee: every service takes the store's write lock first
(`accounts.services.lock_store`, a PostgreSQL advisory lock) and writes its event while
holding it, so within one store event ids are allocated in commit order. Streams of one
store, or of one of its tables, can therefore replay and catch up with `id > last id seen`
without skipping an event that committed later with a lower id. Across stores ids do not
follow commit order, which is why no cursor here is global.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q
from django.dispatch import Signal

from accounts.models import Store, Table
from orders.models import EventType, OrderEvent, TableSession

if TYPE_CHECKING:
    import psycopg

CHANNEL = "tableorder_events"
# PostgreSQL refuses a notification payload of this many bytes or more.
MAX_NOTIFICATION_BYTES = 8000
# An event row's columns, in the order `Event.from_row` reads them.
COLUMNS = ("id", "store_id", "table_id", "session_id", "type", "payload")
_columns_of = attrgetter(*COLUMNS)

# Sent with `event` (an Event) once an event published without NOTIFY (SQLite: one process)
# has committed; this process's hub delivers it to its streams (wired in orders.apps).
event_committed = Signal()


def publish(
    *,
    store: Store,
    event_type: str,
    payload: Mapping[str, Any],
    table: Table | None = None,
    session: TableSession | None = None,
) -> OrderEvent:
    """Record an event for the store's screens; call inside the change's transaction."""
    event = OrderEvent.objects.create(store=store, table=table, session=session, type=event_type, payload=payload)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            message = notification(event.id, store.pk, event.table_id, event.session_id, event.type, encode(payload))
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, message])
    else:
        row = _columns_of(event)
        transaction.on_commit(lambda: event_committed.send(sender=Event, event=Event.from_row(row)))
    return event


def publish_menu_updated(sender: object, *, store_id: int, **kwargs: Any) -> None:
    """`menus.signals.menu_changed` → a store-wide `menu.updated` event carrying the new menu version.

    Tablets re-read the menu (with its ETag) when they hear it.
    """
    from menus.selectors import menu_version

    store = Store(pk=store_id)
    publish(store=store, event_type=EventType.MENU_UPDATED, payload={"version": menu_version(store)})


def encode(payload: object) -> str:
    """An event's payload as JSON text, as streams send it (one line)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def notification(
    event_id: int, store_id: int, table_id: int | None, session_id: int | None, event_type: str, data: str
) -> str:
    """The events channel's payload for an event whose payload is `data` (JSON text, `encode`):
    `<id>:<store id>:<table id>:<session id>:<type>:<data>` (empty for no table or session),
    or `<id>:<store id>` when that would not fit in a notification (8,000 bytes)."""
    message = f"{event_id}:{store_id}:{table_id or ''}:{session_id or ''}:{event_type}:{data}"
    if len(message.encode()) >= MAX_NOTIFICATION_BYTES:
        return f"{event_id}:{store_id}"
    return message


def parse_notification(message: str) -> tuple[int, Event | int]:
    """(store id, the `Event` or only its id) of an events channel's payload (`notification`)."""
    parts = message.split(":", 5)
    store_id = int(parts[1])
    if len(parts) < 6:
        return store_id, int(parts[0])
    event_id_text, _store, table_id, session_id, event_type, data = parts
    event_id = int(event_id_text)
    frame = sse_frame(event_id, event_type, data)
    return store_id, Event(event_id, store_id, _id_or_none(table_id), _id_or_none(session_id), event_type, data, frame)


def _id_or_none(text: str) -> int | None:
    return int(text) if text else None


def sse_frame(event_id: int, event_type: str, data: str) -> bytes:
    """One Server-Sent Events frame; `data` is JSON text (one line)."""
    return f"id: {event_id}\nevent: {event_type}\ndata: {data}\n\n".encode()


@dataclass(frozen=True, slots=True)
class Event:
    """An outbox row as streams send it; `message` is its SSE frame, encoded once per process
    and sent as is to every stream that carries the event."""

    id: int
    store_id: int
    table_id: int | None
    session_id: int | None
    type: str
    data: str
    message: bytes = field(repr=False, compare=False)

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Event:
        """The event of an outbox row given as a tuple of COLUMNS (the one reader of rows)."""
        event_id, store_id, table_id, session_id, event_type, payload = row
        data = encode(payload)
        return cls(event_id, store_id, table_id, session_id, event_type, data, sse_frame(event_id, event_type, data))


def events_after(
    *, after_id: int, store_id: int, limit: int, table_id: int | None = None, min_session_id: int | None = None
) -> list[Event]:
    """Committed events of a store (or one of its tables) with id > after_id, oldest first (sync ORM)."""
    rows = OrderEvent.objects.filter(store_id=store_id, id__gt=after_id)
    # A table's stream also carries the store-wide events (no table, no session): menu.updated.
    if table_id is not None:
        rows = rows.filter(Q(table_id=table_id) | Q(table_id__isnull=True))
    if min_session_id is not None:
        rows = rows.filter(Q(session_id__gte=min_session_id) | Q(session_id__isnull=True))
    return [Event.from_row(row) for row in rows.order_by("id").values_list(*COLUMNS)[:limit]]


def latest_events(store_id: int, limit: int) -> list[Event]:
    """A store's `limit` newest committed events, oldest first (sync ORM)."""
    rows = OrderEvent.objects.filter(store_id=store_id).order_by("-id").values_list(*COLUMNS)[:limit]
    return [Event.from_row(row) for row in reversed(rows)]


async def read_events(reader: psycopg.AsyncConnection[Any], ids: list[int]) -> list[Event]:
    """The events with these ids, oldest first (psycopg async connection)."""
    cursor = await reader.execute(f"SELECT {_SELECT} WHERE id = ANY(%s) ORDER BY id", [ids])
    return [Event.from_row(row) for row in await cursor.fetchall()]


async def read_events_after(
    reader: psycopg.AsyncConnection[Any], *, store_id: int, after_id: int, limit: int
) -> list[Event]:
    """A store's events with id > after_id, oldest first (psycopg async connection)."""
    cursor = await reader.execute(
        f"SELECT {_SELECT} WHERE store_id = %s AND id > %s ORDER BY id LIMIT %s",
        [store_id, after_id, limit],
    )
    return [Event.from_row(row) for row in await cursor.fetchall()]


_SELECT = f"{', '.join(COLUMNS)} FROM {OrderEvent._meta.db_table}"
