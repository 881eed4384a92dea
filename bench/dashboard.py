"""Dashboard reads: requests/second of the live dashboard's snapshot for a busy floor.

    python -m bench dashboard [--tables 50] [--orders-per-table 10] [--concurrency 10]
                              [--duration 10] [--workers 2] [--database-url URL]

Starts the app like production (gunicorn + uvicorn workers, PostgreSQL), seeds a store whose
every table has an open session with `orders-per-table` orders placed through the API, logs a
manager in, then for each phase runs `concurrency` closed-loop clients (the dashboards of
several counters) for `duration` seconds: GET /api/v1/admin/tables?page_size=100 (what a
dashboard reads when it opens or reconnects), GET /api/v1/admin/orders?page_size=100 (the
current orders), and GET /healthz as the floor, each with the app workers' CPU per request
(bench/meter.py). Prints a report and writes it as JSON to bench/results/ (dashboard.json;
latest.json gathers every benchmark). Exits 1 if any response had another status. It has no
targets.
"""

import argparse
import asyncio
import os
import uuid

import httpx

from bench import finish, machine_load
from bench.menu import client_connections, closed_loop, phase_line, run_phase
from bench.meter import ServerMeter
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_store, tablet_tokens

PHASES = {
    "tables_snapshot": "/api/v1/admin/tables?page_size=100",
    "current_orders": "/api/v1/admin/orders?page_size=100",
    "healthz_floor": "/healthz",
}


async def fill_the_floor(client, seeded, orders_per_table):
    """Every table orders `orders_per_table` times (two lines each), through the tablet API."""
    tokens = await tablet_tokens(client, seeded)
    items = seeded["menu_item_ids"]

    async def table_orders(index, token):
        for number in range(orders_per_table):
            lines = [
                {"menu_item_id": items[(index + number) % len(items)], "quantity": 1},
                {"menu_item_id": items[(index + number + 1) % len(items)], "quantity": 2},
            ]
            response = await client.post(
                "/api/v1/orders",
                json={"items": lines},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            )
            response.raise_for_status()

    await asyncio.gather(*(table_orders(index, token) for index, token in enumerate(tokens)))


async def measure(base_url, seeded, *, orders_per_table, concurrency, duration, meter):
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        await fill_the_floor(client, seeded, orders_per_table)
        login = await client.post(
            "/api/v1/auth/login",
            json={"store_code": seeded["store_code"], **seeded["manager"]},
        )
        login.raise_for_status()
        token = login.json()["access"]
        first = await client.get(PHASES["tables_snapshot"], headers={"Authorization": f"Bearer {token}"})
        first.raise_for_status()
    result = {"snapshot": {"tables": first.json()["count"], "bytes": len(first.content)}}
    connections = client_connections(base_url, [token], concurrency)
    await closed_loop(connections, PHASES["tables_snapshot"], duration=1.0)
    for phase, path in PHASES.items():
        result[phase] = await run_phase(connections, path, duration=duration, meter=meter)
    for connection in connections:
        connection.close()
    return result


def report(result):
    setup = result["setup"]
    lines = [
        f"== dashboard reads: {setup['workers']} workers, {setup['concurrency']} clients, {setup['duration']} s per "
        f"phase, {setup['cpus']} CPUs shared by client, server and PostgreSQL",
        f"floor: {result['snapshot']['tables']} tables, {setup['orders_per_table']} orders each; "
        f"snapshot {result['snapshot']['bytes']} bytes",
    ]
    lines += [phase_line(phase, result[phase]) for phase in PHASES]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--orders-per-table", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    load = machine_load()
    result = run(args)
    finish("dashboard", result, report(result), load)
    return 0 if all(set(result[phase]["statuses"]) == {"200"} for phase in PHASES) else 1


def run(args, *, root=ROOT):
    """Start a server from `root`, seed and fill the floor, measure: the results (see measure)."""
    with running_server(database_url=args.database_url, workers=args.workers, root=root) as base_url:
        seeded = seed_store(args.database_url, code="bench-dashboard", tables=args.tables, root=root)
        result = asyncio.run(
            measure(
                base_url,
                seeded,
                orders_per_table=args.orders_per_table,
                concurrency=args.concurrency,
                duration=args.duration,
                meter=ServerMeter(base_url, args.database_url),
            )
        )
    result["setup"] = {
        "workers": args.workers,
        "concurrency": args.concurrency,
        "duration": args.duration,
        "orders_per_table": args.orders_per_table,
        "cpus": os.cpu_count(),
    }
    return result
