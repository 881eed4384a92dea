"""HTML and script in every text a manager or a guest can set, shown on the tablet, the live
dashboard and the admin in Chromium: nothing runs, nothing loads, the text reads as typed.

Each text below would call alert(), set window.__pwned or load a /pwned-… picture from the
server if a page ever parsed it as HTML. A store of its own ("hostile", tables 61–66) holds
them, so the other browser tests' store and menu stay as they expect. The `page` fixture
already fails a test on a script error, a Content-Security-Policy report or a request off
the server.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STORE_CODE = "hostile"
MANAGER_PASSWORD = "hostile-pass-1"
TABLE, TABLE_PASSWORD = 61, "hostile-7-table"
TEXT = {
    "store": '</title><script>alert("store")</script>악당 식당',
    "category": '<script>alert("category")</script>',
    "item": '<img src=/pwned-item.png onerror=alert("item")>찌개',
    "description": '<b onmouseover=alert(1)>굵게</b><script>window.__pwned="description"</script>',
    "group": '<svg/onload=alert("group")>맵기',
    "option": '"><img src=/pwned-option.png onerror=alert(1)>',
    "reason": "<svg onload=alert(1)>",  # a reason has at most 30 characters
    "other reason": "<img src=/pwned-reason.png>",
    "note": '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>덜 맵게',
}


def seed():
    """Run in the app's database: the store, its menu and reasons, and at table 61 an order
    with the hostile option and note, and a waiting call."""
    from accounts.services import create_store, setup_table
    from menus.models import Category, MenuItem, Option, OptionGroup
    from orders.services import place_order
    from orders.staff_calls import call_staff

    store, _manager = create_store(
        code=STORE_CODE, name=TEXT["store"], manager_username="manager", manager_password=MANAGER_PASSWORD
    )
    store.staff_call_reasons = [TEXT["reason"], TEXT["other reason"], "물"]
    store.full_clean()
    store.save()
    table, _created = setup_table(store=store, number=TABLE, password=TABLE_PASSWORD)
    category = Category.objects.create(store=store, name=TEXT["category"])
    item = MenuItem.objects.create(
        store=store, category=category, name=TEXT["item"], description=TEXT["description"], price=9000
    )
    group = OptionGroup.objects.create(store=store, name=TEXT["group"], min_select=1, max_select=1)
    group.items.add(item)
    option = Option.objects.create(group=group, name=TEXT["option"], price_delta=500)
    Option.objects.create(group=group, name="보통", display_order=1)
    order, _created = place_order(
        table=table, items=[{"menu_item_id": item.id, "quantity": 2, "option_ids": [option.id]}], note=TEXT["note"]
    )
    call_staff(table=table, reason=TEXT["reason"])
    return {"store": store.id, "category": category.id, "item": item.id, "group": group.id, "order": order.id}


@pytest.fixture(scope="module")
def hostile_store(app_server):
    """The ids of what seed() made in the app server's database."""
    return app_server.run_in_app("seed", module=__name__)


class Trap:
    """Records what injected markup would do: open a dialog (alert), load a /pwned-… URL."""

    def __init__(self, page):
        self.page, self.dialogs, self.loads = page, [], []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: "/pwned" in request.url and self.loads.append(request.url))

    def shows(self, *names, within=None):
        """Each TEXT[name] is on the page, as text, visible."""
        scope = within or self.page
        for name in names:
            expect(scope.get_by_text(TEXT[name], exact=False).first).to_be_visible()

    def nothing_ran(self):
        assert self.dialogs == []
        assert self.loads == []
        assert self.page.evaluate("window.__pwned") is None


