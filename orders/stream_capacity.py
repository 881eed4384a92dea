"""How many event streams this app process may hold before its file descriptors run out.

Each open stream holds one descriptor (its socket) for as long as it lasts. When a process
reaches its open-files limit (RLIMIT_NOFILE, which systemd's LimitNOFILE sets), it can accept
no connection at all: `/healthz`, the menu and orders get connection resets, and nothing is
logged. So a process takes streams only up to that limit less `settings.STREAM_FD_RESERVE`,
the descriptors kept for the database pool and the event listener, the listening socket, its
logs and the ordinary requests in flight; one more stream is refused before it starts with a
503 `server_busy` and a `Retry-After` (a tablet's or dashboard's stream retries by itself),
and a warning is logged once per run of refusals.

Counted here, in memory: no per-request look at /proc. The limit is read at each admission
(one `getrlimit` call), so it follows a limit changed while the process runs.
"""

import logging
import resource

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

from core.errors import error_response
from core.ratelimit import Slot, StreamSlots

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 15
_KEY = "process"


def stream_limit() -> int:
    """The streams this process may hold: its open-files limit less the reserve."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        soft = 1 << 20
    return max(0, soft - settings.STREAM_FD_RESERVE)


class StreamCapacity:
    """The open streams of this process, at most `stream_limit()` at a time."""

    def __init__(self) -> None:
        self._slots = StreamSlots()
        self._refused = 0

    def open_count(self) -> int:
        return self._slots.open_count(_KEY)

    def admit(self, slot: Slot) -> bool:
        """Take a place for the stream holding `slot` (given back with it); False, with `slot`
        given back and the refusal logged, when the process holds all it may."""
        limit = stream_limit()
        place = self._slots.take(_KEY, limit)
        if place is None:
            slot.release()
            if not self._refused:
                logger.warning(
                    "stream refused: %d streams open, the most this process holds "
                    "(open-files limit %d less a reserve of %d descriptors)",
                    self.open_count(),
                    limit + settings.STREAM_FD_RESERVE,
                    settings.STREAM_FD_RESERVE,
                )
            self._refused += 1
            return False
        if self._refused:
            logger.warning("streams admitted again after %d refused", self._refused)
            self._refused = 0
        slot.join(place)
        return True


def server_busy(retry_after: int = RETRY_AFTER_SECONDS) -> JsonResponse:
    """The answer to a stream refused for want of descriptors (or, from the ASGI handler, of
    time: too many stream opens waiting)."""
    message = _("The server is busy. The stream will reconnect shortly.")
    return error_response(503, "server_busy", message, headers={"Retry-After": str(retry_after)})


stream_capacity = StreamCapacity()
