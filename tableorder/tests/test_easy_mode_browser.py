"""Easy mode (쉬운 모드) and the cart that was never sent, in Chromium: twice the text, 72 px
targets, 7:1 contrast, voice guidance and axe-core on every screen in easy mode; the reminder
after 2 minutes without a touch, on Playwright's fake clock.

Tables 201–205 of the browser store are this file's own.
"""

import pytest
from playwright.sync_api import expect

from conftest import ON_POSTGRES
from tableorder.tests.axe import assert_accessible
from tableorder.tests.test_tablet_browser import set_up_tablet

pytestmark = pytest.mark.browser

# Speech and sound, recorded: what the page asked the browser to say, and each tone it started.
RECORDER = """
window.__spoken = [];
window.__tones = 0;
speechSynthesis.speak = (utterance) => window.__spoken.push({text: utterance.text, lang: utterance.lang});
speechSynthesis.cancel = () => {};
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
    window.__tones += 1;
    return realOscillator.call(this);
};
"""

FONT_SIZES = """() => Object.fromEntries(
    [["body", document.body], ["item", document.querySelector(".item-name")],
     ["empty", document.getElementById("cart-empty")]]
    .map(([name, el]) => [name, parseFloat(getComputedStyle(el).fontSize)]))"""

# Visible controls (an input inside its label: the label) smaller than 72×72 CSS px, under `root`.
SMALL_TARGETS = """(root) => [...document.querySelector(root).querySelectorAll(
        "button, input, textarea, select, a[href], [role=button]")]
    .filter((el) => el.checkVisibility({visibilityProperty: true}))
    .map((el) => [el.id || el.className || el.textContent.trim(), (el.closest("label") || el).getBoundingClientRect()])
    .filter(([, box]) => box.width < 72 || box.height < 72)
    .map(([name, box]) => `${name} ${Math.round(box.width)}×${Math.round(box.height)}`)"""

# Visible text under `root` whose colour against its background is under 7:1 (WCAG AAA).
LOW_CONTRAST = """(root) => {
    const rgb = (color) => color.match(/[\\d.]+/g).map(Number);
    const light = (c) => c.slice(0, 3).map((v) => v / 255)
        .map((v) => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
        .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
            const c = rgb(getComputedStyle(e).backgroundColor);
            if (c.length < 4 || c[3] > 0) return c;
        }
        return [255, 255, 255];
    };
    return [...document.querySelector(root).querySelectorAll("*")]
        .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .filter((el) => el.checkVisibility({visibilityProperty: true}) && !el.closest("[aria-hidden=true], :disabled"))
        .map((el) => {
            const [a, b] = [light(rgb(getComputedStyle(el).color)), light(background(el))].sort((x, y) => y - x);
            return [el.textContent.trim().slice(0, 20), (a + 0.05) / (b + 0.05)];
        })
        .filter(([, ratio]) => ratio < 7)
        .map(([text, ratio]) => `${text} ${ratio.toFixed(2)}`);
}"""


def check_easy(page, root, state):
    """Targets, contrast and axe-core on `state`, the part of the page under the selector `root`."""
    assert page.evaluate(SMALL_TARGETS, root) == [], state
    assert page.evaluate(LOW_CONTRAST, root) == [], state
    assert_accessible(page, f"{state} in easy mode")


def spoken(page):
    return page.evaluate("window.__spoken")


def expect_said(page, text):
    page.wait_for_function("(text) => window.__spoken.some((u) => u.text === text)", arg=text, timeout=5000)
    return [u for u in spoken(page) if u["text"] == text][-1]


