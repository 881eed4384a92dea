"""NOTIFY: small transactions committed back to back, with and without pg_notify, while listeners drain.

    python -m bench notify [--clients 1,4,16,64] [--listeners 0,2,8,32] [--duration 5]
                           [--payload-bytes 600] [--synchronous-commit server|off]
                           [--database-url URL]

No app server: plain psycopg against the database. Each client is a connection in a thread
of one of a few client processes (so that one process's GIL does not cap them), committing in
a loop one statement that is a transaction of its own, as the order write is: an INSERT into
`bench_notify_event` (created here, shaped like the outbox table with its indexes) and, with
NOTIFY, a pg_notify of the row (`<id>:<store>:<table>:<session>:<type>:<payload>`, about
`--payload-bytes` long) on the channel `bench_notify`, which `listeners` connections LISTEN
to and drain in a process of their own. PostgreSQL lets one notifying transaction commit at
a time in the whole cluster (it holds a lock on the notification queue from before its
commit record is flushed until it is done), so the flushes of notifying commits do not
group as plain commits' do.

Each cell (clients, listeners, with or without NOTIFY) runs `duration` seconds and reports
commits/s, commit latency, the CPU of the cell's PostgreSQL backends per commit (committers'
and listeners', from /proc: bench/meter.py), the clients' and listeners' own CPU, the whole
machine's busy share (/proc/stat: the clients share the cores with the server), the highest
pg_notification_queue_usage() seen, and how long after the last commit returned the last
notification reached the last listener (listeners that keep up: a few ms; "FELL BEHIND" when
one had not heard them all `GRACE_SECONDS` later). Without NOTIFY, listeners hear
nothing and would change nothing, so that variant runs once per client count, with none.
A cell needing more connections than the server has free is skipped and says so.

`--synchronous-commit off` runs every client with `SET synchronous_commit = off` (its
session only; the server's settings are unchanged): a separate variant, reported as such.
"""

import argparse
import json
import multiprocessing
import os
import threading
import time

import psycopg
from psycopg import sql

from bench import finish, machine_load, percentiles
from bench.meter import _postgres_connect, cpu_seconds
from bench.server import DEFAULT_DATABASE_URL, ensure_database

TABLE = "bench_notify_event"
CHANNEL = "bench_notify"
# Seconds the listeners have, after the last commit, to hear every notification.
GRACE_SECONDS = 10.0
# Client processes at most, whatever the number of clients (threads share them).
CLIENT_PROCESSES = 2 * (os.cpu_count() or 1)
SCHEMA = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, store_id bigint NOT NULL, "
    "table_id bigint, session_id bigint, type varchar(30) NOT NULL, payload jsonb NOT NULL, "
    "created_at timestamptz NOT NULL DEFAULT now())",
    *(
        f"CREATE INDEX IF NOT EXISTS {TABLE}_{'_'.join(columns)} ON {TABLE} ({', '.join(columns)})"
        for columns in (("store_id",), ("table_id",), ("session_id",), ("store_id", "id"), ("table_id", "id"))
    ),
    f"CREATE INDEX IF NOT EXISTS {TABLE}_created_at ON {TABLE} (created_at)",
    f"TRUNCATE {TABLE}",
]
INSERT = (
    f"INSERT INTO {TABLE} (store_id, table_id, session_id, type, payload) "
    "VALUES (%(store)s, %(table)s, %(session)s, 'order.created', %(payload)s::jsonb) "
    "RETURNING id, store_id, table_id, session_id, type, payload"
)
INSERT_AND_NOTIFY = (
    f"WITH event AS ({INSERT}) SELECT pg_notify('{CHANNEL}', "
    "concat_ws(':', id, store_id, table_id, session_id, type, payload::text)) FROM event"
)
SERVER_SETTINGS = ("synchronous_commit", "fsync", "wal_sync_method", "commit_delay", "max_connections")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench notify", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=_counts, default=[1, 4, 16, 64], help="committing connections per cell")
    parser.add_argument("--listeners", type=_counts, default=[0, 2, 8, 32], help="LISTEN connections per cell")
    parser.add_argument("--duration", type=float, default=5.0, help="measured seconds per cell (default %(default)s)")
    parser.add_argument("--payload-bytes", type=int, default=600, help="length of each notification")
    parser.add_argument("--synchronous-commit", choices=["server", "off"], default="server")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    args = parser.parse_args(argv)
    if min(args.clients) < 1 or min(args.listeners) < 0 or args.duration <= 0 or args.payload_bytes < 60:
        parser.error("--clients ≥ 1, --listeners ≥ 0, --duration > 0 and --payload-bytes ≥ 60")
    return args


