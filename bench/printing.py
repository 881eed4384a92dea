"""Printing: an order's kitchen ticket, from the tablet's tap to its bytes at the printer.

    python -m bench printing [--tablets 20] [--duration 20] [--think-time 1] [--burst 300]
                             [--no-targets]

Starts the app like production (bench/server.py), seeds a store, gives its kitchen station a
printer and an agent token (the manager API), and runs the real print agent (`python -m
printagent`) against a stand-in printer: a TCP port on loopback that notes when each print's
last byte arrived. Then:
- paced: the tablets order (one order every `--think-time` seconds each) for `--duration`
  seconds; for every order, the time from its POST being sent to its ticket's last byte at the
  printer (the order is read back from the bytes: its number), and prints missing or doubled;
- burst: the agent is stopped, `--burst` orders are placed, the agent is started again; jobs
  per second is `--burst` over the time from the agent's start to the last ticket's bytes.

The targets: tap → printed p99 ≤ 1,000 ms paced; none missing or doubled.
"""

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench import percentiles, run_scenario
from bench.realtime import Tablet, log_in
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_store
from bench.targets import Target, add_targets_argument

TARGET_P99_MS = 1000
# A ticket names its order as `#0042` (kitchen/receipts.py), in CP949 like all its text.
ORDER_NUMBER = re.compile(rb"#(\d{4,})")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench printing", description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--think-time", type=float, default=1.0)
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--grace", type=float, default=20.0, help="seconds to wait for late prints")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--log-level", default="WARNING")
    add_targets_argument(parser)
    return parser.parse_args(argv)


class StandInPrinter:
    """A printer's TCP port: notes (time its last byte came, order number) for each print."""

    def __init__(self):
        self.prints = []
        self.server = None

    async def start(self):
        self.server = await asyncio.start_server(self._receive, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def _receive(self, reader, writer):
        data = await reader.read()
        arrived = time.perf_counter()
        writer.close()
        match = ORDER_NUMBER.search(data)
        self.prints.append((arrived, int(match.group(1)) if match else None))

    def close(self):
        self.server.close()


def start_agent(base_url, token, port, journal, root):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "printagent",
            "--server",
            base_url,
            "--token",
            token,
            "--printer",
            f"127.0.0.1:{port}",
            "--journal",
            str(journal),
        ],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_agent(agent):
    agent.terminate()
    try:
        agent.wait(10)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait()


async def printer_token(client, manager_token):
    """A printer for the store's first station, and its agent token (manager API)."""
    headers = {"Authorization": f"Bearer {manager_token}"}
    stations = (await client.get("/api/v1/admin/stations", headers=headers)).json()["results"]
    created = await client.post(
        "/api/v1/admin/printers", json={"name": "주방 프린터", "station_id": stations[0]["id"]}, headers=headers
    )
    created.raise_for_status()
    issued = await client.post(f"/api/v1/admin/printers/{created.json()['id']}/token", headers=headers)
    issued.raise_for_status()
    return issued.json()["token"]


async def until_printed(printer, numbers, grace):
    deadline = time.perf_counter() + grace
    while time.perf_counter() < deadline and numbers - {number for _at, number in printer.prints}:
        await asyncio.sleep(0.05)


async def place_burst(tablets, count):
    """`count` orders spread over the tablets (each tablet's one after another): their numbers."""

    async def place(tablet, how_many):
        for _ in range(how_many):
            status, body = await tablet.connection.request(
                "POST", "/api/v1/orders", {"items": tablet.items}, {"Idempotency-Key": uuid.uuid4().hex}
            )
            if status == 201:
                numbers.add(body["number"])

    numbers = set()
    share, extra = divmod(count, len(tablets))
    await asyncio.gather(*(place(tablet, share + (i < extra)) for i, tablet in enumerate(tablets)))
    return numbers


