"""Menu writes: validated, one transaction each, and announced to the store's tablets."""

import time

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Store
from core.exceptions import Conflict
from menus.models import Category, MenuItem
from menus.selectors import menu_version
from menus.services import delete_category, delete_menu_item, import_menu, save_category, save_menu_item
from orders.models import OrderEvent, OrderLine
from orders.outbox import events_after
from orders.services import place_order


def menu_events(store):
    return list(OrderEvent.objects.filter(store=store, type="menu.updated").order_by("id"))


def test_saving_an_item_announces_the_new_menu_version(store, menu):
    stew = menu[0]
    stew.is_available = False
    save_menu_item(item=stew)
    (event,) = menu_events(store)
    assert event.table_id is None and event.session_id is None
    assert event.payload == {"version": menu_version(store)}


def test_a_database_restored_to_an_earlier_state_never_repeats_a_menu_version(store, menu):
    issued = set()
    for price in (9000, 9100):
        menu[0].price = price
        save_menu_item(item=menu[0])
        issued.add(menu_version(store))
        time.sleep(0.002)
    # A restore from a backup taken before those writes: the counter is back where it was.
    Store.objects.filter(pk=store.pk).update(menu_version=1)
    menu[0].price = 9200
    save_menu_item(item=menu[0])
    # Another menu than any tablet saw under either version: it must have a version of its own.
    assert menu_version(store) not in issued


def test_an_invalid_item_is_refused_and_nothing_is_announced(store, menu, other_store):
    stew = menu[0]
    stew.price = 0
    with pytest.raises(ValidationError) as error:
        save_menu_item(item=stew)
    assert "price" in error.value.message_dict
    foreign = MenuItem(store=store, category=other_store.categories.get(), name="남의 메뉴", price=1000)
    with pytest.raises(ValidationError) as error:
        save_menu_item(item=foreign)
    assert "category" in error.value.message_dict
    assert menu_events(store) == []
    assert MenuItem.objects.get(pk=stew.pk).price == 9000


def test_deleting_an_item_keeps_past_orders(store, table, menu):
    stew = menu[0]
    order, _created = place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 2}])
    delete_menu_item(item=stew)
    line = OrderLine.objects.get(order=order)
    assert (line.menu_item_id, line.name, line.unit_price, line.quantity) == (None, "김치찌개", 9000, 2)
    assert len(menu_events(store)) == 1


def test_a_category_with_items_cannot_be_deleted(store, menu):
    category = menu[0].category
    with pytest.raises(Conflict) as error:
        delete_category(category=category)
    assert error.value.code == "category_not_empty"
    assert Category.objects.filter(pk=category.pk).exists()
    empty = save_category(category=Category(store=store, name="디저트", display_order=9))
    delete_category(category=empty)
    assert not Category.objects.filter(pk=empty.pk).exists()
    assert len(menu_events(store)) == 2


def test_a_duplicate_category_name_is_a_field_error(store, menu):
    with pytest.raises(ValidationError):
        save_category(category=Category(store=store, name="식사"))


def test_an_import_announces_once_and_only_when_something_changed(store, menu):
    rows = [
        {"category": "식사", "name": "김치찌개", "price": 9500},
        {"category": "식사", "name": "라면", "price": 4000},
    ]
    import_menu(store=store, rows=rows)
    assert len(menu_events(store)) == 1
    import_menu(store=store, rows=rows)
    assert len(menu_events(store)) == 1


def test_a_tables_stream_carries_the_store_wide_menu_event(store, table, menu, other_store):
    save_menu_item(item=menu[0])
    other_item = other_store.menu_items.get()
    save_menu_item(item=other_item)
    (event,) = events_after(after_id=0, store_id=store.id, table_id=table.id, min_session_id=1, limit=10)
    assert event.type == "menu.updated" and event.table_id is None
