"""Sales reports over a year of a busy store: the time of each report through the API.

    python -m bench reports [--orders 200000] [--days 365] [--runs 5] [--workers 2]
                            [--database-url URL] [--no-targets]

Starts the app like production (gunicorn + uvicorn workers, PostgreSQL), seeds a store
(bench/seed.py) and fills it with `orders` orders of 1–3 lines over the `days` days before
today, in SQL (generate_series, a few statements; the ORM would take minutes): sessions of 1–3
orders between 11:00 and 23:00 Seoul time, 2% of the orders deleted, 90% completed 3–40 minutes
after they were placed. Then it asks `GET /api/v1/admin/reports/sales` for each group (day,
hour, item, table) over the whole range and over its last 30 days, `runs` times each after one
unmeasured request, and reports each one's p50 and max (client-side wall time, which includes
the totals and the minutes to 완료 every report carries). Target: every year report's p50
under 1 s. Results go to bench/results/reports.json.
"""

import argparse
import time
from datetime import date, timedelta

import httpx
import psycopg

from bench import finish, machine_load, percentiles
from bench.server import DEFAULT_DATABASE_URL, ROOT, running_server, seed_store
from bench.targets import Target, add_targets_argument, exit_status

GROUPS = ("day", "hour", "item", "table")
LIMIT_SECONDS = 1.0

# One statement per table, each reading the previous one's rows (ids come from the sequences).
FILL = [
    "SELECT setseed(0.42)",
    # Sessions spread evenly over the days, each opening at a random minute from 11:00 to 22:59.
    """
    CREATE TEMP TABLE bench_sessions ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('orders_tablesession', 'id')) AS id, g,
           ((%(first)s::date + (g * %(days)s / %(sessions)s))::timestamp
             + make_interval(hours => 11 + floor(random() * 12)::int, mins => floor(random() * 60)::int))
             AT TIME ZONE 'Asia/Seoul' AS opened
    FROM generate_series(0, %(sessions)s - 1) AS g
    """,
    """
    INSERT INTO orders_tablesession (id, store_id, table_id, opened_at, closed_at)
    SELECT id, %(store)s, (%(tables)s::bigint[])[1 + g %% cardinality(%(tables)s::bigint[])],
           opened, opened + interval '2 hours'
    FROM bench_sessions
    """,
    # 1–3 orders a session, 5–25 minutes apart.
    """
    CREATE TEMP TABLE bench_orders ON COMMIT DROP AS
    SELECT nextval(pg_get_serial_sequence('orders_order', 'id')) AS id, s.id AS session_id, s.g,
           s.opened + make_interval(mins => n * (5 + floor(random() * 20)::int)) AS created,
           random() AS fate
    FROM bench_sessions AS s, generate_series(0, floor(random() * 3 + s.g * 0)::int) AS n
    """,
    """
    INSERT INTO orders_orderline (order_id, menu_item_id, name, unit_price, quantity, options)
    SELECT o.id, item.id, item.name, item.price, 1 + floor(random() * 3)::int, '[]'::jsonb
    FROM bench_orders AS o, generate_series(1, 1 + floor(random() * 3 + o.g * 0)::int) AS line,
         LATERAL (SELECT id, name, price FROM menus_menuitem WHERE store_id = %(store)s
                  ORDER BY random() + line * 0 + o.id * 0 LIMIT 1) AS item
    """,
    """
    INSERT INTO orders_order (id, store_id, table_id, session_id, number, status, total, note,
                              request_fingerprint, created_at, updated_at, deleted_at, completed_at)
    SELECT o.id, %(store)s, (%(tables)s::bigint[])[1 + o.g %% cardinality(%(tables)s::bigint[])], o.session_id,
           row_number() OVER (ORDER BY o.created, o.id),
           CASE WHEN o.fate < 0.9 THEN 'completed' ELSE 'pending' END,
           (SELECT sum(unit_price * quantity) FROM orders_orderline WHERE order_id = o.id), '', '',
           o.created, o.created,
           CASE WHEN o.fate > 0.98 THEN o.created + interval '2 minutes' END,
           CASE WHEN o.fate < 0.9 THEN o.created + make_interval(secs => 180 + floor(random() * 2220)::int) END
    FROM bench_orders AS o
    """,
]


