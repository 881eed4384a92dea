"""`Order.completed_at`: set when an order becomes 완료 (by a manager or the kitchen), cleared
when it steps back from it, so the sales report can tell the time from order to 완료."""

from kitchen.models import KitchenTicket
from kitchen.services import finish_ticket, recall_ticket, start_ticket
from orders.models import Order, OrderStatus
from orders.services import change_order_status, place_order


def placed(table, menu):
    return place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])[0]


def test_an_order_has_no_completion_time_until_it_is_completed(table, menu):
    order = placed(table, menu)
    assert order.completed_at is None
    change_order_status(order=order, status=OrderStatus.PREPARING)
    assert Order.objects.get(pk=order.pk).completed_at is None


def test_completing_records_the_time_and_stepping_back_clears_it(table, menu):
    order = placed(table, menu)
    completed = change_order_status(order=order, status=OrderStatus.COMPLETED)
    assert completed.completed_at is not None
    assert completed.completed_at >= completed.created_at
    assert Order.objects.get(pk=order.pk).completed_at == completed.completed_at
    back = change_order_status(order=order, status=OrderStatus.PREPARING, allow_step_back=True)
    assert back.completed_at is None
    again = change_order_status(order=order, status=OrderStatus.COMPLETED)
    assert again.completed_at >= completed.completed_at


def test_the_kitchen_finishing_the_last_ticket_completes_the_order_with_its_time(table, menu):
    order = placed(table, menu)
    ticket = KitchenTicket.objects.get(order=order)
    start_ticket(ticket=ticket, actor=None)
    assert Order.objects.get(pk=order.pk).completed_at is None
    finish_ticket(ticket=KitchenTicket.objects.get(pk=ticket.pk), actor=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED
    assert Order.objects.get(pk=order.pk).completed_at is not None
    recall_ticket(ticket=KitchenTicket.objects.get(pk=ticket.pk), actor=None)
    assert Order.objects.get(pk=order.pk).completed_at is None