def _counts(text):
    return [int(part) for part in text.split(",") if part.strip()]


def _split(total, parts):
    """`total` as `parts` near-equal positive counts (fewer when total is smaller)."""
    parts = min(parts, total)
    return [total // parts + (k < total % parts) for k in range(parts)]


def _connect(url, synchronous_commit="server"):
    conn = psycopg.connect(url, autocommit=True)
    if synchronous_commit != "server":
        conn.execute(sql.SQL("SET synchronous_commit = {}").format(sql.Literal(synchronous_commit)))
    return conn


def _commit(conn, statement, params, stop, latencies, tally):
    """Commit `statement` back to back until `stop`; latencies of those done by then."""
    cursor = conn.cursor()
    while (started := time.monotonic()) < stop:
        cursor.execute(statement, params)
        done = time.monotonic()
        if done <= stop:
            latencies.append(done - started)
        else:
            tally["late"] += 1
        tally["last"] = done


def _committers(url, first, count, statement, payload, synchronous_commit, gate, results):
    """A client process: `count` connections, one thread each, from store `first` on."""
    ready, go, end_at, finished = gate
    conns = [_connect(url, synchronous_commit) for _ in range(count)]
    ready.put(("committers", [conn.info.backend_pid for conn in conns]))
    go.wait()
    cpu = time.process_time()
    latencies, tally = [[] for _ in conns], [{"late": 0, "last": 0.0} for _ in conns]
    threads = [
        threading.Thread(
            target=_commit,
            args=(conn, statement, {"store": first + k, "table": first + k, "session": first + k, "payload": payload}),
            kwargs={"stop": end_at.value, "latencies": latencies[k], "tally": tally[k]},
        )
        for k, conn in enumerate(conns)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(
        {
            "latencies": [value for values in latencies for value in values],
            "late": sum(t["late"] for t in tally),
            "last": max(t["last"] for t in tally),
            "cpu_s": time.process_time() - cpu,
        }
    )
    finished.wait()  # the backends stay until their CPU has been read
    for conn in conns:
        conn.close()


def _drain(conn, heard, last_at, index, expected, give_up_at):
    """Count notifications, noting when the last came, until `expected` (set once the clients
    are done) have come or `give_up_at` has passed."""
    while not (0 <= expected.value <= heard[index] or 0 < give_up_at.value < time.monotonic()):
        for _notify in conn.notifies(timeout=0.1):
            heard[index] += 1
            last_at[index] = time.monotonic()


def _listeners(url, count, expected, give_up_at, gate, results):
    """The listening process: `count` connections LISTEN and drain, one thread each."""
    ready, go, _end_at, finished = gate
    conns = [_connect(url) for _ in range(count)]
    for conn in conns:
        conn.execute(f"LISTEN {CHANNEL}")
    ready.put(("listeners", [conn.info.backend_pid for conn in conns]))
    go.wait()
    cpu = time.process_time()
    heard, last_at = [0] * count, [0.0] * count
    threads = [
        threading.Thread(target=_drain, args=(conn, heard, last_at, k, expected, give_up_at))
        for k, conn in enumerate(conns)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"heard": heard, "last_at": last_at, "cpu_s": time.process_time() - cpu})
    finished.wait()
    for conn in conns:
        conn.close()


def machine_busy():
    """(busy, total) jiffies of every core so far, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def free_connections(url):
    """Connections the server can still open for ordinary roles."""
    conn, _name = _postgres_connect(url)
    with conn:
        return conn.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int"
            " - count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        ).fetchone()[0]


def run_cell(args, payload, clients, listeners, notify):
    """One cell: `clients` committing back to back for `duration` seconds while `listeners` drain."""
    free = free_connections(args.database_url)
    if clients + listeners + 2 > free:
        return {"skipped": f"needs {clients + listeners + 2} connections, {free} free"}
    context = multiprocessing.get_context("fork")
    gate = (context.Queue(), context.Event(), context.Value("d", 0.0, lock=False), context.Event())
    _ready, go, _end_at, finished = gate
    results = context.Queue()
    expected, give_up_at = context.Value("q", -1, lock=False), context.Value("d", 0.0, lock=False)
    statement = INSERT_AND_NOTIFY if notify else INSERT
    processes, first = [], 1
    for count in _split(clients, CLIENT_PROCESSES):
        processes.append(
            context.Process(
                target=_committers,
                args=(args.database_url, first, count, statement, payload, args.synchronous_commit, gate, results),
            )
        )
        first += count
    client_processes = len(processes)
    if listeners:
        processes.append(
            context.Process(target=_listeners, args=(args.database_url, listeners, expected, give_up_at, gate, results))
        )
    for process in processes:
        process.start()
    try:
        return _measure(
            args,
            processes=client_processes,
            listeners=listeners,
            notify=notify,
            gate=gate,
            results=results,
            expected=expected,
            give_up_at=give_up_at,
        )
    finally:
        # Whatever happened, let every child end: a loop not yet started ends at once.
        go.set()
        expected.value = max(expected.value, 0)
        finished.set()
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()


def _measure(args, *, processes, listeners, notify, gate, results, expected, give_up_at):
    """A cell's measured phase, once its client and listener processes have started."""
    ready, go, end_at, _finished = gate
    pids = {"committers": [], "listeners": []}
    for _process in range(processes + bool(listeners)):
        kind, backend_pids = ready.get(timeout=60)
        pids[kind] += backend_pids
    with _connect(args.database_url) as monitor:
        cpu_before = {pid: cpu_seconds(pid) for pid in pids["committers"] + pids["listeners"]}
        busy_before = machine_busy()
        end_at.value = time.monotonic() + args.duration
        go.set()
        queue_usage = 0.0
        while time.monotonic() < end_at.value:
            queue_usage = max(queue_usage, monitor.execute("SELECT pg_notification_queue_usage()").fetchone()[0])
            time.sleep(0.25)
        busy_after = machine_busy()
        committed = [results.get(timeout=60) for _ in range(processes)]
        sent = sum(len(part["latencies"]) + part["late"] for part in committed)
        last_commit = max(part["last"] for part in committed)
        heard = None
        if listeners:
            expected.value = sent if notify else 0
            give_up_at.value = time.monotonic() + GRACE_SECONDS
            heard = results.get(timeout=GRACE_SECONDS + 30)
            queue_usage = max(queue_usage, monitor.execute("SELECT pg_notification_queue_usage()").fetchone()[0])
        cpu_after = {pid: cpu_seconds(pid) for pid in cpu_before}

    def backend_ms(kind):
        spent = sum((cpu_after[pid] or 0.0) - (cpu_before[pid] or 0.0) for pid in pids[kind])
        return round(1000 * spent / sent, 3) if sent else None

    latencies = [value for part in committed for value in part["latencies"]]
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return {
        "commits_per_second": round(len(latencies) / args.duration, 1),
        "commits": len(latencies),
        "sent": sent,
        "latency_ms": {key: round(1000 * value, 2) for key, value in percentiles(latencies).items()},
        "postgres_cpu_ms_per_commit": {"committers": backend_ms("committers"), "listeners": backend_ms("listeners")},
        "client_cpu_cores": round(sum(part["cpu_s"] for part in committed) / args.duration, 2),
        "listener_cpu_cores": round(heard["cpu_s"] / args.duration, 2) if heard else None,
        "machine_busy": round(busy, 2),
        "queue_usage_max": queue_usage,
        "listeners_heard_all": heard is not None and notify and min(heard["heard"]) == sent,
        "listeners_done_after_ms": round(1000 * (max(heard["last_at"]) - last_commit), 1) if heard and notify else None,
    }


def padded_payload(notification_bytes):
    """An event payload (JSON) whose notification is about `notification_bytes` long."""
    empty = json.dumps({"pad": ""})
    return json.dumps({"pad": "x" * max(0, notification_bytes - len(empty) - 40)})  # 40: ids, type, colons


def prepare(database_url):
    """Create the database (if missing) and the empty event table; the server's settings that matter."""
    ensure_database(database_url)
    with _connect(database_url) as conn:
        for statement in SCHEMA:
            conn.execute(statement)
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in SERVER_SETTINGS}


