"""Sales of one store over a range of its days, computed by the database (aggregates, never a
loop over orders).

Days are the store's days (settings.TIME_ZONE, Asia/Seoul): an order belongs to the day and
hour of its `created_at` there. Deleted orders count nowhere but in `deleted_orders` and
`deleted_amount`.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from accounts.models import Store
from orders.models import Order, OrderLine, OrderStatus

GROUPS = ("day", "hour", "item", "table")
# The longest range a report covers, in days (a leap year).
MAX_DAYS = 366
PERCENTILES = {"p50": 0.5, "p90": 0.9}


@dataclass(frozen=True)
class DayRange:
    """An inclusive range of the store's days."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> datetime:
        """The start of the day after the last (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone())

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _orders(store: Store, days: DayRange) -> QuerySet[Order]:
    """The store's orders placed in `days`, deleted ones too."""
    return Order.objects.filter(store=store, created_at__gte=days.start, created_at__lt=days.end)


def sales_rows(*, store: Store, days: DayRange, group: str) -> list[dict[str, Any]]:
    """The live orders of `days` grouped: `[{key, orders, amount}]` (by item with `quantity`, the
    units, and `orders` the orders naming it). By day every day
    of the range and by hour every hour 0–23 has a row, zeros included; by item ranked by
    amount, then quantity, then name; by table by number."""
    live = _orders(store, days).filter(deleted_at__isnull=True)
    zone = timezone.get_default_timezone()
    if group == "day":
        found = {
            row["key"]: row
            for row in live.annotate(key=TruncDate("created_at", tzinfo=zone))
            .values("key")
            .annotate(orders=Count("id"), amount=Sum("total"))
        }
        return [_filled(found, day, day.isoformat()) for day in days.days()]
    if group == "hour":
        found = {
            row["key"]: row
            for row in live.annotate(key=ExtractHour("created_at", tzinfo=zone))
            .values("key")
            .annotate(orders=Count("id"), amount=Sum("total"))
        }
        return [_filled(found, hour, hour) for hour in range(24)]
    if group == "item":
        lines = (
            OrderLine.objects.filter(order__in=live.values("id"))
            .values("name")
            .annotate(
                # The same item twice in one order (with other options) is one order of it.
                orders=Count("order_id", distinct=True),
                units=Sum("quantity"),
                amount=Sum(F("unit_price") * F("quantity")),
            )
            .order_by("-amount", "-units", "name")
        )
        return [
            {"key": row["name"], "orders": row["orders"], "quantity": row["units"], "amount": row["amount"]}
            for row in lines
        ]
    if group == "table":
        tables = (
            live.values("table__number").annotate(orders=Count("id"), amount=Sum("total")).order_by("table__number")
        )
        return [{"key": row["table__number"], "orders": row["orders"], "amount": row["amount"]} for row in tables]
    raise ValueError(group)


def _filled(found: dict[Any, dict[str, Any]], key: Any, shown: Any) -> dict[str, Any]:
    row = found.get(key)
    return {"key": shown, "orders": row["orders"] if row else 0, "amount": row["amount"] if row else 0}


def sales_totals(*, store: Store, days: DayRange) -> dict[str, Any]:
    """Orders, sessions (with a live order in the range), amount, the average per session
    (rounded to the won), deleted orders and their amount, and the minutes from order to 완료."""
    live = Q(deleted_at__isnull=True)
    # On PostgreSQL the minutes come in the same pass over the range's orders.
    in_one_pass = connection.vendor == "postgresql"
    figures = _orders(store, days).aggregate(
        orders=Count("id", filter=live),
        sessions=Count("session_id", distinct=True, filter=live),
        amount=Sum("total", filter=live, default=0),
        deleted_orders=Count("id", filter=~live),
        deleted_amount=Sum("total", filter=~live, default=0),
        **(_percentiles(filter=COMPLETED) if in_one_pass else {}),
    )
    minutes = (
        _minutes({name: figures.pop(name) for name in PERCENTILES})
        if in_one_pass
        else minutes_to_complete(store=store, days=days)
    )
    sessions = figures["sessions"]
    return {
        **figures,
        "average_per_session": (figures["amount"] * 2 + sessions) // (2 * sessions) if sessions else 0,
        "minutes_to_complete": minutes,
    }


class SecondsPercentile(Aggregate):
    """PostgreSQL's percentile_cont of a duration in seconds: `fraction` of the way through the
    sorted values, interpolated between the two neighbours."""

    template = "percentile_cont(%(fraction)s) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def _duration() -> "ExpressionWrapper[CombinedExpression]":
    return ExpressionWrapper(F("completed_at") - F("created_at"), output_field=DurationField())


# Live orders completed with a recorded time: those the minutes to 완료 are of.
COMPLETED = Q(deleted_at__isnull=True, status=OrderStatus.COMPLETED, completed_at__isnull=False)


def completed_orders(*, store: Store, days: DayRange) -> QuerySet[Order]:
    """The live orders of `days` completed with a recorded time."""
    return _orders(store, days).filter(COMPLETED)


def minutes_to_complete(*, store: Store, days: DayRange) -> dict[str, float | None]:
    """The median and 90th percentile of the minutes from order to 완료 over the range's live,
    completed orders, interpolated between neighbours as PostgreSQL's percentile_cont does
    (None without any).

    On PostgreSQL percentile_cont itself, in one pass. SQLite has no percentile: there the count,
    then the one or two durations each percentile lies between, each a bounded query
    (the tests hold both to the same answers)."""
    completed = completed_orders(store=store, days=days)
    if connection.vendor == "postgresql":
        return percentiles_in_one_pass(completed)
    return percentiles_by_rank(completed)


def _percentiles(filter: Q | None = None) -> dict[str, SecondsPercentile]:
    return {
        name: SecondsPercentile(_duration(), fraction=fraction, filter=filter) for name, fraction in PERCENTILES.items()
    }


def _minutes(seconds: dict[str, float | None]) -> dict[str, float | None]:
    return {name: None if value is None else round(value / 60, 1) for name, value in seconds.items()}


def percentiles_in_one_pass(completed: QuerySet[Order]) -> dict[str, float | None]:
    """PERCENTILES of the orders' minutes to 완료 by PostgreSQL's percentile_cont."""
    return _minutes(completed.aggregate(**_percentiles()))


def percentiles_by_rank(completed: QuerySet[Order]) -> dict[str, float | None]:
    """PERCENTILES of the orders' minutes to 완료 from the count and the durations around each rank."""
    count = completed.count()
    if not count:
        return dict.fromkeys(PERCENTILES)
    durations = completed.annotate(duration=_duration()).order_by("duration").values_list("duration", flat=True)
    result: dict[str, float | None] = {}
    for name, fraction in PERCENTILES.items():
        position = fraction * (count - 1)
        below = int(position)
        pair = [duration.total_seconds() for duration in durations[below : below + 2]]
        upper = pair[1] if len(pair) > 1 else pair[0]
        result[name] = round((pair[0] + (upper - pair[0]) * (position - below)) / 60, 1)
    return result


def sales_report(*, store: Store, days: DayRange, group: str) -> dict[str, Any]:
    """The report the API answers: the range, the group, its rows and the totals."""
    return {
        "date_from": days.first.isoformat(),
        "date_to": days.last.isoformat(),
        "group": group,
        "rows": sales_rows(store=store, days=days, group=group),
        "total": sales_totals(store=store, days=days),
    }
