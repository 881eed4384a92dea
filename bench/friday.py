"""Friday: the Friday peak across many stores, every tablet and dashboard holding its stream.

    python -m bench friday [--stores 500] [--tables 20] [--orders-per-table-per-minute 1]
                           [--duration 60] [--warmup 10] [--deploy] [--deploy-window 30] [--grace 15]
                           [--workers 2] [--open-concurrency 1000] [--database-url URL] [--no-targets]

Starts the app like production, seeds stores bench-f-1 … bench-f-N (tokens minted by
bench/seed.py, so nothing logs in while it measures), then:

1. Opening: every table's tablet stream and one dashboard stream per store, with at most
   `--open-concurrency` connection attempts in flight, until each has had its `stream.open`.
2. Steady state: orders arrive open loop, a Poisson process at stores × tables × rate / 60 a
   second, each from a random table: the tablet's menu read (with the ETag it last got), then
   a POST of 1–3 random items of its store's menu with an Idempotency-Key, on a pool of
   keep-alive connections that grows as needed. `--warmup` seconds unmeasured, `--duration`
   measured.
3. Deploy (`--deploy`): the same load goes on and the gunicorn master gets SIGHUP, what
   `systemctl reload` sends; `--deploy-window` seconds are measured from it.

Every stream behaves like an EventSource: when it ends it waits the last `retry:` it received
and reconnects with `Last-Event-ID`; an open refused or failed waits `Retry-After`, else 1, 2,
5, 10 s for successive failures (static/shared/stream.js). Tap → dashboard (and → tablet) runs
from the moment the POST was sent until that order's `order.created` reached its store's
dashboard (its table's tablet). An order answered 201 whose event had reached either by the
end of `--grace` is lost; an event a stream received twice is duplicated.

The client is one asyncio process (uvloop when installed) with an asyncio.Protocol per stream
that reads only the lines it needs; its own CPU is reported with the server's (bench/meter.py).
"""

import argparse
import asyncio
import contextlib
import gc
import os
import random
import re
import signal
import time
import uuid
from urllib.parse import urlsplit

from bench import percentiles, run_scenario
from bench.fanout import raise_open_files_limit
from bench.meter import ServerMeter, cpu_per
from bench.rawhttp import ORDER_ID, Connection
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_stores
from bench.targets import Target, add_targets_argument

PREFIX = "bench-f"
# An attempt that has not had its `stream.open` this many seconds after it began has failed.
OPEN_TIMEOUT = 60.0
# The opening phase ends when every stream is open or after this many seconds.
OPENING_LIMIT = 900.0
# What an EventSource waits before its first `retry:` arrives.
DEFAULT_RETRY_MS = 3000
# Waits after successive failed opens without a Retry-After (static/shared/stream.js).
FAILURE_WAITS = (1.0, 2.0, 5.0, 10.0)
POLL_SECONDS = 0.1
# A menu read and its order not answered within this many seconds have failed (TimeoutError).
REQUEST_TIMEOUT = 30.0
RETRY_AFTER = re.compile(rb"\r\nretry-after:[ \t]*(\d+)", re.IGNORECASE)

