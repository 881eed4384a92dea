"""Server-Sent Events: a store's order events for its managers, one table's for its tablet.

- `GET /api/v1/admin/stream`: every event of the manager's store.
- `GET /api/v1/orders/stream`: the events of one table's current session (after
  "이용 완료", the next guest's), for that table's tablet.

Who may open which is orders.stream_access (with the ticket endpoint, `POST
/api/v1/stream-ticket`).

Each stream opens with `retry:` and a `stream.open` event whose `id` is the stream's cursor
(so a reconnect always has a Last-Event-ID) and whose data is `{last_event_id, session_id}`;
a tablet's also holds `closed_session_id`, the id of its table's last closed session (null
before the first "이용 완료"): a tablet that remembers an older one knows its cart, note and
screens belong to guests who have left, even if it was off when their session closed.
With `Last-Event-ID` (header, or `?last_event_id=` for a new EventSource) it first replays
the committed events after that id, then goes live; ids only grow, and an event already
sent is never sent again. A comment line every HEARTBEAT_SECONDS keeps proxies from closing
an idle stream. See orders/outbox.py for why `id > last id` is a safe cursor.

A stream's body runs on the event loop and holds no thread (core.runtime.handler); its
database work runs on the loop's shared thread pool and gives its connection back at once.

A tablet may hold STREAMS_PER_TABLE open streams and a manager STREAMS_PER_MANAGER, counted
per app process like the hub that serves them; one more is a 429 `too_many_streams` before
it starts, and a stream that ends gives its place back. A process takes streams only up to its
open-files limit less a reserve (orders.stream_capacity): one more is a 503 `server_busy`.
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Q
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import error_response
from core.ratelimit import StreamSlots
from orders.hub import StreamEnded, hub
from orders.models import KITCHEN_EVENTS, STAFF_ONLY_EVENTS, EventType, OrderEvent
from orders.outbox import events_after, sse_frame
from orders.selectors import table_session_ids
from orders.signals import stream_opened
from orders.stream_access import StreamAccess, StreamAuthError, manager_access, tablet_access
from orders.stream_capacity import server_busy, stream_capacity

if TYPE_CHECKING:
    from django.http import HttpRequest, JsonResponse

    from core.ratelimit import Slot
    from orders.outbox import Event

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# How often an open stream checks that its manager was not deactivated (or its tablet signed
# out: a tablet's stream also checks at once when its table's notice arrives).
REVALIDATE_SECONDS = 60.0
REPLAY_BATCH = 500
RETRY_MILLISECONDS = 3000

_P = ParamSpec("_P")
_R = TypeVar("_R")


def releasing_connection(function: Callable[_P, _R]) -> Callable[_P, Awaitable[_R]]:
    """Run ORM work on the loop's thread pool and give the connection back at once: a stream
    must hold neither a connection nor a thread of its own for hours."""

    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(wrapper, thread_sensitive=False)


class SessionFilter:
    """A tablet sees its table's current session, then (after "이용 완료") only the next ones.

    Session ids grow, so "this session or a later one" is `session_id >= floor`.
    """

    def __init__(self, floor: int) -> None:
        self.floor = floor

    def admits(self, event: Event) -> bool:
        if event.type in STAFF_ONLY_EVENTS:
            return False
        if event.table_id is None:
            return True  # store-wide (menu.updated)
        if event.session_id is None or event.session_id < self.floor:
            return False
        if event.type == EventType.SESSION_CLOSED:
            self.floor = event.session_id + 1
        return True


class AllEvents:
    floor: None = None

    def admits(self, event: Event) -> bool:
        return True


class KitchenEvents:
    """Kitchen staff see the kitchen's events and nothing else of the store."""

    floor: None = None

    def admits(self, event: Event) -> bool:
        return event.type in KITCHEN_EVENTS


@dataclass
class StreamStart:
    cursor: int
    filter: SessionFilter | AllEvents | KitchenEvents
    session_id: int | None
    # Tablet streams only: the table's last closed session, if any.
    closed_session_id: int | None = None


def stream_start(access: StreamAccess, last_event_id: int | None) -> StreamStart:
    """Where a stream starts: after `last_event_id` (never past the newest event), else now."""
    events = OrderEvent.objects.filter(store_id=access.store_id)
    event_filter: SessionFilter | AllEvents | KitchenEvents
    session_id: int | None
    closed_session_id: int | None = None
    if access.table_id is None:
        event_filter, session_id = (KitchenEvents() if access.kitchen_only else AllEvents()), None
    else:
        events = events.filter(Q(table_id=access.table_id) | Q(table_id__isnull=True))
        ids = table_session_ids(access.table_id)
        session_id, closed_session_id = ids["open"], ids["closed"]
        # With no open session, the next guest's session is the first this tablet may see.
        # The floor never goes lower for a Last-Event-ID, which the client chooses: a tablet that
        # missed its own session's close learns it from `stream.open`'s different session_id.
        floor = session_id or (ids["last"] or 0) + 1
        event_filter = SessionFilter(floor)
    newest = events.aggregate(newest=Max("id"))["newest"] or 0
    cursor = newest if last_event_id is None else min(last_event_id, newest)
    return StreamStart(cursor=cursor, filter=event_filter, session_id=session_id, closed_session_id=closed_session_id)