def test_the_tablet_shows_hostile_menu_text_as_text(page, hostile_store):
    trap = Trap(page)
    page.goto("/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("테이블 번호").fill(str(TABLE))
    page.get_by_label("테이블 비밀번호").fill(TABLE_PASSWORD)
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#store-name")).to_have_text(TEXT["store"])
    item = page.locator("#menu-content .item")
    expect(item.locator(".item-name")).to_have_text(TEXT["item"])
    expect(item.locator(".item-desc")).to_have_text(TEXT["description"])
    trap.shows("category")

    item.locator(".item-add").click()
    chooser = page.locator("#item-dialog")
    expect(chooser).to_be_visible()
    trap.shows("item", "description", "group", "option", within=chooser)
    chooser.get_by_role("button", name="닫기").click()

    page.get_by_role("button", name="직원 호출").click()
    calls = page.locator("#call-dialog")
    expect(calls.locator(".call-reason-name")).to_have_text([TEXT["reason"], TEXT["other reason"], "물"])
    calls.get_by_role("button", name="닫기").click()
    expect(page.locator("#call-banner")).to_contain_text(TEXT["reason"])

    page.get_by_role("button", name="주문 내역").click()
    card = page.locator(".order-card")
    expect(card.locator(".order-lines li")).to_contain_text([TEXT["item"]])
    expect(card.locator(".line-options")).to_have_text([TEXT["option"]])
    expect(card.locator(".order-note")).to_contain_text(TEXT["note"])
    trap.nothing_ran()


def log_in_to_the_admin(page):
    page.goto("/admin/login/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill("manager")
    page.get_by_label("비밀번호").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    page.locator("#sound-dialog").get_by_role("button", name="소리 없이 보기").click()


def test_the_dashboard_shows_hostile_orders_and_calls_as_text(page, hostile_store):
    trap = Trap(page)
    log_in_to_the_admin(page)
    expect(page.locator(".dash-store")).to_have_text(TEXT["store"])
    expect(page.locator("#call-list .call-item")).to_contain_text([TEXT["reason"]])
    row = page.locator(".order-row")
    expect(row).to_contain_text(TEXT["item"])
    expect(row.locator(".o-note")).to_have_text(TEXT["note"])
    row.click()
    order = page.locator("#order-dialog")
    expect(order).to_be_visible()
    trap.shows("item", "option", "note", within=order)
    trap.nothing_ran()


def test_the_admin_shows_hostile_text_as_text(page, hostile_store):
    ids = hostile_store
    trap = Trap(page)
    log_in_to_the_admin(page)

    def field(selector):
        return expect(page.locator(selector).first)

    page.goto(f"/admin/accounts/store/{ids['store']}/change/")
    trap.shows("store")
    for reason in ("reason", "other reason"):
        assert TEXT[reason] in page.locator("#id_staff_call_reasons").input_value()
    page.goto("/admin/menus/category/")
    trap.shows("category")
    page.goto(f"/admin/menus/category/{ids['category']}/change/")
    field("#id_name").to_have_value(TEXT["category"])
    page.goto("/admin/menus/menuitem/")
    trap.shows("item", "category")
    page.goto(f"/admin/menus/menuitem/{ids['item']}/change/")
    field("#id_name").to_have_value(TEXT["item"])
    field("#id_description").to_have_value(TEXT["description"])
    # The attached group as the picker's choice, and its options as the link to its page.
    expect(page.locator("select[name='group_links-0-group'] option:checked")).to_have_text(TEXT["group"])
    trap.shows("option", within=page.locator("#group_links-group"))
    expect(page.locator(".select2-selection__rendered")).to_contain_text(TEXT["category"])  # the picker's choice
    page.goto("/admin/menus/optiongroup/")
    trap.shows("group", "item")
    page.goto(f"/admin/menus/optiongroup/{ids['group']}/change/")
    field("input[name$='-0-name']").to_have_value(TEXT["option"])
    page.goto("/admin/orders/order/")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.goto(f"/admin/orders/order/{ids['order']}/change/")
    trap.shows("note", "item", "option")
    page.goto("/admin/orders/staffcall/")
    trap.shows("reason")
    trap.nothing_ran()
