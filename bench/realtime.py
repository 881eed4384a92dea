"""Realtime: N tablets order in a closed loop while K dashboards listen to the store's stream.

    python -m bench realtime [--tablets 20] [--dashboards 20] [--duration 20] [--warmup 3]
                             [--think-time 0] [--no-targets]

Starts the app like production (gunicorn, 2 uvicorn workers, PostgreSQL), seeds a store
with one table per tablet, logs everyone in through the API, opens the dashboards' streams
(spread over the workers by the kernel), then lets every tablet POST orders back to back
(or `--think-time` seconds apart). Reports orders/second, the app workers' CPU per order
(bench/meter.py: every order's POST and its delivery to every dashboard, all in), POST
latency, order-to-dashboard latency over every (order, dashboard) pair, and how many of
those pairs never arrived, arrived twice or out of order.

"Tap to dashboard" runs from the moment the tablet sent its POST (the client's clock) to the
moment the event's bytes reached the dashboard, so it also counts the time the POST waited
for its turn: orders of one store are placed one at a time under the store's lock, so with
tablets ordering back to back that wait grows with their number. "Order to dashboard" runs
from the order's `created_at` instead (set when the order row is written, before its
transaction commits; the server's clock, the same machine).

The targets: tap → dashboard p99 ≤ 150 ms back to back and ≤ 50 ms paced,
≤ 8 ms of app CPU per order back to back, nothing undelivered or duplicated. Orders/second
≥ 2× the commit before is checked by `python -m bench compare`. `measure` also drives
`python -m bench stores` (many stores at once).
"""

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from bench import percentiles, run_scenario
from bench.meter import ServerMeter, cpu_per
from bench.rawhttp import Connection, RawStream, frame_fields
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_store, tablet_tokens
from bench.targets import Target, add_targets_argument

