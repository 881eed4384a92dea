"""Fan-out in this process: each open stream's subscription, and the hub that feeds them.

The hub hears committed events from the outbox (orders.outbox): on PostgreSQL through the
process's listener (core.listener), which hands it the notifications of the events
channel (each carrying its event, or only its id when the event is too big to fit) and,
after every (re)connect, lets it catch up from the outbox by id; on SQLite through
`outbox.event_committed`, sent at commit. Each event is taken from its notification (or read from the
outbox) and encoded once per process, offered to the subscriptions of its store, and kept with
the store's recent events (`Recent`) for streams that reconnect. Streams subscribe from the
request thread that opens them; events are dispatched on the loop.
"""

from __future__ import annotations

import asyncio
import random
import signal
import threading
from collections import defaultdict, deque
from collections.abc import Iterable
from operator import attrgetter
from types import FrameType
from typing import TYPE_CHECKING, Any

from django.conf import settings

from core.listener import listener, uses_notify
from core.ratelimit import spread
from core.runtime.handler import serving_loop
from orders.outbox import Event, parse_notification, read_events, read_events_after

if TYPE_CHECKING:
    import psycopg

SUBSCRIBER_QUEUE_SIZE = 1000
CATCH_UP_BATCH = 1000
# Each store's latest events kept in memory (`Recent`), for streams that reconnect: about
# a busy store's last minute (an order makes 2 to 5 events).
RECENT_EVENTS = 64
# A drained stream asks its client to come back after a random wait in this range.
RECONNECT_MILLISECONDS = (200, 1200)


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
        # When closed by a drain: how long its client should wait before reconnecting.
        self.reconnect_after: int | None = None
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


class Recent:
    """A store's latest events as this process dispatched them, for reconnecting streams.

    Complete after `since`: every event of the store with a larger id that committed while
    the listener's `generation` lasts is in `events` (oldest first), until it falls out of the
    RECENT_EVENTS kept, which raises `since`. `since` is None until a stream that subscribed
    before reading the store's newest event id from the database reports it (`Hub.settle`);
    the events kept before that are only those dispatched meanwhile.
    """

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.since: int | None = None
        self.events: deque[Event] = deque()

    def add(self, event: Event) -> None:
        if self.events and event.id <= self.events[-1].id:
            return
        self.events.append(event)
        if len(self.events) > RECENT_EVENTS:
            dropped = self.events.popleft()
            if self.since is not None:
                self.since = max(self.since, dropped.id)

    def settle(self, latest: list[Event], *, complete: bool) -> None:
        """Add the store's latest events read from the database: the whole store's if
        `complete`, else all of them after the id before the oldest."""
        merged = {event.id: event for event in latest}
        merged.update((event.id, event) for event in self.events)
        events = sorted(merged.values(), key=attrgetter("id"))
        self.since = 0 if complete or not latest else latest[0].id - 1
        self.events = deque()
        for event in events:
            self.add(event)

    def newest(self) -> int:
        """The store's newest event id (only once `since` is known)."""
        assert self.since is not None
        return max(self.since, self.events[-1].id) if self.events else self.since

    def after(self, event_id: int, table_id: int | None) -> list[Event]:
        """The events after `event_id` of `table_id` (and the store-wide ones), or all of them."""
        return [
            event
            for event in self.events
            if event.id > event_id and (table_id is None or event.table_id in (None, table_id))
        ]


