"""Settings of Python's garbage collector for a serving process.

A request's objects (Django's and DRF's request, view, serializers and response refer to each
other) are freed only by the cyclic collector, not when the request ends. With the default
thresholds a young collection runs every 700 allocations, so every request still in flight
(up to 20 orders waiting for one store's lock) is promoted to the older generations, and the
full collections that follow scanned the whole loaded program too: 100–130 ms each, measured
in `make bench BENCH_ARGS=realtime`, during which every request the process had in flight
stood still (docs/performance.md).
"""

import gc

from django.urls import get_resolver

# A young collection every YOUNG_THRESHOLD allocations of container objects: requests in flight
# are then a small part of what it sees, and most of a request's objects are freed there.
YOUNG_THRESHOLD = 10_000


def settle():
    """Load the views (the URLconf imports them) and freeze everything loaded so far, which
    full collections then skip; collect the young generation less often."""
    get_resolver().url_patterns  # noqa: B018 (imports every view module)
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)
