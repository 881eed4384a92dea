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
import sys

from django.urls import get_resolver

# A young collection every YOUNG_THRESHOLD allocations of container objects: requests in flight
# are then a small part of what it sees, and most of a request's objects are freed there.
YOUNG_THRESHOLD = 10_000
# Sync views run on threads next to the event loop that feeds the streams; a shorter switch
# interval than Python's 5 ms lets the loop send a waiting event sooner under load.
SWITCH_INTERVAL = 0.001


def configure() -> None:
    """Collect the young generation less often, and switch threads sooner."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
    sys.setswitchinterval(SWITCH_INTERVAL)


def settle() -> None:
    """Load the views (the URLconf imports them) and freeze everything loaded so far, which
    full collections then skip."""
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
