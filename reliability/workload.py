"""A reliability run: a production-like server, seeded stores, the clients of `load`, the checks.

    with serving(database_url) as base_url:
        seeded = seed_stores(database_url, stores=3, tables=6)
        findings = run_coroutine(run_load(base_url, database_url, seeded, during=...))

The server is `bench.server.running_server` (gunicorn with deploy/gunicorn.conf.py and
uvicorn workers); the stores are `bench.seed`'s, whose managers and tablets get their tokens
minted, not by logging in (no bcrypt cost on the server, no lockout).
"""

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

from bench import server as bench_server
from reliability.invariants import Snapshot, check_run
from reliability.load import Manager, Run, Tablet
from reliability.streams import StreamRecorder, streams_caught_up


def run_coroutine(coroutine):
    """`asyncio.run` on a thread of its own: the caller may already be inside an event loop
    (a test process where Playwright's sync API left one running)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


# The run's tablets order far faster than guests do: the per-table limits would answer 429.
# Stream caps stay as in production (one stream per tablet, one per manager here).
SERVER_ENV = {"TABLE_ORDER_LIMIT": "100000", "TABLE_STAFF_CALL_LIMIT": "100000", "LOG_LEVEL": "WARNING"}
STREAMS_OPEN_TIMEOUT = 30.0
DRAIN_TIMEOUT = 30.0


@contextlib.contextmanager
def serving(database_url, *, workers=2, env=None, log_path=None):
    """Migrate and start the server (see bench.server.running_server); yields its URL."""
    with bench_server.running_server(
        database_url=database_url, workers=workers, env={**SERVER_ENV, **(env or {})}, log_path=log_path
    ) as base_url:
        yield base_url


def seed_stores(database_url, *, stores, tables, prefix="soak"):
    """(Re)make the run's stores, with a token for each manager and table (bench.seed --stores)."""
    return bench_server.seed_stores(database_url, prefix=prefix, stores=stores, tables=tables, env=SERVER_ENV)


async def run_load(base_url, database_url, seeded, *, during, managers_per_store=2, seed=None):
    """Open every stream, start every client, await `during(run)`, then stop, drain and check.

    `during` is a coroutine function: the soak sleeps; the fault run breaks things. Returns
    (Findings, Run).
    """
    run = Run(base_url, seed=seed)
    for store in seeded:
        store_id = store["store_id"]
        run.streams.append(StreamRecorder(run, "/api/v1/admin/stream", store["manager_token"], store_id=store_id))
        for table in store["tables"]:
            run.streams.append(
                StreamRecorder(run, "/api/v1/orders/stream", table["token"], store_id=store_id, table_id=table["id"])
            )
            run.tablets.append(Tablet(run, store, table))
        run.managers += [Manager(run, store, index) for index in range(1, managers_per_store + 1)]
    store_ids = [store["store_id"] for store in seeded]
    stream_tasks = [asyncio.create_task(stream.loop()) for stream in run.streams]
    try:
        await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in run.streams)), STREAMS_OPEN_TIMEOUT)
        client_tasks = [asyncio.create_task(client.loop()) for client in run.tablets + run.managers]
        started = time.monotonic()
        try:
            await during(run)
        finally:
            run.stopping.set()
            # Orders under way finish their retries: an answer is owed for each.
            await asyncio.gather(*client_tasks)
        load_seconds = round(time.monotonic() - started, 1)
        await _drain(database_url, store_ids, run.streams)
        final_tables = await _final_tables(run, seeded)
    finally:
        for task in stream_tasks:
            task.cancel()
        await asyncio.gather(*stream_tasks, return_exceptions=True)
        await run.aclose()
    findings = await asyncio.to_thread(check_run, database_url, store_ids, run.ledger, run.streams, final_tables)
    findings.figures["load seconds"] = load_seconds
    findings.figures.update(ledger_figures(run.ledger))
    return findings, run


async def _drain(database_url, store_ids, streams):
    """Wait until every stream has delivered everything it must (or DRAIN_TIMEOUT passes)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while time.monotonic() < deadline:
        snapshot = await asyncio.to_thread(Snapshot.read, database_url, store_ids)
        if streams_caught_up(snapshot, streams):
            return
        await asyncio.sleep(0.5)


async def _final_tables(run, seeded):
    """Every store's floor as GET admin/tables shows it once the load has stopped."""
    tables = []
    for store in seeded:
        status, body, _headers = await run.request(
            "checker", "final floor", "GET", "/api/v1/admin/tables?page_size=100", store["manager_token"]
        )
        if status != 200:
            raise RuntimeError(f"GET admin/tables answered {status} at the end of the run")
        tables += body["results"]
    return tables


def ledger_figures(ledger):
    return {
        "operations attempted": sum(ledger.attempted.values()),
        "operations by kind": dict(ledger.attempted),
        "http requests": len(ledger.requests),
        "network errors": ledger.network_errors(),
        "5xx answers": ledger.server_errors(),
        "5xx other than 503 with the error shape": len(ledger.bad_server_errors),
        "orders answered after a retry": ledger.answered_after_retry,
        "replayed answers": dict(ledger.replayed),
        "answers": dict(sorted(ledger.outcomes.items())),
    }


def report_lines(title, findings):
    """A short human report of a run's figures and broken rules."""
    figures = findings.figures
    lines = [title]
    for name in (
        "operations attempted",
        "http requests",
        "orders acknowledged",
        "orders found",
        "orders in the database",
        "duplicates",
        "orders given up",
        "events",
        "streams",
        "stream connections",
        "events delivered",
        "lost events",
        "events delivered twice",
        "network errors",
        "5xx answers",
        "5xx other than 503 with the error shape",
    ):
        lines.append(f"  {name}: {figures.get(name)}")
    lines.append(f"  operations by kind: {figures.get('operations by kind')}")
    if findings.violations:
        lines.append("  BROKEN RULES:")
        for rule, count in sorted(findings.violations.items()):
            lines.append(f"    {rule}: {count}  e.g. {findings.examples[rule][:2]}")
    else:
        lines.append("  every rule held")
    return lines
