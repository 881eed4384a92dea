"""A session's bill (orders.bills): live orders' lines added up by item, options and price."""

import pytest

from conftest import make_option_group
from menus.models import Option
from orders.bills import session_bill
from orders.models import OrderLine
from orders.selectors import open_session
from orders.services import delete_order, place_order

pytestmark = pytest.mark.django_db


def test_lines_add_up_by_item_options_and_unit_price(table, menu):
    stew, soup, rice = menu
    group = make_option_group(stew, name="맵기", max_select=2)
    hot = Option.objects.create(group=group, name="매운맛", price_delta=500)
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 2}, {"menu_item_id": rice.id, "quantity": 1}])
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1, "option_ids": [hot.id]}])
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1}, {"menu_item_id": rice.id, "quantity": 2}])
    deleted, _ = place_order(table=table, items=[{"menu_item_id": soup.id, "quantity": 5}])
    delete_order(order=deleted, actor=None)
    session = open_session(table)

    bill = session_bill(session)

    assert bill == {
        "session_id": session.id,
        "opened_at": session.opened_at.isoformat(),
        "lines": [
            {
                "menu_item_id": stew.id,
                "name": "김치찌개",
                "options": [],
                "unit_price": 9000,
                "quantity": 3,
                "amount": 27000,
            },
            {
                "menu_item_id": rice.id,
                "name": "공기밥",
                "options": [],
                "unit_price": 1000,
                "quantity": 3,
                "amount": 3000,
            },
            {
                "menu_item_id": stew.id,
                "name": "김치찌개",
                "options": ["매운맛"],
                "unit_price": 9500,
                "quantity": 1,
                "amount": 9500,
            },
        ],
        "total": 39500,
        "order_count": 3,
    }
    assert bill["total"] == sum(order.total for order in session.orders.live())


def test_a_price_change_between_orders_makes_its_own_line(table, menu):
    stew = menu[0]
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1}])
    stew.price = 9900
    stew.save()
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1}])

    lines = session_bill(open_session(table))["lines"]

    assert [(line["unit_price"], line["quantity"]) for line in lines] == [(9000, 1), (9900, 1)]


def test_lines_of_a_deleted_menu_item_stay_apart_by_name(table, menu):
    stew, soup, _rice = menu
    place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1}, {"menu_item_id": soup.id, "quantity": 1}])
    OrderLine.objects.update(menu_item=None, unit_price=8000)

    lines = session_bill(open_session(table))["lines"]

    assert [(line["menu_item_id"], line["name"]) for line in lines] == [(None, "김치찌개"), (None, "된장찌개")]
