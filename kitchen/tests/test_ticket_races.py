"""Races of the kitchen, with real threads on real PostgreSQL connections: every outcome is one
a sequential run could give."""

import pytest

from accounts.models import Role
from accounts.services import create_manager
from conftest import postgres_only
from core.exceptions import Conflict
from kitchen.models import KitchenTicket, TicketStatus
from kitchen.services import finish_ticket, start_ticket
from orders.models import EventType, Order, OrderEvent, OrderStatus
from orders.services import change_order_status, delete_order, place_order
from orders.tests.test_concurrency import run_together

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def placed(table, menu):
    return place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])[0]


@pytest.fixture
def ticket(placed):
    return KitchenTicket.objects.get(order=placed)


def test_two_kitchen_screens_finishing_one_ticket_finish_it_once(store, ticket, placed):
    cooks = [
        create_manager(store=store, username=f"cook{n}", password="kitchen-pass-77", role=Role.KITCHEN) for n in (1, 2)
    ]
    results, errors = run_together([lambda cook=cook: finish_ticket(ticket=ticket, actor=cook) for cook in cooks])
    assert sorted(type(error).__name__ for error in errors if error) == ["Conflict"]
    assert sum(result is not None for result in results) == 1
    ticket.refresh_from_db()
    placed.refresh_from_db()
    assert (ticket.status, placed.status) == (TicketStatus.DONE, OrderStatus.COMPLETED)
    assert OrderEvent.objects.filter(type=EventType.TICKET_UPDATED, payload__ticket__id=str(ticket.id)).count() == 1


def test_a_ticket_finished_while_the_manager_completes_the_order_ends_done_once(manager, ticket, placed):
    _results, errors = run_together(
        [
            lambda: finish_ticket(ticket=ticket, actor=None),
            lambda: change_order_status(order=placed, status=OrderStatus.COMPLETED, actor=manager),
        ]
    )
    # Either order of the two is a sequential run: the second finds its work done and says so.
    assert [type(error) for error in errors if error] in ([], [Conflict])
    ticket.refresh_from_db()
    placed.refresh_from_db()
    assert (ticket.status, placed.status) == (TicketStatus.DONE, OrderStatus.COMPLETED)
    updates = OrderEvent.objects.filter(type=EventType.ORDER_UPDATED, payload__order__id=placed.id)
    assert [event.payload["order"]["status"] for event in updates] == ["completed"]


def test_a_ticket_started_while_the_order_is_deleted_is_cancelled_or_refused(manager, ticket, placed):
    _results, errors = run_together(
        [lambda: start_ticket(ticket=ticket, actor=None), lambda: delete_order(order=placed, actor=manager)]
    )
    assert errors[1] is None
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    assert Order.objects.get(pk=placed.pk).deleted_at is not None
    if errors[0] is not None:
        assert errors[0].code == "ticket_cancelled"
