"""The back office under its Content-Security-Policy (core.csp), in Chromium: every admin page
sends the policy, and nothing on them is refused by it — the login, the lists with their
filters, date hierarchy and drag-and-drop, the forms with autocomplete, inlines and the image
preview, the theme toggle, and the live dashboard with its own nonce policy.

A store of its own ("cspadmin", with a table 72) keeps the other browser tests' data as they expect.
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STORE_CODE = "cspadmin"
MANAGER_PASSWORD = "cspadmin-pass-1"
# Every violation the page reports, kept on the page for the test to read.
VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def seed():
    """Run in the app's database: a store with two categories, an item with an option group,
    and a table with an order."""
    from accounts.services import create_store, setup_table
    from menus.models import Category, ItemOptionGroup, MenuItem, OptionGroup
    from menus.services import link_option_groups, save_option_group
    from orders.services import place_order

    store, _manager = create_store(
        code=STORE_CODE, name="보안정책 식당", manager_username="manager", manager_password=MANAGER_PASSWORD
    )
    table, _created = setup_table(store=store, number=72, password="cspadmin-table-1")
    meals = Category.objects.create(store=store, name="식사", display_order=1)
    items = [
        MenuItem.objects.create(store=store, category=meals, name=name, price=price, display_order=order)
        for order, (name, price) in enumerate([("김치찌개", 9000), ("떡볶이", 6000)])
    ]
    group = save_option_group(group=OptionGroup(store=store, name="맵기", min_select=0, max_select=1))
    link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=items[0], group=group)])
    order, _placed = place_order(table=table, items=[{"menu_item_id": items[1].id, "quantity": 1}])
    return {
        "store": store.id,
        "meals": meals.id,
        "group": group.id,
        "item": items[0].id,
        "table": table.id,
        "order": order.id,
    }


@pytest.fixture(scope="module")
def shop(app_server):
    return app_server.run_in_app("seed", module=__name__)


def visit(page, url):
    """Open `url`; its response must carry a policy."""
    response = page.goto(url)
    assert response.ok, (url, response.status)
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url
    return response


def violations(page):
    return page.evaluate("window.cspViolations")


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#c8402a").save(buffer, "PNG")
    return {"name": "stew.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def test_the_back_office_runs_under_its_policy(page, shop, screenshots):
    page.add_init_script(VIOLATIONS)
    seen = {}

    visit(page, "/admin/login/")
    seen["login"] = violations(page)
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill("manager")
    page.get_by_label("비밀번호").fill(MANAGER_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    expect(page.locator("#sound-dialog")).to_be_visible()
    seen["dashboard"] = violations(page)

    visit(page, "/admin/")
    seen["index"] = violations(page)
    # The theme toggle (Django's own script) still switches.
    before = page.evaluate("document.documentElement.dataset.theme || ''")
    page.locator("button.theme-toggle").first.click()
    assert page.evaluate("document.documentElement.dataset.theme || ''") != before
    seen["theme toggle"] = violations(page)

    visit(page, f"/admin/menus/menuitem/?category__id__exact={shop['meals']}")
    expect(page.locator("#result_list .drag.handle")).to_have_count(2)
    seen["one category's items"] = violations(page)

    visit(page, f"/admin/menus/menuitem/{shop['item']}/change/")
    page.locator("input[type=file]").first.set_input_files(png())
    expect(page.locator("img[data-preview-of]")).to_be_visible()
    inline = page.locator("#group_links-group")
    before = inline.locator("tr.form-row:not(.empty-form)").count()
    inline.locator(".add-row a").click()
    expect(inline.locator("tr.form-row:not(.empty-form)")).to_have_count(before + 1)
    # Autocomplete (select2) opens and lists the store's categories.
    page.locator(".field-category .select2-selection").click()
    expect(page.locator(".select2-results__option").filter(has_text="식사")).to_be_visible()
    page.keyboard.press("Escape")
    page.screenshot(path=screenshots / "admin-csp-item.png", full_page=True)
    seen["item form"] = violations(page)

    visit(page, "/admin/orders/order/")
    expect(page.locator("nav.toplinks")).to_be_visible()  # the date hierarchy
    seen["orders"] = violations(page)

    for name, url in {
        "option group": f"/admin/menus/optiongroup/{shop['group']}/change/",
        "order": f"/admin/orders/order/{shop['order']}/change/",
        "table": f"/admin/accounts/table/{shop['table']}/change/",
        "store": f"/admin/accounts/store/{shop['store']}/change/",
    }.items():
        visit(page, url)
        seen[name] = violations(page)

    assert {name: found for name, found in seen.items() if found} == {}


def test_the_policy_refuses_an_injected_inline_script(chromium, app_server):
    """What the walk above listens for is heard: a script slipped into an admin page is
    reported, not run."""
    context = chromium.new_context(base_url=app_server.url)
    try:
        page = context.new_page()
        page.add_init_script(VIOLATIONS)
        visit(page, "/admin/login/")
        page.evaluate("""() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
        }""")
        page.wait_for_function("window.cspViolations.length > 0")
        assert page.evaluate("window.injected") is None
        assert violations(page)[0].startswith("script-src")
    finally:
        context.close()
