"""An order's kitchen tickets: written with the order, cancelled with it, and done when a
manager completes it. Receivers of the orders signals (wired in kitchen.apps)."""

import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from accounts.models import Table, User
from kitchen.models import JobKind, KitchenTicket, Printer, PrintJob, TicketStatus
from kitchen.selectors import TICKET_ORDER, display_tickets, ticket_dict
from menus.models import Station
from orders import outbox
from orders.models import EventType, Order, OrderStatus
from orders.order_write import Follower
from orders.pricing import PricedLine


@functools.cache
def _stations_sql() -> str:
    """The store's stations in order, each with its printers that have an agent token (one row
    per printer, or one with no printer): raw SQL, as the ORM's compiling of this join costs
    more than the query on every order."""
    station, printer = Station._meta, Printer._meta
    quote = connection.ops.quote_name
    return (
        f"SELECT s.id, s.{quote('name')}, p.id FROM {quote(station.db_table)} s "  # noqa: S608 (names from the models)
        f"LEFT JOIN {quote(printer.db_table)} p ON p.{quote(printer.get_field('station').column)} = s.id "
        f"AND p.{quote('token_hash')} <> '' "
        f"WHERE s.{quote(station.get_field('store').column)} = %s ORDER BY s.display_order, s.id, p.id"
    )


def rows_for_order(
    sender: type[Order], *, store_id: int, table: Table, note: str, lines: Sequence[PricedLine], **kwargs: Any
) -> tuple[list[Model], list[Follower]]:
    """`order_placing`: a ticket per station the order's lines go to (each with only its lines),
    a print job per ticket for each of the station's printers that has an agent, and each
    ticket's `ticket.created` event. One query: the store's stations and their printers."""
    stations: dict[int, str] = {}
    printers: defaultdict[int, list[int]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(_stations_sql(), [store_id])
        for station_id, name, printer_id in cursor.fetchall():
            stations[station_id] = name
            if printer_id is not None:
                printers[station_id].append(printer_id)
    if not stations:
        return [], []
    first = next(iter(stations))
    by_station: dict[int, list[dict[str, Any]]] = {}
    for line in lines:
        station_id = line.station_id if line.station_id in stations else first
        by_station.setdefault(station_id, []).append(
            {"name": line.name, "quantity": line.quantity, "options": [option["name"] for option in line.options]}
        )
    written: list[Model] = []
    followers: list[Follower] = []
    for station_id, station_lines in by_station.items():
        ticket = KitchenTicket(
            id=uuid.uuid4(),
            store_id=store_id,
            station_id=station_id,
            station_name=stations[station_id],
            lines=station_lines,
            note=note,
        )
        written.append(ticket)
        written.extend(
            PrintJob(store_id=store_id, printer_id=printer_id, kind=JobKind.ORDER, ticket_id=ticket.id)
            for printer_id in printers[station_id]
        )
        payload = {
            "ticket": {
                "id": str(ticket.id),
                "table": {"id": table.id, "number": table.number},
                "station": {"id": station_id, "name": ticket.station_name},
                "status": TicketStatus.NEW.value,
                "status_label": str(TicketStatus.NEW.label),
                "started_at": None,
                "done_at": None,
                "cancelled_at": None,
                "note": note,
                "lines": station_lines,
            }
        }
        followers.append(Follower(type=EventType.TICKET_CREATED, subject="ticket", payload=payload))
    return written, followers


def publish_ticket(ticket: KitchenTicket) -> None:
    """`ticket.updated` with the ticket as the API shows it; inside the change's transaction."""
    order = ticket.order
    outbox.publish(
        store=order.store,
        event_type=EventType.TICKET_UPDATED,
        payload={"ticket": ticket_dict(ticket)},
        table=order.table,
        session=order.session,
    )


def queue_jobs(ticket: KitchenTicket, kind: JobKind) -> list[PrintJob]:
    """A job of `kind` for each printer that printed (or will print) the ticket's order job."""
    printer_ids = (
        PrintJob.objects.filter(ticket=ticket, kind=JobKind.ORDER).values_list("printer_id", flat=True).distinct()
    )
    return PrintJob.objects.bulk_create(
        PrintJob(store_id=ticket.store_id, printer_id=printer_id, kind=kind, ticket=ticket)
        for printer_id in printer_ids
    )


def cancel_for_order(sender: type[Order], *, order: Order, actor: User | None, **kwargs: Any) -> None:
    """`order_deleted`: the order's tickets become 취소 (they stay on the display, struck through),
    and every printer that has its ticket prints a 취소 ticket."""
    now = timezone.now()
    tickets = (
        KitchenTicket.objects.select_for_update(of=("self",)).filter(order=order).exclude(status=TicketStatus.CANCELLED)
    )
    for ticket in tickets.select_related("order__table", "order__session", "order__store").order_by(*TICKET_ORDER):
        ticket.status, ticket.cancelled_at = TicketStatus.CANCELLED, now
        ticket.save(update_fields=["status", "cancelled_at"])
        queue_jobs(ticket, JobKind.CANCEL)
        publish_ticket(ticket)


def follow_order_status(
    sender: type[Order], *, order: Order, from_status: str, actor: User | None, **kwargs: Any
) -> None:
    """`order_status_changed`: an order a manager marks 완료 has no open ticket left."""
    if order.status != OrderStatus.COMPLETED:
        return
    now = timezone.now()
    tickets = KitchenTicket.objects.select_for_update(of=("self",)).filter(
        order=order, status__in=[TicketStatus.NEW, TicketStatus.COOKING]
    )
    for ticket in tickets.select_related("order__table", "order__session", "order__store").order_by(*TICKET_ORDER):
        ticket.status, ticket.done_at = TicketStatus.DONE, now
        ticket.started_at = ticket.started_at or now
        ticket.save(update_fields=["status", "started_at", "done_at"])
        publish_ticket(ticket)


def follow_moved_orders(sender: type[Order], *, orders: Sequence[Order], actor: User | None, **kwargs: Any) -> None:
    """`orders_moved`: each ticket the display shows of the moved orders is announced again
    (`ticket.updated`), now with its order's new table. Print jobs already queued stay as they are."""
    tickets = display_tickets(orders[0].store_id).filter(order__in=[order.id for order in orders])
    for ticket in tickets.select_related("order__table", "order__session", "order__store"):
        publish_ticket(ticket)
