#!/usr/bin/env python3
"""Restore drill: dump a PostgreSQL database, restore it into a fresh one, prove the copy whole.

    DATABASE_URL=postgres://USER:PW@HOST:5432/DB python deploy/restore_drill.py [--seed] [--target NAME] [--keep]

1. `--seed` (a scratch database only): migrate it, then add store `drill` through the app's
   services: a menu with options, closed and open table sessions, orders in every status
   (some deleted), staff calls waiting and acknowledged, and with them their events.
2. `pg_dump --format=custom` inside one exported snapshot of the source. The source's figures
   below are read in that same snapshot, so the drill is exact even while the app writes.
3. `pg_restore --exit-on-error` into a new database NAME on the same server (default
   `<DB>_restore_drill`; the drill refuses one that exists), owners and grants as dumped.
4. Checks the copy against the snapshot: the same tables, each with the same row count and
   SHA-256 of its rows in primary-key order; every id sequence past its column's largest
   value (new rows cannot collide); and, in a process of the app on the copy, `manage.py
   check`, `manage.py migrate --check`, and a read of each store's orders (as the API shows
   them), sessions, staff calls and events, which must give the figures the snapshot holds.
5. Drops the copy unless `--keep`. Prints a JSON report (timings, bytes, rows); exit status 1
   if any check failed, 2 if the drill could not run.

DATABASE_URL's role must be allowed to create databases (on RDS: the master user). The app's
steps run as child processes like `manage.py`, with the rest of the environment (SECRET_KEY,
…), connected as DATABASE_URL's role to the database in question. pg_dump and pg_restore come from
`--pg-bin`, else /usr/lib/postgresql/<server major version>/bin, else PATH. With
DB_SSLROOTCERT set, every connection verifies the server's certificate, as the app's do.
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import IsolationLevel, sql
from psycopg.conninfo import conninfo_to_dict

BASE_DIR = Path(__file__).resolve().parent.parent
STORE_CODE = "drill"
# libpq's environment variables for the connection settings a DATABASE_URL may carry: the
# tools get the password this way, never on a command line.
LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
# Per store, as the snapshot holds it (SQL) and as the app reads it from the copy (app_read).
STORE_FIGURES_SQL = """
SELECT s.code,
  (SELECT count(*) FROM orders_order o WHERE o.store_id = s.id),
  (SELECT count(*) FROM orders_order o WHERE o.store_id = s.id AND o.deleted_at IS NULL),
  (SELECT coalesce(sum(o.total), 0)::bigint FROM orders_order o WHERE o.store_id = s.id AND o.deleted_at IS NULL),
  (SELECT count(*) FROM orders_orderline l JOIN orders_order o ON o.id = l.order_id WHERE o.store_id = s.id),
  (SELECT count(*) FROM orders_tablesession t WHERE t.store_id = s.id AND t.closed_at IS NULL),
  (SELECT count(*) FROM orders_tablesession t WHERE t.store_id = s.id AND t.closed_at IS NOT NULL),
  (SELECT count(*) FROM orders_staffcall c WHERE c.store_id = s.id AND c.acknowledged_at IS NULL),
  (SELECT count(*) FROM orders_staffcall c WHERE c.store_id = s.id AND c.acknowledged_at IS NOT NULL),
  (SELECT count(*) FROM orders_orderevent e WHERE e.store_id = s.id)