TARGET_DASHBOARD_P99_MS = 100
TARGET_DASHBOARD_MAX_MS = 500
TARGET_POST_P99_MS = 100
TARGET_OPENS_PER_SECOND = 1500
TARGET_BACK_SECONDS = 10
TARGET_DEPLOY_POST_P99_MS = 300


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench friday", description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=int, default=500)
    parser.add_argument("--tables", type=int, default=20, help="tables (tablets) per store")
    parser.add_argument("--orders-per-table-per-minute", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds (default %(default)s)")
    parser.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds first (default %(default)s)")
    parser.add_argument("--deploy", action="store_true", help="then reload the server (SIGHUP) under the same load")
    parser.add_argument("--deploy-window", type=float, default=30.0, help="seconds measured from the reload")
    parser.add_argument("--grace", type=float, default=15.0, help="seconds to wait for late events at the end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--open-concurrency", type=int, default=1000, help="stream opens in flight at most")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    if min(args.stores, args.tables, args.open_concurrency) < 1 or args.duration <= 0:
        parser.error("--stores, --tables, --open-concurrency and --duration must be positive")
    if args.orders_per_table_per_minute <= 0:
        parser.error("--orders-per-table-per-minute must be positive")
    return args


def poisson_arrivals(rate, start, until, rng):
    """Arrival times of a Poisson process of `rate` a second from `start` until before `until`."""
    at = start
    while True:
        at += rng.expovariate(rate)
        if at >= until:
            return
        yield at


def reconnect_wait(*, opened, retry_ms, failures, retry_after):
    """Seconds a stream waits before it reconnects, as an EventSource and stream.js do.

    A stream that had opened waits its latest `retry:`; an open that failed waits the
    refusal's Retry-After, else FAILURE_WAITS by the number of failures in a row (1 for the first).
    """
    if opened:
        return retry_ms / 1000
    if retry_after is not None:
        return float(retry_after)
    return FAILURE_WAITS[min(failures, len(FAILURE_WAITS)) - 1]


class OpenFailed(Exception):
    """An open that ended before its `stream.open`: `kind` names how, `retry_after` from a refusal."""

    def __init__(self, kind, retry_after=None):
        super().__init__(kind)
        self.kind, self.retry_after = kind, retry_after


class Stream:
    """One tablet's or dashboard's stream across its reconnects.

    `arrivals` maps each order id whose `order.created` it received to the first arrival
    (perf_counter); `drops` holds [ended, reopened or None] for each time it ended.
    """

    def __init__(self, client, path, token):
        self.client = client
        self.path, self.token = path, token
        self.last_id = None
        self.retry_ms = DEFAULT_RETRY_MS
        self.failures = 0
        self.arrivals = {}
        self.drops = []
        self.opened_once = False
        self.transport = None

    def request(self):
        lines = [
            f"GET {self.path} HTTP/1.0",
            f"Host: {self.client.host}:{self.client.port}",
            "Accept: text/event-stream",
            f"Authorization: Bearer {self.token}",
        ]
        if self.last_id is not None:
            lines.append(f"Last-Event-ID: {self.last_id}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def frame(self, frame, arrived, protocol):
        event_id = event_type = data = None
        for line in frame.split(b"\n"):
            if line.startswith(b"id: "):
                event_id = int(line[4:])
            elif line.startswith(b"event: "):
                event_type = line[7:]
            elif line.startswith(b"data: "):
                data = line
            elif line.startswith(b"retry: "):
                self.retry_ms = int(line[7:])
        if event_id is None:
            return
        if event_type == b"stream.open":
            self.last_id = event_id
            protocol.stream_opened()
            return
        if event_type == b"order.created":
            order_id = int(ORDER_ID.search(data).group(1))
            if order_id in self.arrivals:
                self.client.duplicates.append(arrived)
            else:
                self.arrivals[order_id] = arrived
                if self.last_id is not None and event_id <= self.last_id:
                    self.client.out_of_order += 1
        if self.last_id is None or event_id > self.last_id:
            self.last_id = event_id


class StreamProtocol(asyncio.Protocol):
    """One connection of a Stream: the response head, then SSE frames split on blank lines."""

    def __init__(self, stream):
        self.stream = stream
        self.head = b""
        self.buffer = b""
        self.opened = asyncio.get_running_loop().create_future()
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.stream.request())

    def data_received(self, data):
        if self.head is not None:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head, data = self.head[:end], self.head[end + 4 :]
            self.head = None
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                retry_after = RETRY_AFTER.search(head)
                self.fail(f"HTTP {status}", int(retry_after.group(1)) if retry_after else None)
                self.transport.close()
                return
        if data == b": ping\n\n" and not self.buffer:
            return
        arrived = time.perf_counter()
        *frames, self.buffer = (self.buffer + data).split(b"\n\n")
        for frame in frames:
            if frame[:1] != b":":
                self.stream.frame(frame, arrived, self)

    def stream_opened(self):
        if not self.opened.done():
            self.opened.set_result(None)
            self.stream.client.opened_stream(self.stream, self.transport)

    def fail(self, kind, retry_after=None):
        if not self.opened.done():
            self.opened.set_exception(OpenFailed(kind, retry_after))

    def connection_lost(self, exc):
        if not self.opened.done():
            self.fail(error_kind(exc) if exc else "closed before stream.open")
        elif self.stream.transport is self.transport:
            self.stream.client.ended(self.stream, exc)


def error_kind(error):
    if isinstance(error, OpenFailed):
        return error.kind
    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, ConnectionResetError):
        return "reset"
    if isinstance(error, TimeoutError):
        return "timeout"
    return type(error).__name__


