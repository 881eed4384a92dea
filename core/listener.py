"""This process's one LISTEN connection to PostgreSQL: the outbox's events and the notices ride on it.

The listener. Each app process keeps one psycopg async connection that LISTENs on the
database's notification channels, and one more for channel handlers to read with, on the
event loop that serves requests. Channels are added at start-up (`add_channel`, from an
AppConfig.ready): the outbox's events (orders.hub) and the notices (core.notices). After a
dropped connection (a database restart or failover raises from `notifies()`; a silent
network loss is caught by keepalives, or when a liveness round trip gets no answer within
HEALTH_CHECK_SECONDS and psycopg's up to 10 s of trying to cancel it) it reconnects with
backoff, LISTENs again, runs each channel's `on_connect` (the hub catches up from the outbox
there), and only then counts as connected: every notification sent after LISTEN arrives.
`generation` grows with every connection, so what a process learnt from notifications is
complete only while the generation it learnt it under lasts. On SQLite there is no listener.

Liveness proofs. Every PROOF_SECONDS (also while notifications keep arriving) the listener
makes an empty round trip on the LISTEN connection (a protocol Sync: no query, no
transaction). A backend sends the notifications committed before a message reaches it ahead
of its answer, so once the answer is back and every channel has handled what was heard (the
notices' callbacks have run), every notification committed before the round trip was sent
has been handled: `proven_at` is that moment (time.monotonic()). A proof is one round trip
(about 0.1 ms here), four times a second; core/tests/test_listener_proofs.py checks
the claim under a flood of notifications.

The staleness bound. `listener_is_fresh(generation)` holds while the listener is connected,
has not reconnected since `generation` was taken, and its last proof is at most
MAX_STALENESS (1 s) old. A value read from the database after `listener_generation()`
returned `generation`, and used while `listener_is_fresh(generation)` holds, has missed no
notice of a change committed more than MAX_STALENESS before the use: every notice committed
before `proven_at` has been handled, and `proven_at` is at most that old. While the listener
is healthy (proofs every PROOF_SECONDS) a change is seen within a notice's latency
(milliseconds); when its connection fails silently, or the event loop is too busy to prove,
caches stop being used at most MAX_STALENESS after the last proof. When it does not hold
(not served on an event loop, the listener starting, reconnecting or late with its proof),
read the database. A notice may arrive while a value is being read: a cache that keeps what
it read must not keep it if a notice for the same key arrived meanwhile (e.g. a counter per
key that the callback bumps).

SQLite: an in-memory database (the test suite's) has one process, whose notices all arrive
through on_commit (core.notices): its generation is always 0 and always fresh. A database file may be
written by other processes too (manage.py commands, a second server) whose notices never
arrive here: there is no generation (None), so nothing is cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.db import connections

from core.runtime.handler import serving_loop

if TYPE_CHECKING:  # for annotations only: the listener imports psycopg where it uses it
    import psycopg

    # A channel's handlers: given the payloads heard, and the connection to read with.
    PayloadHandler: TypeAlias = Callable[[list[str], psycopg.AsyncConnection[Any]], Awaitable[None]]
    ConnectHandler: TypeAlias = Callable[[psycopg.AsyncConnection[Any]], Awaitable[None]]

logger = logging.getLogger(__name__)

# A round trip (a liveness proof) that takes longer than this counts as a lost connection.
HEALTH_CHECK_SECONDS = 30.0
# How often the listener proves it has heard everything committed so far.
PROOF_SECONDS = 0.25
# How old the last proof may be for cached values to be used (see "The staleness bound").
MAX_STALENESS = 1.0
RECONNECT_BACKOFF = (0.05, 5.0)
TASK_NAME = "tableorder-listener"


@functools.cache
def uses_notify() -> bool:
    """Whether the default database is PostgreSQL, whose notifications this module listens to.

    Asked once: on the event loop every task would otherwise get a connection object of its
    own (Django's connections are per task there), kept as long as the task, i.e. the stream.
    """
    return connections["default"].vendor == "postgresql"


@dataclass(frozen=True)
class Channel:
    """`on_payloads(payloads, reader)`: the payloads heard since the last call, in order, and
    a connection to read with; `on_connect(reader)`: after each (re)connect, before the
    listener counts as connected."""

    on_payloads: PayloadHandler
    on_connect: ConnectHandler | None = None


class Listener:
    """The process's LISTEN connection, bound to the event loop it was started on.

    A new loop (tests run several) starts afresh; `generation` keeps growing across them.
    """

    def __init__(self) -> None:
        self.generation = 0
        self.backend_pids: tuple[int, ...] = ()
        self._channels: dict[str, Channel] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        # Set by start(), with the loop: a running listener always has one.
        self._connected: asyncio.Event | None = None
        # time.monotonic() before the last round trip after which every notification
        # committed before it had been handled (see "Liveness proofs").
        self.proven_at = float("-inf")

    def add_channel(self, name: str, on_payloads: PayloadHandler, *, on_connect: ConnectHandler | None = None) -> None:
        """LISTEN on `name` too; call at start-up, before the listener starts."""
        if self.is_running:
            raise RuntimeError(f"channel {name} added while the listener runs")
        self._channels[name] = Channel(on_payloads, on_connect)

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def is_connected(self) -> bool:
        return self.is_running and self._connected is not None and self._connected.is_set()

    def is_proven(self) -> bool:
        """Whether the last liveness proof is at most MAX_STALENESS old."""
        return time.monotonic() - self.proven_at <= MAX_STALENESS

    def start(self) -> None:
        """Start listening on the running event loop, unless it already does."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._task, self._connected = loop, None, asyncio.Event()
        if not self.is_running:
            # Not in the context of the request that happens to start it, which it would outlive.
            self._task = loop.create_task(self._run(), name=TASK_NAME, context=contextvars.Context())

    def ensure_listening(self) -> None:
        """Start listening if this process does not yet (PostgreSQL, served on an event loop).

        From the loop or from any thread (a sync view's); it does not wait for the
        connection. Elsewhere (SQLite, a management command, a WSGI server) it does nothing.
        """
        if not uses_notify():
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loop = serving_loop()
            if loop is not None and not (loop is self._loop and self.is_running):
                with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to listen for
                    loop.call_soon_threadsafe(self.start)
            return
        self.start()

    async def wait_connected(self, timeout: float) -> int:
        """The generation, once connected (TimeoutError after `timeout` seconds)."""
        await asyncio.wait_for(self._connected.wait(), timeout)  # type: ignore[union-attr]  # callers start() first
        return self.generation

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        import psycopg
        from psycopg import sql

        params = connection_params()
        delay, connects = RECONNECT_BACKOFF[0], 0
        while True:
            try:
                async with (
                    await psycopg.AsyncConnection.connect(**params, autocommit=True) as listen,
                    await psycopg.AsyncConnection.connect(**params, autocommit=True) as reader,
                ):
                    # Values cached under the new generation are read after LISTEN: no notice
                    # committed before this moment can be missing from them.
                    listening_since = time.monotonic()
                    for name in self._channels:
                        await listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(name)))
                    self.backend_pids = (listen.info.backend_pid, reader.info.backend_pid)
                    self.generation += 1
                    for channel in self._channels.values():
                        if channel.on_connect is not None:
                            await channel.on_connect(reader)
                    self.proven_at = listening_since
                    self._connected.set()  # type: ignore[union-attr]  # set by start(), which runs this
                    connects += 1
                    if connects > 1:
                        logger.warning("database listener reconnected", extra={"generation": self.generation})
                    delay = RECONNECT_BACKOFF[0]
                    await self._pump(listen, reader)
            except* psycopg.Error as errors:
                logger.warning("database listener lost its connection: %s", errors.exceptions[0])
            except* Exception:
                logger.exception("database listener failed; restarting it")
            self._connected.clear()  # type: ignore[union-attr]  # set by start(), which runs this
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_BACKOFF[1])

    async def _pump(self, listen: psycopg.AsyncConnection[Any], reader: psycopg.AsyncConnection[Any]) -> None:
        """One task hears; one per channel hands what was heard to its handler."""
        heard: dict[str, asyncio.Queue[str]] = {name: asyncio.Queue() for name in self._channels}
        async with asyncio.TaskGroup() as group:
            group.create_task(self._hear(listen, heard), name=f"{TASK_NAME}-hear")
            for name, channel in self._channels.items():
                group.create_task(self._handle(channel, heard[name], reader), name=f"{TASK_NAME}-{name}")

    async def _hear(self, listen: psycopg.AsyncConnection[Any], heard: dict[str, asyncio.Queue[str]]) -> None:
        while True:
            await self._prove(listen, heard)
            # psycopg 3.3 ends this after PROOF_SECONDS even while notifications keep coming.
            async for notify in listen.notifies(timeout=PROOF_SECONDS):
                heard[notify.channel].put_nowait(notify.payload)

    async def _prove(self, listen: psycopg.AsyncConnection[Any], heard: dict[str, asyncio.Queue[str]]) -> None:
        """A round trip on the LISTEN connection, then `proven_at` (see "Liveness proofs")."""
        import psycopg

        sent_at = time.monotonic()
        try:
            async with asyncio.timeout(HEALTH_CHECK_SECONDS), listen.pipeline() as pipeline:
                await pipeline.sync()
        except TimeoutError as error:
            raise psycopg.OperationalError(f"no answer within {HEALTH_CHECK_SECONDS:g} s") from error
        # Notifications that came with the answer wait in psycopg for the next notifies():
        # take them now (a timeout of 0 polls once).
        async for notify in listen.notifies(timeout=0):
            heard[notify.channel].put_nowait(notify.payload)
        for queue in heard.values():
            await queue.join()
        self.proven_at = sent_at

    async def _handle(self, channel: Channel, queue: asyncio.Queue[str], reader: psycopg.AsyncConnection[Any]) -> None:
        while True:
            payloads = [await queue.get()]
            while not queue.empty():
                payloads.append(queue.get_nowait())
            try:
                await channel.on_payloads(payloads, reader)
            finally:
                for _payload in payloads:
                    queue.task_done()