TARGET_P99_MS = 150
TARGET_PACED_P99_MS = 50
TARGET_CPU_MS_PER_ORDER = 8


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench realtime", description=__doc__.splitlines()[0])
    parser.add_argument("--tablets", type=int, default=20)
    parser.add_argument("--dashboards", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first (default %(default)s)")
    parser.add_argument("--think-time", type=float, default=0.0, help="pause between a tablet's orders, seconds")
    parser.add_argument("--grace", type=float, default=10.0, help="seconds to wait for late events at the end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--log-level", default="WARNING", help="server LOG_LEVEL (INFO logs every request)")
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    if args.tablets < 1 or args.dashboards < 1 or args.duration <= 0:
        parser.error("--tablets, --dashboards and --duration must be positive")
    return args


@dataclass
class Floor:
    """One store under load: its manager's token (for the dashboards), its tablets' tokens, its menu."""

    manager_token: str
    tablet_tokens: list
    item_ids: list
    dashboards: int


async def log_in(client, seeded):
    manager = seeded["manager"]
    response = await client.post(
        "/api/v1/auth/login",
        json={"store_code": seeded["store_code"], "username": manager["username"], "password": manager["password"]},
    )
    response.raise_for_status()
    manager_token = response.json()["access"]

    return manager_token, await tablet_tokens(client, seeded)


class Dashboard:
    """One open admin stream, noting when each order.created arrived, and when the first
    ticket.created of each order did (what a kitchen display hears)."""

    def __init__(self, stream):
        self.stream = stream
        self.arrivals = {}
        self.ticket_arrivals = {}
        self.duplicates = 0
        self.out_of_order = 0
        self.opened = asyncio.Event()
        self._last_id = -1

    async def listen(self):
        async for arrived, arrived_wall, frame in self.stream.frames():
            event_id, event_type, order_id = frame_fields(frame)
            if event_type == "stream.open":
                self.opened.set()
            if event_type == "ticket.created":
                self.ticket_arrivals.setdefault(order_id, (arrived, arrived_wall))
            if event_id is None or event_type != "order.created":
                continue
            if event_id <= self._last_id:
                self.out_of_order += 1
            self._last_id = max(self._last_id, event_id)
            if order_id in self.arrivals:
                self.duplicates += 1
            else:
                self.arrivals[order_id] = (arrived, arrived_wall)


class Tablet:
    """Places orders back to back on one keep-alive connection."""

    def __init__(self, host, port, token, item_ids, index):
        self.connection = Connection(host, port, {"Authorization": f"Bearer {token}"})
        self.items = [{"menu_item_id": item_ids[(index + k) % len(item_ids)], "quantity": 1 + k} for k in range(2)]
        self.orders = []
        self.errors = {}

    def failed(self, reason):
        self.errors[reason] = self.errors.get(reason, 0) + 1

    async def run(self, until, think_time):
        while time.perf_counter() < until:
            sent, sent_wall = time.perf_counter(), time.time()
            try:
                status, body = await self.connection.request(
                    "POST", "/api/v1/orders", {"items": self.items}, {"Idempotency-Key": uuid.uuid4().hex}
                )
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                self.failed(type(error).__name__)
                self.connection.close()
                continue
            answered = time.perf_counter()
            if status != 201:
                self.failed(f"HTTP {status}")
                continue
            created_wall = datetime.fromisoformat(body["created_at"]).timestamp()
            self.orders.append(
                {
                    "id": body["id"],
                    "number": body["number"],
                    "sent": sent,
                    "sent_wall": sent_wall,
                    "answered": answered,
                    "created_wall": created_wall,
                }
            )
            if think_time:
                await asyncio.sleep(think_time)

    def close(self):
        self.connection.close()


async def open_dashboards(host, port, floors, *, concurrency=50):
    """Open every floor's dashboards (at most `concurrency` at once); a list of lists, by floor."""
    semaphore = asyncio.Semaphore(concurrency)

    async def open_one(token):
        async with semaphore:
            stream = RawStream(host, port, "/api/v1/admin/stream", {"Authorization": f"Bearer {token}"})
            return Dashboard(await stream.open())

    def open_floor(floor):
        return asyncio.gather(*(open_one(floor.manager_token) for _ in range(floor.dashboards)))

    return [list(opened) for opened in await asyncio.gather(*(open_floor(floor) for floor in floors))]


async def measure(base_url, floors, *, duration, warmup, think_time, grace, meter):
    """Every floor's tablets order for `warmup` + `duration` seconds while its dashboards listen.

    Deliveries count each measured order against the dashboards of its own store. The CPU
    window runs from the end of the warm-up until the last tablet's last answer.
    """
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    by_floor = await open_dashboards(host, port, floors)
    dashboards = [dashboard for floor_dashboards in by_floor for dashboard in floor_dashboards]
    listeners = [asyncio.create_task(d.listen()) for d in dashboards]
    await asyncio.wait_for(asyncio.gather(*(d.opened.wait() for d in dashboards)), 60)

    tablets_by_floor = [
        [Tablet(host, port, token, floor.item_ids, i) for i, token in enumerate(floor.tablet_tokens)]
        for floor in floors
    ]
    tablets = [tablet for floor_tablets in tablets_by_floor for tablet in floor_tablets]
    started = time.perf_counter()
    measured_from = started + warmup
    until = measured_from + duration

    async def snapshot_after_warmup():
        await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
        return await asyncio.to_thread(meter.snapshot)

    cpu_before = asyncio.create_task(snapshot_after_warmup())
    await asyncio.gather(*(tablet.run(until, think_time) for tablet in tablets))
    finished = time.perf_counter()
    spent = meter.spent(await cpu_before, await asyncio.to_thread(meter.snapshot))

    # Late events: wait until every dashboard has every order of its store, or the grace period ends.
    wanted = [
        (floor_dashboards, {order["id"] for tablet in floor_tablets for order in tablet.orders})
        for floor_dashboards, floor_tablets in zip(by_floor, tablets_by_floor, strict=True)
    ]
    grace_until = time.perf_counter() + grace
    while time.perf_counter() < grace_until and any(
        ids - dashboard.arrivals.keys() for floor_dashboards, ids in wanted for dashboard in floor_dashboards
    ):
        await asyncio.sleep(0.05)

    for dashboard in dashboards:
        dashboard.stream.close()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    for tablet in tablets:
        tablet.close()

    measured, from_post, from_created, undelivered, expected = [], [], [], 0, 0
    ticket_from_post, tickets_missing = [], 0
    for floor_dashboards, floor_tablets in zip(by_floor, tablets_by_floor, strict=True):
        floor_orders = [order for tablet in floor_tablets for order in tablet.orders if order["sent"] >= measured_from]
        measured += floor_orders
        expected += len(floor_orders) * len(floor_dashboards)
        for order in floor_orders:
            for dashboard in floor_dashboards:
                arrival = dashboard.arrivals.get(order["id"])
                if arrival is None:
                    undelivered += 1
                    continue
                from_post.append((arrival[0] - order["sent"]) * 1000)
                from_created.append((arrival[1] - order["created_wall"]) * 1000)
                ticket = dashboard.ticket_arrivals.get(order["id"])
                if ticket is None:
                    tickets_missing += 1
                else:
                    ticket_from_post.append((ticket[0] - order["sent"]) * 1000)
    post_latency = [(order["answered"] - order["sent"]) * 1000 for order in measured]
    measured_seconds = finished - measured_from
    return {
        "stores": len(floors),
        "tablets": len(tablets),
        "dashboards": len(dashboards),
        "think_time_s": think_time,
        "duration_s": round(measured_seconds, 2),
        "orders": len(measured),
        "orders_per_second": round(len(measured) / measured_seconds, 1),
        "order_errors": sum(sum(tablet.errors.values()) for tablet in tablets),
        "order_error_kinds": _merged(tablet.errors for tablet in tablets),
        "cpu": spent,
        "cpu_per_order": cpu_per(spent, len(measured)),
        "post_latency_ms": _rounded(percentiles(post_latency)),
        "delivery_latency_ms": _rounded(percentiles(from_post)),
        "delivery_latency_from_created_at_ms": _rounded(percentiles(from_created)),
        "ticket_latency_ms": _rounded(percentiles(ticket_from_post)),
        "tickets_missing": tickets_missing,
        "deliveries_expected": expected,
        "undelivered": undelivered,
        "duplicates": sum(d.duplicates for d in dashboards),
        "out_of_order": sum(d.out_of_order for d in dashboards),
    }


def _merged(counters):
    merged = {}
    for counter in counters:
        for key, count in counter.items():
            merged[key] = merged.get(key, 0) + count
    return merged


def _rounded(stats):
    return {key: round(value, 1) for key, value in stats.items()}


def report_lines(results):
    """The lines every realtime-style report shares: rate, CPU, latencies, deliveries."""
    post, placed, tapped = (
        results["post_latency_ms"],
        results["delivery_latency_from_created_at_ms"],
        results["delivery_latency_ms"],
    )
    cpu, spent = results["cpu_per_order"], results["cpu"]
    cores = spent["workers_cpu_s"] / spent["seconds"] if spent["seconds"] else 0
    return [
        f"orders/second            {results['orders_per_second']}  ({results['orders']} orders, "
        f"{results['order_errors']} errors{_kinds(results['order_error_kinds'])})",
        f"CPU per order            app workers {cpu['workers_ms']} ms ({cores:.2f} cores busy), "
        f"PostgreSQL {cpu['postgres_ms']} ms, load generator {cpu['client_ms']} ms",
        f"order POST latency       {_line(post)}",
        f"tap → dashboard          {_line(tapped)}   (POST sent → event; includes the POST's queueing)",
        f"order → dashboard        {_line(placed)}   (order written → event on a dashboard)",
        f"tap → kitchen ticket     {_line(results['ticket_latency_ms'])}   (POST sent → its ticket.created; "
        f"{results['tickets_missing']} missing)",
        f"undelivered              {results['undelivered']} of {results['deliveries_expected']}  "
        f"(duplicates {results['duplicates']}, out of order {results['out_of_order']})",
    ]


def report(results):
    pacing = f", {results['think_time_s']} s between a tablet's orders" if results["think_time_s"] else ", back to back"
    title = (
        f"== realtime: {results['tablets']} tablets{pacing}, {results['dashboards']} dashboards, "
        f"{results['workers']} workers, {results['duration_s']} s measured"
    )
    return "\n".join([title, *report_lines(results)])


def targets(results):
    paced = bool(results["think_time_s"])
    where = "paced" if paced else "back to back"
    checked = [
        Target(
            f"tap → dashboard p99, {where}",
            results["delivery_latency_ms"].get("p99"),
            TARGET_PACED_P99_MS if paced else TARGET_P99_MS,
            " ms",
        ),
        Target(f"undelivered, {where}", results["undelivered"], 0),
        Target(f"duplicates, {where}", results["duplicates"], 0),
    ]
    if not paced:
        checked.insert(
            0,
            Target(
                f"app CPU per order with {results['dashboards']} dashboards",
                results["cpu_per_order"]["workers_ms"],
                TARGET_CPU_MS_PER_ORDER,
                " ms",
            ),
        )
    return checked


def _kinds(kinds):
    return ": " + ", ".join(f"{count}× {kind}" for kind, count in kinds.items()) if kinds else ""


def _line(stats):
    return "  ".join(f"{key} {stats[key]} ms" for key in ("p50", "p95", "p99", "max") if key in stats)


def run(args, *, root=ROOT):
    """Start a server from `root`, seed a store, log in, measure: the results (see measure)."""
    env = {"LOG_LEVEL": args.log_level}
    with running_server(database_url=args.database_url, workers=args.workers, env=env, root=root) as base_url:
        seeded = seed_store(args.database_url, tables=args.tablets, env=env, root=root)

        async def logged_in_and_measured():
            async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
                manager_token, tokens = await log_in(client, seeded)
            floor = Floor(manager_token, tokens, seeded["menu_item_ids"], args.dashboards)
            return await measure(
                base_url,
                [floor],
                duration=args.duration,
                warmup=args.warmup,
                think_time=args.think_time,
                grace=args.grace,
                meter=ServerMeter(base_url, args.database_url),
            )

        results = asyncio.run(logged_in_and_measured())
    results["workers"] = args.workers
    return results


def worked(results):
    return results["order_errors"] == 0


def main(argv=None):
    args = parse_args(argv or [])
    name = "realtime_paced" if args.think_time else "realtime"
    return run_scenario(name, args, run=run, report=report, targets=targets, worked=worked)
