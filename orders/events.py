"""Order events: written in the change's transaction, fanned out to every open stream.

Publishing writes an `OrderEvent` row (the transactional outbox) inside the service's
transaction. On PostgreSQL the same transaction runs `pg_notify('tableorder_events',
'<id>:<store id>')`, which the database delivers only at commit, so a rolled-back change is
never announced. Each server process keeps one listening connection (`PostgresListener`)
and hands what it hears to the process's `hub`, which fans events out to the streams
subscribed in that process; after a dropped connection it reconnects and catches up from
the outbox by id. Elsewhere (SQLite, one development process) the event reaches the hub
through `transaction.on_commit`.

Ordering guarantee: every service takes the store's write lock first
(`accounts.services.lock_store`) and writes its event while holding it, so within one
store event ids are allocated in commit order. Streams of one store, or of one of its
tables, can therefore replay and catch up with `id > last id seen` without skipping an
event that committed later with a lower id. Across
stores ids do not follow commit order, which is why no cursor here is global.
"""

import asyncio
import contextlib
import json
import logging
import signal
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, connections, transaction
from django.db.models import Q

from orders.models import EventType, OrderEvent

logger = logging.getLogger(__name__)

CHANNEL = "tableorder_events"
SUBSCRIBER_QUEUE_SIZE = 1000
CATCH_UP_BATCH = 1000
LISTENER_HEALTH_CHECK_SECONDS = 30.0
RECONNECT_BACKOFF = (0.05, 5.0)
LISTENER_TASK = "tableorder-event-listener"


def publish(*, store, event_type, payload, table=None, session=None):
    """Record an event for the store's screens; call inside the change's transaction."""
    event = OrderEvent.objects.create(store=store, table=table, session=session, type=event_type, payload=payload)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, f"{event.id}:{event.store_id}"])
    else:
        transaction.on_commit(lambda: hub.deliver(event))
    return event


def publish_menu_updated(sender, *, store_id, **kwargs):
    """`menus.signals.menu_changed` → a store-wide `menu.updated` event carrying the new menu version.

    Tablets re-read the menu (with its ETag) when they hear it.
    """
    from accounts.models import Store
    from menus.selectors import menu_version

    store = Store(pk=store_id)
    publish(store=store, event_type=EventType.MENU_UPDATED, payload={"version": menu_version(store)})


@dataclass(frozen=True, slots=True)
class Event:
    """An outbox row as streams send it; `message` is its Server-Sent Events frame."""

    id: int
    store_id: int
    table_id: int | None
    session_id: int | None
    type: str
    data: str
    message: bytes = field(repr=False, compare=False)

    @classmethod
    def create(cls, *, id, store_id, table_id, session_id, type, payload):
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        message = f"id: {id}\nevent: {type}\ndata: {data}\n\n".encode()
        return cls(id, store_id, table_id, session_id, type, data, message)

    @classmethod
    def from_row(cls, row):
        return cls.create(
            id=row.id,
            store_id=row.store_id,
            table_id=row.table_id,
            session_id=row.session_id,
            type=row.type,
            payload=row.payload,
        )


def events_after(*, after_id, store_id, limit, table_id=None, min_session_id=None):
    """Committed events of a store (or one of its tables) with id > after_id, oldest first (sync ORM)."""
    rows = OrderEvent.objects.filter(store_id=store_id, id__gt=after_id)
    # A table's stream also carries the store-wide events (no table, no session): menu.updated.
    if table_id is not None:
        rows = rows.filter(Q(table_id=table_id) | Q(table_id__isnull=True))
    if min_session_id is not None:
        rows = rows.filter(Q(session_id__gte=min_session_id) | Q(session_id__isnull=True))
    return [Event.from_row(row) for row in rows.order_by("id")[:limit]]


class StreamEnded(Exception):
    """The subscription was closed: server shutdown, or the stream fell too far behind."""


