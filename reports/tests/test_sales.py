"""The sales report against the same figures computed in plain Python over generated orders:
deleted ones, sessions past midnight (Seoul), an order whose table changed, another store's."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection

from conftest import ON_POSTGRES, make_store, postgres_only
from orders.models import Order, OrderStatus
from reports.selectors import (
    GROUPS,
    DayRange,
    completed_orders,
    minutes_to_complete,
    percentiles_by_rank,
    percentiles_in_one_pass,
    sales_report,
)
from reports.tests.world import SEOUL, expected, generate

FIRST = date(2026, 11, 30)
LAST = date(2026, 12, 3)


@pytest.fixture
def sales(store):
    generate(store, first=FIRST, days=4)
    other = make_store(code="beta", name="베타 식당")
    generate(other, first=FIRST, days=4, seed=8)
    # A late order moved to another table after it was placed counts for the table it is at.
    moved = Order.objects.filter(store=store, created_at__date__gte=FIRST).order_by("-created_at").last()
    target = store.tables.exclude(pk=moved.table_id).first()
    Order.objects.filter(pk=moved.pk).update(table=target)
    return store


@pytest.mark.parametrize("group", GROUPS)
def test_each_group_matches_the_orders_counted_one_by_one(sales, group):
    report = sales_report(store=sales, days=DayRange(FIRST, LAST), group=group)
    answer = expected(sales, FIRST, LAST)
    assert report["rows"] == answer[group]
    assert report["total"] == answer["total"]
    assert report["date_from"] == "2026-11-30"
    assert report["group"] == group


def test_the_generated_orders_have_what_the_report_must_handle(sales):
    orders = Order.objects.filter(store=sales)
    assert orders.filter(deleted_at__isnull=False).exists()
    crossing = [
        order
        for order in orders.select_related("session")
        if order.created_at.astimezone(SEOUL).date() != order.session.opened_at.astimezone(SEOUL).date()
    ]
    assert crossing, "a session that runs past midnight"
    answer = expected(sales, FIRST, LAST)
    assert answer["total"]["deleted_orders"] > 0
    assert answer["total"]["minutes_to_complete"]["p90"] > answer["total"]["minutes_to_complete"]["p50"]


def test_a_single_day_and_the_midnight_boundaries_in_seoul(store, menu):
    table = store.tables.create(number=5)
    from orders.models import OrderLine, TableSession

    session = TableSession.objects.create(store=store, table=table)
    for number, at in enumerate(
        [
            datetime(2026, 12, 1, 0, 0, tzinfo=SEOUL),  # the day's first instant (15:00 UTC the day before)
            datetime(2026, 12, 1, 23, 59, 59, tzinfo=SEOUL),
            datetime(2026, 12, 2, 0, 0, tzinfo=SEOUL),  # the next day
            datetime(2026, 11, 30, 23, 59, 59, tzinfo=SEOUL),  # the day before
        ],
        start=1,
    ):
        order = Order.objects.create(
            store=store, table=table, session=session, number=number, total=1000, created_at=at
        )
        OrderLine.objects.create(order=order, name="공기밥", unit_price=1000, quantity=1)
    report = sales_report(store=store, days=DayRange(date(2026, 12, 1), date(2026, 12, 1)), group="hour")
    assert report["total"]["orders"] == 2
    assert [row["key"] for row in report["rows"] if row["orders"]] == [0, 23]
    by_day = sales_report(store=store, days=DayRange(date(2026, 11, 30), date(2026, 12, 2)), group="day")
    assert [(row["key"], row["orders"]) for row in by_day["rows"]] == [
        ("2026-11-30", 1),
        ("2026-12-01", 2),
        ("2026-12-02", 1),
    ]


def test_an_empty_range_has_zero_rows_and_no_minutes(store):
    days = DayRange(date(2026, 1, 1), date(2026, 1, 2))
    report = sales_report(store=store, days=days, group="day")
    assert report["rows"] == [
        {"key": "2026-01-01", "orders": 0, "amount": 0},
        {"key": "2026-01-02", "orders": 0, "amount": 0},
    ]
    assert report["total"] == {
        "orders": 0,
        "sessions": 0,
        "amount": 0,
        "average_per_session": 0,
        "deleted_orders": 0,
        "deleted_amount": 0,
        "minutes_to_complete": {"p50": None, "p90": None},
    }
    assert sales_report(store=store, days=days, group="item")["rows"] == []


@postgres_only
def test_the_minutes_are_postgresqls_percentile_cont(sales):
    days = DayRange(FIRST, LAST)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at)) "
            "FROM orders_order WHERE store_id = %s AND deleted_at IS NULL AND status = 'completed' "
            "AND completed_at IS NOT NULL AND created_at >= %s AND created_at < %s",
            [sales.id, days.start, days.end],
        )
        p50, p90 = cursor.fetchone()
    by_postgres = {"p50": round(p50 / 60, 1), "p90": round(p90 / 60, 1)}
    completed = completed_orders(store=sales, days=days)
    assert percentiles_in_one_pass(completed) == percentiles_by_rank(completed) == by_postgres
    assert minutes_to_complete(store=sales, days=days) == by_postgres


@postgres_only
@pytest.mark.parametrize("count", [1, 2, 3, 10, 11])
def test_both_ways_of_the_minutes_agree_on_small_counts(store, count):
    from orders.models import TableSession

    table = store.tables.create(number=5)
    session = TableSession.objects.create(store=store, table=table)
    at = datetime(2026, 12, 1, 12, tzinfo=SEOUL)
    for n in range(count):
        Order.objects.create(
            store=store,
            table=table,
            session=session,
            number=n + 1,
            total=1000,
            created_at=at,
            status=OrderStatus.COMPLETED,
            completed_at=at + timedelta(seconds=37 * n * n + 61),
        )
    completed = completed_orders(store=store, days=DayRange(date(2026, 12, 1), date(2026, 12, 1)))
    assert percentiles_in_one_pass(completed) == percentiles_by_rank(completed)


def test_one_completed_order_is_both_percentiles(store):
    table = store.tables.create(number=5)
    from orders.models import TableSession

    session = TableSession.objects.create(store=store, table=table)
    at = datetime(2026, 12, 1, 12, tzinfo=SEOUL)
    Order.objects.create(
        store=store,
        table=table,
        session=session,
        number=1,
        total=1000,
        created_at=at,
        status=OrderStatus.COMPLETED,
        completed_at=at + timedelta(minutes=12, seconds=30),
    )
    assert minutes_to_complete(store=store, days=DayRange(date(2026, 12, 1), date(2026, 12, 1))) == {
        "p50": 12.5,
        "p90": 12.5,
    }


def test_the_database_is_the_one_the_run_names():
    assert (connection.vendor == "postgresql") == ON_POSTGRES


def test_an_item_twice_in_one_order_is_one_order_of_it(store):
    from orders.models import OrderLine, TableSession

    table = store.tables.create(number=5)
    session = TableSession.objects.create(store=store, table=table)
    at = datetime(2026, 12, 1, 12, tzinfo=SEOUL)
    order = Order.objects.create(store=store, table=table, session=session, number=1, total=19000, created_at=at)
    OrderLine.objects.create(order=order, name="김치찌개", unit_price=9000, quantity=1, options=[{"name": "순한맛"}])
    OrderLine.objects.create(order=order, name="김치찌개", unit_price=10000, quantity=1, options=[{"name": "매운맛"}])
    report = sales_report(store=store, days=DayRange(date(2026, 12, 1), date(2026, 12, 1)), group="item")
    assert report["rows"] == [{"key": "김치찌개", "orders": 1, "quantity": 2, "amount": 19000}]
    assert report["total"]["orders"] == 1
