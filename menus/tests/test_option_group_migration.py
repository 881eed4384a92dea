"""The migration to store-level option groups keeps every existing group on its item: same
group, same options, same place among the item's groups, and orders priced as before."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Store
from menus.models import MenuItem, OptionGroup
from menus.selectors import store_menu
from orders.pricing import price_lines

# The menu before shared groups; accounts at its newest before them (its next migration needs them).
BEFORE = [("accounts", "0010_store_manager_order_audit"), ("menus", "0004_price_messages_in_won")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    """Every migration applied (the models the tests read with are the newest)."""
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def old_menu():
    """Two stores' items with per-item groups as before: 김치찌개 and 떡볶이 each with its own 맵기."""
    apps = migrate(BEFORE)
    Store, Category, MenuItem = (apps.get_model(*name) for name in [("accounts", "Store"), *MENU_MODELS[:2]])
    OptionGroup, Option = (apps.get_model(*name) for name in MENU_MODELS[2:])
    made = {}
    for code in ("alpha", "beta"):
        store = Store.objects.create(code=code, name=code)
        category = Category.objects.create(store=store, name="식사")
        for name in ("김치찌개", "떡볶이"):
            item = MenuItem.objects.create(store=store, category=category, name=name, price=9000)
            extra = OptionGroup.objects.create(item=item, name="추가", max_select=2, display_order=2)
            spice = OptionGroup.objects.create(item=item, name="맵기", min_select=1, display_order=1)
            Option.objects.create(group=spice, name="순한맛", display_order=1)
            hot = Option.objects.create(group=spice, name="매운맛", price_delta=500, display_order=2)
            Option.objects.create(group=extra, name="치즈", price_delta=1000)
            made[(code, name)] = {"item": item.pk, "groups": [spice.pk, extra.pk], "hot": hot.pk}
    yield made
    migrate_to_latest()


MENU_MODELS = [("menus", "Category"), ("menus", "MenuItem"), ("menus", "OptionGroup"), ("menus", "Option")]


def test_every_group_stays_on_its_item_in_its_place(old_menu):
    migrate_to_latest()

    for (code, name), made in old_menu.items():
        item = MenuItem.objects.get(pk=made["item"])
        assert [link.group_id for link in item.group_links.all()] == made["groups"], (code, name)
        assert all(group.store.code == code for group in item.option_groups.all())
        assert [group.items.count() for group in item.option_groups.all()] == [1, 1]
    alpha = Store.objects.get(code="alpha")
    (meals,) = store_menu(alpha)["categories"]
    assert [[group["name"] for group in item["option_groups"]] for item in meals["items"]] == [["맵기", "추가"]] * 2
    assert OptionGroup.objects.count() == 8


def test_orders_are_priced_as_before(old_menu):
    migrate_to_latest()
    made = old_menu[("alpha", "떡볶이")]
    alpha = Store.objects.get(code="alpha")

    (line,) = price_lines(alpha.pk, [(made["item"], 2, [made["hot"]])])

    assert (line.unit_price, [option["name"] for option in line.options]) == (9500, ["매운맛"])