def test_easy_mode_guest_flow_with_voice_checked_on_every_screen(page, app_server, screenshots):
    app_server.run_in_app("add_table", 201)
    app_server.run_in_app("add_menu_item", "쫄면", 6000)
    app_server.run_in_app(
        "add_item_options",
        "쫄면",
        [["맵기", 1, 1, [["순한맛", 0], ["매운맛", 0]]], ["추가", 0, 2, [["치즈 추가", 1000], ["계란 추가", 500]]]],
    )
    page.add_init_script(RECORDER)
    set_up_tablet(page, 201)
    normal = page.evaluate(FONT_SIZES)

    toggle = page.get_by_role("button", name="쉬운 모드")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_attribute("data-easy", "on")
    easy = page.evaluate(FONT_SIZES)
    assert all(easy[name] >= 2 * normal[name] for name in normal), (normal, easy)
    # The origin and allergens stay no smaller than the dish's name (SPEC 3.12).
    fact_and_name = (
        page.locator(".item")
        .filter(has_text="김치찌개")
        .evaluate(
            """(card) => [".item-fact", ".item-name"].map((selector) =>
            parseFloat(getComputedStyle(card.querySelector(selector)).fontSize))"""
        )
    )
    assert fact_and_name[0] >= fact_and_name[1], fact_and_name
    check_easy(page, "#main-screen", "the menu")
    # The staff call stays in sight however far the menu scrolls.
    page.locator("#menu-view").evaluate("el => el.scrollTo(0, el.scrollHeight)")
    expect(page.locator("#call-open")).to_be_in_viewport()
    page.locator("#menu-view").evaluate("el => el.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "easy-menu.png")

    # Voice: the item in focus with its price, in the page's language.
    page.locator(".item-card").filter(has_text="김치찌개").focus()
    assert expect_said(page, "김치찌개, 9,000원")["lang"] == "ko-KR"
    page.locator(".item-card").filter(has_text="생맥주").focus()
    expect_said(page, "생맥주, 품절")
    # The voice follows the page's language (<html lang>, set by ?lang=).
    for lang, voice in [("zh-Hans", "zh-CN"), ("ja", "ja-JP"), ("en", "en-US"), ("ko", "ko-KR")]:
        page.evaluate("(lang) => (document.documentElement.lang = lang)", lang)
        page.locator(".item-card").filter(has_text="된장찌개").focus()
        page.locator(".item-card").filter(has_text="비빔밥").focus()
        assert spoken(page)[-1] == {"text": "비빔밥, 10,000원", "lang": voice}

    # One way in: the card opens the item; each choice is a big row.
    page.locator(".item-card").filter(has_text="쫄면").click()
    dialog = page.locator("#item-dialog")
    expect(dialog.get_by_role("heading", name="쫄면")).to_be_visible()
    check_easy(page, "#item-dialog", "the item dialog")
    page.screenshot(path=screenshots / "easy-item.png")
    dialog.get_by_role("radio", name="순한맛").click()
    dialog.locator("#item-add").click()
    expect(dialog).to_be_hidden()
    expect_said(page, "장바구니 1개, 합계 6,000원")
    page.locator(".item-card").filter(has_text="김치찌개").click()
    dialog.get_by_role("button", name="하나 더", exact=True).click()
    dialog.locator("#item-add").click()
    expect(page.locator("#cart-total")).to_have_text("₩24,000")
    expect_said(page, "장바구니 3개, 합계 24,000원")
    check_easy(page, "#main-screen", "the cart")
    page.screenshot(path=screenshots / "easy-cart.png")

    # Kept across a reload.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-easy", "on")
    expect(toggle).to_have_attribute("aria-pressed", "true")

    # The review: the note waits behind a button.
    page.locator("#cart-order").click()
    review = page.locator("#review-dialog")
    expect(review).to_be_visible()
    expect(page.locator("#review-note")).to_be_hidden()
    check_easy(page, "#review-dialog", "the review")
    page.screenshot(path=screenshots / "easy-review.png")
    review.get_by_role("button", name="요청사항 쓰기").click()
    expect(page.locator("#review-note")).to_be_focused()
    page.locator("#review-note").fill("덜 맵게")

    # A failure is read out (the request lost on the way), and so is the order's number once it
    # goes through.
    page.route("**/api/v1/orders", lambda route: route.abort("internetdisconnected"))
    page.locator("#review-confirm").click()
    expect(page.locator("#review-error")).to_contain_text("연결")
    expect_said(page, page.locator("#review-error .alert-title").inner_text())
    page.unroute("**/api/v1/orders")
    page.locator("#review-confirm").click()
    expect(page.locator("#success-screen")).to_be_visible()
    number = int(page.locator("#success-number").inner_text().lstrip("#"))
    said = expect_said(page, f"주문이 들어갔어요. 주문 번호 {number}번.")
    assert said["lang"] == "ko-KR"
    check_easy(page, "#success-screen", "the order's number")
    page.screenshot(path=screenshots / "easy-success.png")
    page.locator("#success-back").click()

    page.get_by_role("button", name="주문 내역").click()
    expect(page.locator("#history-list .order-card")).to_have_count(1)
    check_easy(page, "#main-screen", "the orders")
    page.get_by_role("button", name="계산서", exact=True).click()
    expect(page.locator("#bill-total")).to_have_text("₩24,000")
    check_easy(page, "#main-screen", "the bill")
    page.screenshot(path=screenshots / "easy-bill.png")
    page.locator("#call-open").click()
    check_easy(page, "#call-dialog", "the staff call")
    page.screenshot(path=screenshots / "easy-call.png")
    page.locator("#call-dialog").get_by_role("button", name="닫기").click()

    # The guests leave: the next ones start with the usual screen. The tablet hears it live (the
    # change reaches streams through PostgreSQL's NOTIFY) or on connecting.
    app_server.run_in_app("close_table_session", 201)
    if not ON_POSTGRES:
        page.reload()
    expect(page.locator("html")).not_to_have_attribute("data-easy", "on")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("localStorage.getItem('tableorder.easy')") is None
    page.reload()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("html")).not_to_have_attribute("data-easy", "on")


