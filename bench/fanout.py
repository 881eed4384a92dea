"""Fan-out: one worker holds many idle dashboard streams; how much memory, how fast to all.

    python -m bench fanout [--streams 1000] [--events 5] [--no-targets]

Starts the app like production but with a single uvicorn worker, opens `streams` admin
streams to it, and reads the worker's resident memory before and after (memory per
connection). Then places `events` orders, one at a time, and times each from the moment
its POST was sent until the event had reached every stream, with the worker's CPU for the
order and its delivery to all of them (bench/meter.py). Last, it opens more streams until the
worker refuses one, which it must do with a 503 (orders/stream_capacity.py): the streams one
worker holds under production's open-files limit, LimitNOFILE of the systemd unit, which the
server runs under (bench/server.py). Targets: ≤ 40 KiB per idle stream, every stream reached
within 200 ms at the worst, none lost, at least `streams` held under the limit and the one
past them refused with a 503, not dropped.
"""

import argparse
import asyncio
import resource
import statistics
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench import percentiles, run_scenario
from bench.meter import ServerMeter
from bench.rawhttp import Connection, RawStream, StreamError, frame_fields
from bench.realtime import log_in
from bench.server import DEFAULT_DATABASE_URL, ROOT, production_open_files_limit, running_server, seed_store
from bench.targets import Target, add_targets_argument

TARGET_MS = 200
TARGET_KIB_PER_STREAM = 40


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5, help="orders placed one after another")
    parser.add_argument("--connect-concurrency", type=int, default=100, help="streams opened at once")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    if args.streams < 2 or args.events < 1:
        parser.error("--streams must be at least 2 and --events at least 1")
    return args


