"""Reads about orders that more than one caller needs."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import Table
from orders.models import Order, OrderQuerySet, StaffCall, TableSession

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class _LiveTotals(TypedDict):
        live_total: int | None
        live_count: int


class TableState(TypedDict):
    id: int
    number: int
    session_id: int | None
    total: int
    order_count: int


class DashboardSession(TypedDict):
    id: int
    opened_at: str
    total: int
    order_count: int
    latest_orders: list[dict[str, Any]]


class DashboardTable(TypedDict):
    id: int
    number: int
    created_at: str
    session: DashboardSession | None


def open_session(table: Table) -> TableSession | None:
    """The table's current session, or None."""
    return TableSession.objects.filter(table=table, closed_at__isnull=True).first()


class SessionIds(TypedDict):
    open: int | None
    last: int | None
    closed: int | None


def table_session_ids(table_id: int) -> SessionIds:
    """The ids of a table's open session, its latest session and its last closed one (None
    where it has none), in one query. Session ids only grow: a larger `closed` than a tablet
    remembers means the guests it served have left.

    In SQL: every tablet's stream open asks, and the ORM's building of this aggregate costs
    five times the query."""
    with connection.cursor() as cursor:
        cursor.execute(_TABLE_SESSION_IDS, [table_id])
        open_id, last, closed = cursor.fetchone()
    return {"open": open_id, "last": last, "closed": closed}


_TABLE_SESSION_IDS = (
    "SELECT MAX(id) FILTER (WHERE closed_at IS NULL), MAX(id), MAX(id) FILTER (WHERE closed_at IS NOT NULL) "  # noqa: S608 (the name from the model)
    f"FROM {TableSession._meta.db_table} WHERE table_id = %s"
)


def session_totals(session_id: int) -> tuple[int, int]:
    """(total won, live order count) of a session."""
    totals = Order.objects.live().filter(session_id=session_id).aggregate(total=Sum("total"), count=Count("id"))
    return totals["total"] or 0, totals["count"]


def table_state(table: Table, session: TableSession | None) -> TableState:
    """What a dashboard shows of a table after a change: its session, total and count."""
    if session is None or not session.is_open:
        return table_state_of(table, None, 0, 0)
    return table_state_of(table, session.id, *session_totals(session.id))


def table_state_of(table: Table, session_id: int | None, total: int, count: int) -> TableState:
    """`table_state` from what the caller has read: the open session's id (None: no open
    session), its total and its live order count."""
    return {"id": table.id, "number": table.number, "session_id": session_id, "total": total, "order_count": count}


def session_orders(session_id: int | None) -> OrderQuerySet:
    """The live orders of a session (none for None), oldest first, with lines."""
    if session_id is None:
        return Order.objects.none()
    return Order.objects.live().filter(session_id=session_id).with_lines()


LATEST_ORDERS_PER_TABLE = 3


def dashboard_tables(tables: Sequence[Table]) -> list[DashboardTable]:
    """The dashboard's view of `tables` (one page of them), in their order; three queries.

    Each is `{id, number, created_at, session: None | {id, opened_at, total, order_count,
    latest_orders}}`: the latest (up to LATEST_ORDERS_PER_TABLE) live orders, and every older
    one still new (not acknowledged), newest first, so that every screen counts the same new
    orders.
    """
    live = Q(orders__deleted_at__isnull=True)
    sessions = {
        session.table_id: session
        for session in TableSession.objects.filter(table__in=tables, closed_at__isnull=True).annotate(
            live_total=Sum("orders__total", filter=live), live_count=Count("orders", filter=live)
        )
    }
    latest: defaultdict[int, list[Order]] = defaultdict(list)
    ranked = Order.objects.live().annotate(
        rank=Window(RowNumber(), partition_by=[F("session_id")], order_by=[F("created_at").desc(), F("id").desc()])
    )
    for order in (
        ranked.filter(session_id__in=[session.id for session in sessions.values()])
        .filter(Q(rank__lte=LATEST_ORDERS_PER_TABLE) | Q(acknowledged_at__isnull=True))
        .order_by("-created_at", "-id")
        .prefetch_related("lines")
    ):
        latest[order.session_id].append(order)
    return [_dashboard_table(table, sessions.get(table.id), latest) for table in tables]


def _dashboard_table(
    table: Table, session: "WithAnnotations[TableSession, _LiveTotals] | None", latest: Mapping[int, list[Order]]
) -> DashboardTable:
    body: DashboardTable = {
        "id": table.id,
        "number": table.number,
        "created_at": table.created_at.isoformat(),
        "session": None,
    }
    if session is not None:
        orders = latest[session.id]
        for order in orders:
            order.table = table
        body["session"] = {
            "id": session.id,
            "opened_at": session.opened_at.isoformat(),
            "total": session.live_total or 0,
            "order_count": session.live_count,
            "latest_orders": [order.as_dict() for order in orders],
        }
    return body


def current_orders(
    orders: OrderQuerySet, *, table_ids: Sequence[int] | None = None, status: str | None = None
) -> OrderQuerySet:
    """Of `orders` (one store's, scoped by the caller): the live ones of open sessions, oldest first."""
    orders = orders.live().filter(session__closed_at__isnull=True).with_lines()
    if table_ids:
        orders = orders.filter(table_id__in=table_ids)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("created_at", "id")


def order_history(
    orders: OrderQuerySet,
    *,
    table_ids: Sequence[int] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> OrderQuerySet:
    """Of `orders` (one store's, scoped by the caller): the live ones of closed sessions, newest first.

    The dates are inclusive days of the order's `created_at` in the store's time zone.
    """
    orders = orders.live().filter(session__closed_at__isnull=False).with_lines().select_related("session")
    if table_ids:
        orders = orders.filter(table_id__in=table_ids)
    if date_from:
        orders = orders.filter(created_at__gte=_start_of_day(date_from))
    if date_to:
        orders = orders.filter(created_at__lt=_start_of_day(date_to + timedelta(days=1)))
    return orders.order_by("-created_at", "-id")


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def session_staff_calls(session: TableSession) -> QuerySet[StaffCall]:
    """A session's staff calls, waiting and acknowledged, oldest first."""
    return StaffCall.objects.filter(session=session).select_related("table").order_by("created_at", "id")


def open_staff_calls(calls: QuerySet[StaffCall], *, table_ids: Sequence[int] | None = None) -> QuerySet[StaffCall]:
    """Of `calls` (one store's, scoped by the caller): the waiting ones of open sessions, oldest first.

    A session that ended took its calls with it: they are waiting nowhere any more.
    """
    return _current_staff_calls(calls, table_ids).filter(acknowledged_at__isnull=True).order_by("created_at", "id")


def recent_staff_calls(calls: QuerySet[StaffCall], *, table_ids: Sequence[int] | None = None) -> QuerySet[StaffCall]:
    """Of `calls` (one store's, scoped by the caller): those of open sessions, waiting or not, newest first."""
    return _current_staff_calls(calls, table_ids).order_by("-created_at", "-id")


def _current_staff_calls(calls: QuerySet[StaffCall], table_ids: Sequence[int] | None) -> QuerySet[StaffCall]:
    calls = calls.filter(session__closed_at__isnull=True).select_related("table")
    return calls.filter(table_id__in=table_ids) if table_ids else calls