FROM accounts_store s ORDER BY s.code
"""
FIGURES = (
    "orders",
    "live_orders",
    "live_total",
    "lines",
    "open_sessions",
    "closed_sessions",
    "unacknowledged_calls",
    "acknowledged_calls",
    "events",
)


class DrillError(Exception):
    """A step of the drill could not run (as opposed to a check that found a difference)."""


# The drill


def run_drill(*, source_url, target, seed=False, keep=False, pg_bin=None):
    """Dump `source_url`, restore into database `target` on the same server, check; the report."""
    started = time.monotonic()
    seconds = {}
    if seed:
        run_app(source_url, "seed")
        seconds["seed"] = time.monotonic() - started
    target_url = with_database(source_url, target)
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as workdir:
        dump_path = Path(workdir) / "source.dump"
        step = time.monotonic()
        snapshot = dump(source_url, dump_path, pg_bin)
        seconds["dump"] = time.monotonic() - step
        create_database(source_url, target)
        try:
            step = time.monotonic()
            restore(dump_path, target_url, pg_bin)
            seconds["restore"] = time.monotonic() - step
            step = time.monotonic()
            problems, tables, stores = verify(snapshot, target_url)
            seconds["verify"] = time.monotonic() - step
        finally:
            if not keep:
                drop_database(source_url, target)
        dump_bytes = dump_path.stat().st_size
    seconds["total"] = time.monotonic() - started
    return {
        "ok": not problems,
        "problems": problems,
        "source": conninfo_to_dict(source_url).get("dbname"),
        "target": target,
        "kept": keep,
        "seconds": {name: round(value, 2) for name, value in seconds.items()},
        "dump_bytes": dump_bytes,
        "tables": tables,
        "stores": stores,
    }


def dump(source_url, dump_path, pg_bin=None):
    """pg_dump the source inside one snapshot; the snapshot's tables and store figures."""
    with psycopg.connect(source_url) as source:
        source.isolation_level = IsolationLevel.REPEATABLE_READ
        source.read_only = True
        snapshot_id = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tool = pg_tool("pg_dump", source, pg_bin)
        run_tool([tool, "--format=custom", f"--snapshot={snapshot_id}", f"--file={dump_path}"], source_url)
        snapshot = {"tables": table_digests(source), "stores": store_figures(source)}
        source.rollback()
    return snapshot


def restore(dump_path, target_url, pg_bin=None):
    with psycopg.connect(target_url) as target:
        tool = pg_tool("pg_restore", target, pg_bin)
    target_db = conninfo_to_dict(target_url)["dbname"]
    run_tool([tool, "--exit-on-error", f"--dbname={target_db}", str(dump_path)], target_url)


def verify(snapshot, target_url):
    """Compare the copy with the snapshot: (problems, {table: {rows, match}}, {store: figures})."""
    problems = []
    with psycopg.connect(target_url) as target:
        copied = table_digests(target)
        problems += sequence_problems(target)
        target.rollback()
    expected = snapshot["tables"]
    for table in sorted(expected.keys() - copied.keys()):
        problems.append(f"table {table} is missing from the copy")
    for table in sorted(copied.keys() - expected.keys()):
        problems.append(f"table {table} is in the copy only")
    tables = {}
    for table in sorted(expected.keys() & copied.keys()):
        source_rows, copy_rows = expected[table]["rows"], copied[table]["rows"]
        match = expected[table] == copied[table]
        tables[table] = {"rows": source_rows, "match": match}
        if source_rows != copy_rows:
            problems.append(f"table {table}: {source_rows} rows in the source, {copy_rows} in the copy")
        elif not match:
            problems.append(f"table {table}: same {source_rows} rows, different content (SHA-256)")

    try:
        app = json.loads(run_app(target_url, "read").splitlines()[-1])
    except DrillError as error:
        problems.append(f"the app could not read the copy: {error}")
        app = {"commands": {}, "stores": {}}
    for command, failure in app["commands"].items():
        if failure:
            problems.append(f"manage.py {command} on the copy failed: {failure}")
    app_stores = app["stores"]
    for code, figures in snapshot["stores"].items():
        read = app_stores.get(code)
        if read != figures:
            problems.append(f"store {code}: the snapshot holds {figures}, the app reads {read} from the copy")
    for code in sorted(app_stores.keys() - snapshot["stores"].keys()):
        problems.append(f"store {code} is in the copy only")
    return problems, tables, snapshot["stores"]


# Reading a database


