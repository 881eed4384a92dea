"""The kitchen API: stations (managers), tickets and their steps (managers and kitchen staff),
who may use them, and what each stream carries of the kitchen."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import create_manager
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_menu
from kitchen.models import KitchenTicket
from menus.models import Station
from orders.models import OrderStatus
from orders.services import place_order
from orders.tests.sse_client import ASGIStream, db, run

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(principal):
    tokens = table_tokens(principal) if hasattr(principal, "number") else manager_tokens(principal)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


@pytest.fixture
def cook(store):
    return create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)


@pytest.fixture
def placed(table, menu):
    return place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])[0]


def test_managers_keep_stations_and_the_last_one_stays(manager, store):
    api = client_for(manager)
    (first,) = api.get("/api/v1/admin/stations").json()["results"]
    assert first["name"] == "주방"
    bar = api.post("/api/v1/admin/stations", {"name": "주류", "display_order": 1}, format="json")
    assert bar.status_code == 201
    assert api.post("/api/v1/admin/stations", {"name": "주류"}, format="json").status_code == 400
    assert api.patch(f"/api/v1/admin/stations/{bar.json()['id']}", {"name": "바"}, format="json").json()["name"] == "바"
    assert api.delete(f"/api/v1/admin/stations/{bar.json()['id']}").status_code == 204
    refused = api.delete(f"/api/v1/admin/stations/{first['id']}")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "last_station")
    assert Station.objects.filter(store=store).count() == 1


def test_a_category_and_an_item_take_a_station_of_their_own_store_only(manager, store, other_store):
    api = client_for(manager)
    bar = Station.objects.create(store=store, name="주류", display_order=1)
    foreign = Station.objects.get(store=other_store)
    created = api.post("/api/v1/admin/categories", {"name": "주류", "station_id": bar.id}, format="json")
    assert (created.status_code, created.json()["station_id"]) == (201, bar.id)
    refused = api.post("/api/v1/admin/categories", {"name": "음료", "station_id": foreign.id}, format="json")
    assert refused.status_code == 400
    assert "station_id" in refused.json()["error"]["fields"]
    item = api.post(
        "/api/v1/admin/menu-items",
        {"category": created.json()["id"], "name": "맥주", "price": 5000, "station_id": foreign.id},
        format="json",
    )
    assert item.status_code == 400


def test_kitchen_staff_work_tickets_and_the_order_follows(cook, placed):
    api = client_for(cook)
    (ticket,) = api.get("/api/v1/admin/kitchen/tickets").json()["results"]
    assert ticket["order_id"] == placed.id
    assert ticket["table"]["number"] == 1
    assert ticket["lines"] == [{"name": "김치찌개", "quantity": 2, "options": []}]
    started = api.post(f"/api/v1/admin/kitchen/tickets/{ticket['id']}/start")
    assert (started.status_code, started.json()["status"]) == (200, "cooking")
    placed.refresh_from_db()
    assert placed.status == OrderStatus.PREPARING
    again = api.post(f"/api/v1/admin/kitchen/tickets/{ticket['id']}/start")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "ticket_already_started")
    assert api.post(f"/api/v1/admin/kitchen/tickets/{ticket['id']}/done").json()["status"] == "done"
    placed.refresh_from_db()
    assert placed.status == OrderStatus.COMPLETED
    assert api.post(f"/api/v1/admin/kitchen/tickets/{ticket['id']}/recall").json()["status"] == "cooking"


def test_kitchen_staff_are_refused_the_managers_api(cook, placed):
    api = client_for(cook)
    for path in ("/api/v1/admin/tables", "/api/v1/admin/orders", "/api/v1/admin/stations", "/api/v1/admin/menu-items"):
        assert api.get(path).status_code == 403, path
    assert api.patch(f"/api/v1/admin/orders/{placed.id}", {"status": "completed"}, format="json").status_code == 403


def test_a_tablet_and_another_store_get_nothing_of_the_kitchen(table, placed, other_store):
    ticket = KitchenTicket.objects.get(order=placed)
    tablet = client_for(table)
    assert tablet.get("/api/v1/admin/kitchen/tickets").status_code in (401, 403)
    assert tablet.post(f"/api/v1/admin/kitchen/tickets/{ticket.id}/start").status_code in (401, 403)
    stranger = client_for(other_store.users.get())
    assert stranger.get("/api/v1/admin/kitchen/tickets").json()["results"] == []
    assert stranger.post(f"/api/v1/admin/kitchen/tickets/{ticket.id}/start").status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == "new"


def test_bad_filters_are_a_400(manager):
    api = client_for(manager)
    assert api.get("/api/v1/admin/kitchen/tickets?status=burnt").status_code == 400
    assert api.get("/api/v1/admin/kitchen/tickets?station=x").status_code == 400


def order_events(store_table, item):
    return place_order(table=store_table, items=[{"menu_item_id": item.id, "quantity": 1}])[0]


def test_tickets_reach_the_kitchen_and_the_dashboard_but_never_a_tablet(table, menu, manager, cook):
    async def scenario():
        async with (
            ASGIStream("/api/v1/admin/stream", token=manager_tokens(manager)["access"]) as dashboard,
            ASGIStream("/api/v1/admin/stream", token=manager_tokens(cook)["access"]) as kitchen,
            ASGIStream("/api/v1/orders/stream", token=table_tokens(table)["access"]) as tablet,
        ):
            for stream in (dashboard, kitchen, tablet):
                await stream.events(1)
            placed = await db(order_events)(table, menu[1])
            assert [frame.event for frame in await dashboard.events(2)] == ["order.created", "ticket.created"]
            (ticket,) = await kitchen.events(1)
            assert ticket.event == "ticket.created"
            assert ticket.data["ticket"]["order_id"] == placed.id
            assert [frame.event for frame in await tablet.events(1)] == ["order.created"]
            await tablet.expect_silence(0.5)
            await kitchen.expect_silence(0.3)

    run(scenario)


def test_a_kitchen_stream_ticket_carries_the_kitchen_only(table, menu, cook):
    api = client_for(cook)
    issued = api.post("/api/v1/stream-ticket")
    assert issued.status_code == 200

    async def scenario():
        async with ASGIStream(f"/api/v1/admin/stream?ticket={issued.json()['ticket']}") as kitchen:
            await kitchen.events(1)
            await db(order_events)(table, menu[0])
            assert [frame.event for frame in await kitchen.events(1)] == ["ticket.created"]
            await kitchen.expect_silence(0.3)

    run(scenario)


def test_an_items_station_wins_over_its_categorys(store, table):
    items = make_menu(store)
    bar = Station.objects.create(store=store, name="주류", display_order=1)
    items[2].station = bar
    items[2].save()
    placed = place_order(
        table=table, items=[{"menu_item_id": items[0].id, "quantity": 1}, {"menu_item_id": items[2].id, "quantity": 3}]
    )[0]
    tickets = {ticket.station_name: ticket.lines for ticket in KitchenTicket.objects.filter(order=placed)}
    assert tickets == {
        "주방": [{"name": "김치찌개", "quantity": 1, "options": []}],
        "주류": [{"name": "공기밥", "quantity": 3, "options": []}],
    }
