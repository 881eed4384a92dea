"""Interpreter settings of a serving process: the garbage collector's, and the GIL's switch.

A request's objects (Django's and DRF's request, view, serializers and response refer to each
other) are freed only by the cyclic collector, not when the request ends. With the default
thresholds a young collection runs every 700 allocations, so every request still in flight
(many orders waiting for one store's lock) is promoted to the older generations, and the full
collections that follow scanned the whole loaded program too, during which every request the
process had in flight stood still (docs/performance.md).

`configure()` runs in every process that loads the app (CoreConfig.ready: gunicorn's workers,
`make run`, the test suite, management commands). `settle()` runs where a server has loaded
the app and is about to serve: gunicorn's `post_worker_init` (deploy/gunicorn.conf.py); see
docs/upgrading.md for where it does not.
"""

import gc
import logging
import sys
import time

from django.urls import get_resolver

# A young collection every YOUNG_THRESHOLD allocations of container objects: requests in flight
# are then a small part of what it sees, and most of a request's objects are freed there.
YOUNG_THRESHOLD = 10_000
# Sync views run on threads next to the event loop that feeds the streams; a shorter switch
# interval than Python's 5 ms lets the loop send a waiting event sooner under load.
SWITCH_INTERVAL = 0.001


# A collection that stops the process longer than this is logged (a full one over many open
# streams' objects takes that long).
SLOW_COLLECTION_SECONDS = 0.1

logger = logging.getLogger(__name__)
_started: dict[str, float] = {}


def configure() -> None:
    """Collect the young generation less often, and switch threads sooner."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    sys.setswitchinterval(SWITCH_INTERVAL)


def log_slow_collections(phase: str, info: dict[str, int]) -> None:
    """A gc callback (`settle` adds it): a warning for each collection of SLOW_COLLECTION_SECONDS or more."""
    if phase == "start":
        _started["at"] = time.perf_counter()
        return
    seconds = time.perf_counter() - _started.pop("at", time.perf_counter())
    if seconds >= SLOW_COLLECTION_SECONDS:
        logger.warning(
            "garbage collection of generation %d stopped the process for %.0f ms (%d collected)",
            info["generation"],
            seconds * 1000,
            info["collected"],
        )


def settle() -> None:
    """Load the views (the URLconf imports them) and freeze everything loaded so far, which
    full collections then skip; from then on, log slow collections."""
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
    if log_slow_collections not in gc.callbacks:
        gc.callbacks.append(log_slow_collections)
