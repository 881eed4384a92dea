"""The back-office pages managers use on a tablet, in Chromium at 1280×800: every field, list,
checkbox and button at least 44×44 px, one 맵기 shared by several items, and dragging items
into a new order within one category.

A store of its own ("menuadmin", with a table 71) holds what these tests change, so the other
browser tests' store and menu stay as they expect.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STORE_CODE = "menuadmin"
MANAGER_PASSWORD = "menuadmin-pass-1"
# What a finger needs (as on the guest app).
TOUCH_PX = 44
CONTROLS = (
    "input:not([type=hidden]):not(.select2-hidden-accessible), select:not(.select2-hidden-accessible), "
    "textarea, button, .button, a.button, .select2-selection, .drag.handle"
)


def seed():
    """Run in the app's database: the store, a table with a closed session, two categories
    whose items share one 맵기, and an order placed with it."""
    from accounts.services import create_store, setup_table
    from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
    from menus.services import link_option_groups, save_option_group, save_options
    from orders.services import close_session, place_order

    store, _manager = create_store(
        code=STORE_CODE, name="메뉴관리 식당", manager_username="manager", manager_password=MANAGER_PASSWORD
    )
    table, _created = setup_table(store=store, number=71, password="menuadmin-table-1")
    meals = Category.objects.create(store=store, name="식사", display_order=1)
    sides = Category.objects.create(store=store, name="사이드", display_order=2)
    items = [
        MenuItem.objects.create(store=store, category=category, name=name, price=price, display_order=order)
        for category, name, price, order in [
            (sides, "계란말이", 7000, 1),
            (meals, "김치찌개", 9000, 1),
            (meals, "떡볶이", 6000, 2),
            (meals, "라면", 4000, 3),
            (sides, "공기밥", 1000, 2),
        ]
    ]
    spice = save_option_group(group=OptionGroup(store=store, name="맵기", min_select=1, max_select=1))
    save_options(
        group=spice,
        options=[
            Option(group=spice, name=name, price_delta=delta, display_order=order)
            for order, (name, delta) in enumerate([("순한맛", 0), ("보통", 0), ("매운맛", 500)])
        ],
    )
    link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=item, group=spice) for item in items[1:4]])
    hot = spice.options.get(name="매운맛")
    place_order(table=table, items=[{"menu_item_id": items[2].id, "quantity": 1, "option_ids": [hot.id]}])
    close_session(table=table, actor=None)
    return {"store": store.id, "meals": meals.id, "group": spice.id, "stew": items[1].id, "table": table.id}


def item_order(category_id):
    """The names of a category's items in display order (run in the app's database)."""
    from menus.models import MenuItem

    return list(
        MenuItem.objects.filter(category_id=category_id).order_by("display_order", "id").values_list("name", flat=True)
    )


@pytest.fixture(scope="module")
def shop(app_server):
    return app_server.run_in_app("seed", module=__name__)


def in_app(app_server, function, *args):
    return app_server.run_in_app(function, *args, module=__name__)


@pytest.fixture
def manager(page, shop):
    page.goto("/admin/login/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill("manager")
    page.get_by_label("비밀번호").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    return page


def small_controls(page):
    """Visible controls smaller than 44×44 CSS px, as "tag name W×H"."""
    return page.evaluate(
        """([selector, least]) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
            .map((el) => [`${el.tagName.toLowerCase()} ${el.name || el.id || el.className}`, el])
            .map(([name, el]) => [name, el.getBoundingClientRect()])
            .filter(([, box]) => box.width > 0 && (box.width < least || box.height < least))
            .map(([name, box]) => `${name} ${Math.round(box.width)}×${Math.round(box.height)}`)""",
        [CONTROLS, TOUCH_PX],
    )


def tablet_pages(shop):
    return {
        "item list": "/admin/menus/menuitem/",
        "one category's items": f"/admin/menus/menuitem/?category__id__exact={shop['meals']}",
        "item": f"/admin/menus/menuitem/{shop['stew']}/change/",
        "new item": "/admin/menus/menuitem/add/",
        "categories": "/admin/menus/category/",
        "category": f"/admin/menus/category/{shop['meals']}/change/",
        "option groups": "/admin/menus/optiongroup/",
        "option group": f"/admin/menus/optiongroup/{shop['group']}/change/",
        "tables": "/admin/accounts/table/",
        "table": f"/admin/accounts/table/{shop['table']}/change/",
        "staff-call reasons": f"/admin/accounts/store/{shop['store']}/change/",
        "history (sessions)": "/admin/orders/tablesession/",
        "history (orders)": "/admin/orders/order/",
    }


def test_every_control_on_the_managers_pages_is_44_px(manager, shop):
    small = {}
    for name, url in tablet_pages(shop).items():
        response = manager.goto(url)
        assert response.ok, (name, url, response.status)
        assert manager.locator(CONTROLS).count() > 0, name
        if found := small_controls(manager):
            small[name] = found

    assert small == {}


def test_one_group_on_several_items_and_its_pages(manager, shop, screenshots):
    manager.goto(f"/admin/menus/optiongroup/{shop['group']}/change/")
    linked = manager.locator("#item_links-group .select2-selection__rendered")
    expect(linked).to_have_text(["김치찌개", "떡볶이", "라면", ""], use_inner_text=True)
    manager.screenshot(path=screenshots / "admin-option-group.png", full_page=True)

    manager.goto("/admin/menus/optiongroup/")
    row = manager.locator("#result_list tbody tr").filter(has_text="맵기")
    expect(row).to_contain_text("순한맛 · 보통 · 매운맛 (+₩500)")
    expect(row).to_contain_text("김치찌개, 떡볶이, 라면")
    manager.screenshot(path=screenshots / "admin-option-groups.png", full_page=True)

    manager.goto(f"/admin/menus/menuitem/{shop['stew']}/change/")
    expect(manager.locator("#group_links-group")).to_contain_text("순한맛 · 보통 · 매운맛 (+₩500)")
    manager.screenshot(path=screenshots / "admin-item-with-shared-group.png", full_page=True)


def test_items_are_listed_by_category_and_dragged_within_one(manager, shop, app_server, screenshots):
    manager.goto("/admin/menus/menuitem/")
    names = manager.locator("#result_list tbody th.field-name, #result_list tbody td.field-name")
    expect(names).to_have_text(["김치찌개", "떡볶이", "라면", "계란말이", "공기밥"])
    expect(manager.locator("#result_list .drag.handle")).to_have_count(0)
    expect(manager.locator("#reorder-hint")).to_contain_text("식사")
    manager.screenshot(path=screenshots / "admin-item-list.png", full_page=True)

    manager.locator("#reorder-hint").get_by_role("link", name="식사").click()
    handles = manager.locator("#result_list .drag.handle")
    expect(handles).to_have_count(3)
    with manager.expect_response("**/adminsortable2_update/") as update:
        drag(manager, handles.nth(2), handles.nth(0))
    assert update.value.status == 200
    manager.screenshot(path=screenshots / "admin-item-list-one-category.png", full_page=True)

    assert in_app(app_server, "item_order", shop["meals"]) == ["라면", "김치찌개", "떡볶이"]
    manager.reload()
    expect(names).to_have_text(["라면", "김치찌개", "떡볶이"])


def drag(page, source, target):
    """A mouse drag from `source` to just above `target`, in steps (SortableJS follows the moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 2 + (start["y"] - end["y"]) * (10 - step) / 10)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 2)
    page.mouse.up()