def table_digests(connection):
    """{table: {rows, sha256}} for every table of schema public, rows in primary-key order."""
    # Rows as text: the same settings on both sides make the same text of the same values.
    connection.execute("SET TIME ZONE 'UTC'")
    connection.execute("SET DateStyle = 'ISO, YMD'")
    connection.execute("SET IntervalStyle = 'iso_8601'")
    connection.execute("SET extra_float_digits = 3")
    tables = connection.execute(
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    ).fetchall()
    digests = {}
    for oid, table in tables:
        key = [
            name
            for (name,) in connection.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                "ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                "WHERE i.indrelid = %s AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)",
                [oid],
            )
        ]
        order = sql.SQL(", ").join(map(sql.Identifier, key)) if key else sql.SQL("t::text")
        query = sql.SQL("SELECT t::text FROM {} t ORDER BY {}").format(sql.Identifier(table), order)
        digest, rows = hashlib.sha256(), 0
        # A server-side cursor: a big table streams through, never whole in memory.
        with connection.cursor(name="restore_drill_rows") as cursor:
            cursor.itersize = 2000
            cursor.execute(query)
            for (text,) in cursor:
                digest.update(text.encode())
                digest.update(b"\n")
                rows += 1
        digests[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return digests


def sequence_problems(connection):
    """Id sequences whose next value is not past their column's largest value."""
    # Serial and identity columns alike: pg_get_serial_sequence names the sequence of either.
    columns = connection.execute(
        "SELECT c.relname, a.attname, s.seqstart, s.seqincrement, pg_sequence_last_value(s.seqrelid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid "
        "JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname)"
        "::regclass "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY c.relname"
    ).fetchall()
    problems = []
    for table, column, start, increment, last_value in columns:
        largest = connection.execute(
            sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(table))
        ).fetchone()[0]
        next_value = start if last_value is None else last_value + increment
        if largest is not None and next_value <= largest:
            sequence = f"{table}.{column}"
            problems.append(f"the sequence of {sequence} would give {next_value} next, but {largest} is taken")
    return problems


def store_figures(connection):
    return {code: dict(zip(FIGURES, values, strict=True)) for code, *values in connection.execute(STORE_FIGURES_SQL)}


# Databases and tools


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_app_tls(url):
    """`url` verifying the server's certificate against DB_SSLROOTCERT when set, as the app does."""
    cert = os.environ.get("DB_SSLROOTCERT")
    if not cert or "sslmode" in conninfo_to_dict(url):
        return url
    parts = urlsplit(url)
    tls = urlencode({"sslmode": "verify-full", "sslrootcert": cert})
    return urlunsplit(parts._replace(query=f"{parts.query}&{tls}" if parts.query else tls))


def create_database(url, name):
    with psycopg.connect(url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            raise DrillError(f"database {name} exists already: drop it or choose another --target")
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url, name):
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def pg_tool(name, connection, pg_bin=None):
    """The pg_dump/pg_restore to use: --pg-bin, else the server's major version's, else PATH's."""
    major = connection.info.server_version // 10000
    for directory in (pg_bin, f"/usr/lib/postgresql/{major}/bin"):
        if directory and (Path(directory) / name).exists():
            return str(Path(directory) / name)
    found = shutil.which(name)
    if found is None:
        raise DrillError(f"{name} not found: install the PostgreSQL {major} client or pass --pg-bin")
    return found


def run_tool(command, url):
    env = dict(os.environ)
    for setting, value in conninfo_to_dict(url).items():
        if setting not in LIBPQ_ENV:
            raise DrillError(f"unsupported connection setting {setting!r} in the database URL")
        env[LIBPQ_ENV[setting]] = str(value)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (our tools)
    if result.returncode != 0:
        raise DrillError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def run_app(url, step):
    """Run `app_step(step)` in a child process of the app on the database at `url`; its output."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tableorder.settings"}
    # The drill's role, not the app's: it made the copy and may read it.
    env.pop("DATABASE_SECRET_ARN", None)
    result = subprocess.run(  # noqa: S603 (this script)
        [sys.executable, __file__, "--app-step", step],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise DrillError(lines[-1] if lines else f"exit status {result.returncode}")
    return result.stdout


# Steps run inside the app, in a child process on one database


def app_step(step):
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    if step == "seed":
        call_command("migrate", interactive=False, verbosity=0)
        seed_store()
    else:
        print(json.dumps({"commands": app_commands(), "stores": app_read()}))


def app_commands():
    """`manage.py check` and `manage.py migrate --check` here: {command: why it failed, or ""}."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    failures = {"check": "", "migrate --check": ""}
    try:
        call_command("check", stdout=io.StringIO())
    except SystemCheckError as error:
        failures["check"] = str(error)
    try:
        call_command("migrate", check_unapplied=True, verbosity=0)
    except SystemExit:
        failures["migrate --check"] = "migrations are missing from django_migrations"
    return failures


