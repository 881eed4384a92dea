"""The PostgreSQL connection pool after a database restart: renew every connection at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from psycopg_pool import ConnectionPool


def renew_all_on_broken_connection(sender: object, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: make the pool's check drain the pool when it finds a
    broken connection.

    Django's pool checks each connection as it hands it out (`CONN_HEALTH_CHECKS`: an empty
    query). A broken one means the server went away (restart, failover), and every idle
    connection in the pool died with it; psycopg's pool would discard them one per check,
    sleeping 1 s, then 2 s… in between, all within one request's DB_POOL_TIMEOUT, so a quiet
    worker kept answering 503 well after the database was back. Drained, the pool opens new
    connections at once, and the request that found the broken one gets one after a single
    wait. Django offers no way to give the pool another check, so this wraps the one
    psycopg_pool keeps (`_check`, the same since psycopg_pool 3.1; reliability/tests/
    test_database_restart.py fails if that changes). Django makes pools lazily and again
    after `close_pool()`; the wrapping follows each one at its first connection.
    """
    pool: ConnectionPool[psycopg.Connection[Any]] | None = getattr(connection, "pool", None)
    check = getattr(pool, "_check", None)
    if pool is None or check is None or getattr(check, "renews_all", False):
        return

    def check_or_renew_all(conn: psycopg.Connection[Any]) -> None:
        try:
            check(conn)
        except psycopg.Error:
            pool.drain()
            raise

    # A mark on the function, which mypy does not let a function have.
    check_or_renew_all.renews_all = True  # type: ignore[attr-defined]
    pool._check = check_or_renew_all