class Hub:
    """This process's subscriptions and their single source of events.

    Bound to the event loop of the first subscriber (the server's loop); a new loop (as in
    tests that run several) starts afresh. On PostgreSQL the first subscription starts the
    process's listener if nothing did before (Django runs no ASGI lifespan, so there is no
    startup hook); it lives as long as the loop.
    """

    def __init__(self) -> None:
        self._subscriptions: defaultdict[int, set[Subscription]] = defaultdict(set)
        # The stores that have subscriptions here: their latest events.
        self._recent: dict[int, Recent] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown_hook_installed = False
        # Streams subscribe and unsubscribe from request threads; events arrive on the loop.
        self._lock = threading.Lock()
        # Set by `drain`: the process is stopping, and a stream that still opens ends at once.
        self._draining = False

    # Streams (from the event loop or a request thread)

    def subscribe(self, *, store_id: int, table_id: int | None = None) -> Subscription:
        with self._lock:
            self._bind_loop()
            subscription = Subscription(store_id, table_id)
            self._subscriptions[store_id].add(subscription)
            if store_id not in self._recent:
                self._recent[store_id] = Recent(self.generation)
        if self._draining:
            # Accepted just before the server stopped taking connections: sent elsewhere.
            subscription.reconnect_after = spread(RECONNECT_MILLISECONDS)
            subscription.close()
        if uses_notify():
            listener.ensure_listening()
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        subscription.closed = True
        with self._lock:
            subscribers = self._subscriptions.get(subscription.store_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscriptions[subscription.store_id]
                    self._recent.pop(subscription.store_id, None)

    def recent(self, store_id: int, generation: int | None) -> Recent | None:
        """The store's latest events, if complete after a known id under `generation`, the
        listener's generation the caller subscribed under (None: not connected then)."""
        if not uses_notify():
            # Another process may write a SQLite database: its events never reach this one.
            return None
        with self._lock:
            recent = self._recent.get(store_id)
            if recent is None or recent.since is None or generation is None:
                return None
            if recent.generation != generation or not self.connected or self.generation != generation:
                return None
            return recent

    def settle(self, store_id: int, latest: list[Event], generation: int | None) -> None:
        """The store's latest events (at most RECENT_EVENTS, oldest first), read from the
        database after a subscription to the store was made under `generation` (None: not
        connected then) and while it lasts: from now on the store's recent events are complete
        after the id before the oldest of them (after 0 if the store has no more)."""
        with self._lock:
            recent = self._recent.get(store_id)
            if recent is None or generation is None or recent.generation != generation or recent.since is not None:
                return
            if self.generation != generation or not self.connected:
                return
            recent.settle(latest, complete=len(latest) < RECENT_EVENTS)

    def replay(self, recent: Recent, after_id: int | None, table_id: int | None) -> tuple[int, list[Event]]:
        """(cursor, events after it) for a stream starting after `after_id` (None: now), from
        the store's recent events; `after_id` must not be older than `recent.since`."""
        with self._lock:
            newest = recent.newest()
            cursor = newest if after_id is None else min(after_id, newest)
            return cursor, recent.after(cursor, table_id)

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

    def current_generation(self) -> int | None:
        """The listener's generation while it is connected, else None."""
        return self.generation if self.connected else None

    @property
    def connected(self) -> bool:
        return not uses_notify() or listener.is_connected

    def subscriber_count(self) -> int:
        return sum(len(subscribers) for subscribers in self._subscriptions.values())

    def has_subscribers(self, store_id: int) -> bool:
        return store_id in self._subscriptions

    def dispatch(self, events: Iterable[Event]) -> None:
        """Offer events (in commit order per store) to the subscriptions of their stores, and
        keep them with the stores' recent events."""
        for event in events:
            with self._lock:
                subscribers = tuple(self._subscriptions.get(event.store_id, ()))
                recent = self._recent.get(event.store_id)
                if recent is not None:
                    recent.add(event)
            for subscription in subscribers:
                subscription.offer(event)

    def table_changed(self, table_id: int, **_notice: Any) -> None:
        """A table's credentials changed (a notice callback, any thread): its tablet streams
        here check theirs at once, and a revoked or reset one ends before its next event."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._recheck_table, table_id)

    def _recheck_table(self, table_id: int) -> None:
        for subscription in self._all_subscriptions():
            if subscription.table_id == table_id:
                subscription.request_recheck()

    def _all_subscriptions(self) -> list[Subscription]:
        with self._lock:
            return [subscription for subscribers in self._subscriptions.values() for subscription in subscribers]

    def close_all(self) -> None:
        """End every open stream at once; clients reconnect with Last-Event-ID."""
        for subscription in self._all_subscriptions():
            subscription.close()

    def drain(self) -> None:
        """End every open stream, one after another in random order, STREAM_DRAIN_RATE a second
        but within STREAM_DRAIN_SECONDS, each asking its client to reconnect after a random
        RECONNECT_MILLISECONDS (on the loop): the clients reach the other workers spread out,
        not all in the same instant."""
        self._draining = True
        subscriptions = self._all_subscriptions()
        random.shuffle(subscriptions)
        loop = asyncio.get_running_loop()
        seconds = min(settings.STREAM_DRAIN_SECONDS, len(subscriptions) / settings.STREAM_DRAIN_RATE)
        step = seconds / max(1, len(subscriptions))
        for position, subscription in enumerate(subscriptions):
            subscription.reconnect_after = spread(RECONNECT_MILLISECONDS)
            loop.call_later(position * step, subscription.close)

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
        with self._lock:
            # Notifications were lost while away: what was kept is complete no more.
            self._recent = {store_id: Recent(self.generation) for store_id in self._subscriptions}
        for store_id, after_id in self._catch_up_cursors().items():
            while True:
                events = await read_events_after(reader, store_id=store_id, after_id=after_id, limit=CATCH_UP_BATCH)
                self.dispatch(events)
                if len(events) < CATCH_UP_BATCH:
                    break
                after_id = events[-1].id

    def _catch_up_cursors(self) -> dict[int, int]:
        cursors = {}
        with self._lock:
            stores = [(store_id, tuple(subscribers)) for store_id, subscribers in self._subscriptions.items()]
        for store_id, subscribers in stores:
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
        """Bind to the running loop, or from a request thread to the loop serving requests."""
        loop: asyncio.AbstractEventLoop | None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = serving_loop()
        if loop is None:
            raise RuntimeError("streams subscribe on the event loop or from a request it serves")
        if loop is self._loop:
            return
        self._subscriptions = defaultdict(set)
        self._recent = {}
        self._draining = False
        self._loop = loop
        if threading.current_thread() is threading.main_thread():
            self._install_shutdown_hook()
        else:
            loop.call_soon_threadsafe(self._install_shutdown_hook)

    def _install_shutdown_hook(self) -> None:
        """On SIGTERM, hand over to the new workers, then drain the streams.

        Servers (uvicorn, gunicorn's uvicorn workers) wait for open connections before they
        exit; endless streams would hold every stop and reload for the whole graceful
        timeout, and ending them all at once sends every client back in the same instant.
        So the process keeps serving for STREAM_HANDOVER_SECONDS (under gunicorn, whose
        reload starts the new workers on the same listening socket meanwhile:
        deploy/gunicorn.conf.py sets it), then lets the server stop taking connections and
        drains its streams (`drain`). Installed only over a handler an ASGI server put in
        place, on the main thread (which runs the loop).
        """
        if self._shutdown_hook_installed or threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if not callable(previous):
            return
        loop = self._loop
        assert loop is not None, "bound to its loop first"

        def stop_then_drain() -> None:
            previous(signal.SIGTERM, None)
            self.drain()

        def hand_over(signum: int, frame: FrameType | None) -> None:
            if loop.is_closed():
                previous(signum, frame)
                return
            loop.call_soon_threadsafe(loop.call_later, settings.STREAM_HANDOVER_SECONDS, stop_then_drain)

        signal.signal(signal.SIGTERM, hand_over)
        self._shutdown_hook_installed = True


hub = Hub()