def process_status(pid):
    """{"rss_kib", "threads"} of a process, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"rss_kib": int(fields["VmRSS"].split()[0]), "threads": int(fields["Threads"])}


def raise_open_files_limit(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(needed, hard), hard))


async def fill_to_capacity(host, port, headers, *, batch=50):
    """Open streams until the server refuses one: (streams opened, the refusal's HTTP status or
    the error that ended a stream's opening instead); the opened streams are closed again."""
    opened, refusal = [], None
    while refusal is None:
        streams = [RawStream(host, port, "/api/v1/admin/stream", headers) for _ in range(batch)]
        outcomes = await asyncio.gather(*(stream.open(timeout=30) for stream in streams), return_exceptions=True)
        for stream, outcome in zip(streams, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                stream.close()
                if refusal is None:
                    status = str(outcome).rsplit("HTTP ", 1)[-1] if isinstance(outcome, StreamError) else None
                    refusal = int(status) if status and status.isdigit() else repr(outcome)
            else:
                opened.append(stream)
    for stream in opened:
        stream.close()
    return len(opened), refusal


class Listener:
    """Reads one stream and notes when each order's event arrived."""

    def __init__(self, stream, arrivals):
        self.stream = stream
        self.arrivals = arrivals
        self.opened = asyncio.Event()

    async def run(self):
        async for arrived, _wall, frame in self.stream.frames():
            _event_id, event_type, order_id = frame_fields(frame)
            if event_type == "stream.open":
                self.opened.set()
            elif event_type == "order.created":
                self.arrivals.setdefault(order_id, []).append(arrived)


async def measure(base_url, worker_pid, seeded, args, meter):
    host, port = urlsplit(base_url).hostname, urlsplit(base_url).port
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        manager_token, (tablet_token, *_rest) = await log_in(client, seeded)
    headers = {"Authorization": f"Bearer {manager_token}"}
    arrivals, listeners, tasks = {}, [], []

    async def open_stream():
        stream = await RawStream(host, port, "/api/v1/admin/stream", headers).open(timeout=60)
        listener = Listener(stream, arrivals)
        listeners.append(listener)
        tasks.append(asyncio.create_task(listener.run()))
        await asyncio.wait_for(listener.opened.wait(), 60)

    # One stream first: it starts the worker's listener and warms imports and the pool.
    await open_stream()
    await asyncio.sleep(1)
    before = process_status(worker_pid)
    opening_started = time.perf_counter()
    semaphore = asyncio.Semaphore(args.connect_concurrency)

    async def open_limited():
        async with semaphore:
            await open_stream()

    await asyncio.gather(*(open_limited() for _ in range(args.streams - 1)))
    opening_seconds = time.perf_counter() - opening_started
    await asyncio.sleep(2)
    after = process_status(worker_pid)

    tablet = Connection(host, port, {"Authorization": f"Bearer {tablet_token}"})
    item = seeded["menu_item_ids"][0]
    rounds, undelivered = [], 0
    for _ in range(args.events):
        cpu_before = await asyncio.to_thread(meter.snapshot)
        sent = time.perf_counter()
        status, body = await tablet.request(
            "POST",
            "/api/v1/orders",
            {"items": [{"menu_item_id": item, "quantity": 1}]},
            {"Idempotency-Key": uuid.uuid4().hex},
        )
        answered = time.perf_counter()
        if status != 201:
            raise RuntimeError(f"order failed: HTTP {status} {body}")
        deadline = time.perf_counter() + 10
        while len(arrivals.get(body["id"], ())) < len(listeners) and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        got = arrivals.get(body["id"], [])
        cpu = meter.spent(cpu_before, await asyncio.to_thread(meter.snapshot))
        undelivered += len(listeners) - len(got)
        rounds.append(
            {
                "post_ms": round((answered - sent) * 1000, 1),
                "first_ms": round((min(got) - sent) * 1000, 1) if got else None,
                "median_ms": round((statistics.median(got) - sent) * 1000, 1) if got else None,
                "all_ms": round((max(got) - sent) * 1000, 1) if got else None,
                "delivered": len(got),
                "worker_cpu_ms": round(1000 * cpu["workers_cpu_s"], 1),
            }
        )
        await asyncio.sleep(0.3)
    tablet.close()
    more, refusal = await fill_to_capacity(host, port, headers)
    for listener in listeners:
        listener.stream.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    held = len(listeners)
    all_ms = [r["all_ms"] for r in rounds if r["all_ms"] is not None]
    return {
        "streams": held,
        "workers": 1,
        "open_seconds": round(opening_seconds, 2),
        "worker_rss_before_kib": before["rss_kib"],
        "worker_rss_after_kib": after["rss_kib"],
        "memory_per_connection_kib": round((after["rss_kib"] - before["rss_kib"]) / (held - 1), 1),
        "worker_threads_before": before["threads"],
        "worker_threads_after": after["threads"],
        "rounds": rounds,
        "time_to_all_ms": percentiles(all_ms, points=(50,)),
        "worker_cpu_ms_per_event": percentiles([r["worker_cpu_ms"] for r in rounds], points=(50,)),
        "undelivered": undelivered,
        "open_files_limit": production_open_files_limit(),
        "streams_at_limit": len(listeners) + more,
        "refusal_status": refusal,
    }


def report(results):
    lines = [
        f"== fanout: {results['streams']} idle streams on one worker (opened in {results['open_seconds']} s)",
        f"worker memory            {results['worker_rss_before_kib'] / 1024:.1f} MiB → "
        f"{results['worker_rss_after_kib'] / 1024:.1f} MiB: {results['memory_per_connection_kib']} KiB per connection",
        f"worker threads           {results['worker_threads_before']} → {results['worker_threads_after']}",
    ]
    for index, r in enumerate(results["rounds"], start=1):
        lines.append(
            f"event {index}: POST {r['post_ms']} ms; reached first {r['first_ms']} ms, half {r['median_ms']} ms, "
            f"all {r['all_ms']} ms after the POST was sent ({r['delivered']}/{results['streams']}); "
            f"worker CPU {r['worker_cpu_ms']} ms"
        )
    lines.append(
        f"time to all streams      median {results['time_to_all_ms'].get('p50')} ms, "
        f"worst {results['time_to_all_ms'].get('max')} ms; undelivered {results['undelivered']}"
    )
    lines.append(
        f"under LimitNOFILE={results['open_files_limit']} one worker held {results['streams_at_limit']} streams; "
        f"the next was refused: {results['refusal_status']}"
    )
    return "\n".join(lines)


def targets(results):
    return [
        Target("memory per idle stream", results["memory_per_connection_kib"], TARGET_KIB_PER_STREAM, " KiB"),
        Target(
            f"one event to all {results['streams']} streams, worst",
            results["time_to_all_ms"].get("max"),
            TARGET_MS,
            " ms",
        ),
        Target("undelivered, fan-out", results["undelivered"], 0),
        Target(
            f"streams one worker holds under LimitNOFILE={results['open_files_limit']}",
            results["streams_at_limit"],
            results["streams"],
            at_least=True,
        ),
        Target("the stream past them refused with a 503", 0 if results["refusal_status"] == 503 else 1, 0),
    ]


def run(args, *, root=ROOT):
    """Start a one-worker server from `root`, seed, measure: the results (see measure)."""
    # This process's own limit (a client of every stream); the server runs under production's.
    raise_open_files_limit(2 * max(args.streams, production_open_files_limit()) + 256)
    with running_server(database_url=args.database_url, workers=1, root=root) as base_url:
        seeded = seed_store(args.database_url, tables=1, root=root)
        (worker_pid,) = base_url.worker_pids()
        return asyncio.run(measure(base_url, worker_pid, seeded, args, ServerMeter(base_url, args.database_url)))


def main(argv=None):
    return run_scenario("fanout", parse_args(argv or []), run=run, report=report, targets=targets)
