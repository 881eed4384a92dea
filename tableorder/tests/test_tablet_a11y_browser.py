"""The tablet's accessibility in Chromium (WCAG 2.2 AA, SPEC 3.11): axe-core on every screen and
state, the whole flow by keyboard alone with a visible focus in a sensible order, dialogs that keep
and give back the focus, what screen readers hear, and 200% zoom.

Tables 195–198 of the browser test store.
"""

import pytest
from playwright.sync_api import expect

from conftest import ON_POSTGRES
from tableorder.tests.axe import assert_accessible
from tableorder.tests.browser import STORE_CODE, TABLE_PASSWORD
from tableorder.tests.test_tablet_browser import OPTION_ITEM, option_item, set_up_tablet

pytestmark = pytest.mark.browser

AXE_TABLE, KEYBOARD_TABLE, LANDSCAPE_ZOOM_TABLE, PORTRAIT_ZOOM_TABLE = 195, 196, 197, 198
# The tablet's viewports (conftest.LANDSCAPE and PORTRAIT) at 200%: half the CSS pixels, twice the density.
ZOOMED = {"landscape": {"width": 640, "height": 400}, "portrait": {"width": 400, "height": 640}}


def set_paused(paused):
    """Run in the app's database: the test store pauses ordering (or takes orders again), as its manager would."""
    from accounts.models import Store
    from accounts.services import update_store_settings

    store = Store.objects.get(code=STORE_CODE)
    message = "재료 준비 중" if paused else ""
    update_store_settings(store=store, actor=None, ordering_paused=paused, pause_message=message)
    return paused


@pytest.fixture(scope="module")
def a11y_store(app_server):
    option_item(app_server)
    app_server.run_in_app("add_tables", [AXE_TABLE, KEYBOARD_TABLE, LANDSCAPE_ZOOM_TABLE, PORTRAIT_ZOOM_TABLE])


def audit(page, state):
    """axe-core once the page has settled (a colour in mid-transition is no colour the guest sees)."""
    # A transition cancelled meanwhile rejects its promise: it has ended all the same.
    page.evaluate("Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => null)))")
    assert_accessible(page, state)


def fail_orders(route):
    if route.request.method == "POST":
        route.fulfill(status=500, content_type="application/json", body='{"detail": "boom"}')
    else:
        route.fallback()


def hold_orders(route, held):
    """An order waits in `held` (until the test lets it go on); anything else goes on at once."""
    if route.request.method == "POST":
        held.append(route)
    else:
        route.fallback()


