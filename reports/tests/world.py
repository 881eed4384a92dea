"""Generated sales for the report tests, and the report computed again in plain Python from
the rows themselves (the independent answer the database's aggregates are checked against)."""

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Store
from accounts.services import setup_table
from orders.models import Order, OrderLine, OrderStatus, TableSession

SEOUL = ZoneInfo("Asia/Seoul")
ITEMS = [("김치찌개", 9000), ("된장찌개", 8000), ("공기밥", 1000), ("소주", 5000), ("=HYPERLINK()", 3000)]


def generate(store: Store, *, first: date, days: int, seed: int = 7) -> None:
    """`days` days of sessions from `first` (and one day either side of them), 1–4 orders a
    session 5–40 minutes apart with 1–3 lines; late sessions run past midnight (Seoul), about
    a tenth of the orders are deleted and most of the rest are completed some minutes later."""
    rng = random.Random(seed)
    tables = [setup_table(store=store, number=number, password="1234")[0] for number in (1, 2, 7, 12)]
    number = Order.objects.filter(store=store).count()
    for offset in range(-1, days + 1):
        day = first + timedelta(days=offset)
        for start_hour in (11, 12, 18, 21, 23):
            table = rng.choice(tables)
            opened = datetime(day.year, day.month, day.day, start_hour, rng.randrange(60), tzinfo=SEOUL)
            session = TableSession.objects.create(store=store, table=table, opened_at=opened, closed_at=opened)
            at = opened
            for _ in range(rng.randint(1, 4)):
                at += timedelta(minutes=rng.randint(5, 40), seconds=rng.randrange(60))
                number += 1
                lines = [(*rng.choice(ITEMS), rng.randint(1, 3)) for _ in range(rng.randint(1, 3))]
                completed = rng.random() < 0.7
                order = Order.objects.create(
                    store=store,
                    table=table,
                    session=session,
                    number=number,
                    total=sum(price * quantity for _, price, quantity in lines),
                    created_at=at,
                    status=OrderStatus.COMPLETED if completed else OrderStatus.PENDING,
                    completed_at=at + timedelta(seconds=rng.randint(60, 3600)) if completed else None,
                    deleted_at=at + timedelta(minutes=1) if rng.random() < 0.1 else None,
                )
                OrderLine.objects.bulk_create(
                    OrderLine(order=order, name=name, unit_price=price, quantity=quantity)
                    for name, price, quantity in lines
                )
            session.closed_at = at
            session.save(update_fields=["closed_at"])


def expected(store: Store, first: date, last: date) -> dict:
    """The report of every group, from the orders and lines read one by one."""
    orders = [
        order
        for order in Order.objects.filter(store=store).select_related("table").prefetch_related("lines")
        if first <= order.created_at.astimezone(SEOUL).date() <= last
    ]
    live = [order for order in orders if order.deleted_at is None]
    by: dict[str, defaultdict[Any, dict[str, int]]] = {
        group: defaultdict(lambda: {"orders": 0, "quantity": 0, "amount": 0}) for group in ("day", "hour", "table")
    }
    items: defaultdict[str, dict[str, int]] = defaultdict(lambda: {"orders": 0, "quantity": 0, "amount": 0})
    for order in live:
        local = order.created_at.astimezone(SEOUL)
        for group, key in (("day", local.date().isoformat()), ("hour", local.hour), ("table", order.table.number)):
            by[group][key]["orders"] += 1
            by[group][key]["amount"] += order.total
        for name in {line.name for line in order.lines.all()}:
            items[name]["orders"] += 1
        for line in order.lines.all():
            items[line.name]["quantity"] += line.quantity
            items[line.name]["amount"] += line.unit_price * line.quantity
    day_keys = [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    durations = sorted(
        (order.completed_at - order.created_at).total_seconds() / 60
        for order in live
        if order.status == OrderStatus.COMPLETED and order.completed_at
    )
    sessions = {order.session_id for order in live}
    amount = sum(order.total for order in live)
    return {
        "day": [{"key": k, "orders": by["day"][k]["orders"], "amount": by["day"][k]["amount"]} for k in day_keys],
        "hour": [{"key": h, "orders": by["hour"][h]["orders"], "amount": by["hour"][h]["amount"]} for h in range(24)],
        "table": [{"key": k, "orders": v["orders"], "amount": v["amount"]} for k, v in sorted(by["table"].items())],
        "item": sorted(
            (
                {"key": name, "orders": v["orders"], "quantity": v["quantity"], "amount": v["amount"]}
                for name, v in items.items()
            ),
            key=lambda row: (-row["amount"], -row["quantity"], row["key"]),
        ),
        "total": {
            "orders": len(live),
            "sessions": len(sessions),
            "amount": amount,
            "average_per_session": int((Decimal(amount) / len(sessions)).quantize(Decimal(1), ROUND_HALF_UP))
            if sessions
            else 0,
            "deleted_orders": len(orders) - len(live),
            "deleted_amount": sum(order.total for order in orders if order.deleted_at is not None),
            "minutes_to_complete": {"p50": percentile(durations, 0.5), "p90": percentile(durations, 0.9)},
        },
    }


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    rank = fraction * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return round(values[low] + (values[high] - values[low]) * (rank - low), 1)
