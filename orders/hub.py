"""Fan-out in this process: each open stream's subscription, and the hub that feeds them.

The hub hears committed events from the outbox (orders.outbox): on PostgreSQL through the
process's listener (core.listener), which hands it the notifications of the events
channel (each carrying its event, or only its id when the event is too big to fit) and,
after every (re)connect, lets it catch up from the outbox by id; on SQLite through
`outbox.event_committed`, sent at commit. Each event is taken from its notification (or read from the
outbox) and encoded once per process, and offered to the subscriptions of its store.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections import defaultdict
from collections.abc import Iterable
from operator import attrgetter
from types import FrameType
from typing import TYPE_CHECKING, Any

from core.listener import listener, uses_notify
from orders.outbox import Event, parse_notification, read_events, read_events_after

if TYPE_CHECKING:
    import psycopg

SUBSCRIBER_QUEUE_SIZE = 1000
CATCH_UP_BATCH = 1000


class StreamEnded(Exception):
    """The subscription was closed: server shutdown, or the stream fell too far behind."""


class Subscription:
    """One stream's inbox: live events of a store (optionally one table), in commit order.

    `seen` is the highest event id offered to this subscription or reported by its stream
    through `advance`; offers at or below it are dropped, so a catch-up that repeats what a
    notification already delivered never shows an event twice.

    Kept small, as thousands wait idle in one process: a list of pending events (rarely more
    than one) and, while the stream waits, one future and one timer.
    """

    def __init__(self, store_id: int, table_id: int | None = None) -> None:
        self.store_id = store_id
        self.table_id = table_id
        self.seen: int | None = None
        self.closed = False
        # Its table's credentials changed (Notice.TABLE): the stream checks its own again.
        self.recheck = False
        self._pending: list[Event] = []
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, event: Event) -> None:
        if self.closed or (self.table_id is not None and event.table_id not in (None, self.table_id)):
            return
        if self.seen is not None and event.id <= self.seen:
            return
        self.seen = event.id
        if len(self._pending) >= SUBSCRIBER_QUEUE_SIZE:
            # A client this far behind is better served by reconnecting with Last-Event-ID.
            self.close()
            return
        self._pending.append(event)
        self._wake()

    def advance(self, event_id: int) -> None:
        """The stream has already sent everything up to `event_id` (from its replay)."""
        if self.seen is None or event_id > self.seen:
            self.seen = event_id

    async def get(self, timeout: float) -> Event | None:
        """The next live event, or None after `timeout` seconds; StreamEnded once closed and
        every event offered before has been taken."""
        if not self._pending and not self.closed:
            loop = asyncio.get_running_loop()
            self._waiter = loop.create_future()
            timer = loop.call_later(timeout, self._wake)
            try:
                await self._waiter
            finally:
                timer.cancel()
                self._waiter = None
        if self._pending:
            return self._pending.pop(0)
        if self.closed:
            raise StreamEnded
        return None

    def request_recheck(self) -> None:
        """Have the stream check its credential before it sends anything more."""
        self.recheck = True
        self._wake()

    def close(self) -> None:
        """End the stream after the events already offered (a contiguous run: later offers are dropped)."""
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Hub:
    """This process's subscriptions and their single source of events.

    Bound to the event loop of the first subscriber (the server's loop); a new loop (as in
    tests that run several) starts afresh. On PostgreSQL the first subscription starts the
    process's listener if nothing did before (Django runs no ASGI lifespan, so there is no
    startup hook); it lives as long as the loop.
    """

    def __init__(self) -> None:
        self._subscriptions: defaultdict[int, set[Subscription]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown_hook_installed = False

    # Streams (event loop side)

    def subscribe(self, *, store_id: int, table_id: int | None = None) -> Subscription:
        self._bind_loop()
        subscription = Subscription(store_id, table_id)
        self._subscriptions[store_id].add(subscription)
        if uses_notify():
            listener.start()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.closed = True
        subscribers = self._subscriptions.get(subscription.store_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.store_id]

    async def ready(self, timeout: float = 10.0) -> int:
        """Wait until events committed from now on are sure to reach subscriptions.

        Returns the listener's generation (it changes on every reconnect): a stream that
        read the outbox while the generation changed must read it again, since events that
        committed during the outage were caught up only for subscriptions that had a cursor.
        """
        if not uses_notify():
            return 0
        return await listener.wait_connected(timeout)

    @property
    def generation(self) -> int:
        return listener.generation if uses_notify() else 0

    @property
    def connected(self) -> bool:
        return not uses_notify() or listener.is_connected

    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscriptions.values())

    def has_subscribers(self, store_id: int) -> bool:
        return store_id in self._subscriptions

    def dispatch(self, events: Iterable[Event]) -> None:
        """Offer events (in commit order per store) to the subscriptions of their stores."""
        for event in events:
            for subscription in tuple(self._subscriptions.get(event.store_id, ())):
                subscription.offer(event)

    def table_changed(self, table_id: int, **_notice: Any) -> None:
        """A table's credentials changed (a notice callback, any thread): its tablet streams
        here check theirs at once, and a revoked or reset one ends before its next event."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._recheck_table, table_id)

    def _recheck_table(self, table_id: int) -> None:
        for subscribers in self._subscriptions.values():
            for subscription in subscribers:
                if subscription.table_id == table_id:
                    subscription.request_recheck()

    def close_all(self) -> None:
        """End every open stream (server shutdown); clients reconnect with Last-Event-ID."""
        for subscribers in list(self._subscriptions.values()):
            for subscription in list(subscribers):
                subscription.close()

    async def aclose(self) -> None:
        """End streams and stop the listener (tests, and loops that end)."""
        self.close_all()
        await listener.stop()

    # From the listener (PostgreSQL), on the loop

    async def heard(self, payloads: Iterable[str], reader: psycopg.AsyncConnection[Any]) -> None:
        """Notifications (`orders.outbox.notification`): dispatch the events of stores someone
        here follows, reading from the outbox only those the notification could not carry; the
        other stores' events are not read at all."""
        events: list[Event] = []
        ids: list[int] = []
        for payload in payloads:
            store_id, event = parse_notification(payload)
            if self.has_subscribers(store_id):
                if isinstance(event, int):
                    ids.append(event)
                else:
                    events.append(event)
        if ids:
            events.extend(await read_events(reader, ids))
            # Commit order within each store is id order.
            events.sort(key=attrgetter("id"))
        self.dispatch(events)

    async def catch_up(self, reader: psycopg.AsyncConnection[Any]) -> None:
        """After a (re)connect: every store's events after the lowest `seen` of its subscriptions.

        Notifications sent while the listener was away are lost; the outbox has the events.
        """
        for store_id, after_id in self._catch_up_cursors().items():
            while True:
                events = await read_events_after(reader, store_id=store_id, after_id=after_id, limit=CATCH_UP_BATCH)
                self.dispatch(events)
                if len(events) < CATCH_UP_BATCH:
                    break
                after_id = events[-1].id

    def _catch_up_cursors(self) -> dict[int, int]:
        cursors = {}
        for store_id, subscribers in self._subscriptions.items():
            seen = [s.seen for s in subscribers if s.seen is not None]
            if seen:
                cursors[store_id] = min(seen)
        return cursors

    # From `publish` without LISTEN/NOTIFY (SQLite), any thread

    def deliver(self, event: Event, **_signal: Any) -> None:
        """Hand a committed event to this process's streams (a receiver of
        `orders.outbox.event_committed`)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self.dispatch, [event])

    # Internals

    def _bind_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._subscriptions = defaultdict(set)
        self._loop = loop
        self._install_shutdown_hook()

    def _install_shutdown_hook(self) -> None:
        """End streams on SIGTERM, ahead of the server's own handler.

        Servers (uvicorn, gunicorn's uvicorn workers) wait for open connections before they
        exit; endless streams would hold every stop and reload for the whole graceful
        timeout. Installed only over a handler an ASGI server put in place.
        """
        if self._shutdown_hook_installed or threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return
        loop = self._loop
        assert loop is not None, "bound to its loop first"

        def end_streams_then(signum: int, frame: FrameType | None) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.close_all)
            previous(signum, frame)

        signal.signal(signal.SIGTERM, end_streams_then)
        self._shutdown_hook_installed = True


hub = Hub()