def test_a_cart_left_unsent_for_2_minutes_reminds_the_table_and_never_orders(page, app_server, screenshots):
    app_server.run_in_app("add_table", 202)
    page.add_init_script(RECORDER)
    posted = []
    page.on("request", lambda r: r.method == "POST" and "/api/v1/orders" in r.url and posted.append(r.url))
    page.clock.install()
    set_up_tablet(page, 202)
    reminder = page.get_by_role("alertdialog", name="주문하기를 눌러야 주문이 들어가요")

    # An empty cart reminds nobody.
    page.clock.fast_forward("02:30")
    expect(reminder).to_be_hidden()

    # Each touch starts the 2 minutes again.
    page.get_by_role("button", name="콜라 담기", exact=True).click()
    page.clock.fast_forward("01:30")
    page.locator("#menu-view").click(position={"x": 20, "y": 300})
    page.clock.fast_forward("01:00")
    expect(reminder).to_be_hidden()
    page.clock.fast_forward("01:05")
    expect(reminder).to_be_visible()
    expect(reminder).to_contain_text("₩2,000")
    assert page.evaluate("window.__tones") >= 1

    # In easy mode too, it is big, clear and accessible; 계속 둘러보기 only closes it.
    reminder.get_by_role("button", name="계속 둘러보기").click()
    expect(reminder).to_be_hidden()
    page.get_by_role("button", name="쉬운 모드").click()
    page.clock.fast_forward("02:01")
    expect(reminder).to_be_visible()
    expect_said(page, "주문하기를 눌러야 주문이 들어가요")
    check_easy(page, "#reminder-dialog", "the reminder")
    page.screenshot(path=screenshots / "easy-reminder.png")

    # Its 주문하기 opens the review, as the cart's does; nothing is sent by itself.
    reminder.get_by_role("button", name="주문하기").click()
    expect(reminder).to_be_hidden()
    expect(page.locator("#review-dialog")).to_be_visible()
    # Not over the review.
    page.clock.fast_forward("02:30")
    expect(reminder).to_be_hidden()
    assert posted == []
    assert app_server.run_in_app("table_orders", 202) == []

    # A store that turned the chime off gets the reminder without a sound.
    page.keyboard.press("Escape")
    app_server.run_in_app("set_reminder_chime", False)
    try:
        page.reload()
        expect(page.locator("#cart-total")).to_have_text("₩2,000")
        tones = page.evaluate("window.__tones")
        page.clock.fast_forward("02:05")
        expect(reminder).to_be_visible()
        assert page.evaluate("window.__tones") == tones
    finally:
        app_server.run_in_app("set_reminder_chime", True)