class Client:
    """Every stream of the run, their opens and reconnects, and what they received."""

    def __init__(self, host, port, open_concurrency):
        self.host, self.port = host, port
        self.slots = asyncio.Semaphore(open_concurrency)
        self.streams = []
        self.open_errors = []
        self.reconnects = 0
        self.duplicates = []
        self.out_of_order = 0
        self.opened = 0
        self.all_opened = asyncio.Event()
        self.closing = False
        self.tasks = set()

    def add(self, path, token):
        stream = Stream(self, path, token)
        self.streams.append(stream)
        return stream

    def start(self, stream, delay=0.0):
        task = asyncio.get_running_loop().create_task(self.connect(stream, delay))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def connect(self, stream, delay):
        """Attempt opens until one has its `stream.open`, waiting between them like an EventSource."""
        loop = asyncio.get_running_loop()
        while not self.closing:
            if delay:
                await asyncio.sleep(delay)
            async with self.slots:
                if self.closing:
                    return
                protocol = StreamProtocol(stream)
                try:
                    async with asyncio.timeout(OPEN_TIMEOUT):
                        await loop.create_connection(lambda made=protocol: made, self.host, self.port)
                        await protocol.opened
                except (OSError, OpenFailed, TimeoutError) as error:
                    protocol.opened.cancel()
                    if protocol.transport is not None:
                        protocol.transport.abort()
                    if self.closing:
                        return
                    kind = error_kind(error)
                    self.open_errors.append((time.perf_counter(), kind))
                    stream.failures += 1
                    retry_after = error.retry_after if isinstance(error, OpenFailed) else None
                    delay = reconnect_wait(
                        opened=False, retry_ms=stream.retry_ms, failures=stream.failures, retry_after=retry_after
                    )
                    continue
            return

    def opened_stream(self, stream, transport):
        """A stream's `stream.open` arrived: it is live on `transport`; a drop before it has ended."""
        stream.failures = 0
        stream.transport = transport
        if stream.drops and stream.drops[-1][1] is None:
            stream.drops[-1][1] = time.perf_counter()
        if not stream.opened_once:
            stream.opened_once = True
            self.opened += 1
            if self.opened == len(self.streams):
                self.all_opened.set()

    def ended(self, stream, exc):
        """An open stream's connection ended: note the drop and reconnect after its `retry:`."""
        stream.transport = None
        if self.closing:
            return
        stream.drops.append([time.perf_counter(), None])
        self.reconnects += 1
        wait = reconnect_wait(opened=True, retry_ms=stream.retry_ms, failures=0, retry_after=None)
        self.start(stream, wait)

    async def close(self):
        self.closing = True
        for stream in self.streams:
            if stream.transport is not None:
                stream.transport.close()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Orders:
    """Orders placed open loop, each a task of its own, each table on keep-alive connections of
    its own as a tablet's browser keeps them (a second one while its first is busy).

    Not one shared pool: a pool hands its most recently used connections out again, so a few
    connections, accepted by whichever worker, would carry every order."""

    def __init__(self, host, port, tables, rng):
        self.host, self.port = host, port
        self.tables = tables
        self.rng = rng
        self.connections = 0
        self.placed = []
        self.tasks = set()
        self.stale_retries = 0

    def place(self, table, scheduled):
        task = asyncio.get_running_loop().create_task(self.order(table, scheduled))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def request(self, connection, *args, **kwargs):
        """connection.request, again on a new connection once if a kept-alive one had been
        closed by the server before it answered (a browser does the same)."""
        reused = connection.writer is not None and not connection.writer.is_closing()
        try:
            return await connection.request(*args, **kwargs)
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError) as error:
            if not reused or (isinstance(error, asyncio.IncompleteReadError) and error.partial):
                raise
            connection.close()
            self.stale_retries += 1
            return await connection.request(*args, **kwargs)

    async def order(self, table, scheduled):
        record = {"table": table, "scheduled": scheduled, "started": time.perf_counter()}
        self.placed.append(record)
        idle = table.setdefault("idle", [])
        if idle:
            connection = idle.pop()
        else:
            connection = Connection(self.host, self.port)
            self.connections += 1
        auth = {"Authorization": f"Bearer {table['token']}"}
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                await self.menu_and_order(connection, table, auth, record)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            record["answered"] = time.perf_counter()
            record["status"] = ("" if "sent" in record else "menu GET: ") + type(error).__name__
            connection.close()
        idle.append(connection)

    async def menu_and_order(self, connection, table, auth, record):
        menu_headers = {**auth, "If-None-Match": table["etag"]} if table.get("etag") else auth
        status, _body = await self.request(connection, "GET", "/api/v1/menu", headers=menu_headers, parse=False)
        record["menu_ms"] = (time.perf_counter() - record["started"]) * 1000
        record["menu_status"] = status
        if status == 200:
            table["etag"] = connection.response_headers.get("etag")
        items = self.rng.sample(table["menu_item_ids"], self.rng.randint(1, 3))
        body = {"items": [{"menu_item_id": item, "quantity": self.rng.randint(1, 2)} for item in items]}
        record["sent"] = time.perf_counter()
        status, answer = await self.request(
            connection, "POST", "/api/v1/orders", body, {**auth, "Idempotency-Key": uuid.uuid4().hex}
        )
        record["answered"] = time.perf_counter()
        record["status"] = status
        if status == 201:
            record["id"] = answer["id"]

    async def drive(self, rate, start, until):
        for at in poisson_arrivals(rate, start, until, self.rng):
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self.place(self.rng.choice(self.tables), at)

    async def close(self):
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for table in self.tables:
            for connection in table.get("idle", ()):
                connection.close()


