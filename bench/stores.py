"""Stores: many stores at once, each with 4 tablets ordering back to back and 1 dashboard.

    python -m bench stores [--stores 1,10,25,50] [--tablets 4] [--dashboards 1] [--duration 10]
                           [--warmup 2] [--think-time 0] [--workers 2] [--database-url URL]

Starts the app like production, seeds the largest number of stores (bench-s-1 …, tokens
minted by bench/seed.py), then for each number of stores in turn lets that many stores'
tablets order while their dashboards listen (bench/realtime.py's `measure`, each order
checked against its own store's dashboards). Orders of one store wait for each other under
the store's lock; orders of different stores must not, so throughput should grow with the
stores until the machine's CPU runs out (on 2 shared cores that comes early: the app
workers' busy cores are reported next to it). One store alone is bound by its lock, not by
the CPU, which is why the run starts there. Prints orders/second, app CPU per order and
tap → dashboard p99 per number of stores; its only target is nothing undelivered or
duplicated.
"""

import argparse
import asyncio

from bench import run_scenario
from bench.meter import ServerMeter
from bench.realtime import Floor, measure, report_lines
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_stores
from bench.targets import Target, add_targets_argument

PREFIX = "bench-s"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench stores", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stores", default="1,10,25,50", help="numbers of stores, run one after another (default %(default)s)"
    )
    parser.add_argument("--tablets", type=int, default=4, help="tablets per store")
    parser.add_argument("--dashboards", type=int, default=1, help="dashboards per store")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per run (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds first (default %(default)s)")
    parser.add_argument("--think-time", type=float, default=0.0, help="pause between a tablet's orders, seconds")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait for late events at the end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    try:
        args.stores = sorted({int(count) for count in args.stores.split(",")})
    except ValueError:
        parser.error("--stores takes numbers separated by commas, e.g. 10,25,50")
    if args.stores[0] < 1 or args.tablets < 1 or args.dashboards < 1 or args.duration <= 0:
        parser.error("--stores, --tablets, --dashboards and --duration must be positive")
    return args


def floors(seeded, dashboards):
    return [
        Floor(store["manager_token"], [table["token"] for table in store["tables"]], store["menu_item_ids"], dashboards)
        for store in seeded
    ]


def run(args, *, root=ROOT):
    """Start a server from `root`, seed the stores, measure each number of them: {"runs": {N: results}}."""
    with running_server(database_url=args.database_url, workers=args.workers, root=root) as base_url:
        seeded = seed_stores(args.database_url, prefix=PREFIX, stores=args.stores[-1], tables=args.tablets, root=root)
        meter = ServerMeter(base_url, args.database_url)
        runs = {}
        for count in args.stores:
            runs[str(count)] = asyncio.run(
                measure(
                    base_url,
                    floors(seeded[:count], args.dashboards),
                    duration=args.duration,
                    warmup=args.warmup,
                    think_time=args.think_time,
                    grace=args.grace,
                    meter=meter,
                )
            )
    return {"tablets_per_store": args.tablets, "dashboards_per_store": args.dashboards, "runs": runs}


def report(results):
    pacing = "back to back" if not next(iter(results["runs"].values()))["think_time_s"] else "paced"
    lines = [
        f"== stores: {results['tablets_per_store']} tablets and {results['dashboards_per_store']} dashboard(s) "
        f"per store, {pacing}"
    ]
    for count, run_results in results["runs"].items():
        lines.append(f"-- {count} stores, {run_results['duration_s']} s measured")
        lines += report_lines(run_results)
    runs = list(results["runs"].items())
    if len(runs) > 1 and runs[0][1]["orders_per_second"]:
        (fewest, first), (most, last) = runs[0], runs[-1]
        ratio = last["orders_per_second"] / first["orders_per_second"]
        lines.append(f"orders/second, {most} stores over {fewest} stores: {ratio:.2f}×")
    return "\n".join(lines)


def targets(results):
    checked = []
    for count, run_results in results["runs"].items():
        checked.append(Target(f"undelivered, {count} stores", run_results["undelivered"], 0))
        checked.append(Target(f"duplicates, {count} stores", run_results["duplicates"], 0))
    return checked


def worked(results):
    return all(run_results["order_errors"] == 0 for run_results in results["runs"].values())


def main(argv=None):
    return run_scenario("stores", parse_args(argv or []), run=run, report=report, targets=targets, worked=worked)
