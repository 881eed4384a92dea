"""Faults under load: kill -9 each server worker, then take PostgreSQL down and bring it back.

    python -m reliability faults [--warmup 5] [--down 8] [--settle 10] [--stores 3] [--tables 6]

Runs on a private PostgreSQL server made for the run (`reliability.postgres`), never on a
shared one: it is stopped and started under load, and removed at the end. The app runs like
production (gunicorn, 2 uvicorn workers) with the clients of `reliability.load` working while:

1. each worker is killed with SIGKILL in turn: gunicorn starts another; requests it was
   serving fail with a network error and are retried (orders with the same Idempotency-Key);
   its streams reconnect with Last-Event-ID to whichever worker accepts them;
2. PostgreSQL stops (fast shutdown, so open transactions roll back) for `--down` seconds and
   starts again: meanwhile the app answers 503 with the error shape (a request waits
   DB_POOL_TIMEOUT, 2 s here, for a connection first), then recovers by itself.

Then every rule of `reliability.invariants` is checked. Figures per fault, in seconds from
the kill or from the database accepting connections again: failed requests (network errors,
503s, other 5xx), when the last failure ended, when every affected client had succeeded
again, the first order acknowledged, the streams cut and their longest reconnection; after
the outage, health checks on new connections. Exits 1 if a rule broke or a fault went unseen.
"""

import argparse
import asyncio
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

from reliability.postgres import PrivatePostgres
from reliability.workload import report_lines, run_coroutine, run_load, seed_stores, serving

# How long a request waits for a pooled connection before its 503 (production default 10 s).
FAULT_ENV = {"DB_POOL_TIMEOUT": "2"}
RESPAWN_TIMEOUT = 30.0
RECONNECT_TIMEOUT = 30.0
# A kill follows a rush of orders by this much: long enough for them to reach the workers.
RUSH_HEAD_START = 0.03
HEALTH_CHECKS = 16


async def kill_worker(base_url, victim):
    """SIGKILL one worker; returns (the moment, seconds until gunicorn had replaced it)."""
    workers = base_url.worker_pids()
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    while time.monotonic() - killed_at < RESPAWN_TIMEOUT:
        now = base_url.worker_pids()
        if victim not in now and len(now) == len(workers):
            return killed_at, time.monotonic() - killed_at
        await asyncio.sleep(0.05)
    raise RuntimeError(f"gunicorn did not replace worker {victim} within {RESPAWN_TIMEOUT:.0f} s")


async def database_outage(pg, down_seconds):
    """Stop PostgreSQL (fast), keep it down, start it; returns (stopped at, accepting again at)."""
    stopped_at = time.monotonic()
    await asyncio.to_thread(pg.stop)
    await asyncio.sleep(down_seconds)
    await asyncio.to_thread(pg.start)
    return stopped_at, time.monotonic()


def fault_figures(ledger, streams, windows):
    """What clients saw of a fault over `windows`, [(start, end, the fault's moment)]: requests
    that ended within [start, end) and streams cut then, with times from that moment."""
    figures = Counter()
    latest = {"last failure ended after s": [], "every affected client succeeded again after s": []}
    latest["first order acknowledged after s"], reconnects = [], []
    for start, end, moment in windows:
        window = [r for r in ledger.requests if start <= r.ended < end]
        failures = [r for r in window if r.failed]
        failed_until = {}
        for request in failures:
            failed_until[request.client] = max(failed_until.get(request.client, start), request.ended)
        figures["requests"] += len(window)
        figures["network errors"] += sum(1 for r in failures if not r.outcome.isdigit())
        figures["503 answers"] += sum(1 for r in failures if r.outcome == "503")
        figures["other 5xx answers"] += sum(1 for r in failures if r.outcome.isdigit() and r.outcome != "503")
        figures["clients affected"] += len(failed_until)
        latest["last failure ended after s"].append(max(failed_until.values(), default=moment) - moment)
        for client, until in failed_until.items():
            later = [r.ended for r in ledger.requests if r.client == client and not r.failed and r.started >= until]
            latest["every affected client succeeded again after s"].append(min(later, default=float("inf")) - moment)
        orders = [r.ended for r in window if r.operation == "order" and r.outcome == "201" and r.ended >= moment]
        latest["first order acknowledged after s"].append(min(orders, default=float("inf")) - moment)
        for stream in streams:
            for dropped in (d for d in stream.drops if start <= d < end):
                reopened = [seg.opened for seg in stream.segments if seg.opened > dropped]
                reconnects.append(min(reopened, default=float("inf")) - dropped)
    return {
        **figures,
        **{name: _seconds(max(values, default=0.0)) for name, values in latest.items()},
        "streams cut": len(reconnects),
        "longest stream reconnect s": _seconds(max(reconnects, default=0.0)),
    }


async def _health_checks(base_url, count=HEALTH_CHECKS):
    """{status: count} of GET /healthz, each on a new connection (so on any worker), as a load balancer checks."""
    statuses = Counter()
    for _ in range(count):
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
            statuses[(await client.get("/healthz")).status_code] += 1
    return dict(statuses)