def seed_store():
    """Store `drill`: three rounds of service at six tables, the last one still open."""
    import secrets

    from accounts.models import Store
    from accounts.services import create_store, setup_table
    from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
    from menus.services import link_option_groups, save_category, save_menu_item, save_option_group, save_options
    from orders.models import OrderStatus
    from orders.services import change_order_status, close_session, delete_order, place_order
    from orders.staff_calls import acknowledge_staff_call, call_staff

    if Store.objects.filter(code=STORE_CODE).exists():
        raise SystemExit(f"store {STORE_CODE} exists already: seed a fresh database")
    store, manager = create_store(
        code=STORE_CODE, name="복구 훈련 식당", manager_username="manager", manager_password=secrets.token_urlsafe()
    )
    tables = [setup_table(store=store, number=number, password="1234")[0] for number in range(1, 7)]
    meals = save_category(category=Category(store=store, name="식사", display_order=1))
    drinks = save_category(category=Category(store=store, name="음료", display_order=2))
    stew = save_menu_item(item=MenuItem(store=store, category=meals, name="김치찌개", price=9000))
    rice = save_menu_item(item=MenuItem(store=store, category=meals, name="공기밥", price=1000))
    cola = save_menu_item(item=MenuItem(store=store, category=drinks, name="콜라", price=2000))
    spice = save_option_group(group=OptionGroup(store=store, name="맵기", min_select=1, max_select=1))
    link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=stew, group=spice)])
    mild, hot = Option(group=spice, name="순한맛"), Option(group=spice, name="매운맛", price_delta=500)
    save_options(group=spice, options=[mild, hot])

    for round_number in range(3):
        for index, table in enumerate(tables):
            spicy = hot if index % 2 else mild
            first, _ = place_order(
                table=table,
                items=[
                    {"menu_item_id": stew.id, "quantity": 1 + index % 3, "option_ids": [spicy.id]},
                    {"menu_item_id": rice.id, "quantity": 2},
                ],
                note="덜 맵게" if index == 0 else "",
                idempotency_key=f"drill-{round_number}-{index}",
            )
            second, _ = place_order(table=table, items=[{"menu_item_id": cola.id, "quantity": 1 + index}])
            change_order_status(order=first, status=OrderStatus.PREPARING)
            if index % 3 == 0:
                change_order_status(order=first, status=OrderStatus.COMPLETED)
            if index == 4:
                delete_order(order=second, actor=manager)
            call, _ = call_staff(table=table, reason="물")
            if index % 2:
                acknowledge_staff_call(call=call, actor=manager)
            if round_number < 2:
                close_session(table=table, actor=manager)


def app_read():
    """Each store's figures as the app reads them: its orders as the API shows them, and more."""
    from accounts.models import Store
    from orders.models import Order, OrderEvent, StaffCall, TableSession

    stores = {}
    for store in Store.objects.order_by("code"):
        orders = [
            (order.as_dict(), order.deleted_at is None) for order in Order.objects.filter(store=store).with_lines()
        ]
        live = [order for order, is_live in orders if is_live]
        sessions = TableSession.objects.filter(store=store)
        calls = StaffCall.objects.filter(store=store)
        stores[store.code] = {
            "orders": len(orders),
            "live_orders": len(live),
            "live_total": sum(order["total"] for order in live),
            "lines": sum(len(order["items"]) for order, _ in orders),
            "open_sessions": sessions.filter(closed_at__isnull=True).count(),
            "closed_sessions": sessions.filter(closed_at__isnull=False).count(),
            "unacknowledged_calls": calls.filter(acknowledged_at__isnull=True).count(),
            "acknowledged_calls": calls.filter(acknowledged_at__isnull=False).count(),
            "events": OrderEvent.objects.filter(store=store).count(),
        }
    return stores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", action="store_true", help="migrate the source and add store 'drill' first")
    parser.add_argument("--target", help="database to restore into (default: <source>_restore_drill)")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    parser.add_argument("--pg-bin", help="directory of pg_dump and pg_restore")
    parser.add_argument("--app-step", choices=["seed", "read"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.app_step:
        app_step(args.app_step)
        return 0
    source_url = os.environ.get("DATABASE_URL", "")
    if not source_url.startswith(("postgres://", "postgresql://")):
        parser.error("set DATABASE_URL to the PostgreSQL database to dump (postgres://…)")
    source_url = with_app_tls(source_url)
    target = args.target or f"{conninfo_to_dict(source_url)['dbname']}_restore_drill"
    try:
        report = run_drill(source_url=source_url, target=target, seed=args.seed, keep=args.keep, pg_bin=args.pg_bin)
    except DrillError as error:
        print(f"restore drill: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
