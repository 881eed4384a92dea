"""Store isolation of every manager API route, generated from the URL resolver.

Each route under /api/v1/admin/ is called with every method its view answers:
(a) as a manager of store A on store B's objects: 404 for an object route, and B's objects
never in a list; (b) with a tablet token: 401/403; (c) anonymously: 401. Store B must come
out of every call unchanged. A new route is in the matrix without anyone adding it here;
one whose objects this file cannot supply makes the matrix fail until it can.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.views import APIView

from accounts.models import Store, Table, User
from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_menu, make_store
from kitchen.alerts import raise_alert
from kitchen.models import Alert, AlertKind, KitchenTicket, Printer, PrintJob
from kitchen.printers import issue_token
from menus.models import Category, MenuItem, Station
from orders.models import Order, OrderEvent, OrderLine, StaffCall, TableSession
from orders.services import close_session, place_order
from orders.staff_calls import call_staff

PREFIX = "api/v1/admin/"
METHODS = ("get", "post", "put", "patch", "delete")
# Plain Django views under the prefix: their own tests cover the rest; here only refusals.
REFUSAL_ONLY = {"admin-stream"}
# Routes that answer figures of the store's objects, not a list of them: every group and format
# must count store A's orders only and name nothing of store B's.
SUMMARIES = {"manager-reports-sales": [f"?group={group}" for group in ("day", "hour", "item", "table")]}


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith(PREFIX):
            yield route, entry


def _cases():
    for route, entry in _walk(get_resolver().url_patterns):
        view = getattr(entry.callback, "cls", None)
        if view is not None and issubclass(view, APIView):
            methods = [method for method in METHODS if hasattr(view, method)]
        else:
            methods = ["get"]
        # A plain view may close its database connection (a stream gives it back at once),
        # which only a test database without a wrapping transaction survives.
        marks = [] if view is not None else [pytest.mark.django_db(transaction=True)]
        for method in methods:
            yield pytest.param(route, entry, method, id=f"{method.upper()} /{route}", marks=marks)


CASES = list(_cases())


def test_the_matrix_covers_the_manager_api():
    routes = {case.values[0] for case in CASES}
    assert {
        "api/v1/admin/tables",
        "api/v1/admin/tables/<int:pk>",
        "api/v1/admin/tables/<int:pk>/close-session",
        "api/v1/admin/tables/<int:pk>/revoke-tablet",
        "api/v1/admin/orders",
        "api/v1/admin/orders/<int:pk>",
        "api/v1/admin/orders/<int:pk>/acknowledge",
        "api/v1/admin/tables/<int:pk>/move",
        "api/v1/admin/orders/<int:pk>/move",
        "api/v1/admin/history",
        "api/v1/admin/categories",
        "api/v1/admin/categories/<int:pk>",
        "api/v1/admin/menu-items",
        "api/v1/admin/menu-items/<int:pk>",
        "api/v1/admin/stream",
        "api/v1/admin/stations/<int:pk>",
        "api/v1/admin/kitchen/tickets/<uuid:pk>/start",
        "api/v1/admin/printers",
        "api/v1/admin/printers/<int:pk>",
        "api/v1/admin/printers/<int:pk>/token",
        "api/v1/admin/printers/<int:pk>/revoke-token",
        "api/v1/admin/printers/<int:pk>/test-print",
        "api/v1/admin/orders/<int:pk>/reprint",
        "api/v1/admin/tables/<int:pk>/print-bill",
        "api/v1/admin/tables/<int:pk>/bill",
        "api/v1/admin/alerts",
        "api/v1/admin/store",
        "api/v1/admin/reports/sales",
    } <= routes


class World:
    """Store A (the caller's) and store B (the target), each with a floor, orders and a menu,
    a kitchen station and a printer with an agent (so their orders have tickets and print jobs),
    and an open alert."""

    def __init__(self):
        self.a = make_store(code="alpha", name="알파 식당")
        self.b = make_store(code="beta", name="BETA-SECRET 식당")
        self.manager_a = self.a.users.get()
        a_table = setup_table(store=self.a, number=1, password="1234")[0]
        a_items = make_menu(self.a)
        a_printer = self._printer(self.a, "알파 프린터")
        raise_alert(printer=a_printer, kind=AlertKind.JOB_LATE)
        place_order(table=a_table, items=[{"menu_item_id": a_items[0].id, "quantity": 1}])
        call_staff(table=a_table, reason="물")
        self.a_category = a_items[0].category

        self.b_table = setup_table(store=self.b, number=1, password="1234")[0]
        b_items = make_menu(self.b, items=(("BETA-SECRET 비빔밥", 11000), ("BETA-SECRET 냉면", 9000)))
        self.b_category = b_items[0].category
        self.b_item = b_items[0]
        Category.objects.filter(pk=self.b_category.pk).update(translations={"en": {"name": "BETA-SECRET Meals"}})
        MenuItem.objects.filter(pk=self.b_item.pk).update(
            origin="BETA-SECRET 원산지", allergens=["밀"], translations={"ja": {"name": "BETA-SECRET ビビンバ"}}
        )
        type(self.b).objects.filter(pk=self.b.pk).update(
            origin_notice="BETA-SECRET 원산지",
            origin_notice_translations={"en": "BETA-SECRET Origin"},
            staff_call_reason_translations={"물": {"en": "BETA-SECRET Water"}},
        )
        self.b_station = Station.objects.get(store=self.b)
        self.b_printer = self._printer(self.b, "BETA-SECRET 프린터")
        b_past = setup_table(store=self.b, number=2, password="1234")[0]
        place_order(table=b_past, items=[{"menu_item_id": b_items[1].id, "quantity": 1}])
        close_session(table=b_past, actor=None)
        self.b_order = place_order(table=self.b_table, items=[{"menu_item_id": self.b_item.id, "quantity": 2}])[0]
        self.b_call = call_staff(table=self.b_table, reason="물")[0]
        self.b_ticket = KitchenTicket.objects.get(order=self.b_order)
        self.b_alert = raise_alert(printer=self.b_printer, kind=AlertKind.PRINTER_FAILED, detail="BETA-SECRET")

    @staticmethod
    def _printer(store, name):
        printer = Printer.objects.create(store=store, name=name, station=Station.objects.get(store=store))
        issue_token(printer=printer)
        return printer

    def b_object(self, model):
        return {
            Table: self.b_table,
            Order: self.b_order,
            Category: self.b_category,
            MenuItem: self.b_item,
            StaffCall: self.b_call,
            Station: self.b_station,
            KitchenTicket: self.b_ticket,
            Printer: self.b_printer,
            Alert: self.b_alert,
        }[model]

    def b_ids(self, model):
        # As the API writes them (a ticket's id is a UUID string).
        return {str(pk) for pk in model.objects.filter(store=self.b).values_list("id", flat=True)}

    def body(self, model):
        """A valid body for writing one `model`: a scoping bug would change B, not answer 400."""
        return {
            Table: {"number": 2, "password": "9999"},
            Order: {"status": "preparing"},
            Category: {"name": "BETA-SECRET 분류", "display_order": 1, "translations": {"en": {"name": "Taken"}}},
            MenuItem: {
                "category": self.a_category.id,
                "name": "가로챈 메뉴",
                "price": 1000,
                "origin": "가로챔",
                "allergens": ["밀"],
                "translations": {"en": {"name": "Taken"}},
            },
            StaffCall: {},
            Station: {"name": "BETA-SECRET 주방", "display_order": 3},
            KitchenTicket: {},
            Printer: {"name": "가로챈 프린터", "station_id": self.b_station.id, "columns": 32},
            Alert: {},
        }[model]

    def snapshot(self):
        store = self.b
        return {
            "store": list(type(store).objects.filter(pk=store.pk).values()),
            "users": list(User.objects.filter(store=store).values()),
            "tables": list(Table.objects.filter(store=store).values()),
            "sessions": list(TableSession.objects.filter(store=store).values()),
            "orders": list(Order.objects.filter(store=store).values()),
            "lines": list(OrderLine.objects.filter(order__store=store).values()),
            "categories": list(Category.objects.filter(store=store).values()),
            "items": list(MenuItem.objects.filter(store=store).values()),
            "events": list(OrderEvent.objects.filter(store=store).values_list("id", flat=True)),
            "staff_calls": list(StaffCall.objects.filter(store=store).values()),
            "stations": list(Station.objects.filter(store=store).values()),
            "tickets": list(KitchenTicket.objects.filter(store=store).values()),
            "printers": list(Printer.objects.filter(store=store).values()),
            "print_jobs": list(PrintJob.objects.filter(store=store).values()),
            "alerts": list(Alert.objects.filter(store=store).values()),
        }


@pytest.fixture
def world(db):
    return World()


def _model(entry):
    view = getattr(entry.callback, "cls", None)
    queryset = getattr(view, "queryset", None)
    assert queryset is not None, f"{entry.name}: no queryset to tell which objects it serves"
    return queryset.model


def _url(world, entry):
    assert entry.name, f"{entry.pattern}: name the route so it can be reversed"
    kwargs = {name: world.b_object(_model(entry)).pk for name in entry.pattern.converters}
    return reverse(entry.name, kwargs=kwargs)


def _call(client, method, url, body=None, **headers):
    if method in {"get", "delete"}:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, body or {}, content_type="application/json", headers=headers)


@pytest.mark.parametrize(("route", "entry", "method"), CASES)
def test_a_manager_of_another_store_never_reaches_its_objects(client, world, route, entry, method):
    if entry.name in REFUSAL_ONLY:
        pytest.skip("its store scoping is tested with the stream itself (orders/tests/test_sse.py)")
    model = _model(entry)
    bearer = f"Bearer {manager_tokens(world.manager_a)['access']}"
    before = world.snapshot()
    url = _url(world, entry)
    if model is Store:
        # The manager's own store, whatever the request holds: B is neither shown nor changed.
        body = {
            "ordering_paused": True,
            "pause_message": "가로챔",
            "origin_notice": "가로챔",
            "origin_notice_translations": {"en": "Taken"},
            "staff_call_reason_translations": {"물": {"en": "Taken"}},
            "cart_reminder_chime": False,
        }
        response = _call(client, method, url, body, Authorization=bearer)
        assert response.status_code == 200, response.content
        assert "BETA-SECRET" not in response.content.decode()
    elif entry.pattern.converters:
        response = _call(client, method, url, world.body(model), Authorization=bearer)
        assert response.status_code == 404, response.content
    elif method == "get" and entry.name in SUMMARIES:
        for query in SUMMARIES[entry.name]:
            answer = client.get(url + query, headers={"Authorization": bearer})
            assert answer.status_code == 200, answer.content
            assert answer.json()["total"]["orders"] == model.objects.filter(store=world.a).count()
            assert "BETA-SECRET" not in answer.content.decode()
            csv = client.get(url + query + "&format=csv", headers={"Authorization": bearer})
            assert "BETA-SECRET" not in csv.content.decode()
    elif method == "get":
        foreign = f"?page_size=100&table={world.b_table.id}&category={world.b_category.id}"
        for query in ("?page_size=100", foreign):
            response = client.get(url + query, headers={"Authorization": bearer})
            assert response.status_code == 200, response.content
            assert not {str(row["id"]) for row in response.json()["results"]} & world.b_ids(model)
            assert "BETA-SECRET" not in response.content.decode()
    else:
        response = client.post(
            url, world.body(model), content_type="application/json", headers={"Authorization": bearer}
        )
        assert response.status_code in {201, 400}, response.content
        if response.status_code == 201:
            assert model.objects.get(pk=response.json()["id"]).store == world.a
    assert world.snapshot() == before


@pytest.mark.parametrize(("route", "entry", "method"), CASES)
def test_a_tablet_token_is_refused(client, world, route, entry, method):
    before = world.snapshot()
    url = _url(world, entry) if entry.pattern.converters else reverse(entry.name)
    tablet = f"Bearer {table_tokens(world.b_table)['access']}"
    response = _call(client, method, url, {}, Authorization=tablet)
    assert response.status_code in {401, 403}, response.content
    assert "error" in response.json()
    assert world.snapshot() == before


@pytest.mark.parametrize(("route", "entry", "method"), CASES)
def test_an_anonymous_request_is_refused(client, world, route, entry, method):
    before = world.snapshot()
    url = _url(world, entry) if entry.pattern.converters else reverse(entry.name)
    response = _call(client, method, url, {})
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "not_authenticated"
    assert world.snapshot() == before