def ms(seconds_list):
    return {key: round(value * 1000, 1) for key, value in percentiles(seconds_list).items()}


def counted(values):
    counts = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def deliveries(orders, dashboards, tablets):
    """Tap → dashboard and tap → tablet (seconds) of the orders answered 201, and how many of them
    never reached their dashboard, their tablet, either (lost)."""
    to_dashboard, to_tablet, missing_dashboard, missing_tablet, lost = [], [], 0, 0, 0
    for order in orders:
        table = order["table"]
        dashboard = dashboards[table["store"]].arrivals.get(order["id"])
        tablet = tablets[table["index"]].arrivals.get(order["id"])
        if dashboard is None:
            missing_dashboard += 1
        else:
            to_dashboard.append(dashboard - order["sent"])
        if tablet is None:
            missing_tablet += 1
        else:
            to_tablet.append(tablet - order["sent"])
        lost += dashboard is None or tablet is None
    return to_dashboard, to_tablet, missing_dashboard, missing_tablet, lost


def misdelivered(orders, dashboards, tablets):
    """Order events a stream received that belong to another store's dashboard or another table."""
    owner = {order["id"]: order["table"] for order in orders if order.get("id") is not None}
    wrong = 0
    for store, stream in enumerate(dashboards):
        wrong += sum(1 for order_id in stream.arrivals if order_id in owner and owner[order_id]["store"] != store)
    for index, stream in enumerate(tablets):
        wrong += sum(1 for order_id in stream.arrivals if order_id in owner and owner[order_id]["index"] != index)
    return wrong


