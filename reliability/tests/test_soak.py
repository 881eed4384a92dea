"""A short soak (`make soak` runs a longer one): every rule of reliability.invariants holds.

The app runs like production (gunicorn, 2 uvicorn workers) on a database of its own next to
the suite's (its name + `_soak`), so it runs only when the suite runs on PostgreSQL.
"""

import os
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from conftest import ON_POSTGRES
from reliability.soak import run_soak
from reliability.workload import report_lines

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="the soak needs PostgreSQL (the app's production database, with LISTEN/NOTIFY and real "
    "concurrency): run the suite with DATABASE_URL=postgres://…, or `make soak`",
)

SECONDS = float(os.environ.get("SOAK_TEST_SECONDS", "15"))


@pytest.fixture
def soak_database_url():
    """A database beside the suite's, on the same server, dropped afterwards."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    server = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_soak"
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_short_soak_keeps_every_rule(soak_database_url):
    findings, _log = run_soak(database_url=soak_database_url, seconds=SECONDS, stores=2, tables=4, managers=2)
    report = "\n".join(report_lines(f"soak of {SECONDS:.0f} s", findings))
    print(report)
    figures = findings.figures
    assert not findings.violations, report
    assert figures["orders acknowledged"] == figures["orders found"] > 0, report
    assert figures["lost events"] == figures["events delivered twice"] == 0, report
    # Nothing was broken on purpose: every answer came, and none was a 5xx.
    assert figures["network errors"] == figures["5xx answers"] == figures["orders given up"] == 0, report
    # The run did what it claims: orders, changes and closes, each seen by every stream.
    kinds = figures["events by type"]
    for kind in ("order.created", "order.updated", "order.deleted", "session.closed", "staff_call.created"):
        assert kinds.get(kind, 0) > 0, (kind, report)
