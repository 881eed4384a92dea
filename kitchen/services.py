"""A kitchen ticket's steps: start (조리 시작), done (완료) and recall (되돌리기).

Each is one transaction that takes the store's write lock first (the lock order of
orders.services), then the ticket, and publishes `ticket.updated`. The order follows its
tickets: the first start makes it 준비중, and once every ticket of it is done it is 완료
(orders.services.change_order_status, which publishes `order.updated`).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import lock_store
from core.exceptions import Conflict
from kitchen.models import KitchenTicket, TicketStatus
from kitchen.selectors import RECALL_WINDOW
from kitchen.tickets import publish_ticket
from orders.models import STATUS_FLOW, OrderStatus
from orders.services import change_order_status


def _locked(ticket: KitchenTicket) -> KitchenTicket:
    lock_store(ticket.store_id)
    return (
        KitchenTicket.objects.select_for_update(of=("self",))
        .select_related("order__table", "order__session", "order__store")
        .get(pk=ticket.pk)
    )


def _refuse_cancelled(ticket: KitchenTicket) -> None:
    if ticket.status == TicketStatus.CANCELLED:
        raise Conflict(_("This order was cancelled."), "ticket_cancelled")


def _order_reaches(ticket: KitchenTicket, status: OrderStatus, actor: User | None) -> None:
    """Move the ticket's order forward to `status` if it is behind it and still on the floor."""
    order = ticket.order
    if order.deleted_at is not None or not order.session.is_open:
        return
    if STATUS_FLOW.index(OrderStatus(order.status)) < STATUS_FLOW.index(status):
        change_order_status(order=order, status=status, actor=actor)


@transaction.atomic
def start_ticket(*, ticket: KitchenTicket, actor: User | None) -> KitchenTicket:
    """new → cooking; the order becomes 준비중. Conflict unless the ticket is new."""
    ticket = _locked(ticket)
    _refuse_cancelled(ticket)
    if ticket.status != TicketStatus.NEW:
        raise Conflict(_("This ticket was already started."), "ticket_already_started")
    ticket.status, ticket.started_at = TicketStatus.COOKING, timezone.now()
    ticket.save(update_fields=["status", "started_at"])
    publish_ticket(ticket)
    _order_reaches(ticket, OrderStatus.PREPARING, actor)
    return ticket


@transaction.atomic
def finish_ticket(*, ticket: KitchenTicket, actor: User | None) -> KitchenTicket:
    """new or cooking → done; when every ticket of the order is done (cancelled ones aside) the
    order becomes 완료, else at least 준비중. Conflict if it is done already."""
    ticket = _locked(ticket)
    _refuse_cancelled(ticket)
    if ticket.status == TicketStatus.DONE:
        raise Conflict(_("This ticket is already done."), "ticket_already_done")
    now = timezone.now()
    ticket.status, ticket.done_at = TicketStatus.DONE, now
    ticket.started_at = ticket.started_at or now
    ticket.save(update_fields=["status", "started_at", "done_at"])
    publish_ticket(ticket)
    open_tickets = KitchenTicket.objects.filter(
        order_id=ticket.order_id, status__in=[TicketStatus.NEW, TicketStatus.COOKING]
    )
    _order_reaches(ticket, OrderStatus.PREPARING if open_tickets.exists() else OrderStatus.COMPLETED, actor)
    return ticket


@transaction.atomic
def recall_ticket(*, ticket: KitchenTicket, actor: User | None) -> KitchenTicket:
    """done → cooking, within RECALL_WINDOW of its finish (a mis-tap); an order it had made
    완료 steps back to 준비중 (recorded as a step back). Conflict otherwise."""
    ticket = _locked(ticket)
    _refuse_cancelled(ticket)
    if ticket.status != TicketStatus.DONE:
        raise Conflict(_("Only a finished ticket can be recalled."), "ticket_not_done")
    if ticket.done_at is None or timezone.now() - ticket.done_at > RECALL_WINDOW:
        raise Conflict(_("This ticket was finished too long ago to recall."), "ticket_recall_expired")
    ticket.status, ticket.done_at = TicketStatus.COOKING, None
    ticket.save(update_fields=["status", "done_at"])
    publish_ticket(ticket)
    order = ticket.order
    if order.deleted_at is None and order.session.is_open and order.status == OrderStatus.COMPLETED:
        change_order_status(order=order, status=OrderStatus.PREPARING, actor=actor, allow_step_back=True)
    return ticket