def window_results(placed, dashboards, tablets, start, end):
    """Orders scheduled in [start, end): rate, latencies, errors, deliveries."""
    orders = [order for order in placed if start <= order["scheduled"] < end]
    answered = [order for order in orders if order.get("status") == 201]
    to_dashboard, to_tablet, missing_dashboard, missing_tablet, lost = deliveries(answered, dashboards, tablets)
    lag = [order["started"] - order["scheduled"] for order in orders]
    menu_statuses = counted(order.get("menu_status") for order in orders if "menu_status" in order)
    return {
        "seconds": round(end - start, 2),
        "orders_sent": len(orders),
        "orders": len(answered),
        "orders_per_second": round(len(answered) / (end - start), 1),
        "menu_ms": ms([order["menu_ms"] / 1000 for order in orders if "menu_ms" in order]),
        "menu_statuses": {str(key): count for key, count in menu_statuses.items()},
        "post_ms": ms([o["answered"] - o["sent"] for o in orders if "sent" in o and isinstance(o["status"], int)]),
        "post_errors": {
            (f"HTTP {status}" if isinstance(status, int) else status): count
            for status, count in counted(order["status"] for order in orders if order.get("status") != 201).items()
        },
        "tap_to_dashboard_ms": ms(to_dashboard),
        "tap_to_tablet_ms": ms(to_tablet),
        "missing_on_dashboard": missing_dashboard,
        "missing_on_tablet": missing_tablet,
        "lost": lost,
        "client_lag_ms": ms(lag),
    }


async def watch_loop(stalls):
    """Note how late each POLL_SECONDS sleep of this event loop wakes up: the client's own delay."""
    while True:
        asleep = time.perf_counter()
        await asyncio.sleep(POLL_SECONDS)
        stalls.append((asleep, time.perf_counter() - asleep - POLL_SECONDS))


async def watch_workers(base_url, hup, until, seen):
    """Poll the master's workers from the reload on: when new ones appeared, when the old exited."""
    old = set(seen["old_pids"])
    while time.perf_counter() < until:
        pids = set(base_url.worker_pids())
        now = time.perf_counter() - hup
        new = pids - old
        if new and seen["first_new_s"] is None:
            seen["first_new_s"] = round(now, 2)
        if len(new) >= len(old) and seen["all_new_s"] is None:
            seen["all_new_s"] = round(now, 2)
        if not pids & old and seen["old_exited_s"] is None:
            seen["old_exited_s"] = round(now, 2)
        if seen["all_new_s"] is not None and seen["old_exited_s"] is not None:
            return
        await asyncio.sleep(POLL_SECONDS)


def deploy_results(placed, client, dashboards, tablets, hup, end, slowest):
    """The reload's window: the window's order figures, stream gaps, when everything was back.

    Caught up is the last arrival (after the HUP) of an order of the window that reached its
    dashboard or tablet later after its POST than any steady-state order did (`slowest`, s).
    """
    results = window_results(placed, dashboards, tablets, hup, end)
    drops = [drop for stream in client.streams for drop in stream.drops if drop[0] >= hup]
    gaps = [reopened - dropped for dropped, reopened in drops if reopened is not None]
    back = [reopened for _dropped, reopened in drops if reopened is not None]
    not_back_at_end = sum(1 for dropped, reopened in drops if dropped < end and (reopened is None or reopened > end))
    late = [hup]
    for order in placed:
        if hup <= order["scheduled"] < end and order.get("status") == 201:
            table = order["table"]
            for stream in (dashboards[table["store"]], tablets[table["index"]]):
                arrived = stream.arrivals.get(order["id"])
                if arrived is not None and arrived - order["sent"] > slowest:
                    late.append(arrived)
    errors = [kind for at, kind in client.open_errors if at >= hup]
    results.update(
        {
            "streams_dropped": len(drops),
            "stream_gap_ms": ms(gaps),
            "all_back_s": round(max(back) - hup, 2) if back and len(back) == len(drops) else None,
            "not_back_at_window_end": not_back_at_end,
            "open_errors": counted(errors),
            "caught_up_s": None if results["lost"] else round(max(late) - hup, 2),
            "duplicates": sum(1 for at in client.duplicates if at >= hup),
        }
    )
    return results


