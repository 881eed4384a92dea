"""Benchmarks of Table Order against a server started the way production runs it.

`python -m bench` (`make bench`) runs them; see bench/__main__.py. Each scenario module
(menu, realtime, stores, fanout, dashboard) starts the server (server.py, from this checkout
or another one's `root`), seeds what it needs (seed.py), drives it with bare HTTP clients
(rawhttp.py), reads what the server spent from outside it (meter.py: the workers' and the
database backends' CPU from /proc, the database's transactions from PostgreSQL's counters)
and checks the performance targets (targets.py). compare.py runs a set against a commit and the
working tree (`make bench-compare REF=…`). Results go to bench/results/ (not committed).
"""

import json
import os
from pathlib import Path

from bench.rawhttp import StreamError
from bench.targets import exit_status

RESULTS = Path(__file__).resolve().parent / "results"


def percentiles(values, points=(50, 95, 99)):
    """{"p50": …, …, "max": …} of `values` (nearest rank), or {} when there are none."""
    if not values:
        return {}
    ordered = sorted(values)
    result = {f"p{p}": ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))] for p in points}
    result["max"] = ordered[-1]
    return result


def machine_load():
    """CPU count and 1-minute load average: other work on the machine skews every figure."""
    return {"cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}


def save_results(name, results):
    """Write bench/results/<name>.json and merge it into bench/results/latest.json."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    latest_path = RESULTS / "latest.json"
    try:
        latest = json.loads(latest_path.read_text())
    except (FileNotFoundError, ValueError):
        latest = {}
    latest[name] = results
    latest_path.write_text(json.dumps(latest, indent=2, ensure_ascii=False) + "\n")
    return latest_path


def finish(name, results, report, load, targets=()):
    """Print a benchmark's report, its targets and the machine's load, and save its results."""
    results["machine_before"] = load
    results["targets"] = [target.as_dict() for target in targets]
    print(report)
    for target in targets:
        print(target.line())
    print(f"machine: {load['cpus']} CPUs, 1-minute load average {load['load_average_1m']} before the run")
    print(f"(written to {save_results(name, results)})")


def run_scenario(name, args, *, run, report, targets, worked=lambda results: True):
    """A scenario's `main`: measure with `run(args)`, print and save the report, check the targets.

    0 when the run worked and, unless `args.no_targets`, met every target; else 1.
    """
    load = machine_load()
    try:
        results = run(args)
    except StreamError as error:
        print(f"{name}: could not open a stream: {error}")
        return 1
    checked = targets(results)
    finish(name, results, report(results), load, checked)
    return exit_status(ok=worked(results), targets=checked, enforce=not args.no_targets)