def test_every_tablet_screen_and_state_passes_axe(page, app_server, a11y_store):
    page.goto("/")
    expect(page.locator("#setup-screen")).to_be_visible()
    audit(page, "setup")
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#setup-error")).to_be_visible()
    audit(page, "setup with an error")

    set_up_tablet(page, AXE_TABLE)
    expect(page.get_by_role("button", name="생맥주 품절", exact=True)).to_be_disabled()
    audit(page, "menu with a sold-out item and an empty cart")
    page.locator(".item-card").filter(has_text="생맥주").click()
    expect(page.locator("#item-soldout")).to_be_visible()
    audit(page, "sold-out item dialog")
    page.keyboard.press("Escape")

    page.get_by_role("button", name=f"{OPTION_ITEM} 담기", exact=True).click()
    dialog = page.locator("#item-dialog")
    expect(dialog.locator("#item-add")).to_have_text("필수 옵션을 골라 주세요")
    audit(page, "item dialog missing a required choice")
    dialog.locator(".option").filter(has_text="보통").locator("input").click()
    dialog.locator(".option").filter(has_text="치즈 추가").locator("input").click()
    expect(dialog.locator("#item-add")).to_have_text("₩7,500 담기")
    audit(page, "item dialog with its options chosen")
    dialog.locator("#item-add").click()
    page.get_by_role("button", name="김치찌개 담기", exact=True).click()
    expect(page.locator(".cart-line")).to_have_count(2)
    audit(page, "cart with items (and the toast)")

    page.locator("#cart-order").click()
    expect(page.locator("#review-dialog")).to_be_visible()
    page.locator("#review-note").fill("덜 맵게 해 주세요")
    audit(page, "review dialog")
    page.route("**/api/v1/orders", fail_orders)
    page.locator("#review-confirm").click()
    alert = page.locator("#review-error")
    expect(alert).to_have_role("alert")
    expect(alert).to_contain_text("서버에 문제가 생겼습니다")
    expect(page.locator("#pending-bar")).to_be_visible()
    audit(page, "review with the order failed")
    page.unroute("**/api/v1/orders")
    # Sending: the order waits on its way until the audit is done.
    held = []
    page.route("**/api/v1/orders", lambda route: hold_orders(route, held))
    page.locator("#review-confirm").click()
    expect(page.locator("#review-confirm")).to_have_text("주문 보내는 중…")
    audit(page, "review while the order is sent")
    held[0].fallback()
    expect(page.locator("#success-number")).not_to_be_empty()
    page.unroute("**/api/v1/orders")
    expect(page.locator("#success-countdown")).to_contain_text("초")
    audit(page, "success with the order number and the countdown")

    page.locator("#success-back").click()
    page.locator("#nav-history").click()
    expect(page.locator(".order-card")).to_have_count(1)
    audit(page, "history with an order")
    page.locator("#nav-bill").click()
    expect(page.locator(".bill-line")).to_have_count(2)
    page.locator("#split-plus").click()
    page.locator(".pick-check input").first.check()
    audit(page, "bill split evenly and by picks")

    page.locator("#call-open").click()
    expect(page.locator("#call-dialog")).to_be_visible()
    audit(page, "staff-call dialog")
    page.locator("#call-dialog .call-reason", has_text="물").click()
    expect(page.locator("#call-banner")).to_contain_text("물")
    audit(page, "staff called banner")

    page.locator("#nav-menu").click()
    app_server.run_in_app("set_paused", True, module=__name__)
    try:
        if not ON_POSTGRES:
            # SQLite's event hub serves its own process only: the menu is read again on reload.
            page.reload()
        expect(page.locator("#ordering-banner")).to_contain_text("재료 준비 중")
        expect(page.locator("#cart-order")).to_be_disabled()
        page.get_by_role("button", name="공기밥 담기", exact=True).click()
        audit(page, "ordering paused")
    finally:
        app_server.run_in_app("set_paused", False, module=__name__)
    if not ON_POSTGRES:
        page.reload()
    expect(page.locator("#ordering-banner")).to_be_hidden()

    page.context.set_offline(True)
    try:
        expect(page.locator("#offline-bar")).to_be_visible()
        audit(page, "offline")
    finally:
        page.context.set_offline(False)
    expect(page.locator("#offline-bar")).to_be_hidden()

    app_server.run_in_app("revoke_table", AXE_TABLE)
    page.reload()
    expect(page.locator("#setup-error")).to_contain_text("설정이 해제되었습니다")
    audit(page, "signed out")


# ------------------------------------------------------------------------------------ keyboard

# Where the focus is (a region of the screen, for its order), whether `selector` matches it, and its
# ring: the outline drawn around it (or around the row an invisible input covers), its contrast
# with what is behind it, and whether anything covers it.
FOCUS = """(selector) => {
    const el = document.activeElement;
    if (!el || el === document.body) return {region: "nothing", matches: false, ring: 0, covered: false, name: ""};
    const regions = [
        ["#call-dialog", "call dialog"], ["#item-dialog", "item dialog"], ["#review-dialog", "review dialog"],
        [".topbar", "top bar"], ["#category-bar", "categories"], ["#menu-content", "items"], ["#cart", "cart"],
        ["#setup-screen", "setup"], ["#success-screen", "success"],
        ["#history-view", "history"], ["#bill-view", "bill"],
    ];
    const region = (regions.find(([sel]) => el.closest(sel)) || [null, "elsewhere"])[1];
    const drawn = getComputedStyle(el).opacity === "0" ? el.closest("label") || el : el;
    const style = getComputedStyle(drawn);
    const rgb = (color) => (color.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let behind = drawn.parentElement;
    while (behind && (rgb(getComputedStyle(behind).backgroundColor)[3] === 0)) behind = behind.parentElement;
    const back = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const [a, b] = [luminance(rgb(style.outlineColor)), luminance(back)];
    const contrast = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const box = drawn.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
        region,
        matches: el.matches(selector),
        ring: outline ? Math.round(contrast * 10) / 10 : 0,
        covered: !hit || !(drawn.contains(hit) || hit.contains(drawn)),
        name: el.id || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 30),
    };
}"""


