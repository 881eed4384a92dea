"""The app's connection pool when PostgreSQL restarts or goes away for a while.

A server (one worker) runs on a private PostgreSQL server (reliability.postgres) that these
tests stop and start; /healthz takes a pooled connection like every view. Run when the
suite runs on PostgreSQL, the app's production database.
"""

import os
import time

import httpx
import pytest

from bench.server import running_server
from conftest import ON_POSTGRES
from reliability.postgres import PrivatePostgres, unavailable_reason

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (run the suite with DATABASE_URL=postgres://…)"),
    pytest.mark.skipif(bool(unavailable_reason()), reason=f"no private PostgreSQL server: {unavailable_reason()}"),
]


@pytest.fixture
def server():
    """(PrivatePostgres, base URL of a one-worker server on it, without migrations: /healthz needs none)."""
    with PrivatePostgres() as pg:
        env = {"DB_POOL_MIN": "4", "DB_POOL_TIMEOUT": "1"}
        # DB_POOL_RECONNECT_TIMEOUT from the environment, to compare with psycopg's default (300).
        env.update({k: v for k, v in os.environ.items() if k == "DB_POOL_RECONNECT_TIMEOUT"})
        with running_server(database_url=pg.database_url("tableorder"), workers=1, env=env, migrate=False) as url:
            yield pg, url


def healthz(base_url):
    return httpx.get(f"{base_url}/healthz", timeout=10)


def test_after_a_restart_the_first_request_gets_a_new_connection_at_once(server):
    """Every idle pooled connection died with the restart: the first request must not spend
    its DB_POOL_TIMEOUT finding them dead one by one (core/runtime/dbpool.py)."""
    pg, base_url = server
    assert healthz(base_url).status_code == 200
    time.sleep(0.5)  # the pool opens its DB_POOL_MIN connections
    pg.restart()
    started = time.monotonic()
    answer = healthz(base_url)
    assert answer.status_code == 200, answer.text
    assert time.monotonic() - started < 1.8


def test_after_an_outage_the_pool_is_back_within_two_seconds_of_the_database(server):
    """While requests keep failing, the pool's reconnection delay must not grow past the
    outage: DB_POOL_RECONNECT_TIMEOUT keeps it retrying every second or two."""
    pg, base_url = server
    assert healthz(base_url).status_code == 200
    pg.stop()
    outage_ends = time.monotonic() + 8
    while time.monotonic() < outage_ends:
        assert healthz(base_url).status_code == 503
    pg.start()
    up = time.monotonic()
    while (answer := healthz(base_url)).status_code != 200 and time.monotonic() - up < 30:
        time.sleep(0.05)
    assert answer.status_code == 200
    assert time.monotonic() - up < 2.5
