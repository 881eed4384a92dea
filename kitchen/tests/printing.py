"""What the printing tests share: a printer with an agent token, orders, API calls."""

from accounts.models import Role
from accounts.services import create_manager
from accounts.tokens import manager_tokens
from kitchen.models import Printer
from kitchen.printers import issue_token
from menus.models import Station
from orders.services import place_order


def make_printer(store, name="주방 프린터", *, station="first", token=True, **fields):
    """A printer of `store` (of its first station unless `station` is given; None: the counter
    printer) and its agent token (None without one)."""
    if station == "first":
        station = Station.objects.filter(store=store).first()
    printer = Printer.objects.create(store=store, name=name, station=station, **fields)
    return printer, (issue_token(printer=printer) if token else None)


def place(table, item, quantity=1, note=""):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}], note=note)[0]


def kitchen_user(store, username="cook"):
    return create_manager(store=store, username=username, password="cook-pass-2468", role=Role.KITCHEN)


def bearer(user):
    return {"Authorization": f"Bearer {manager_tokens(user)['access']}"}


def agent(token):
    return {"Authorization": f"Bearer {token}"}
