"""`python -m bench notify`: its transactions, what its listeners hear, and its connection check."""

import psycopg

from bench import notify
from bench.tests.test_bench import own_database, postgres_only  # noqa: F401 (a fixture)


@postgres_only
def test_a_cell_commits_a_row_and_a_notification_per_transaction_and_every_listener_hears_them(own_database):  # noqa: F811
    url = own_database("bench_notify")
    notify.prepare(url)
    args = notify.parse_args(["--database-url", url, "--duration", "0.5"])

    cell = notify.run_cell(args, notify.padded_payload(args.payload_bytes), 2, 2, True)

    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT count(*) FROM {notify.TABLE}").fetchone()[0]
    assert cell["commits"] > 0
    assert rows == cell["sent"] >= cell["commits"]
    assert cell["listeners_heard_all"]
    assert cell["postgres_cpu_ms_per_commit"]["committers"] > 0


@postgres_only
def test_a_notification_is_about_the_payload_length_asked_for(own_database):  # noqa: F811
    url = own_database("bench_notify")
    notify.prepare(url)
    with psycopg.connect(url, autocommit=True) as listening, psycopg.connect(url, autocommit=True) as sending:
        listening.execute(f"LISTEN {notify.CHANNEL}")
        params = {"store": 1, "table": 2, "session": 3, "payload": notify.padded_payload(600)}
        sending.execute(notify.INSERT_AND_NOTIFY, params)
        heard = [message.payload for message in listening.notifies(timeout=5, stop_after=1)]
    assert len(heard) == 1
    assert heard[0].startswith("1:1:2:3:order.created:{")
    assert 560 <= len(heard[0].encode()) <= 600


@postgres_only
def test_a_cell_the_server_has_no_connections_for_is_skipped(own_database):  # noqa: F811
    url = own_database("bench_notify")
    args = notify.parse_args(["--database-url", url, "--duration", "0.5"])

    cell = notify.run_cell(args, notify.padded_payload(100), 10_000, 0, True)

    assert cell["skipped"].startswith("needs 10002 connections,")