class Subscription:
    """One stream's inbox: live events of a store (optionally one table), in commit order.

    `seen` is the highest event id offered to this subscription or reported by its stream
    through `advance`; offers at or below it are dropped, so a catch-up that repeats what a
    notification already delivered never shows an event twice.
    """

    def __init__(self, store_id, table_id=None):
        self.store_id = store_id
        self.table_id = table_id
        self.seen = None
        self.closed = False
        self._queue = asyncio.Queue(maxsize=SUBSCRIBER_QUEUE_SIZE)

    def offer(self, event):
        if self.closed or (self.table_id is not None and event.table_id not in (None, self.table_id)):
            return
        if self.seen is not None and event.id <= self.seen:
            return
        self.seen = event.id
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            # A client this far behind is better served by reconnecting with Last-Event-ID.
            self.close()

    def advance(self, event_id):
        """The stream has already sent everything up to `event_id` (from its replay)."""
        if self.seen is None or event_id > self.seen:
            self.seen = event_id

    async def get(self, timeout):
        """The next live event, or None after `timeout` seconds; StreamEnded once closed."""
        if self._queue.empty():
            if self.closed:
                raise StreamEnded
            try:
                event = await asyncio.wait_for(self._queue.get(), timeout)
            except TimeoutError:
                return None
        else:
            # A busy stream skips wait_for's task per event.
            event = self._queue.get_nowait()
        if event is None:
            raise StreamEnded
        return event

    def close(self):
        """End the stream after the events already queued (a contiguous run: later offers are dropped)."""
        if self.closed:
            return
        self.closed = True
        # A full queue has no waiting reader; `get` ends the stream once the queue drains.
        if not self._queue.full():
            self._queue.put_nowait(None)