async def _all_connected(streams, timeout=RECONNECT_TIMEOUT):
    """Wait until every stream is connected (or `timeout` passes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(stream.connected for stream in streams):
        await asyncio.sleep(0.05)


def _seconds(value):
    return round(value, 2) if value != float("inf") else None


async def break_things(base_url, pg, run, *, warmup, down_seconds, settle, figures):
    """The fault schedule, run while the clients work; fills `figures`.

    Every worker that served the warm-up is killed in turn (so every stream opened then is
    cut), `settle` / 2 apart, each just after every tablet sent one more order at once, so
    that some are under way on the worker that dies. Once every stream is open again, the
    database goes down and comes back, and every tablet orders at once again.
    """
    await asyncio.sleep(warmup)
    kills, respawns = [], []
    for victim in base_url.worker_pids():
        rush = [asyncio.create_task(tablet.place_order()) for tablet in run.tablets]
        await asyncio.sleep(RUSH_HEAD_START)
        killed_at, respawned = await kill_worker(base_url, victim)
        kills.append(killed_at)
        respawns.append(round(respawned, 2))
        await asyncio.gather(*rush)
        await asyncio.sleep(settle / 2)
    await _all_connected(run.streams)
    stopped_at, up_at = await database_outage(pg, down_seconds)
    # Orders at once, likely before each worker's event listener is back (its back-off grows
    # to 5 s during an outage): open streams get those events only from its catch-up.
    await asyncio.gather(*(tablet.place_order() for tablet in run.tablets))
    await asyncio.sleep(settle)
    ledger, now = run.ledger, time.monotonic()
    healthz = await _health_checks(base_url)
    kill_windows = [(kill, end, kill) for kill, end in zip(kills, [*kills[1:], stopped_at], strict=True)]
    figures["kill -9 workers"] = {
        "workers killed": len(respawns),
        "replaced after s": respawns,
        **fault_figures(ledger, run.streams, kill_windows),
    }
    figures["postgresql down and up"] = {
        "down for s": round(up_at - stopped_at, 2),
        **fault_figures(ledger, run.streams, [(stopped_at, now, up_at)]),
        "health checks after it, on new connections": healthz,
    }


def run_faults(*, warmup=4.0, down_seconds=5.0, settle=6.0, stores=2, tables=4, managers=1, seed=None):
    """One fault run on a private PostgreSQL server; returns (Findings, the server's log path)."""
    with PrivatePostgres() as pg:
        database_url = pg.database_url("tableorder")
        with serving(database_url, env=FAULT_ENV) as base_url:
            seeded = seed_stores(database_url, stores=stores, tables=tables, prefix="faults")
            fault_results = {}

            async def during(run):
                await break_things(
                    base_url, pg, run, warmup=warmup, down_seconds=down_seconds, settle=settle, figures=fault_results
                )

            findings, _run = run_coroutine(
                run_load(base_url, database_url, seeded, during=during, managers_per_store=managers, seed=seed)
            )
            findings.figures["faults"] = fault_results
            log = Path(base_url.log_path).read_text(errors="replace")
            findings.figures["server log"] = str(base_url.log_path)
            findings.figures["server log lines with a traceback"] = sum(
                "Traceback" in line for line in log.splitlines()
            )
        return findings


def unseen_faults(findings):
    """Faults that left no trace in the clients' answers (the run would prove nothing)."""
    faults = findings.figures["faults"]
    unseen = []
    if faults["kill -9 workers"]["streams cut"] < findings.figures["streams"]:
        unseen.append("kill -9: some streams were not cut")
    if not faults["postgresql down and up"]["503 answers"]:
        unseen.append("postgresql outage: no 503 answer")
    return unseen


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m reliability faults", description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of load before the first fault")
    parser.add_argument("--down", type=float, default=8.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds of load after each fault")
    parser.add_argument("--stores", type=int, default=3)
    parser.add_argument("--tables", type=int, default=6)
    parser.add_argument("--managers", type=int, default=2, help="managers per store")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", type=Path, help="also write the findings as JSON to this file")
    args = parser.parse_args(argv)
    findings = run_faults(
        warmup=args.warmup,
        down_seconds=args.down,
        settle=args.settle,
        stores=args.stores,
        tables=args.tables,
        managers=args.managers,
        seed=args.seed,
    )
    print("\n".join(report_lines("faults: kill -9 each worker, then PostgreSQL down and up, under load", findings)))
    for fault, figures in findings.figures["faults"].items():
        print(f"  {fault}: " + ", ".join(f"{name} {value}" for name, value in figures.items()))
    unseen = unseen_faults(findings)
    for problem in unseen:
        print(f"  FAULT NOT SEEN: {problem}")
    if args.json:
        findings.save(args.json)
    return 1 if findings.violations or unseen else 0


if __name__ == "__main__":
    sys.exit(main())
