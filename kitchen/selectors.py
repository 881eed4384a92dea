"""Reads of the kitchen: tickets as the display and the API show them."""

from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kitchen.models import KitchenTicket, TicketStatus

# How long a finished or cancelled ticket stays on the display (and a finished one can be recalled).
RECALL_WINDOW = timedelta(minutes=5)
# Arrival order; an order's tickets (which share its time) in the order of their stations.
TICKET_ORDER = ("created_at", "order_id", "station__display_order", "station_id")


def ticket_dict(ticket: KitchenTicket) -> dict[str, Any]:
    """A ticket as the API and its events show it (read with its order and the order's table)."""
    order = ticket.order
    return {
        "id": str(ticket.id),
        "order_id": order.id,
        "number": order.number,
        "display_number": order.display_number,
        "table": {"id": order.table_id, "number": order.table.number},
        "station": {"id": ticket.station_id, "name": ticket.station_name},
        "status": ticket.status,
        "status_label": str(TicketStatus(ticket.status).label),
        "created_at": ticket.created_at.isoformat(),
        "started_at": ticket.started_at.isoformat() if ticket.started_at else None,
        "done_at": ticket.done_at.isoformat() if ticket.done_at else None,
        "cancelled_at": ticket.cancelled_at.isoformat() if ticket.cancelled_at else None,
        "note": ticket.note,
        "lines": ticket.lines,
    }


def display_tickets(
    store_id: int, *, station_id: int | None = None, status: str | None = None
) -> QuerySet[KitchenTicket]:
    """The tickets a kitchen display shows, in arrival order: every open one (new or cooking),
    and those finished or cancelled within RECALL_WINDOW; `status` narrows to one status (then
    any age, newest last), `station_id` to one station."""
    tickets = KitchenTicket.objects.filter(store_id=store_id).select_related("order__table")
    if station_id is not None:
        tickets = tickets.filter(station_id=station_id)
    if status is not None:
        return tickets.filter(status=status).order_by(*TICKET_ORDER)
    recent = timezone.now() - RECALL_WINDOW
    return tickets.filter(
        Q(status__in=[TicketStatus.NEW, TicketStatus.COOKING])
        | Q(status=TicketStatus.DONE, done_at__gte=recent)
        | Q(status=TicketStatus.CANCELLED, cancelled_at__gte=recent)
    ).order_by(*TICKET_ORDER)