async def measure(base_url, seeded, args):
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    meter = ServerMeter(base_url, args.database_url)
    client = Client(host, port, args.open_concurrency)
    dashboards, tablets, tables = [], [], []
    for store_index, store in enumerate(seeded):
        dashboards.append(client.add("/api/v1/admin/stream", store["manager_token"]))
        for table in store["tables"]:
            index = len(tables)
            tablets.append(client.add("/api/v1/orders/stream", table["token"]))
            tables.append(
                {"store": store_index, "index": index, "token": table["token"], "menu_item_ids": store["menu_item_ids"]}
            )

    cpu_before = await asyncio.to_thread(meter.snapshot)
    opening_started = time.perf_counter()
    for stream in client.streams:
        client.start(stream)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(client.all_opened.wait(), OPENING_LIMIT)
    opening_seconds = time.perf_counter() - opening_started
    opening_cpu = meter.spent(cpu_before, await asyncio.to_thread(meter.snapshot))
    opening = {
        "streams": len(client.streams),
        "opened": client.opened,
        "seconds": round(opening_seconds, 2),
        "opens_per_second": round(client.opened / opening_seconds, 1),
        "errors": counted(kind for _at, kind in client.open_errors),
        "retries": len(client.open_errors),
        "cpu": opening_cpu,
        "cpu_per_open": cpu_per(opening_cpu, client.opened),
    }

    rng = random.Random()
    orders = Orders(host, port, tables, rng)
    rate = len(tables) * args.orders_per_table_per_minute / 60
    started = time.perf_counter()
    measured_from = started + args.warmup
    until = measured_from + args.duration
    load_until = until + (args.deploy_window if args.deploy else 0)
    driver = asyncio.get_running_loop().create_task(orders.drive(rate, started, load_until))
    stalls = []
    loop_watch = asyncio.get_running_loop().create_task(watch_loop(stalls))

    await asyncio.sleep(max(0.0, measured_from - time.perf_counter()))
    reconnects_before = client.reconnects
    steady_before = await asyncio.to_thread(meter.snapshot)
    await asyncio.sleep(max(0.0, until - time.perf_counter()))
    steady_cpu = meter.spent(steady_before, await asyncio.to_thread(meter.snapshot))
    steady_reconnects = client.reconnects - reconnects_before

    workers = None
    hup = until
    if args.deploy:
        workers = {"old_pids": base_url.worker_pids(), "first_new_s": None, "all_new_s": None, "old_exited_s": None}
        hup = time.perf_counter()
        os.kill(base_url.pid, signal.SIGHUP)
        watcher = asyncio.get_running_loop().create_task(watch_workers(base_url, hup, load_until + args.grace, workers))
    await driver
    loop_watch.cancel()
    await orders.close()

    answered = [order for order in orders.placed if order.get("status") == 201 and order["scheduled"] >= measured_from]
    grace_until = time.perf_counter() + args.grace
    while time.perf_counter() < grace_until and deliveries(answered, dashboards, tablets)[4]:
        await asyncio.sleep(0.1)
    if args.deploy:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    await client.close()

    steady = window_results(orders.placed, dashboards, tablets, measured_from, hup)
    steady.update(
        {
            "cpu": steady_cpu,
            "cpu_per_order": cpu_per(steady_cpu, steady["orders"]),
            "stream_drops": steady_reconnects,
            "loop_stall_ms": ms([late for at, late in stalls if measured_from <= at < hup]),
            "duplicates": sum(1 for at in client.duplicates if measured_from <= at < hup),
        }
    )
    results = {
        "stores": args.stores,
        "tables_per_store": args.tables,
        "workers": args.workers,
        "orders_per_second_asked": round(rate, 1),
        "opening": opening,
        "steady": steady,
        "order_connections": orders.connections,
        "stale_connection_retries": orders.stale_retries,
        "out_of_order": client.out_of_order,
        "misdelivered": misdelivered(orders.placed, dashboards, tablets),
    }
    if args.deploy:
        slowest = max(steady["tap_to_dashboard_ms"].get("max", 0), steady["tap_to_tablet_ms"].get("max", 0)) / 1000
        deploy = deploy_results(orders.placed, client, dashboards, tablets, hup, load_until, slowest)
        deploy["loop_stall_ms"] = ms([late for at, late in stalls if at >= hup])
        deploy["workers"] = {key: value for key, value in workers.items() if key != "old_pids"}
        results["deploy"] = deploy
    return results


