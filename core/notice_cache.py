"""Process-local caches of database reads, kept current by notices (core.listener).

    tables = NoticeCache("table")                       # at import; registers the notice callback
    table = tables.get(table_id, lambda: read(table_id))  # on the read path, any thread
    tables.notify(table_id)                             # inside the writer's transaction

`get` returns the cached value while `listener_is_fresh` holds for the generation taken
before it was read; otherwise it calls `load` (which reads the database) and keeps the
result unless a notice for the same key arrived meanwhile (or a `forget_where` ran). So a
value `get` returns has missed no change committed more than `listener.MAX_STALENESS` (1 s)
before the call, and none older than a notice's latency (milliseconds) while the listener is
healthy. Where there is no listener (a SQLite database file, a process not served on an
event loop) every `get` reads the database.

A value read inside a transaction is returned but not kept: it may be what that transaction
wrote and is about to roll back, and in a test case's transaction the notices of its writes
never arrive (they are sent at commit). Cached values are shared by every thread of the
process: callers must not modify them (hand out copies of mutable objects).
"""

import threading

from django.db import connection

from core.listener import (
    ensure_listening,
    listener_generation,
    listener_is_fresh,
    notify_after_commit,
    on_notification,
)

MAX_ENTRIES = 10_000
# Notices are counted per slot (a hash of the key), a bounded stand-in for a counter per key:
# two keys sharing a slot only cost a load that is not kept.
NOTICE_SLOTS = 1024


class NoticeCache:
    """key → value for notices of `kind` (keys are JSON values: ints, strings); at most
    `max_entries`, the oldest dropped first."""

    def __init__(self, kind, *, max_entries=MAX_ENTRIES):
        self.kind = kind
        self.max_entries = max_entries
        self._entries = {}  # key → (value, generation), oldest first
        self._notices = [0] * NOTICE_SLOTS
        self._drops = 0  # forget_where / clear calls, which may concern keys being loaded
        self._lock = threading.Lock()
        on_notification(kind, self.forget)

    def get(self, key, load):
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
                self._entries.pop(key, None)
                if len(self._entries) >= self.max_entries:
                    del self._entries[next(iter(self._entries))]
                self._entries[key] = (value, generation)
        return value

    def forget(self, key):
        """Drop `key` (the notice callback; also safe to call directly)."""
        with self._lock:
            self._notices[hash(key) % NOTICE_SLOTS] += 1
            self._entries.pop(key, None)

    def forget_where(self, predicate):
        """Drop every entry for which `predicate(key, value)` holds; loads running now are not kept."""
        with self._lock:
            self._drops += 1
            for key in [key for key, (value, _generation) in self._entries.items() if predicate(key, value)]:
                del self._entries[key]

    def clear(self):
        with self._lock:
            self._drops += 1
            self._entries.clear()

    def notify(self, key):
        """Every process drops `key` once the current transaction commits (call inside the writer's transaction)."""
        notify_after_commit(self.kind, key)

    def __len__(self):
        return len(self._entries)
