"""The garbage collector settings of a serving process (core.runtime.collector), as gunicorn's
worker hook applies them. Each runs in a process of its own: freezing is for the life of a
process."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)

WORKER = """
import gc, json, os, runpy, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tableorder.settings")
import django
django.setup(set_prefix=False)
loaded = "orders.api" in sys.modules
hooks = runpy.run_path("deploy/gunicorn.conf.py")
hooks["post_worker_init"](None)
from core.runtime.collector import YOUNG_THRESHOLD
print(json.dumps({
    "views_loaded_before": loaded,
    "views_loaded": "orders.api" in sys.modules and "menus.api" in sys.modules,
    "frozen": gc.get_freeze_count(),
    "left_to_scan": len(gc.get_objects()),
    "threshold": gc.get_threshold(),
    "young": YOUNG_THRESHOLD,
    "switch": sys.getswitchinterval(),
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
    assert state["switch"] == 0.001