def fill(database_url, seeded, *, orders, days):
    """`orders` orders (about: sessions have 1–3) over the `days` days before today; their count."""
    first = date.today() - timedelta(days=days)
    params = {
        "store": seeded["store_id"],
        "tables": [table["id"] for table in seeded["tables"]],
        "first": first,
        "days": days,
        "sessions": orders // 2,
    }
    with psycopg.connect(database_url) as connection:
        # The lines go in before their orders: the foreign key is checked at commit.
        connection.execute("SET CONSTRAINTS ALL DEFERRED")
        for statement in FILL:
            connection.execute(statement, params)
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE orders_order")
        connection.execute("ANALYZE orders_orderline")
        connection.execute("ANALYZE orders_tablesession")
        return connection.execute(
            "SELECT count(*) FROM orders_order WHERE store_id = %s", [seeded["store_id"]]
        ).fetchone()[0]


def time_reports(base_url, seeded, *, ranges, runs):
    """{"<range> <group>": {"p50", "max", "rows"}} of `runs` timed requests each."""
    results = {}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        login = client.post("/api/v1/auth/login", json={"store_code": seeded["store_code"], **seeded["manager"]})
        login.raise_for_status()
        client.headers["Authorization"] = f"Bearer {login.json()['access']}"
        for name, (first, last) in ranges.items():
            for group in GROUPS:
                query = {"date_from": first.isoformat(), "date_to": last.isoformat(), "group": group}
                client.get("/api/v1/admin/reports/sales", params=query).raise_for_status()
                seconds = []
                for _ in range(runs):
                    started = time.perf_counter()
                    response = client.get("/api/v1/admin/reports/sales", params=query)
                    seconds.append(time.perf_counter() - started)
                    response.raise_for_status()
                body = response.json()
                timing = percentiles([round(s, 4) for s in seconds], points=(50,))
                results[f"{name} {group}"] = {**timing, "rows": len(body["rows"]), "orders": body["total"]["orders"]}
    return results


def run(args, *, root=ROOT):
    with running_server(database_url=args.database_url, workers=args.workers, root=root) as base_url:
        seeded = seed_store(args.database_url, code="bench-reports", tables=30, root=root)
        started = time.perf_counter()
        count = fill(args.database_url, seeded, orders=args.orders, days=args.days)
        seeding = time.perf_counter() - started
        today = date.today()
        ranges = {
            "year": (today - timedelta(days=args.days), today - timedelta(days=1)),
            "month": (today - timedelta(days=30), today - timedelta(days=1)),
        }
        timings = time_reports(base_url, seeded, ranges=ranges, runs=args.runs)
    return {
        "setup": {"orders": count, "days": args.days, "runs": args.runs, "workers": args.workers},
        "seed_seconds": round(seeding, 1),
        "reports": timings,
    }


def report(results):
    setup = results["setup"]
    lines = [
        f"== sales reports: {setup['orders']} orders over {setup['days']} days "
        f"(seeded in {results['seed_seconds']} s), {setup['runs']} runs each, {setup['workers']} workers",
    ]
    for name, timing in results["reports"].items():
        lines.append(
            f"{name:<12} p50 {timing['p50'] * 1000:7.1f} ms  max {timing['max'] * 1000:7.1f} ms  "
            f"({timing['rows']} rows, {timing['orders']} orders)"
        )
    return "\n".join(lines)


def targets(results):
    year = [timing["p50"] for name, timing in results["reports"].items() if name.startswith("year")]
    return [Target("slowest year report p50", max(year) if year else None, LIMIT_SECONDS, " s")]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench reports", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    add_targets_argument(parser)
    args = parser.parse_args(argv)
    load = machine_load()
    results = run(args)
    checked = targets(results)
    finish("reports", results, report(results), load, checked)
    return exit_status(ok=True, targets=checked, enforce=not args.no_targets)