class Hub:
    """This process's subscriptions and their single source of events.

    Bound to the event loop of the first subscriber (the server's loop); a new loop (as in
    tests that run several) starts afresh. On PostgreSQL the listener starts with the first
    subscription (Django runs no ASGI lifespan, so there is no startup hook) and lives as
    long as the loop.
    """

    def __init__(self):
        self._subscriptions = defaultdict(set)
        self._loop = None
        self._listener = None
        self._shutdown_hook_installed = False

    # Streams (event loop side)

    def subscribe(self, *, store_id, table_id=None):
        self._bind_loop()
        subscription = Subscription(store_id, table_id)
        self._subscriptions[store_id].add(subscription)
        if connection.vendor == "postgresql" and self._listener is None:
            self._listener = PostgresListener(self)
            self._listener.start()
        return subscription

    def unsubscribe(self, subscription):
        subscription.closed = True
        subscribers = self._subscriptions.get(subscription.store_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscriptions[subscription.store_id]

    async def ready(self, timeout=10.0):
        """Wait until events committed from now on are sure to reach subscriptions.

        Returns the listener's generation (it changes on every reconnect): a stream that
        read the outbox while the generation changed must read it again, since events that
        committed during the outage were caught up only for subscriptions that had a cursor.
        """
        if self._listener is None:
            return 0
        return await self._listener.wait_connected(timeout)

    @property
    def generation(self):
        return self._listener.generation if self._listener else 0

    @property
    def connected(self):
        return self._listener is None or self._listener.is_connected

    def subscriber_count(self):
        return sum(len(subscribers) for subscribers in self._subscriptions.values())

    def has_subscribers(self, store_id):
        return store_id in self._subscriptions

    def dispatch(self, events):
        """Offer events (in commit order per store) to the subscriptions of their stores."""
        for event in events:
            for subscription in tuple(self._subscriptions.get(event.store_id, ())):
                subscription.offer(event)

    def catch_up_cursors(self):
        """{store id: lowest `seen` among its subscriptions}, for catching up after an outage."""
        cursors = {}
        for store_id, subscribers in self._subscriptions.items():
            seen = [s.seen for s in subscribers if s.seen is not None]
            if seen:
                cursors[store_id] = min(seen)
        return cursors

    def close_all(self):
        """End every open stream (server shutdown); clients reconnect with Last-Event-ID."""
        for subscribers in list(self._subscriptions.values()):
            for subscription in list(subscribers):
                subscription.close()

    async def aclose(self):
        """End streams and stop the listener (tests, and loops that end)."""
        self.close_all()
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None

    # Publishing without LISTEN/NOTIFY (any thread)

    def deliver(self, order_event):
        """Hand a committed OrderEvent to this process's streams (the SQLite path)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self.dispatch, [Event.from_row(order_event)])

    # Internals

    def _bind_loop(self):
        loop = asyncio.get_running_loop()
        if loop is self._loop:
            return
        self._subscriptions = defaultdict(set)
        self._listener = None
        self._loop = loop
        self._install_shutdown_hook()

    def _install_shutdown_hook(self):
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

        def end_streams_then(signum, frame):
            if not loop.is_closed():
                loop.call_soon_threadsafe(self.close_all)
            previous(signum, frame)

        signal.signal(signal.SIGTERM, end_streams_then)
        self._shutdown_hook_installed = True


class PostgresListener:
    """One LISTEN connection per process, plus one connection to read the events it hears.

    A notification carries `<event id>:<store id>`; events of stores nobody in this process
    follows are not read at all. When the connection drops (a database restart or failover
    raises OperationalError from `notifies()`; a silent network loss is caught by a periodic
    query), it reconnects with backoff, LISTENs again, and only then catches up from the
    outbox: every notification sent after LISTEN arrives, everything before is in the table.
    """

    def __init__(self, hub):
        self.hub = hub
        self.generation = 0
        self.backend_pids = ()
        self._connected = asyncio.Event()
        self._task = None
        self._params = _listener_connection_params()

    @property
    def is_connected(self):
        return self._connected.is_set()

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run(), name=LISTENER_TASK)

    async def stop(self):
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_connected(self, timeout):
        await asyncio.wait_for(self._connected.wait(), timeout)
        return self.generation

    async def _run(self):
        import psycopg

        delay = RECONNECT_BACKOFF[0]
        while True:
            try:
                async with (
                    await psycopg.AsyncConnection.connect(**self._params, autocommit=True) as listen,
                    await psycopg.AsyncConnection.connect(**self._params, autocommit=True) as reader,
                ):
                    await listen.execute(f"LISTEN {CHANNEL}")
                    self.backend_pids = (listen.info.backend_pid, reader.info.backend_pid)
                    self.generation += 1
                    await self._catch_up(reader)
                    self._connected.set()
                    if self.generation > 1:
                        logger.warning("event listener reconnected", extra={"generation": self.generation})
                    delay = RECONNECT_BACKOFF[0]
                    await self._pump(listen, reader)
            except* psycopg.Error as errors:
                logger.warning("event listener lost its database connection: %s", errors.exceptions[0])
            except* Exception:
                logger.exception("event listener failed; restarting it")
            self._connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_BACKOFF[1])

    async def _pump(self, listen, reader):
        heard = asyncio.Queue()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._hear(listen, heard), name=f"{LISTENER_TASK}-hear")
            group.create_task(self._read_and_dispatch(reader, heard), name=f"{LISTENER_TASK}-read")

    async def _hear(self, listen, heard):
        while True:
            async for notify in listen.notifies(timeout=LISTENER_HEALTH_CHECK_SECONDS):
                event_id, _sep, store_id = notify.payload.partition(":")
                if self.hub.has_subscribers(int(store_id)):
                    heard.put_nowait(int(event_id))
            # Quiet for a while: prove the connection is still alive.
            await listen.execute("SELECT 1")

    async def _read_and_dispatch(self, reader, heard):
        while True:
            ids = [await heard.get()]
            while not heard.empty():
                ids.append(heard.get_nowait())
            self.hub.dispatch(await self._fetch(reader, ids))

    async def _fetch(self, reader, ids):
        cursor = await reader.execute(
            f"SELECT id, store_id, table_id, session_id, type, payload FROM {OrderEvent._meta.db_table} "  # noqa: S608
            "WHERE id = ANY(%s) ORDER BY id",
            [ids],
        )
        return [_event_from_tuple(row) for row in await cursor.fetchall()]

    async def _catch_up(self, reader):
        for store_id, after_id in self.hub.catch_up_cursors().items():
            while True:
                cursor = await reader.execute(
                    f"SELECT id, store_id, table_id, session_id, type, payload FROM {OrderEvent._meta.db_table} "  # noqa: S608
                    "WHERE store_id = %s AND id > %s ORDER BY id LIMIT %s",
                    [store_id, after_id, CATCH_UP_BATCH],
                )
                events = [_event_from_tuple(row) for row in await cursor.fetchall()]
                self.hub.dispatch(events)
                if len(events) < CATCH_UP_BATCH:
                    break
                after_id = events[-1].id


def _event_from_tuple(row):
    event_id, store_id, table_id, session_id, event_type, payload = row
    return Event.create(
        id=event_id, store_id=store_id, table_id=table_id, session_id=session_id, type=event_type, payload=payload
    )


def _listener_connection_params():
    """Django's own connection parameters for the default database, for psycopg's async API."""
    params = connections["default"].get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    # Notice a dead peer (failover, lost route) within ~30 s even when nothing is sent.
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 10)
    params.setdefault("keepalives_interval", 5)
    params.setdefault("keepalives_count", 3)
    return params


hub = Hub()
