"""Menu reads: requests/second of GET /api/v1/menu, full (200) and revalidated (304).

    python -m bench menu [--concurrency 20] [--duration 10] [--workers 2] [--database-url URL]

Starts the app like production (gunicorn + uvicorn workers, PostgreSQL), logs in one tablet
per table, then for each phase runs `concurrency` closed-loop clients for `duration`
seconds: plain GETs (200), then GETs with the menu's ETag in If-None-Match (304), then, as
the floor this machine allows, GET /healthz (one trivial query, no auth). Prints a report
and writes it as JSON to bench/results/ (menu.json; latest.json gathers every benchmark).
Exits 1 if any response had another status.
"""

import argparse
import asyncio
import os
import time

import httpx

from bench import finish, machine_load, percentiles
from bench.server import running_server, seed_store, tablet_tokens

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tableorder_bench_menu"
EXPECTED = {"full_200": "200", "revalidated_304": "304", "healthz_floor": "200"}


async def run_phase(base_url, tokens, *, concurrency, duration, etag=None, path="/api/v1/menu"):
    """`concurrency` clients, each on its own connection, request `path` until time is up."""
    latencies, statuses = [], {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def tablet(index, deadline):
            headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}"}
            if etag:
                headers["If-None-Match"] = etag
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - started)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        # A short warm-up fills the connection and database pools before the clock starts.
        await asyncio.gather(*(tablet(i, time.perf_counter() + 1) for i in range(concurrency)))
        latencies.clear()
        statuses.clear()
        started = time.perf_counter()
        await asyncio.gather(*(tablet(i, started + duration) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return summarize(latencies, statuses, elapsed)


def phase_line(phase, data):
    """One report line of a closed-loop phase: throughput, latency percentiles, statuses."""
    latency = data["latency_ms"]
    return (
        f"{phase:>16}: {data['requests_per_second']:>8} req/s  "
        f"p50 {latency['p50']} ms  p90 {latency['p90']} ms  p99 {latency['p99']} ms  statuses {data['statuses']}"
    )


def summarize(latencies, statuses, elapsed):
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
        "latency_ms": percentiles([round(1000 * latency, 2) for latency in latencies], points=(50, 90, 99)),
    }


async def measure(base_url, seeded, *, concurrency, duration):
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        tokens = await tablet_tokens(client, seeded)
        first = await client.get("/api/v1/menu", headers={"Authorization": f"Bearer {tokens[0]}"})
        first.raise_for_status()
    menu = first.json()
    return {
        "menu": {
            "categories": len(menu["categories"]),
            "items": sum(len(category["items"]) for category in menu["categories"]),
            "bytes": len(first.content),
        },
        "full_200": await run_phase(base_url, tokens, concurrency=concurrency, duration=duration),
        "revalidated_304": await run_phase(
            base_url, tokens, concurrency=concurrency, duration=duration, etag=first.headers["ETag"]
        ),
        "healthz_floor": await run_phase(base_url, tokens, concurrency=concurrency, duration=duration, path="/healthz"),
    }


def report(result):
    setup = result["setup"]
    lines = [
        f"menu reads: {setup['workers']} workers, {setup['concurrency']} clients, {setup['duration']} s per phase, "
        f"{setup['cpus']} CPUs shared by client, server and PostgreSQL",
        f"menu: {result['menu']['categories']} categories, {result['menu']['items']} items, "
        f"{result['menu']['bytes']} bytes",
    ]
    lines += [phase_line(phase, result[phase]) for phase in EXPECTED]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench menu", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_MENU_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tables", type=int, default=20)
    args = parser.parse_args(argv)

    load = machine_load()
    with running_server(database_url=args.database_url, workers=args.workers) as base_url:
        seeded = seed_store(args.database_url, code="bench-menu", tables=args.tables)
        result = asyncio.run(measure(base_url, seeded, concurrency=args.concurrency, duration=args.duration))
    result["setup"] = {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration": args.duration,
        "cpus": os.cpu_count(),
    }
    finish("menu", result, report(result), load)
    return 0 if all(set(result[phase]["statuses"]) == {code} for phase, code in EXPECTED.items()) else 1