def run(args, *, root=ROOT):
    """Start a server from `root`, seed the stores, measure: the results (see measure)."""
    streams = args.stores * (args.tables + 1)
    # Every stream, and a tablet's connection for its orders.
    raise_open_files_limit(2 * streams + 2048)
    with running_server(database_url=args.database_url, workers=args.workers, root=root) as base_url:
        seeding_started = time.perf_counter()
        seeded = seed_stores(args.database_url, prefix=PREFIX, stores=args.stores, tables=args.tables, root=root)
        seeding_seconds = time.perf_counter() - seeding_started
        results = run_loop(measure(base_url, seeded, args))
    results["seed_seconds"] = round(seeding_seconds, 1)
    results["deployed"] = args.deploy
    return results


def run_loop(coroutine):
    """asyncio.run on uvloop's event loop when it is installed, with the garbage collector off.

    A full collection over every stream, connection and order of a 500-store run stops the
    loop for as long as it takes, which the run would measure as the server's latency; the
    few reference cycles a run leaves wait until it ends.
    """
    gc.freeze()
    gc.disable()
    try:
        try:
            import uvloop
        except ImportError:
            return asyncio.run(coroutine)
        return uvloop.run(coroutine)
    finally:
        gc.enable()
        gc.unfreeze()


def _line(stats, keys=("p50", "p99", "max")):
    return "  ".join(f"{key} {stats[key]} ms" for key in keys if key in stats) or "none"


def _kinds(kinds):
    return ", ".join(f"{count}× {kind}" for kind, count in kinds.items()) or "none"


def _cores(cpu):
    seconds = cpu["seconds"] or 1
    return (
        f"app {cpu['workers_cpu_s'] / seconds:.2f}, PostgreSQL {cpu['postgres_cpu_s'] / seconds:.2f}, "
        f"client {cpu['client_cpu_s'] / seconds:.2f} cores"
    )


def window_lines(window):
    return [
        f"orders/second            {window['orders_per_second']}  ({window['orders']} answered 201 of "
        f"{window['orders_sent']} sent; POST errors: {_kinds(window['post_errors'])})",
        f"menu GET                 {_line(window['menu_ms'])}  (statuses {_kinds(window['menu_statuses'])})",
        f"order POST               {_line(window['post_ms'])}",
        f"tap → dashboard          {_line(window['tap_to_dashboard_ms'])}",
        f"tap → tablet             {_line(window['tap_to_tablet_ms'])}",
        f"lost                     {window['lost']}  (not on the dashboard {window['missing_on_dashboard']}, "
        f"not on the tablet {window['missing_on_tablet']}); duplicated {window['duplicates']}",
        f"client lateness          {_line(window['client_lag_ms'], ('p50', 'p99'))}  (order task start after "
        f"its Poisson time); event loop stalls {_line(window['loop_stall_ms'], ('p50', 'p99', 'max'))}",
    ]


