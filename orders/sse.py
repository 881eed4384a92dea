"""Server-Sent Events: a store's order events for its managers, one table's for its tablet.

- `GET /api/v1/admin/stream`: every event of the manager's store.
- `GET /api/v1/orders/stream`: the events of one table's current session (after
  "이용 완료", the next guest's), for that table's tablet.

Who may open which is orders.stream_access (with the ticket endpoint, `POST
/api/v1/stream-ticket`).

Each stream opens with `retry:` (a random wait of RETRY_MILLISECONDS, so that clients dropped
together do not return together) and a `stream.open` event whose `id` is the stream's cursor
(so a reconnect always has a Last-Event-ID) and whose data is `{last_event_id, session_id}`;
a tablet's also holds `closed_session_id`, the id of its table's last closed session (null
before the first "이용 완료"): a tablet that remembers an older one knows its cart, note and
screens belong to guests who have left, even if it was off when their session closed.
With `Last-Event-ID` (header, or `?last_event_id=` for a new EventSource) it first replays
the committed events after that id, then goes live; ids only grow, and an event already
sent is never sent again. A comment line every HEARTBEAT_SECONDS keeps proxies from closing
an idle stream. See orders/outbox.py for why `id > last id` is a safe cursor.

The views are sync views marked `opens_stream` (core.runtime.handler): the credential, where
the stream starts and its first events (from the store's recent events in memory when they
reach back far enough, orders.hub.Recent, else from the outbox) take one call on a
stream-open thread. The body then runs on the event loop and holds no thread; its later
database work runs on the loop's shared thread pool and gives its connection back at once.
When the process drains (orders.hub, on SIGTERM) a stream's last frame is a short `retry:`.

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import error_response
from core.ratelimit import StreamSlots, spread
from core.runtime.handler import opens_stream
from orders.hub import RECENT_EVENTS, StreamEnded, Subscription, hub
from orders.models import KITCHEN_EVENTS, STAFF_ONLY_EVENTS, EventType, OrderEvent
from orders.outbox import events_after, latest_events, sse_frame
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
# The `retry:` each stream sends: a random wait in this range before a browser reconnects.
RETRY_MILLISECONDS = (2000, 6000)

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
    # The first events after `cursor` to send (at most REPLAY_BATCH), and the listener's
    # generation they were read under (None: it was not connected).
    batch: list[Event] = field(default_factory=list)
    generation: int | None = None


def stream_start(access: StreamAccess, last_event_id: int | None, generation: int | None) -> StreamStart:
    """Where a stream starts: after `last_event_id` (never past the newest event), else now;
    and its first events. Called after the stream subscribed, under `generation`.

    From the store's recent events in memory when they reach back that far (orders.hub.Recent),
    else from the outbox, which then tells the hub the store's newest event id.
    """
    event_filter: SessionFilter | AllEvents | KitchenEvents
    session_id: int | None
    closed_session_id: int | None = None
    if access.table_id is None:
        event_filter, session_id = (KitchenEvents() if access.kitchen_only else AllEvents()), None
    else:
        ids = table_session_ids(access.table_id)
        session_id, closed_session_id = ids["open"], ids["closed"]
        # With no open session, the next guest's session is the first this tablet may see.
        # The floor never goes lower for a Last-Event-ID, which the client chooses: a tablet that
        # missed its own session's close learns it from `stream.open`'s different session_id.
        floor = session_id or (ids["last"] or 0) + 1
        event_filter = SessionFilter(floor)
    start = StreamStart(
        cursor=0,
        filter=event_filter,
        session_id=session_id,
        closed_session_id=closed_session_id,
        generation=generation,
    )
    recent = hub.recent(access.store_id, generation)
    if recent is None:
        hub.settle(access.store_id, latest_events(access.store_id, RECENT_EVENTS), generation)
        recent = hub.recent(access.store_id, generation)
    since = None if recent is None else recent.since
    if recent is not None and since is not None and (last_event_id is None or last_event_id >= since):
        start.cursor, start.batch = hub.replay(recent, last_event_id, access.table_id)
        return start
    # An older gap, or the listener is not connected: from the outbox.
    newest = OrderEvent.objects.filter(store_id=access.store_id).aggregate(newest=Max("id"))["newest"] or 0
    start.cursor = newest if last_event_id is None else min(last_event_id, newest)
    start.batch = events_after(
        after_id=start.cursor,
        store_id=access.store_id,
        table_id=access.table_id,
        min_session_id=event_filter.floor,
        limit=REPLAY_BATCH,
    )
    return start


_still_valid = releasing_connection(StreamAccess.still_valid)
_events_after = releasing_connection(events_after)


def retry_frame(milliseconds: int) -> bytes:
    return f"retry: {milliseconds}\n\n".encode()


def _open_message(start: StreamStart, *, tablet: bool) -> bytes:
    data: dict[str, int | None] = {"last_event_id": start.cursor, "session_id": start.session_id}
    if tablet:
        data["closed_session_id"] = start.closed_session_id
    return sse_frame(start.cursor, "stream.open", json.dumps(data, separators=(",", ":")))


async def event_stream(
    access: StreamAccess, start: StreamStart, subscription: Subscription, slot: Slot
) -> AsyncIterator[bytes]:
    """The SSE body: `start`'s events, the rest of the replay, then live events, with
    heartbeats; ends the subscription and gives `slot` back when it ends.

    `subscription` was made before `start` was read, so an event committed meanwhile is either
    in the replay or in the subscription's queue (or both: ids at or below the cursor are skipped).
    """
    if access.table_id is None:
        stream_opened.send(sender=StreamAccess, store_id=access.store_id)
    try:
        cursor, event_filter, batch, generation = start.cursor, start.filter, start.batch, start.generation

        def replay_after(after_id: int) -> Awaitable[list[Event]]:
            return _events_after(
                after_id=after_id,
                store_id=access.store_id,
                table_id=access.table_id,
                min_session_id=event_filter.floor,
                limit=REPLAY_BATCH,
            )

        # The first batch was read before the stream says it is open, so a client acting on
        # `stream.open` does not write while the stream reads (on SQLite a read of a table
        # fails while another connection of the process writes to it). The `retry:` is spread
        # out, so a crashed worker's clients do not all come back in the same instant.
        frames = [retry_frame(spread(RETRY_MILLISECONDS)), _open_message(start, tablet=access.table_id is not None)]
        event: Event | None
        while True:
            for event in batch:
                cursor = event.id
                if event_filter.admits(event):
                    frames.append(event.message)
            if frames:
                # Each read's frames in one write.
                yield b"".join(frames)
                frames = []
            if len(batch) >= REPLAY_BATCH:
                batch = await replay_after(cursor)
                continue
            subscription.advance(cursor)
            # A listener outage before or while we read: its catch-up could not know our cursor yet.
            if generation is not None and hub.generation == generation and hub.connected:
                break
            try:
                generation = await hub.ready()
            except TimeoutError:
                return
            batch = await replay_after(cursor)
        # The first check at a random moment of the first period: streams opened together (a
        # deploy's reconnects) do not check together ever after.
        checked = time.monotonic() - spread((0, int(REVALIDATE_SECONDS * 1000))) / 1000
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
        if subscription.reconnect_after is not None:
            yield retry_frame(subscription.reconnect_after)
        return
    except DatabaseError as error:
        # The client reconnects after `retry` with its Last-Event-ID; nothing is lost.
        logger.warning("stream ended by a database error: %s", error)
        return
    finally:
        _end(subscription, slot)


def _end(subscription: Subscription, slot: Slot) -> None:
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


def _stream_response(
    request: HttpRequest, resolve_access: Callable[[HttpRequest], StreamAccess]
) -> JsonResponse | StreamingHttpResponse:
    """Everything but the body, in the request's thread: who asks, where the stream starts
    and its first events, with one database connection. The body runs on the event loop."""
    try:
        last_event_id = _last_event_id(request)
    except ValueError:
        return error_response(
            400, "invalid", _("Invalid input."), fields={"last_event_id": [_("Must be a non-negative event id.")]}
        )
    try:
        access = resolve_access(request)
    except StreamAuthError as error:
        return error.response()
    slot = _stream_slot(access)
    if slot is None:
        return _too_many_streams()
    if not stream_capacity.admit(slot):
        return server_busy()
    generation = hub.current_generation()
    subscription = hub.subscribe(store_id=access.store_id, table_id=access.table_id)
    try:
        start = stream_start(access, last_event_id, generation)
    except BaseException:
        _end(subscription, slot)
        raise
    response = StreamingHttpResponse(event_stream(access, start, subscription, slot), content_type="text/event-stream")
    # A client gone before the body's first chunk never runs the stream's `finally`.
    weakref.finalize(response, _end, subscription, slot)
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


@opens_stream(busy=server_busy)
@require_GET
def admin_stream(request: HttpRequest) -> JsonResponse | StreamingHttpResponse:
    """SSE of every order event of the manager's store."""
    return _stream_response(request, manager_access)


@opens_stream(busy=server_busy)
@require_GET
def tablet_stream(request: HttpRequest) -> JsonResponse | StreamingHttpResponse:
    """SSE of the tablet's table: its current session's order events."""
    return _stream_response(request, tablet_access)
