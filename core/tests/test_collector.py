"""The interpreter settings of a serving process (core.runtime.collector): set in every
process that loads the app, this test suite's too, and the loaded program frozen by gunicorn's
worker hook (in a process of its own: freezing is for the life of a process)."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from core.runtime.collector import SWITCH_INTERVAL, YOUNG_THRESHOLD

ROOT = Path(settings.BASE_DIR)

WORKER = """
import gc, json, os, runpy, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
import django
django.setup(set_prefix=False)
loaded = "orders.api" in sys.modules
configured = {"threshold": gc.get_threshold(), "switch": sys.getswitchinterval(), "frozen": gc.get_freeze_count()}
hooks = runpy.run_path("deploy/gunicorn.conf.py")
hooks["post_worker_init"](None)
from core.runtime.collector import YOUNG_THRESHOLD
print(json.dumps({
    "views_loaded_before": loaded,
    "configured_at_setup": configured,
    "views_loaded": "orders.api" in sys.modules and "menus.api" in sys.modules,
    "frozen": gc.get_freeze_count(),
    "left_to_scan": len(gc.get_objects()),
    "threshold": gc.get_threshold(),
    "young": YOUNG_THRESHOLD,
    "switch": sys.getswitchinterval(),
    "logs_slow_collections": any(callback.__name__ == "log_slow_collections" for callback in gc.callbacks),
}))
"""


def test_a_worker_freezes_the_loaded_program_and_collects_the_young_less_often():
    result = subprocess.run(
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": settings.SECRET_KEY},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    state = json.loads(result.stdout.strip().splitlines()[-1])
    # The views are imported by the hook, not before it, and are part of what is frozen.
    assert not state["views_loaded_before"]
    assert state["views_loaded"]
    assert state["frozen"] > 50_000
    # Full collections scan only what was made after: here, almost nothing.
    assert state["left_to_scan"] < state["frozen"] / 20
    assert state["threshold"][0] == state["young"] > 700
    assert state["switch"] == SWITCH_INTERVAL
    assert state["logs_slow_collections"]
    # Thresholds and switch interval come with the app (CoreConfig.ready), before the hook.
    at_setup = state["configured_at_setup"]
    assert at_setup["threshold"] == state["threshold"] and at_setup["switch"] == SWITCH_INTERVAL
    assert at_setup["frozen"] == 0


def test_this_process_runs_with_the_settings_of_a_worker():
    """`make run` and the test suite load the app as a worker does (CoreConfig.ready)."""
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert sys.getswitchinterval() == SWITCH_INTERVAL


def test_a_collection_that_stops_the_process_long_is_logged(caplog, monkeypatch):
    """A full collection over many open streams' objects stops every request of the process:
    operators see it in the log (CloudWatch) with how long it took."""
    from core.runtime import collector

    gc.callbacks.append(collector.log_slow_collections)
    try:
        monkeypatch.setattr(collector, "SLOW_COLLECTION_SECONDS", 0.0)
        with caplog.at_level("WARNING", logger="core.runtime.collector"):
            gc.collect()
        (record,) = [r for r in caplog.records if r.name == "core.runtime.collector"]
        assert "garbage collection of generation 2 stopped the process for" in record.getMessage()
        caplog.clear()
        monkeypatch.setattr(collector, "SLOW_COLLECTION_SECONDS", 60.0)
        with caplog.at_level("WARNING", logger="core.runtime.collector"):
            gc.collect()
        assert not [r for r in caplog.records if r.name == "core.runtime.collector"]
    finally:
        gc.callbacks.remove(collector.log_slow_collections)
