"""The benchmark's own instruments: CPU and query counters, targets, the bare HTTP client, compare.

make test PYTEST_ARGS="bench/tests -q"      (PostgreSQL parts: with DATABASE_URL=postgres://…)
"""

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from bench import compare, menu, realtime
from bench.meter import cpu_seconds, database_counters
from bench.rawhttp import Connection
from bench.server import ROOT, ensure_database, running_server
from bench.targets import Target, exit_status
from conftest import ON_POSTGRES

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://…)")


def database_url(suffix):
    """A database of this test's own on the suite's PostgreSQL server."""
    db = settings.DATABASES["default"]
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}_{suffix}"


@pytest.fixture
def own_database(request):
    """database_url(suffix), created empty and dropped afterwards."""
    import psycopg
    from psycopg import sql

    def make(suffix):
        url = database_url(suffix)
        ensure_database(url, fresh=True)
        request.addfinalizer(lambda: drop(url))
        return url

    def drop(url):
        info = psycopg.conninfo.conninfo_to_dict(url)
        with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(info["dbname"])))

    return make


def test_cpu_seconds_counts_a_process_and_its_threads_until_it_exits():
    spinner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import threading, time\n"
            "def spin():\n"
            "    end = time.process_time() + 0.3\n"
            "    while time.process_time() < end: pass\n"
            "threads = [threading.Thread(target=spin) for _ in range(2)]\n"
            "[t.start() for t in threads]; [t.join() for t in threads]\n"
            "time.sleep(5)",
        ]
    )
    try:
        deadline = time.monotonic() + 10
        while (cpu_seconds(spinner.pid) or 0) < 0.3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cpu_seconds(spinner.pid) >= 0.3
    finally:
        spinner.kill()
        spinner.wait()
    assert cpu_seconds(spinner.pid) is None


@postgres_only
def test_database_counters_count_every_statement_of_the_database(own_database):
    import psycopg

    url = own_database("bench_meter")

    def transactions_of(statements):
        """Transactions counted for one connection that runs `statements` SELECTs and one 2-statement block."""
        before = database_counters(url, settle=0)["transactions"]
        # psycopg would prepare a repeated query, a round trip that counts as one more.
        with psycopg.connect(url, autocommit=True, prepare_threshold=None) as conn:
            for _ in range(statements):
                conn.execute("SELECT 1")
            with conn.transaction():
                conn.execute("SELECT 1")
                conn.execute("SELECT 2")
        # A backend reports its counters when it exits, so no idle wait is needed here.
        deadline = time.monotonic() + 10
        while (after := database_counters(url, settle=0)["transactions"]) == before:
            assert time.monotonic() < deadline, "the closed connection's counters never arrived"
            time.sleep(0.1)
        return after - before

    # Connecting costs the same transaction each time; each statement outside a transaction adds one.
    assert transactions_of(30) - transactions_of(5) == 25


def test_targets_meet_their_limits_and_a_missing_value_misses():
    assert Target("cpu", 1.0, 1.0, " ms").met
    assert not Target("cpu", 1.01, 1.0, " ms").met
    assert Target("ratio", 2.0, 2.0, "×", at_least=True).met
    assert not Target("ratio", 1.99, 2.0, "×", at_least=True).met
    assert not Target("p99", None, 150).met
    assert Target("cpu", 1.5, 1.0, " ms").line() == "target: cpu ≤ 1 ms: 1.5 ms, MISSED"
    missed = [Target("cpu", 2, 1)]
    assert exit_status(ok=True, targets=missed, enforce=True) == 1
    assert exit_status(ok=True, targets=missed, enforce=False) == 0
    assert exit_status(ok=False, targets=[], enforce=False) == 1


def phase(workers_ms, transactions):
    return {"cpu_per_request": {"workers_ms": workers_ms}, "database_per_request": {"transactions": transactions}}


def test_menu_targets_want_no_queries_and_a_millisecond_of_cpu():
    assert [t.met for t in menu.targets({"full_200": phase(0.8, 0.0)})] == [True, True]
    # Today's menu GET: two or three queries, several milliseconds.
    assert [t.met for t in menu.targets({"full_200": phase(6.0, 3.0)})] == [False, False]
    # Not counted (--settle 0) is not met.
    assert not menu.targets({"full_200": {"cpu_per_request": {"workers_ms": 0.5}}})[1].met


def test_realtime_targets_depend_on_pacing():
    results = {
        "think_time_s": 0,
        "dashboards": 20,
        "cpu_per_order": {"workers_ms": 7.5},
        "delivery_latency_ms": {"p99": 140.0},
        "undelivered": 0,
        "duplicates": 0,
    }
    assert all(t.met for t in realtime.targets(results))
    paced = realtime.targets({**results, "think_time_s": 1})
    assert [t.name for t in paced if not t.met] == ["tap → dashboard p99, paced"]
    assert not all(t.met for t in realtime.targets({**results, "duplicates": 1}))


def test_connection_reads_chunked_and_sized_bodies_on_one_connection():
    responses = [
        b'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n',
        b"HTTP/1.1 304 Not Modified\r\ncontent-length: 0\r\n\r\n",
        b'HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\n{"b":2}',
    ]

    async def scenario():
        async def answer(reader, writer):
            for response in responses:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(response)
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        connection = Connection("127.0.0.1", port)
        try:
            return [await connection.request("GET", "/") for _ in responses]
        finally:
            connection.close()
            server.close()

    assert asyncio.run(scenario()) == [(200, {"a": 1}), (304, None), (200, {"b": 2})]


def test_side_databases_and_ratios():
    url = "postgres://postgres@127.0.0.1:5432/tableorder_bench"
    assert compare.side_database_url(url, "ref") == "postgres://postgres@127.0.0.1:5432/tableorder_bench_ref"
    assert compare.ratio_of(10, 25) == 2.5
    assert compare.ratio_of(0, 3) is None
    assert compare.ratio_of(1005, 5) == 0.00498


def test_worktree_checks_out_the_commit_and_is_removed_afterwards():
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    with compare.worktree("HEAD") as (path, commit):
        assert commit == head.stdout.strip()
        assert (path / "manage.py").exists()
        assert (path / "deploy" / "gunicorn.conf.py").exists()
    assert not path.exists()
    listed = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert str(path) not in listed.stdout


@postgres_only
def test_a_short_realtime_run_measures_cpu_and_every_delivery(own_database):
    url = own_database("bench_smoke")
    args = realtime.parse_args(
        ["--tablets", "2", "--dashboards", "2", "--duration", "1.5", "--warmup", "0.5", "--database-url", url]
    )
    results = realtime.run(args)
    assert results["orders"] > 0 and results["order_errors"] == 0
    assert results["undelivered"] == 0 and results["duplicates"] == 0
    assert results["cpu"]["workers_cpu_s"] > 0
    assert results["cpu_per_order"]["workers_ms"] > 0
    assert results["delivery_latency_ms"]["p99"] >= results["delivery_latency_ms"]["p50"] > 0


@postgres_only
def test_running_server_runs_another_checkout(own_database, tmp_path):
    """With `root`, the worker runs in (and imports from) that checkout, migrated by its own code."""
    url = own_database("bench_root")
    log_path = tmp_path / "server.log"
    with (
        compare.worktree("HEAD") as (path, _commit),
        running_server(database_url=url, workers=1, root=path, log_path=log_path) as base_url,
    ):
        (worker,) = base_url.worker_pids()
        assert Path(os.readlink(f"/proc/{worker}/cwd")) == path
