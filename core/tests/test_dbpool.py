"""The pool's check after a database restart (core.runtime.dbpool): Django's pool is wrapped at
its first connection, and psycopg_pool still hands each connection it gives out to the
wrapped `_check`, whose first failure drains the pool."""

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

from conftest import postgres_only
from core.runtime.dbpool import renew_all_on_broken_connection

pytestmark = [postgres_only, pytest.mark.django_db]


class Connection:
    """What the receiver reads of Django's connection: its pool."""

    def __init__(self, pool):
        self.pool = pool


def test_djangos_pool_checks_through_the_wrapper():
    connection.ensure_connection()
    assert connection.pool._check.renews_all


def test_a_failed_check_drains_the_pool_and_the_caller_still_gets_a_connection(monkeypatch):
    checks = []

    def check(conn):
        checks.append(conn)
        if len(checks) == 1:
            raise psycopg.OperationalError("the server went away")

    with ConnectionPool(kwargs=connection.get_connection_params(), min_size=2, check=check, open=True) as pool:
        pool.wait(10)
        drains = []
        drain = pool.drain
        monkeypatch.setattr(pool, "drain", lambda: (drains.append(1), drain()))
        renew_all_on_broken_connection(sender=None, connection=Connection(pool))
        with pool.connection(timeout=10) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert drains == [1]
    assert len(checks) >= 2
