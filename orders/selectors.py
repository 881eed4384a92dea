"""Reads about orders that more than one caller needs."""

from django.db.models import Count, Sum

from orders.models import Order, TableSession


def open_session(table):
    """The table's current session, or None."""
    return TableSession.objects.filter(table=table, closed_at__isnull=True).first()


def session_totals(session_id):
    """(total won, live order count) of a session."""
    totals = Order.objects.live().filter(session_id=session_id).aggregate(total=Sum("total"), count=Count("id"))
    return totals["total"] or 0, totals["count"]


def table_state(table, session):
    """What a dashboard shows of a table after a change: its session, total and count."""
    total, count = session_totals(session.id) if session else (0, 0)
    return {
        "id": table.id,
        "number": table.number,
        "session_id": session.id if session and session.is_open else None,
        "total": total if session and session.is_open else 0,
        "order_count": count if session and session.is_open else 0,
    }


def session_orders(session):
    """The live orders of a session, oldest first, with lines."""
    return Order.objects.live().filter(session=session).with_lines()
