"""Menu reads: GET /api/v1/menu full (200) and revalidated (304): rate, latency, server CPU, queries.

    python -m bench menu [--concurrency 20] [--duration 10] [--workers 2] [--settle 11]
                         [--database-url URL] [--no-targets]

Starts the app like production (gunicorn + uvicorn workers, PostgreSQL), logs in one tablet
per table and gives each of `concurrency` clients a keep-alive connection as one of them.
After a second of warm-up (every table has then been served by the worker holding its
connection), each phase runs the clients in a closed loop for `duration` seconds: plain GETs
(200), plain GETs in the four guest languages (`?lang=`, one language per connection), GETs
with the menu's ETag in If-None-Match (304), then, as the floor this machine allows, GET
/healthz (one trivial query, no auth). Latency runs from the moment a request
was sent. For each phase: the app workers' CPU per request (bench/meter.py), and for the
menu phases the database's transactions and rows read per request, counted by PostgreSQL
(each phase then waits `settle` seconds before and after for the counters; 0 skips them).
Prints a report and writes it as JSON to bench/results/ (menu.json; latest.json gathers
every benchmark). Exits 1 if a response had another status or a target was missed.
"""

import argparse
import asyncio
import os
import time
from urllib.parse import urlsplit

import httpx

from bench import percentiles, run_scenario
from bench.meter import STATS_SETTLE_SECONDS, ServerMeter, counters_per, cpu_per, database_counters, is_postgres
from bench.rawhttp import Connection
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_store, tablet_tokens
from bench.targets import Target, add_targets_argument
from core.languages import GUEST_LANGUAGE_CODES

MENU = "/api/v1/menu"
# The menu in each guest language, one language per connection (each is cached on its own).
MENU_LANGUAGES = [f"{MENU}?lang={code}" for code in GUEST_LANGUAGE_CODES]
# phase: (path, or paths one per connection in turn; send the menu's ETag; count the database's
# work; the status every answer must have)
PHASES = {
    "full_200": (MENU, False, True, "200"),
    "languages_200": (MENU_LANGUAGES, False, True, "200"),
    "revalidated_304": (MENU, True, True, "304"),
    "healthz_floor": ("/healthz", False, False, "200"),
}
TARGET_CPU_MS = 1.0
# "0 queries" for a warm GET, with room for 1 in 100 requests that a cache revalidating on a
# timer may spend (today's GET makes 2).
TARGET_TRANSACTIONS = 0.01


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench menu", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tables", type=int, default=20)
    parser.add_argument(
        "--settle",
        type=float,
        default=STATS_SETTLE_SECONDS,
        help="idle seconds before reading PostgreSQL's counters (default %(default)s; 0: do not count)",
    )
    add_targets_argument(parser)
    return parser.parse_args(argv)


async def closed_loop(connections, path, *, duration, headers=None):
    """Every connection GETs `path` (or its turn of a list of paths) back to back for `duration`
    seconds: (latencies in s, statuses)."""
    latencies, statuses = [], {}
    deadline = time.perf_counter() + duration
    paths = path if isinstance(path, list) else [path]

    async def client(connection, path):
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            status, _body = await connection.request("GET", path, headers=headers, parse=False)
            latencies.append(time.perf_counter() - sent)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(
        *(client(connection, paths[index % len(paths)]) for index, connection in enumerate(connections))
    )
    return latencies, statuses


async def run_phase(connections, path, *, duration, meter, headers=None):
    """A timed closed loop: rate, latency and statuses, and the CPU the server spent per request."""
    before = await asyncio.to_thread(meter.snapshot)
    started = time.perf_counter()
    latencies, statuses = await closed_loop(connections, path, duration=duration, headers=headers)
    elapsed = time.perf_counter() - started
    spent = meter.spent(before, await asyncio.to_thread(meter.snapshot))
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "latency_ms": percentiles([round(1000 * latency, 2) for latency in latencies], points=(50, 90, 99)),
        "cpu": spent,
        "cpu_per_request": cpu_per(spent, len(latencies)),
    }


def client_connections(base_url, tokens, concurrency):
    """`concurrency` keep-alive connections, each signed in as one of `tokens` in turn."""
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    return [
        Connection(host, port, {"Authorization": f"Bearer {tokens[index % len(tokens)]}"})
        for index in range(concurrency)
    ]