def connection_params() -> dict[str, Any]:
    """Django's own connection parameters for the default database, for psycopg's async API
    (the listener's connections). Public for tests, which connect with them and patch this to
    send the listener through a proxy."""
    params = connections["default"].get_connection_params()
    for sync_only in ("cursor_factory", "context"):
        params.pop(sync_only, None)
    # Notice a dead peer (failover, lost route) within ~30 s even when nothing is sent.
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 10)
    params.setdefault("keepalives_interval", 5)
    params.setdefault("keepalives_count", 3)
    return params


def ensure_listening() -> None:
    """Start this process's listener if it is not running yet (see Listener.ensure_listening)."""
    listener.ensure_listening()


def listener_generation() -> int | None:
    """A token for "every notice from now on reaches this process": None while that is not
    so (not listening, or reconnecting; a SQLite database file); 0 on an in-memory SQLite database."""
    if not uses_notify():
        return 0 if _in_memory_database() else None
    return listener.generation if listener.is_connected else None


def listener_is_fresh(generation: int | None) -> bool:
    """Whether every notice since `listener_generation()` returned `generation` has arrived,
    but for those of changes committed within the last MAX_STALENESS seconds."""
    if generation is None or generation != listener_generation():
        return False
    return not uses_notify() or listener.is_proven()


def _in_memory_database() -> bool:
    # Read from settings each time: the test runner renames the database after start-up.
    name = settings.DATABASES["default"]["NAME"]
    return isinstance(name, str) and (name == ":memory:" or "mode=memory" in name)


listener = Listener()
