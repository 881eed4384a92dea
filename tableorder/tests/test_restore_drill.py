"""The restore drill (deploy/restore_drill.py) on the suite's PostgreSQL server.

Databases of its own, named after DATABASE_URL's (`<name>_drill`, `<name>_drill_copy`),
dropped afterwards. The drill runs once whole, as an operator runs it; then copies are
spoilt in ways a bad backup or restore would spoil them, and the drill must say so.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg.conninfo import conninfo_to_dict

from conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES, reason="the restore drill needs PostgreSQL (pg_dump, pg_restore): set DATABASE_URL=postgres://…"
)

SCRIPT = Path(settings.BASE_DIR) / "deploy" / "restore_drill.py"
KEY_TABLES = ["orders_order", "orders_orderline", "orders_tablesession", "orders_staffcall", "orders_orderevent"]


def _load_drill():
    spec = importlib.util.spec_from_file_location("restore_drill", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


drill = _load_drill()


@pytest.fixture(scope="module")
def names():
    main_url = os.environ["DATABASE_URL"]
    base = conninfo_to_dict(main_url)["dbname"]
    source, copy = f"{base}_drill", f"{base}_drill_copy"
    # DATABASE_URL's own database need not exist (the suite runs in test_<name>).
    server_url = drill.with_database(main_url, "postgres")
    for name in (source, copy):
        drill.drop_database(server_url, name)
    drill.create_database(server_url, source)
    try:
        yield drill.with_database(main_url, source), copy
    finally:
        for name in (source, copy):
            drill.drop_database(server_url, name)


@pytest.fixture(scope="module")
def report(names):
    """The drill as an operator runs it: seed the scratch source, dump, restore, check."""
    source_url, copy = names
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--seed", "--target", copy],
        env={**os.environ, "DATABASE_URL": source_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def _exists(url, name):
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def test_the_drill_restores_a_seeded_store_whole(names, report):
    source_url, copy = names

    assert report["ok"], report["problems"]
    for table in KEY_TABLES:
        assert report["tables"][table]["rows"] > 0
    assert all(table["match"] for table in report["tables"].values())
    figures = report["stores"]["drill"]
    # What the seed made: closed and open sessions, orders live and deleted, calls of both kinds, events.
    assert figures["closed_sessions"] > 0 and figures["open_sessions"] > 0
    assert figures["orders"] > figures["live_orders"] > 0
    assert figures["unacknowledged_calls"] > 0 and figures["acknowledged_calls"] > 0
    assert figures["events"] == report["tables"]["orders_orderevent"]["rows"]
    assert not _exists(source_url, copy)


@pytest.fixture(scope="module")
def snapshot(names, report, tmp_path_factory):
    """A dump of the seeded source and what its snapshot held."""
    source_url, _copy = names
    dump_path = tmp_path_factory.mktemp("drill") / "source.dump"
    return dump_path, drill.dump(source_url, dump_path)


SPOILS = {
    "an event lost": (
        "DELETE FROM orders_orderevent WHERE id = (SELECT max(id) FROM orders_orderevent)",
        ["table orders_orderevent: ", " rows in the source, ", "store drill: "],
    ),
    "a total changed": (
        "UPDATE orders_order SET total = total + 1 WHERE id = (SELECT min(id) FROM orders_order)",
        ["table orders_order: same ", "different content", "store drill: "],
    ),
    "a sequence behind": (
        "SELECT setval(pg_get_serial_sequence('orders_order', 'id'), 1)",
        ["the sequence of orders_order.id would give 2 next"],
    ),
    "a migration record lost": (
        "DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)",
        ["table django_migrations: ", "manage.py migrate --check on the copy failed"],
    ),
}


@pytest.mark.parametrize("spoil", SPOILS, ids=list(SPOILS))
def test_the_drill_finds_a_copy_that_differs(names, snapshot, spoil):
    source_url, copy = names
    dump_path, held = snapshot
    statement, expected = SPOILS[spoil]
    copy_url = drill.with_database(source_url, copy)
    drill.create_database(source_url, copy)
    try:
        drill.restore(dump_path, copy_url)
        with psycopg.connect(copy_url, autocommit=True) as connection:
            connection.execute(statement)

        problems, _tables, _stores = drill.verify(held, copy_url)
    finally:
        drill.drop_database(source_url, copy)

    text = "\n".join(problems)
    for fragment in expected:
        assert fragment in text, text