_stream_start = releasing_connection(stream_start)
_still_valid = releasing_connection(StreamAccess.still_valid)
_events_after = releasing_connection(events_after)


def _open_message(start: StreamStart, *, tablet: bool) -> bytes:
    data: dict[str, int | None] = {"last_event_id": start.cursor, "session_id": start.session_id}
    if tablet:
        data["closed_session_id"] = start.closed_session_id
    return sse_frame(start.cursor, "stream.open", json.dumps(data, separators=(",", ":")))


async def event_stream(access: StreamAccess, last_event_id: int | None, slot: Slot) -> AsyncIterator[bytes]:
    """The SSE body: replay after `last_event_id`, then live events, with heartbeats; gives
    `slot` back when it ends.

    Subscribes before reading the outbox, so an event committed meanwhile is either in the
    replay or in the subscription's queue (or both: ids at or below the cursor are skipped).
    """
    subscription = hub.subscribe(store_id=access.store_id, table_id=access.table_id)
    if access.table_id is None:
        stream_opened.send(sender=StreamAccess, store_id=access.store_id)
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
        try:
            generation = await hub.ready()
        except TimeoutError:
            return
        start = await _stream_start(access, last_event_id)
        cursor, event_filter = start.cursor, start.filter

        def replay_after(after_id: int) -> Awaitable[list[Event]]:
            return _events_after(
                after_id=after_id,
                store_id=access.store_id,
                table_id=access.table_id,
                min_session_id=event_filter.floor,
                limit=REPLAY_BATCH,
            )

        # The first batch is read before the stream says it is open, so a client acting on
        # `stream.open` does not write while the stream reads (on SQLite a read of a table
        # fails while another connection of the process writes to it).
        batch = await replay_after(cursor)
        yield _open_message(start, tablet=access.table_id is not None)
        event: Event | None
        while True:
            for event in batch:
                cursor = event.id
                if event_filter.admits(event):
                    yield event.message
            if len(batch) == REPLAY_BATCH:
                batch = await replay_after(cursor)
                continue
            subscription.advance(cursor)
            # A listener outage while we read: its catch-up could not know our cursor yet.
            if hub.generation == generation and hub.connected:
                break
            try:
                generation = await hub.ready()
            except TimeoutError:
                return
            batch = await replay_after(cursor)
        checked = time.monotonic()
        while True:
            event = await subscription.get(HEARTBEAT_SECONDS)
            if subscription.recheck or time.monotonic() - checked >= REVALIDATE_SECONDS:
                # A revoked tablet must not keep hearing the next guests' orders: its table's
                # notice (orders.hub) asks at once, the periodic check covers the rest.
                subscription.recheck = False
                if not await _still_valid(access):
                    return
                checked = time.monotonic()
            if event is None:
                yield b": ping\n\n"
            elif event.id > cursor:
                cursor = event.id
                if event_filter.admits(event):
                    yield event.message
    except StreamEnded:
        return
    except DatabaseError as error:
        # The client reconnects after `retry` with its Last-Event-ID; nothing is lost.
        logger.warning("stream ended by a database error: %s", error)
        return
    finally:
        hub.unsubscribe(subscription)
        slot.release()


def _last_event_id(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        raise ValueError(raw)
    return int(raw)


async def _stream_response(
    request: HttpRequest, resolve_access: Callable[[HttpRequest], StreamAccess]
) -> JsonResponse | StreamingHttpResponse:
    try:
        last_event_id = _last_event_id(request)
    except ValueError:
        return error_response(
            400, "invalid", _("Invalid input."), fields={"last_event_id": [_("Must be a non-negative event id.")]}
        )
    try:
        access = await releasing_connection(resolve_access)(request)
    except StreamAuthError as error:
        return error.response()
    slot = _stream_slot(access)
    if slot is None:
        return _too_many_streams()
    if not stream_capacity.admit(slot):
        return server_busy()
    response = StreamingHttpResponse(event_stream(access, last_event_id, slot), content_type="text/event-stream")
    # A client gone before the body's first chunk never runs the stream's `finally`.
    weakref.finalize(response, slot.release)
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx would otherwise buffer the stream (it drops this header before the client).
    response["X-Accel-Buffering"] = "no"
    return response


# Open streams per tablet and per manager, in this process.
stream_slots = StreamSlots()


def _stream_slot(access: StreamAccess) -> Slot | None:
    if access.table_id is not None:
        return stream_slots.take(("table", access.table_id), settings.STREAMS_PER_TABLE)
    return stream_slots.take(("manager", access.user_id), settings.STREAMS_PER_MANAGER)


def _too_many_streams() -> JsonResponse:
    message = _("Too many streams are open for this tablet or manager. Close one and try again.")
    # Places free up as streams end (at once when a client closes its connection).
    return error_response(429, "too_many_streams", message, headers={"Retry-After": str(int(HEARTBEAT_SECONDS))})


@require_GET
async def admin_stream(request: HttpRequest) -> JsonResponse | StreamingHttpResponse:
    """SSE of every order event of the manager's store."""
    return await _stream_response(request, manager_access)


@require_GET
async def tablet_stream(request: HttpRequest) -> JsonResponse | StreamingHttpResponse:
    """SSE of the tablet's table: its current session's order events."""
    return await _stream_response(request, tablet_access)