async def measure(base_url, seeded, args, root):
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        manager_token, tokens = await log_in(client, seeded)
        token = await printer_token(client, manager_token)
    printer = StandInPrinter()
    printer_port = await printer.start()
    journal = Path(tempfile.mkdtemp(prefix="bench-printagent-")) / "journal"
    agent = start_agent(base_url, token, printer_port, journal, root)
    tablets = [Tablet(host, port, tablet_token, seeded["menu_item_ids"], i) for i, tablet_token in enumerate(tokens)]
    try:
        started = time.perf_counter()
        measured_from = started + args.warmup
        until = measured_from + args.duration
        await asyncio.gather(*(tablet.run(until, args.think_time) for tablet in tablets))
        orders = [order for tablet in tablets for order in tablet.orders]
        await until_printed(printer, {order["number"] for order in orders}, args.grace)
        first_print = {}
        doubled = 0
        for arrived, number in printer.prints:
            if number in first_print:
                doubled += 1
            else:
                first_print[number] = arrived
        measured = [order for order in orders if order["sent"] >= measured_from]
        latency = [(first_print[o["number"]] - o["sent"]) * 1000 for o in measured if o["number"] in first_print]
        missing = sum(order["number"] not in first_print for order in measured)

        stop_agent(agent)
        before = len(printer.prints)
        placed = await place_burst(tablets, args.burst)
        agent = start_agent(base_url, token, printer_port, journal, root)
        agent_started = time.perf_counter()
        await until_printed(printer, placed, args.grace + args.burst / 10)
        burst_prints = [arrived for arrived, number in printer.prints[before:] if number in placed]
        drained = (max(burst_prints) - agent_started) if burst_prints else None
    finally:
        stop_agent(agent)
        printer.close()
        for tablet in tablets:
            tablet.close()
    return {
        "tablets": len(tablets),
        "think_time_s": args.think_time,
        "orders": len(measured),
        "order_errors": sum(sum(tablet.errors.values()) for tablet in tablets),
        "print_latency_ms": {key: round(value, 1) for key, value in percentiles(latency).items()},
        "missing": missing,
        "doubled": doubled,
        "burst": args.burst,
        "burst_printed": len(set(burst_prints)),
        "burst_seconds": round(drained, 2) if drained is not None else None,
        "jobs_per_second": round(len(burst_prints) / drained, 1) if drained else None,
    }


def run(args, *, root=ROOT):
    env = {"LOG_LEVEL": args.log_level}
    with running_server(database_url=args.database_url, workers=args.workers, env=env, root=root) as base_url:
        seeded = seed_store(args.database_url, tables=args.tablets, env=env, root=root)
        results = asyncio.run(measure(base_url, seeded, args, root))
    results["workers"] = args.workers
    return results


def report(results):
    latency = results["print_latency_ms"]
    line = "  ".join(f"{key} {latency[key]} ms" for key in ("p50", "p95", "p99", "max") if key in latency)
    return "\n".join(
        [
            f"== printing: {results['tablets']} tablets, an order every {results['think_time_s']} s each, "
            f"one printer through the print agent, {results['workers']} workers",
            f"orders                   {results['orders']} ({results['order_errors']} errors)",
            f"tap → printed            {line}   (POST sent → the ticket's last byte at the printer)",
            f"missing / doubled        {results['missing']} / {results['doubled']}",
            f"burst                    {results['burst_printed']} of {results['burst']} queued tickets printed in "
            f"{results['burst_seconds']} s after the agent started: {results['jobs_per_second']} jobs/s",
        ]
    )


def targets(results):
    return [
        Target("tap → printed p99, paced", results["print_latency_ms"].get("p99"), TARGET_P99_MS, " ms"),
        Target("prints missing", results["missing"], 0),
        Target("prints doubled", results["doubled"], 0),
        Target("burst tickets unprinted", results["burst"] - results["burst_printed"], 0),
    ]


def main(argv=None):
    args = parse_args(argv)
    return run_scenario(
        "printing", args, run=run, report=report, targets=targets, worked=lambda r: r["order_errors"] == 0
    )