def focus(page, selector="*"):
    return page.evaluate(FOCUS, selector)


def expect_ring(info):
    """A focus ring the guest sees: an outline of at least 3:1 against what is behind it, not covered."""
    assert info["ring"] >= 3, f"no visible focus ring on {info}"
    assert not info["covered"], f"the focused control is covered: {info}"


def tab_to(page, selector, shift=False, limit=40):
    """Press Tab (or Shift+Tab) until the focus is on `selector`, checking the ring at every stop;
    the regions passed, in order."""
    regions = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        info = focus(page, selector)
        expect_ring(info)
        if not regions or regions[-1] != info["region"]:
            regions.append(info["region"])
        if info["matches"]:
            return regions
    raise AssertionError(f"{selector} never took the focus; went through {regions}")


def expect_focus(page, selector):
    info = focus(page, selector)
    assert info["matches"], f"the focus is on {info}, not {selector}"
    expect_ring(info)


def test_the_whole_flow_by_keyboard_with_visible_focus_in_order_and_what_screen_readers_hear(
    page, app_server, a11y_store
):
    announcer = page.locator("#announcer")
    # Setup: the heading has the focus (no on-screen keyboard yet); the fields follow in order.
    page.goto("/")
    expect(announcer).to_have_role("status")
    expect(page.locator("#setup-title")).to_be_focused()
    tab_to(page, "#setup-store")
    page.keyboard.type(STORE_CODE)
    tab_to(page, "#setup-table")
    page.keyboard.type(str(KEYBOARD_TABLE))
    tab_to(page, "#setup-password")
    page.keyboard.type(TABLE_PASSWORD)
    tab_to(page, "#setup-submit")
    page.keyboard.press("Enter")
    expect(page.locator("#table-label")).to_have_text(f"{KEYBOARD_TABLE}번 테이블")
    expect(page.locator("#call-open")).to_be_visible()

    # The top bar, then the categories, then the items.
    first_item = "#menu-content .item:first-child > .item-card"  # 김치찌개
    assert tab_to(page, first_item) == ["top bar", "categories", "items"]

    # The item dialog: focus inside, going round, Escape closes it and the card has the focus again.
    page.keyboard.press("Enter")
    dialog = page.locator("#item-dialog")
    expect(dialog).to_be_visible()
    assert focus(page)["region"] == "item dialog"
    tab_to(page, "#item-plus")
    page.keyboard.press("Space")
    expect(dialog.locator("#item-qty")).to_have_text("2")
    tab_to(page, "#item-add")
    last = tab_to(page, "[data-close]")
    assert last == ["item dialog"]
    page.keyboard.press("Tab")
    expect_focus(page, "#item-minus")
    page.keyboard.press("Shift+Tab")
    expect_focus(page, "#item-dialog [data-close]")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect_focus(page, first_item)
    page.keyboard.press("Enter")
    tab_to(page, "#item-plus")
    page.keyboard.press("Enter")
    tab_to(page, "#item-add")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(announcer).to_have_text("김치찌개 담았습니다")
    expect_focus(page, first_item)

    # Options by keyboard: the required choice, an extra, then 담기.
    tab_to(page, f'.item-add[aria-label="{OPTION_ITEM} 담기"]')
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name=OPTION_ITEM)).to_be_visible()
    expect(dialog.locator("#item-add")).to_be_disabled()
    tab_to(page, "input[type=radio]")
    page.keyboard.press("Space")
    expect(dialog.locator(".option.is-checked")).to_have_count(1)
    tab_to(page, "input[type=checkbox]")
    page.keyboard.press("Space")
    expect(dialog.locator(".option.is-checked")).to_have_count(2)
    tab_to(page, "#item-add")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(".cart-line")).to_have_count(2)

    # From the items on to the cart; −/delete keep the focus in the cart and say what they did.
    regions = tab_to(page, '.cart-line [data-action="decrease"]')
    assert regions[-2:] == ["items", "cart"], regions
    page.keyboard.press("Enter")
    expect(announcer).to_have_text("김치찌개 × 1 · 합계 ₩16,500")
    expect_focus(page, '.cart-line [data-action="decrease"]')
    page.keyboard.press("Enter")
    expect(announcer).to_have_text("김치찌개 뺐습니다 · 합계 ₩7,500")
    expect(page.locator(".cart-line")).to_have_count(1)
    expect_focus(page, '.cart-line [data-action="remove"]')

    # The review: focus goes round, Escape gives it back to the order button; then the order.
    tab_to(page, "#cart-order")
    page.keyboard.press("Enter")
    review = page.locator("#review-dialog")
    expect(review).to_be_visible()
    expect(page.locator("#review-title")).to_be_focused()
    tab_to(page, "#review-note")
    tab_to(page, "#review-confirm")
    page.keyboard.press("Tab")
    expect_focus(page, "#review-note")
    page.keyboard.press("Shift+Tab")
    expect_focus(page, "#review-confirm")
    page.keyboard.press("Escape")
    expect(review).to_be_hidden()
    expect_focus(page, "#cart-order")
    page.keyboard.press("Enter")
    expect(review).to_be_visible()
    # A failed order is said (role=alert) and the keyboard is back on the confirm button.
    page.route("**/api/v1/orders", fail_orders)
    tab_to(page, "#review-confirm")
    page.keyboard.press("Enter")
    expect(page.locator("#review-error")).to_contain_text("서버에 문제가 생겼습니다")
    expect_focus(page, "#review-confirm")
    page.unroute("**/api/v1/orders")
    page.keyboard.press("Enter")
    expect(page.locator("#success-screen")).to_be_visible()
    number = page.locator("#success-number").inner_text()
    expect(announcer).to_have_text(f"주문이 접수되었습니다 · 주문 번호 {number}")
    expect_focus(page, "#success-back")
    page.keyboard.press("Enter")
    expect(page.locator("#menu-view")).to_be_visible()

    # History and bill from the tabs.
    tab_to(page, "#nav-history")
    page.keyboard.press("Enter")
    expect(page.locator(".order-card")).to_have_count(1)
    tab_to(page, "#nav-bill")
    page.keyboard.press("Space")
    expect(page.locator(".bill-line")).to_have_count(1)
    tab_to(page, "#split-plus")
    page.keyboard.press("Enter")
    expect(page.locator("#split-people")).to_have_text("3명")
    tab_to(page, ".pick-check input")
    page.keyboard.press("Space")
    expect(page.locator("#pick-total")).to_have_text("₩7,500")
    expect_focus(page, ".pick-check input")

    # Staff call: the dialog keeps the focus, Escape gives it back, a reason calls.
    tab_to(page, "#call-open", shift=True)
    page.keyboard.press("Enter")
    calls = page.locator("#call-dialog")
    expect(calls).to_be_visible()
    assert focus(page)["region"] == "call dialog"
    tab_to(page, "#call-dialog [data-close]")
    page.keyboard.press("Tab")
    expect_focus(page, '#call-dialog .call-reason[data-reason="물"]')
    page.keyboard.press("Escape")
    expect(calls).to_be_hidden()
    expect_focus(page, "#call-open")
    page.keyboard.press("Enter")
    tab_to(page, '#call-dialog .call-reason[data-reason="물"]')
    page.keyboard.press("Enter")
    expect(calls).to_be_hidden()
    banner = page.locator("#call-banner")
    expect(banner).to_have_role("status")
    expect(banner).to_contain_text("물")
    expect_focus(page, "#call-open")