def report(results):
    opening, steady = results["opening"], results["steady"]
    open_cpu = opening["cpu_per_open"]
    steady_cpu = steady["cpu_per_order"]
    lines = [
        f"== friday: {results['stores']} stores × {results['tables_per_store']} tables, "
        f"{opening['streams']} streams, {results['orders_per_second_asked']} orders/s asked, "
        f"{results['workers']} workers (seeded in {results['seed_seconds']} s)",
        f"-- opening: {opening['opened']}/{opening['streams']} streams open in {opening['seconds']} s "
        f"({opening['opens_per_second']} opens/s)",
        f"connection errors        {_kinds(opening['errors'])}  ({opening['retries']} retries)",
        f"CPU per open             app {open_cpu['workers_ms']} ms, PostgreSQL {open_cpu['postgres_ms']} ms, "
        f"client {open_cpu['client_ms']} ms  ({_cores(opening['cpu'])})",
        f"-- steady state: {steady['seconds']} s measured",
        *window_lines(steady),
        f"CPU                      {_cores(steady['cpu'])}; app + PostgreSQL "
        f"{_sum_ms(steady_cpu)} ms per order (client {steady_cpu['client_ms']} ms)",
        f"streams dropped          {steady['stream_drops']}; out of order {results['out_of_order']}, misdelivered "
        f"{results['misdelivered']} (whole run); {results['order_connections']} order connections, "
        f"{results['stale_connection_retries']} requests retried on a closed keep-alive connection",
    ]
    if "deploy" in results:
        deploy = results["deploy"]
        workers = deploy["workers"]
        lines += [
            f"-- deploy (SIGHUP to the master): {deploy['seconds']} s window",
            f"workers                  new ones from {_after(workers['first_new_s'])}, all new at "
            f"{_after(workers['all_new_s'])}, old ones gone at {_after(workers['old_exited_s'])} the HUP",
            f"streams                  {deploy['streams_dropped']} dropped; gap {_line(deploy['stream_gap_ms'])}; "
            f"all back at {_after(deploy['all_back_s'])} the HUP; {deploy['not_back_at_window_end']} not back at "
            f"the window's end",
            f"caught up                at {_after(deploy['caught_up_s'])} the HUP (the last arrival slower than the "
            f"steady state's slowest); stream open errors {_kinds(deploy['open_errors'])}",
            *window_lines(deploy),
        ]
    return "\n".join(lines)


def _after(seconds):
    return "(not within the run) after" if seconds is None else f"{seconds} s after"


def _sum_ms(cpu):
    if cpu["workers_ms"] is None:
        return None
    return round(cpu["workers_ms"] + cpu["postgres_ms"], 2)


def targets(results):
    opening, steady = results["opening"], results["steady"]
    checked = [
        Target("steady tap → dashboard p99", steady["tap_to_dashboard_ms"].get("p99"), TARGET_DASHBOARD_P99_MS, " ms"),
        Target("steady tap → dashboard max", steady["tap_to_dashboard_ms"].get("max"), TARGET_DASHBOARD_MAX_MS, " ms"),
        Target("steady order POST p99", steady["post_ms"].get("p99"), TARGET_POST_P99_MS, " ms"),
        Target(
            "stream opens per second",
            opening["opens_per_second"] if opening["opened"] == opening["streams"] else None,
            TARGET_OPENS_PER_SECOND,
            at_least=True,
        ),
        Target("connection resets while opening", opening["errors"].get("reset", 0), 0),
        Target("steady lost", steady["lost"], 0),
        Target("steady duplicated", steady["duplicates"], 0),
    ]
    if "deploy" in results:
        deploy = results["deploy"]
        checked += [
            Target("deploy: every stream back after the HUP", deploy["all_back_s"], TARGET_BACK_SECONDS, " s"),
            Target("deploy: order POST p99", deploy["post_ms"].get("p99"), TARGET_DEPLOY_POST_P99_MS, " ms"),
            Target("deploy: lost", deploy["lost"], 0),
            Target("deploy: duplicated", deploy["duplicates"], 0),
        ]
    return checked


def worked(results):
    return results["opening"]["opened"] == results["opening"]["streams"]


def main(argv=None):
    return run_scenario("friday", parse_args(argv or []), run=run, report=report, targets=targets, worked=worked)
