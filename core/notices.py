"""Notices: "this changed" from a writer to every app process, and the caches they keep current.

Each process keeps in memory what nearly every request reads and rarely changes: a tablet's
table (the sign-in check, accounts.signin) and a store's tablet menu (menus.selectors). A
write that changes one sends a notice; every process, the writer's own too, drops its copy
when the notice arrives. This module is the whole mechanism:

- `Notice`, the kinds there are, each with the id its payload carries;
- `notify_after_commit(kind, payload)`, the one way to send, inside the writer's transaction;
- `on_notice(kind, callback)`, the one way to subscribe, from an AppConfig.ready();
- `NoticeCache`, a key → value cache that a notice of its key drops.

Wiring happens in ready() only, never at import: core.apps hands `heard` the notice channel of
the process's listener; accounts.apps and menus.apps subscribe their caches' `forget`.

    tables = NoticeCache()                               # a module-level value, inert
    on_notice(Notice.TABLE, tables.forget)               # AppConfig.ready()
    table = tables.get(table_id, lambda: read(table_id)) # on the read path, any thread
    notify_after_commit(Notice.TABLE, table_id)          # inside the writer's transaction

Delivery. A notice reaches every process after its transaction commits, never for one that
rolled back. On PostgreSQL it is a `pg_notify` on NOTICE_CHANNEL, heard by the process's
listener (core.listener), and callbacks run on the listener's event loop; on SQLite
`transaction.on_commit` calls them in the committing thread. Callbacks must be quick and must
not block (drop a cache entry, no I/O); one that raises is logged and the others still run.

Staleness. `NoticeCache.get` returns the cached value while `listener_is_fresh` holds for the
listener generation taken before the value was read (core.listener, "The staleness bound");
otherwise it calls `load` (which reads the database) and keeps the result unless a notice for
the same key arrived meanwhile (or a `forget_where` ran). So a value `get` returns has missed
no change committed more than MAX_STALENESS (1 s) before the call, and none older than a
notice's latency (milliseconds) while the listener is healthy. Where there is no listener (a
SQLite database file, a process not served on an event loop) every `get` reads the database.

A value read inside a transaction is returned but not kept: it may be what that transaction
wrote and is about to roll back, and in a test case's transaction the notices of its writes
never arrive (they are sent at commit). Cached values are shared by every thread of the
process: callers must not modify them (hand out copies of mutable objects).
"""

import enum
import json
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.db import connection, transaction

from core.listener import ensure_listening, listener_generation, listener_is_fresh, uses_notify

logger = logging.getLogger(__name__)

NOTICE_CHANNEL = "tableorder_notices"
MAX_ENTRIES = 10_000
# Notices are counted per slot (a hash of the key), a bounded stand-in for a counter per key:
# two keys sharing a slot only cost a load that is not kept.
NOTICE_SLOTS = 1024


class Notice(enum.StrEnum):
    """The kinds of notice; each payload is one id."""

    # A table's credentials, store or number changed, or it was deleted: the table's id.
    TABLE = "table"
    # A store changed or was deleted (its tables' cached copies carry it): the store's id.
    STORE = "store"
    # A store's menu has a new version: the store's id.
    MENU = "menu"


Callback = Callable[[Any], None]
_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")
_callbacks: defaultdict[str, list[Callback]] = defaultdict(list)


def notify_after_commit(kind: Notice, payload: Any) -> None:
    """Tell every process `kind` happened (payload: JSON data, under 8,000 bytes) once the
    current transaction commits; call inside the writer's transaction."""
    message = json.dumps([kind, payload], ensure_ascii=False, separators=(",", ":"))
    if uses_notify():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTICE_CHANNEL, message])
    else:
        transaction.on_commit(lambda: _deliver(message))


def on_notice(kind: Notice, callback: Callback) -> None:
    """Call `callback(payload)` for every notice of `kind` this process hears (from ready())."""
    _callbacks[kind].append(callback)


async def heard(payloads: list[str], reader: object) -> None:
    """The listener's handler of NOTICE_CHANNEL (added in CoreConfig.ready)."""
    for message in payloads:
        _deliver(message)


def _deliver(message: str) -> None:
    kind, payload = json.loads(message)
    for callback in _callbacks.get(kind, ()):
        try:
            callback(payload)
        except Exception:
            logger.exception("notice callback failed", extra={"kind": kind})


class NoticeCache(Generic[_K, _V]):
    """key → value (keys are JSON values: ints, strings), at most `max_entries`, the oldest
    dropped first; `forget` is the callback that notices of its keys are given to."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: dict[_K, tuple[_V, int]] = {}  # key → (value, generation), oldest first
        self._notices = [0] * NOTICE_SLOTS
        self._drops = 0  # forget_where / clear calls, which may concern keys being loaded
        self._lock = threading.Lock()

    def get(self, key: _K, load: Callable[[], _V]) -> _V:
        """The cached value of `key` if it is still current, else `load()` (kept if safe)."""
        entry = self._entries.get(key)
        if entry is not None and listener_is_fresh(entry[1]):
            return entry[0]
        ensure_listening()
        generation = listener_generation()
        slot = hash(key) % NOTICE_SLOTS
        seen = (self._notices[slot], self._drops)
        value = load()
        if generation is None or connection.in_atomic_block:
            return value
        with self._lock:
            # A notice that arrived during load() may be about a change load() did not see.
            if (self._notices[slot], self._drops) == seen:
                self._keep(key, value, generation)
        return value

    def get_among(self, key: _K, load_group: Callable[[], dict[_K, _V]], load: Callable[[], _V]) -> _V:
        """As `get`, but a key not cached at all loads its whole group at once (`load_group`: a
        store's tables, say) and keeps every value of it that is safe to keep; `load()` if `key`
        is not in the group, or to renew a value no longer known to be current."""
        entry = self._entries.get(key)
        if entry is not None:
            return entry[0] if listener_is_fresh(entry[1]) else self.get(key, load)
        ensure_listening()
        generation = listener_generation()
        seen_notices, seen_drops = list(self._notices), self._drops
        group = load_group()
        if generation is not None and not connection.in_atomic_block:
            with self._lock:
                if self._drops == seen_drops:
                    for member, value in group.items():
                        slot = hash(member) % NOTICE_SLOTS
                        if self._notices[slot] == seen_notices[slot]:
                            self._keep(member, value, generation)
        if key in group:
            return group[key]
        return self.get(key, load)

    def _keep(self, key: _K, value: _V, generation: int) -> None:
        self._entries.pop(key, None)
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (value, generation)

    def forget(self, key: _K) -> None:
        """Drop `key` (a notice callback; also safe to call directly)."""
        with self._lock:
            self._notices[hash(key) % NOTICE_SLOTS] += 1
            self._entries.pop(key, None)

    def forget_where(self, predicate: Callable[[_K, _V], bool]) -> None:
        """Drop every entry for which `predicate(key, value)` holds; loads running now are not kept."""
        with self._lock:
            self._drops += 1
            for key in [key for key, (value, _generation) in self._entries.items() if predicate(key, value)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._drops += 1
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