# ------------------------------------------------------------------------------------ 200% zoom


def no_sideways_scroll(page, state):
    sizes = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    assert sizes[0] <= sizes[1], f"{state}: the page scrolls sideways ({sizes[0]} > {sizes[1]} CSS px)"


def clipped_text(page, selector):
    """Elements under `selector` whose text is cut off (wider or taller than their box, and hidden)."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.offsetParent !== null && getComputedStyle(el).overflow !== "visible")
            .filter((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
            .map((el) => el.id || el.className)""",
        selector,
    )


def reachable(page, locator):
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_in_viewport()


@pytest.mark.parametrize(
    ("orientation", "table"), [("landscape", LANDSCAPE_ZOOM_TABLE), ("portrait", PORTRAIT_ZOOM_TABLE)]
)
def test_at_200_percent_zoom_nothing_scrolls_sideways_and_everything_is_in_reach(
    chromium, app_server, a11y_store, screenshots, orientation, table
):
    context = chromium.new_context(
        viewport=ZOOMED[orientation],
        device_scale_factor=2,
        has_touch=True,
        locale="ko-KR",
        timezone_id="Asia/Seoul",
        base_url=app_server.url,
    )
    context.set_default_timeout(10_000)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/")
        expect(page.locator("#setup-screen")).to_be_visible()
        no_sideways_scroll(page, "setup")
        reachable(page, page.locator("#setup-submit"))
        set_up_tablet(page, table)
        page.screenshot(path=screenshots / f"a11y-200-{orientation}-menu.png")
        no_sideways_scroll(page, "menu")
        assert clipped_text(page, ".topbar *") == []
        for control in ("#call-open", "#nav-menu", "#nav-history", "#nav-bill", "#category-bar .chip >> nth=0"):
            expect(page.locator(control)).to_be_in_viewport(ratio=1)
        # By keyboard, each control shows its ring and none hides behind the cart's bar.
        assert tab_to(page, "#cart-open", limit=60) == ["top bar", "categories", "items", "cart"]

        # The item dialog scrolls its options; none of its text is cut off; 담기 stays in reach.
        page.get_by_role("button", name=f"{OPTION_ITEM} 담기", exact=True).click()
        dialog = page.locator("#item-dialog")
        expect(dialog).to_be_visible()
        no_sideways_scroll(page, "item dialog")
        expect(dialog).to_be_in_viewport(ratio=1)
        page.screenshot(path=screenshots / f"a11y-200-{orientation}-options.png")
        scroller = page.locator("#item-scroll")
        assert scroller.evaluate("(el) => el.scrollHeight > el.clientHeight"), "the options fit: nothing to scroll"
        last_option = dialog.locator(".option").last
        last_option.scroll_into_view_if_needed()
        expect(last_option).to_be_in_viewport(ratio=1)
        assert clipped_text(page, "#item-dialog .dialog-body *, #item-dialog .dialog-actions *") == []
        dialog.locator(".option").filter(has_text="보통").locator("input").click()
        expect(dialog.locator("#item-add")).to_be_in_viewport(ratio=1)
        dialog.locator("#item-add").click()
        expect(dialog).to_be_hidden()

        # The cart and its order button.
        order = page.locator("#cart-order")
        expect(order).to_be_enabled()
        expect(order).to_be_in_viewport(ratio=1)
        # Narrower than 1024 CSS px either way: the cart is a bottom sheet.
        page.locator("#cart-open").click()
        expect(page.locator(".cart-line")).to_have_count(1)
        expect(page.locator("#cart-close")).to_be_focused()
        # What the sheet covers takes no focus.
        assert page.locator("#menu-view").evaluate("(el) => el.inert")
        no_sideways_scroll(page, "cart sheet")
        audit(page, f"cart sheet at 200% ({orientation})")
        reachable(page, page.locator(".cart-line [data-action=remove]"))
        assert clipped_text(page, "#cart *") == []
        order.click()
        expect(page.locator("#review-dialog")).to_be_visible()
        no_sideways_scroll(page, "review")
        reachable(page, page.locator("#review-confirm"))
        page.locator("#review-confirm").click()
        expect(page.locator("#success-screen")).to_be_visible()
        no_sideways_scroll(page, "success")
        reachable(page, page.locator("#success-back"))
        page.locator("#success-back").click()

        for tab, state in (("#nav-history", "history"), ("#nav-bill", "bill")):
            page.locator(tab).click()
            expect(page.locator(f"#{state}-view")).to_be_visible()
            expect(page.locator(f"#{state}-view h1")).to_be_in_viewport()
            no_sideways_scroll(page, state)
        reachable(page, page.locator("#split-plus"))
        page.locator("#call-open").click()
        expect(page.locator("#call-dialog")).to_be_in_viewport(ratio=1)
        no_sideways_scroll(page, "call dialog")
        expect(page.locator("#call-dialog .call-reason").first).to_be_in_viewport()
    finally:
        context.close()
    assert not errors, errors
