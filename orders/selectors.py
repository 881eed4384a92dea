"""Reads about orders that more than one caller needs."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from orders.models import Order, StaffCall, TableSession


def open_session(table):
    """The table's current session, or None."""
    return TableSession.objects.filter(table=table, closed_at__isnull=True).first()


def session_totals(session_id):
    """(total won, live order count) of a session."""
    totals = Order.objects.live().filter(session_id=session_id).aggregate(total=Sum("total"), count=Count("id"))
    return totals["total"] or 0, totals["count"]


def table_state(table, session):
    """What a dashboard shows of a table after a change: its session, total and count."""
    if session is None or not session.is_open:
        return table_state_of(table, None, 0, 0)
    return table_state_of(table, session.id, *session_totals(session.id))


def table_state_of(table, session_id, total, count):
    """`table_state` from what the caller has read: the open session's id (None: no open
    session), its total and its live order count."""
    return {"id": table.id, "number": table.number, "session_id": session_id, "total": total, "order_count": count}


def session_orders(session):
    """The live orders of a session, oldest first, with lines."""
    return Order.objects.live().filter(session=session).with_lines()


LATEST_ORDERS_PER_TABLE = 3


def dashboard_tables(tables):
    """The dashboard's view of `tables` (one page of them), in their order; three queries.

    Each is `{id, number, created_at, session: None | {id, opened_at, total, order_count,
    latest_orders}}`, the latest (up to LATEST_ORDERS_PER_TABLE) live orders newest first.
    """
    live = Q(orders__deleted_at__isnull=True)
    sessions = {
        session.table_id: session
        for session in TableSession.objects.filter(table__in=tables, closed_at__isnull=True).annotate(
            live_total=Sum("orders__total", filter=live), live_count=Count("orders", filter=live)
        )
    }
    latest = defaultdict(list)
    ranked = Order.objects.live().annotate(
        rank=Window(RowNumber(), partition_by=[F("session_id")], order_by=[F("created_at").desc(), F("id").desc()])
    )
    for order in (
        ranked.filter(session_id__in=[session.id for session in sessions.values()], rank__lte=LATEST_ORDERS_PER_TABLE)
        .order_by("-created_at", "-id")
        .prefetch_related("lines")
    ):
        latest[order.session_id].append(order)
    return [_dashboard_table(table, sessions.get(table.id), latest) for table in tables]


def _dashboard_table(table, session, latest):
    body = {"id": table.id, "number": table.number, "created_at": table.created_at.isoformat(), "session": None}
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


def current_orders(orders, *, table_ids=None, status=None):
    """Of `orders` (one store's, scoped by the caller): the live ones of open sessions, oldest first."""
    orders = orders.live().filter(session__closed_at__isnull=True).with_lines()
    if table_ids:
        orders = orders.filter(table_id__in=table_ids)
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("created_at", "id")


def order_history(orders, *, table_ids=None, date_from=None, date_to=None):
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


def _start_of_day(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def session_staff_calls(session):
    """A session's staff calls, waiting and acknowledged, oldest first."""
    return StaffCall.objects.filter(session=session).select_related("table").order_by("created_at", "id")


def open_staff_calls(calls, *, table_ids=None):
    """Of `calls` (one store's, scoped by the caller): the waiting ones of open sessions, oldest first.

    A session that ended took its calls with it: they are waiting nowhere any more.
    """
    return _current_staff_calls(calls, table_ids).filter(acknowledged_at__isnull=True).order_by("created_at", "id")


def recent_staff_calls(calls, *, table_ids=None):
    """Of `calls` (one store's, scoped by the caller): those of open sessions, waiting or not, newest first."""
    return _current_staff_calls(calls, table_ids).order_by("-created_at", "-id")


def _current_staff_calls(calls, table_ids):
    calls = calls.filter(session__closed_at__isnull=True).select_related("table")
    return calls.filter(table_id__in=table_ids) if table_ids else calls
