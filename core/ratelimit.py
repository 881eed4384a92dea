"""Limits on how fast a client may create things, and on how many streams it may hold open.

`check_recent` limits rows created within a window (a table's orders, its staff calls;
`refuse_if_limited` for a caller that reads the rows itself). It counts rows in the
database, so call it inside the write's transaction while holding the store's write lock
(`accounts.services.lock_store`): then the count is exact across workers and servers, and no
two requests can both take the last place.

`StreamSlots` caps the open streams per key (a table, a manager) in this process only: the
event hub that serves streams is per process (`orders.hub.hub`), so with N app processes
a client may hold up to N times the cap.
"""

import math
import random
import threading
from collections import Counter
from collections.abc import Hashable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.exceptions import RateLimited


def check_recent(rows: QuerySet[Any], *, limit: int, window: timedelta, message: str) -> None:
    """Raise RateLimited(message) if `rows` (a queryset of a model with `created_at`) already
    holds `limit` rows created within `window`; its `retry_after` is when the oldest of those
    leaves the window."""
    now = timezone.now()
    recent = rows.filter(created_at__gt=now - window).order_by("-created_at").values_list("created_at", flat=True)
    # The limit-th newest row exists exactly when `limit` rows are in the window.
    limiting = list(recent[limit - 1 : limit])
    refuse_if_limited(limiting[0] if limiting else None, now=now, window=window, message=message)


def refuse_if_limited(limiting: datetime | None, *, now: datetime, window: timedelta, message: str) -> None:
    """Raise RateLimited(message) if `limiting`, the creation time of the limit-th newest row
    (None when there are fewer), is within `window` before `now`; for callers that read it
    with other things in one statement (`orders.services.place_order`)."""
    if limiting is not None and limiting > now - window:
        wait = (limiting + window - now).total_seconds()
        raise RateLimited(message, retry_after=max(1, math.ceil(wait)))


class StreamSlots:
    """Open streams per key, at most `limit` at a time, in this process."""

    def __init__(self) -> None:
        self._open: Counter[Hashable] = Counter()
        self._lock = threading.Lock()

    def take(self, key: Hashable, limit: int) -> "Slot | None":
        """A Slot for one more stream of `key`, or None when `limit` are open already."""
        with self._lock:
            if self._open[key] >= limit:
                return None
            self._open[key] += 1
        return Slot(self, key)

    def open_count(self, key: Hashable) -> int:
        return self._open[key]

    def _give_back(self, slot: "Slot") -> None:
        with self._lock:
            if not slot.held:
                return
            slot.held = False
            self._open[slot.key] -= 1
            if not self._open[slot.key]:
                del self._open[slot.key]


class Slot:
    """One open stream's place; `release()` gives it back (once, however often it is called)."""

    def __init__(self, slots: StreamSlots, key: Hashable) -> None:
        self.slots, self.key, self.held = slots, key, True
        # Places of other counts the same stream holds, given back with this one.
        self.joined: list[Slot] = []

    def join(self, other: "Slot") -> None:
        """Give `other` back whenever this slot is."""
        self.joined.append(other)

    def release(self) -> None:
        self.slots._give_back(self)
        for other in self.joined:
            other.release()


def spread(bounds: tuple[int, int]) -> int:
    """A random whole number within `bounds` (inclusive): waits that spread out the clients
    that would otherwise all come back in the same instant. Not for secrets."""
    return random.randint(*bounds)  # noqa: S311
