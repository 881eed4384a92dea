"""Realtime: N tablets order in a closed loop while K dashboards listen to the store's stream.

    python -m bench realtime [--tablets 20] [--dashboards 20] [--duration 20] [--warmup 3]

Starts the app like production (gunicorn, 2 uvicorn workers, PostgreSQL), seeds a store
with one table per tablet, logs everyone in through the API, opens the dashboards' streams
(spread over the workers by the kernel), then lets every tablet POST orders back to back.
Reports orders/second, POST latency, order-to-dashboard latency over every (order,
dashboard) pair, and how many of those pairs never arrived, arrived twice or out of order.

Order-to-dashboard latency runs from the order's `created_at` (set when the order row is
written, before its transaction commits; server clock) to the moment the event's bytes reached
the dashboard (the same machine's clock). "Tap to dashboard" runs from the moment the tablet
sent its POST instead, so it also counts the time the POST waited for its turn: orders of
one store are placed one at a time under the store's lock, so with tablets ordering back to
back that wait grows with their number.
"""

import argparse
import asyncio
import time
import uuid
from datetime import datetime
from urllib.parse import urlsplit

import httpx

from bench import finish, machine_load, percentiles
from bench.rawhttp import Connection, RawStream, StreamError, frame_fields
from bench.server import DEFAULT_DATABASE_URL, running_server, seed_store, tablet_tokens

TARGET_P99_MS = 100


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
    args = parser.parse_args(argv)
    if args.tablets < 1 or args.dashboards < 1 or args.duration <= 0:
        parser.error("--tablets, --dashboards and --duration must be positive")
    return args


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
    """One open admin stream, noting when each order.created arrived."""

    def __init__(self, stream):
        self.stream = stream
        self.arrivals = {}
        self.duplicates = 0
        self.out_of_order = 0
        self.opened = asyncio.Event()
        self._last_id = -1

    async def listen(self):
        async for arrived, arrived_wall, frame in self.stream.frames():
            event_id, event_type, order_id = frame_fields(frame)
            if event_type == "stream.open":
                self.opened.set()
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


async def measure(base_url, seeded, args):
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        manager_token, tablet_tokens = await log_in(client, seeded)
    tablet_tokens = [tablet_tokens[i % len(tablet_tokens)] for i in range(args.tablets)]

    streams = [
        RawStream(host, port, "/api/v1/admin/stream", {"Authorization": f"Bearer {manager_token}"})
        for _ in range(args.dashboards)
    ]
    await asyncio.gather(*(stream.open() for stream in streams))
    dashboards = [Dashboard(stream) for stream in streams]
    listeners = [asyncio.create_task(d.listen()) for d in dashboards]
    await asyncio.wait_for(asyncio.gather(*(d.opened.wait() for d in dashboards)), 30)

    tablets = [Tablet(host, port, token, seeded["menu_item_ids"], i) for i, token in enumerate(tablet_tokens)]
    started = time.perf_counter()
    measured_from = started + args.warmup
    until = measured_from + args.duration
    await asyncio.gather(*(tablet.run(until, args.think_time) for tablet in tablets))
    finished = time.perf_counter()

    all_orders = [order for tablet in tablets for order in tablet.orders]
    measured = [order for order in all_orders if order["sent"] >= measured_from]
    # Late events: wait until every dashboard has every order, or the grace period ends.
    grace_until = time.perf_counter() + args.grace
    wanted = {order["id"] for order in all_orders}
    while time.perf_counter() < grace_until and any(wanted - d.arrivals.keys() for d in dashboards):
        await asyncio.sleep(0.05)

    for stream in streams:
        stream.close()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    for tablet in tablets:
        tablet.close()

    from_post, from_created, undelivered = [], [], 0
    for order in measured:
        for dashboard in dashboards:
            arrival = dashboard.arrivals.get(order["id"])
            if arrival is None:
                undelivered += 1
                continue
            from_post.append((arrival[0] - order["sent"]) * 1000)
            from_created.append((arrival[1] - order["created_wall"]) * 1000)
    post_latency = [(order["answered"] - order["sent"]) * 1000 for order in measured]
    measured_seconds = finished - measured_from
    return {
        "tablets": args.tablets,
        "dashboards": args.dashboards,
        "workers": args.workers,
        "think_time_s": args.think_time,
        "duration_s": round(measured_seconds, 2),
        "orders": len(measured),
        "orders_per_second": round(len(measured) / measured_seconds, 1),
        "order_errors": sum(sum(tablet.errors.values()) for tablet in tablets),
        "order_error_kinds": _merged(tablet.errors for tablet in tablets),
        "post_latency_ms": _rounded(percentiles(post_latency)),
        "delivery_latency_ms": _rounded(percentiles(from_post)),
        "delivery_latency_from_created_at_ms": _rounded(percentiles(from_created)),
        "deliveries_expected": len(measured) * len(dashboards),
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


def report(results):
    post, placed, tapped = (
        results["post_latency_ms"],
        results["delivery_latency_from_created_at_ms"],
        results["delivery_latency_ms"],
    )
    p99 = placed.get("p99", float("inf"))
    verdict = "met" if p99 <= TARGET_P99_MS and results["undelivered"] == 0 else "MISSED"
    pacing = f", {results['think_time_s']} s between a tablet's orders" if results["think_time_s"] else ", back to back"
    lines = [
        f"== realtime: {results['tablets']} tablets{pacing}, {results['dashboards']} dashboards, "
        f"{results['workers']} workers, {results['duration_s']} s measured",
        f"orders/second            {results['orders_per_second']}  ({results['orders']} orders, "
        f"{results['order_errors']} errors{_kinds(results['order_error_kinds'])})",
        f"order POST latency       {_line(post)}",
        f"order → dashboard        {_line(placed)}   (order written → event on a dashboard)",
        f"tap → dashboard          {_line(tapped)}   (POST sent → event; includes the POST's queueing)",
        f"undelivered              {results['undelivered']} of {results['deliveries_expected']}  "
        f"(duplicates {results['duplicates']}, out of order {results['out_of_order']})",
        f"target: order → dashboard p99 ≤ {TARGET_P99_MS} ms and 0 undelivered: {verdict}",
    ]
    return "\n".join(lines)


def _kinds(kinds):
    return ": " + ", ".join(f"{count}× {kind}" for kind, count in kinds.items()) if kinds else ""


def _line(stats):
    return "  ".join(f"{key} {stats[key]} ms" for key in ("p50", "p95", "p99", "max") if key in stats)


def main(argv=None):
    args = parse_args(argv or [])
    load = machine_load()
    env = {"LOG_LEVEL": args.log_level}
    with running_server(database_url=args.database_url, workers=args.workers, env=env) as base_url:
        seeded = seed_store(args.database_url, tables=args.tablets, env=env)
        try:
            results = asyncio.run(measure(base_url, seeded, args))
        except StreamError as error:
            print(f"realtime: could not open a stream: {error}")
            return 1
    finish("realtime_paced" if args.think_time else "realtime", results, report(results), load)
    return 0 if results["undelivered"] == 0 and results["order_errors"] == 0 else 1