def run(args):
    settings = prepare(args.database_url)
    payload = padded_payload(args.payload_bytes)
    cells = []
    for clients in args.clients:
        row = [{"clients": clients, "listeners": 0, "notify": False, **run_cell(args, payload, clients, 0, False)}]
        for listeners in args.listeners:
            cell = run_cell(args, payload, clients, listeners, True)
            row.append({"clients": clients, "listeners": listeners, "notify": True, **cell})
        print(*(_line(cell) for cell in row), sep="\n")
        cells += row
    return {
        "server_settings": settings,
        "synchronous_commit": settings["synchronous_commit"]
        if args.synchronous_commit == "server"
        else "off (session)",
        "payload_bytes": args.payload_bytes,
        "duration_s": args.duration,
        "cells": cells,
    }


HEADER = (
    "clients listeners notify  commits/s  p50 ms  p99 ms  PG CPU ms/commit (commit+listen)"
    "  client cores  machine busy  queue max  last heard after last commit"
)


def _line(cell):
    head = f"{cell['clients']:>7} {cell['listeners']:>9} {'yes' if cell['notify'] else 'no':>6}"
    if "skipped" in cell:
        return f"{head}  skipped: {cell['skipped']}"
    latency, cpu = cell["latency_ms"], cell["postgres_cpu_ms_per_commit"]
    listen = f"{cpu['listeners']:.3f}" if cpu["listeners"] is not None else "-"
    done = cell["listeners_done_after_ms"]
    caught_up = (
        "-" if done is None else f"{max(done, 0.0):.0f} ms" + ("" if cell["listeners_heard_all"] else " (FELL BEHIND)")
    )
    return (
        f"{head}  {cell['commits_per_second']:>9.1f}  {latency.get('p50', 0):>6.2f}  {latency.get('p99', 0):>6.2f}"
        f"  {cpu['committers']:>23.3f} + {listen:<6}  {cell['client_cpu_cores']:>12.2f}"
        f"  {cell['machine_busy']:>12.0%}  {cell['queue_usage_max']:>9.4f}  {caught_up:>28}"
    )


def report(results):
    settings = results["server_settings"]
    return "\n".join(
        [
            f"== notify: synchronous_commit {results['synchronous_commit']}, "
            + ", ".join(f"{name} {value}" for name, value in settings.items() if name != "synchronous_commit")
            + f"; {results['payload_bytes']}-byte notifications, {results['duration_s']:g} s per cell",
            HEADER,
            *(_line(cell) for cell in results["cells"]),
        ]
    )


def main(argv=None):
    args = parse_args(argv)
    load = machine_load()
    print(HEADER)
    results = run(args)
    print()
    name = "notify" if args.synchronous_commit == "server" else f"notify-synchronous-commit-{args.synchronous_commit}"
    finish(name, results, report(results), load)
    return 0