def phase_line(phase, data):
    """The report lines of one phase: throughput, latency, statuses; CPU and database work per request."""
    latency, cpu = data["latency_ms"], data["cpu_per_request"]
    cores = data["cpu"]["workers_cpu_s"] / data["cpu"]["seconds"] if data["cpu"]["seconds"] else 0
    lines = [
        f"{phase:>16}: {data['requests_per_second']:>8} req/s  "
        f"p50 {latency['p50']} ms  p90 {latency['p90']} ms  p99 {latency['p99']} ms  statuses {data['statuses']}",
        f"{'':>16}  CPU per request: app workers {cpu['workers_ms']} ms ({cores:.2f} cores busy), "
        f"PostgreSQL {cpu['postgres_ms']} ms, load generator {cpu['client_ms']} ms",
    ]
    if "database_per_request" in data:
        database = data["database_per_request"]
        lines.append(
            f"{'':>16}  database per request: {database['transactions']} transactions, "
            f"{database['rows_read']} rows read"
        )
    return "\n".join(lines)


async def measure(base_url, seeded, args, meter):
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        tokens = await tablet_tokens(client, seeded)
        first = await client.get(MENU, headers={"Authorization": f"Bearer {tokens[0]}"})
        first.raise_for_status()
    menu = first.json()
    result = {
        "menu": {
            "categories": len(menu["categories"]),
            "items": sum(len(category["items"]) for category in menu["categories"]),
            "bytes": len(first.content),
        }
    }
    connections = client_connections(base_url, tokens, args.concurrency)
    # The connections stay open through every phase, so each table keeps to one worker.
    await closed_loop(connections, MENU, duration=1.0)
    await closed_loop(connections, MENU_LANGUAGES, duration=1.0)
    counting = args.settle > 0 and is_postgres(args.database_url)
    settled = await asyncio.to_thread(database_counters, args.database_url, settle=args.settle) if counting else None
    for phase, (path, revalidate, counted, _status) in PHASES.items():
        headers = {"If-None-Match": first.headers["ETag"]} if revalidate else None
        result[phase] = await run_phase(connections, path, duration=args.duration, meter=meter, headers=headers)
        if counting and counted:
            after = await asyncio.to_thread(database_counters, args.database_url, settle=args.settle)
            result[phase]["database_per_request"] = counters_per(settled, after, result[phase]["requests"])
            settled = after
    for connection in connections:
        connection.close()
    return result


def run(args, *, root=ROOT):
    """Start a server from `root`, seed, measure: the results (see measure)."""
    with running_server(database_url=args.database_url, workers=args.workers, root=root) as base_url:
        seeded = seed_store(args.database_url, code="bench-menu", tables=args.tables, root=root)
        result = asyncio.run(measure(base_url, seeded, args, ServerMeter(base_url, args.database_url)))
    result["setup"] = {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration": args.duration,
        "cpus": os.cpu_count(),
    }
    return result


def targets(result):
    found = []
    for phase, name in [("full_200", "warm menu GET"), ("languages_200", "warm menu GET, four languages")]:
        data = result[phase]
        database = data.get("database_per_request", {})
        found += [
            Target(f"{name}: app CPU per request", data["cpu_per_request"]["workers_ms"], TARGET_CPU_MS, " ms"),
            Target(f"{name}: database transactions per request", database.get("transactions"), TARGET_TRANSACTIONS),
        ]
    return found


def worked(result):
    """Every response of every phase had the phase's status."""
    return all(set(result[phase]["statuses"]) == {status} for phase, (*_rest, status) in PHASES.items())


def report(result):
    setup = result["setup"]
    lines = [
        f"== menu reads: {setup['workers']} workers, {setup['concurrency']} clients, {setup['duration']} s per phase, "
        f"{setup['cpus']} CPUs shared by client, server and PostgreSQL",
        f"menu: {result['menu']['categories']} categories, {result['menu']['items']} items, "
        f"{result['menu']['bytes']} bytes",
    ]
    lines += [phase_line(phase, result[phase]) for phase in PHASES]
    return "\n".join(lines)


def main(argv=None):
    return run_scenario("menu", parse_args(argv or []), run=run, report=report, targets=targets, worked=worked)
