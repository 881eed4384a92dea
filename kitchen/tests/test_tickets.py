"""Kitchen tickets: written with their order, one per station, and the order following them."""

import pytest

from accounts.services import create_store, setup_table
from core.exceptions import Conflict
from kitchen.models import JobKind, KitchenTicket, Printer, PrintJob, TicketStatus
from kitchen.services import finish_ticket, recall_ticket, start_ticket
from menus.models import Category, MenuItem, Station
from orders.models import EventType, OrderEvent, OrderStatus
from orders.services import change_order_status, delete_order, place_order

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store():
    store, _manager = create_store(
        code="kit", name="주방 식당", manager_username="boss", manager_password="pw-4321-kitchen"
    )
    return store


@pytest.fixture
def menu(store):
    kitchen = Station.objects.get(store=store)
    bar = Station.objects.create(store=store, name="주류", display_order=1)
    food = Category.objects.create(store=store, name="식사")
    drinks = Category.objects.create(store=store, name="주류", station=bar)
    return {
        "kitchen": kitchen,
        "bar": bar,
        "rice": MenuItem.objects.create(store=store, category=food, name="비빔밥", price=9000),
        "soup": MenuItem.objects.create(store=store, category=food, name="된장찌개", price=8000),
        "beer": MenuItem.objects.create(store=store, category=drinks, name="맥주", price=5000),
        # A drink made in the kitchen: the item's station wins over its category's.
        "punch": MenuItem.objects.create(store=store, category=drinks, name="수정과", price=3000, station=kitchen),
    }


@pytest.fixture
def table(store):
    table, _created = setup_table(store=store, number=7, password="1234")
    return table


def order(table, *items, note=""):
    placed, _created = place_order(
        table=table, items=[{"menu_item_id": item.id, "quantity": 2} for item in items], note=note
    )
    return placed


def test_a_new_store_has_one_station_that_takes_everything(store, table):
    assert list(Station.objects.filter(store=store).values_list("name", flat=True)) == ["주방"]
    food = Category.objects.create(store=store, name="식사")
    item = MenuItem.objects.create(store=store, category=food, name="국수", price=7000)
    placed = order(table, item)
    (ticket,) = KitchenTicket.objects.filter(order=placed)
    assert ticket.station_name == "주방"
    assert ticket.lines == [{"name": "국수", "quantity": 2, "options": []}]


def test_an_order_gets_one_ticket_per_station_with_only_its_lines(menu, table):
    placed = order(table, menu["rice"], menu["beer"], menu["punch"], note="맵지 않게")
    tickets = {ticket.station_name: ticket for ticket in KitchenTicket.objects.filter(order=placed)}
    assert set(tickets) == {"주방", "주류"}
    assert [line["name"] for line in tickets["주방"].lines] == ["비빔밥", "수정과"]
    assert [line["name"] for line in tickets["주류"].lines] == ["맥주"]
    assert tickets["주방"].note == "맵지 않게"
    # The ticket's time is its order's, taken under the store's lock: tickets sort as their orders do.
    assert {ticket.created_at for ticket in tickets.values()} == {placed.created_at}
    assert all(ticket.status == TicketStatus.NEW for ticket in tickets.values())


def test_each_ticket_is_announced_after_its_order_with_the_orders_number(menu, table):
    placed = order(table, menu["rice"], menu["beer"])
    events = list(OrderEvent.objects.filter(session_id=placed.session_id).order_by("id"))
    assert [event.type for event in events] == [
        EventType.ORDER_CREATED,
        EventType.TICKET_CREATED,
        EventType.TICKET_CREATED,
    ]
    ids = {str(ticket.id) for ticket in KitchenTicket.objects.filter(order=placed)}
    for event in events[1:]:
        ticket = event.payload["ticket"]
        assert ticket["id"] in ids
        assert (ticket["order_id"], ticket["number"], ticket["display_number"]) == (
            placed.id,
            placed.number,
            placed.display_number,
        )
        assert ticket["table"] == {"id": table.id, "number": 7}
        assert ticket["created_at"] == placed.created_at.isoformat()


def test_starting_makes_the_order_preparing_and_the_last_finish_completes_it(menu, table, store):
    placed = order(table, menu["rice"], menu["beer"])
    food, drinks = (KitchenTicket.objects.get(order=placed, station=menu[name]) for name in ("kitchen", "bar"))
    start_ticket(ticket=food, actor=None)
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PREPARING
    finish_ticket(ticket=food, actor=None)
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PREPARING
    finish_ticket(ticket=drinks, actor=None)
    placed.refresh_from_db()
    assert placed.status == OrderStatus.COMPLETED
    updates = OrderEvent.objects.filter(store=store, type=EventType.TICKET_UPDATED).count()
    assert updates == 3


def test_a_finished_ticket_is_recalled_and_its_order_steps_back(menu, table):
    placed = order(table, menu["rice"])
    (ticket,) = KitchenTicket.objects.filter(order=placed)
    finish_ticket(ticket=ticket, actor=None)
    placed.refresh_from_db()
    assert placed.status == OrderStatus.COMPLETED
    recalled = recall_ticket(ticket=ticket, actor=None)
    assert recalled.status == TicketStatus.COOKING
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PREPARING


def test_steps_out_of_turn_are_conflicts_that_change_nothing(menu, table):
    placed = order(table, menu["rice"])
    (ticket,) = KitchenTicket.objects.filter(order=placed)
    with pytest.raises(Conflict):
        recall_ticket(ticket=ticket, actor=None)
    finish_ticket(ticket=ticket, actor=None)
    with pytest.raises(Conflict):
        finish_ticket(ticket=ticket, actor=None)
    with pytest.raises(Conflict):
        start_ticket(ticket=ticket, actor=None)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE


def test_a_deleted_orders_tickets_are_cancelled_and_stay(menu, table):
    placed = order(table, menu["rice"], menu["beer"])
    delete_order(order=placed, actor=None)
    tickets = KitchenTicket.objects.filter(order=placed)
    assert {ticket.status for ticket in tickets} == {TicketStatus.CANCELLED}
    with pytest.raises(Conflict):
        start_ticket(ticket=tickets[0], actor=None)


def test_a_manager_completing_the_order_finishes_its_tickets(menu, table):
    placed = order(table, menu["rice"], menu["beer"])
    change_order_status(order=placed, status=OrderStatus.COMPLETED)
    assert {ticket.status for ticket in KitchenTicket.objects.filter(order=placed)} == {TicketStatus.DONE}


def test_a_print_job_is_written_with_the_order_for_each_printer_with_an_agent(menu, table, store):
    with_agent = Printer.objects.create(store=store, name="주방 1", station=menu["kitchen"], token_hash="a" * 64)
    Printer.objects.create(store=store, name="주방 2", station=menu["kitchen"])  # no agent yet
    Printer.objects.create(store=store, name="계산대", token_hash="b" * 64)  # the counter printer
    placed = order(table, menu["rice"], menu["beer"])
    (job,) = PrintJob.objects.filter(order=placed)
    assert (job.printer, job.kind, job.ticket.station_name) == (with_agent, JobKind.ORDER, "주방")
