"""A guest's walk through the tablet in each of its four languages, in Chromium (SPEC 3.10, 3.12):
the language button, ordering, the orders, the bill and a staff call in that language, the cart
kept across a switch, and Korean again for the next guests once a manager closes the table."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import ON_POSTGRES
from core.languages import GUEST_LANGUAGES
from tableorder.tests.axe import assert_accessible
from tableorder.tests.browser import (
    CATEGORY_TRANSLATIONS,
    ITEM_TRANSLATIONS,
    MANAGER,
    ORIGIN_NOTICE,
    ORIGIN_NOTICE_TRANSLATIONS,
    ORIGINS,
    REASON_TRANSLATIONS,
    STORE_CODE,
)
from tableorder.tests.test_tablet_browser import add, set_up_tablet

pytestmark = pytest.mark.browser

HANGUL = re.compile("[\uac00-\ud7a3]")
LANGUAGES = [("ko", 191), ("en", 192), ("zh-hans", 193), ("ja", 194)]
HTML_LANG = {"ko": "ko", "en": "en", "zh-hans": "zh-Hans", "ja": "ja"}
NAMES = dict(GUEST_LANGUAGES)
# The allergens of 김치찌개 in each language (tableorder.tests.browser.ALLERGENS).
KIMCHI_ALLERGENS = {
    "ko": "대두, 밀, 새우, 돼지고기",
    "en": "Soybeans, Wheat, Shrimp, Pork",
    "zh-hans": "大豆、小麦、虾、猪肉",
    "ja": "大豆、小麦、えび、豚肉",
}


def words(language, msgid, **params):
    """The tablet's words for `msgid` in `language`, `{name}` placeholders filled in."""
    with translation.override(language):
        text = translation.gettext(msgid)
    for name, value in params.items():
        text = text.replace(f"{{{name}}}", str(value))
    return text


def tablet_get(page, path):
    """GET `path` of the API as the signed-in tablet; its JSON."""
    return page.evaluate(
        """async (path) => {
            const auth = JSON.parse(localStorage.getItem("tableorder.auth"));
            const response = await fetch(path, { headers: { Authorization: `Bearer ${auth.access}` } });
            return response.json();
        }""",
        path,
    )


@pytest.fixture(scope="module")
def language_tables(app_server):
    app_server.run_in_app("add_tables", [table for _language, table in LANGUAGES])


def in_language(language, korean, translations):
    return korean if language == "ko" else translations[language]


@pytest.mark.parametrize(("language", "table"), LANGUAGES)
def test_a_guest_orders_calls_and_pays_in_each_language(
    page, app_server, language_tables, screenshots, language, table
):
    menu_requests = []
    page.on("request", lambda request: "/api/v1/menu" in request.url and menu_requests.append(request.url))
    set_up_tablet(page, table)
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    add(page, "콜라")

    # The language button names the page's language; its dialog lists the four in their own scripts.
    expect(page.locator("#lang-open")).to_have_text("한국어")
    page.locator("#lang-open").click()
    dialog = page.locator("#lang-dialog")
    expect(dialog.get_by_role("link")).to_have_text(["한국어", "English", "简体中文", "日本語"])
    for code, html_lang in HTML_LANG.items():
        expect(dialog.locator(f'a[href="/?lang={code}"]')).to_have_attribute("lang", html_lang)
    if language == "en":
        assert_accessible(page, "the language dialog", "#lang-dialog")
    dialog.get_by_role("link", name=NAMES[language]).click()
    page.wait_for_url(f"**/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
    expect(page.locator("#lang-open")).to_have_text(NAMES[language])
    expect(page.locator("#menu-content .item").first).to_be_visible()
    assert menu_requests[-1].endswith(f"/api/v1/menu?lang={language}")

    # The cart came along.
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator("#cart-total")).to_have_text("₩2,000")
    expect(page.locator("#call-open")).to_have_text(words(language, "Call staff"))
    expect(page.locator("#nav-history")).to_have_text(words(language, "Your orders"))
    expect(page.locator("#nav-bill")).to_have_text(words(language, "Bill"))
    expect(page.locator("#table-label")).to_have_text(words(language, "Table {number}", number=table))
    expect(page.locator("#cart-order")).to_have_text(words(language, "Place order"))
    if language != "ko":
        for chrome in ["#main-screen .topbar-actions", "#cart .cart-head", "#cart .cart-foot"]:
            assert not HANGUL.search(page.locator(chrome).inner_text()), chrome

    kimchi = "김치찌개"
    # The menu's content in the language, the origin and the allergens with each item.
    kimchi = in_language(
        language, "김치찌개", {code: texts[0] for code, texts in ITEM_TRANSLATIONS["김치찌개"].items()}
    )
    expect(page.locator("#category-bar .chip[data-category]")).to_have_text(
        [in_language(language, korean, names) for korean, names in CATEGORY_TRANSLATIONS.items()]
    )
    card = page.locator(".item").filter(has_text=kimchi)
    origin = ORIGINS["김치찌개"] if language == "ko" else ITEM_TRANSLATIONS["김치찌개"][language][2]
    expect(card).to_contain_text(words(language, "Origin: {origin}", origin=origin))
    expect(card).to_contain_text(words(language, "Allergens: {names}", names=KIMCHI_ALLERGENS[language]))
    # No smaller than the dish's name (the law on origin labels).
    sizes = card.evaluate(
        """(card) => ["item-name", "item-fact"].map((name) =>
            parseFloat(getComputedStyle(card.querySelector(`.${name}`)).fontSize))"""
    )
    assert sizes[1] >= sizes[0], sizes
    page.locator("#origin-open").click()
    notice = page.locator("#origin-dialog")
    expect(notice.get_by_role("heading")).to_have_text(words(language, "Country of origin"))
    expect(notice.locator("#origin-notice")).to_have_text(
        in_language(language, ORIGIN_NOTICE, ORIGIN_NOTICE_TRANSLATIONS)
    )
    if language == "en":
        assert_accessible(page, "the origin notice", "#origin-dialog")
    page.screenshot(path=screenshots / f"lang-{language}-origin.png")
    notice.get_by_role("button", name=words(language, "Close")).click()
    expect(notice).to_be_hidden()
    if language == "ja":
        # A manager's change of the notice reaches the open tablet in its language: on menu.updated
        # it reads the menu again (and keeps it, then shows it, in one step).
        old = app_server.run_in_app(
            "set_origin_notice_translations", {**ORIGIN_NOTICE_TRANSLATIONS, "ja": "米：韓国産（新米）"}
        )
        try:
            page.wait_for_function("() => Object.values(localStorage).some((value) => value.includes('新米'))")
            page.locator("#origin-open").click()
            expect(notice.locator("#origin-notice")).to_have_text("米：韓国産（新米）")
            notice.get_by_role("button", name=words(language, "Close")).click()
        finally:
            app_server.run_in_app("set_origin_notice_translations", old)
        page.wait_for_function("() => !Object.values(localStorage).some((value) => value.includes('新米'))")

    page.locator("#menu-view").evaluate("el => el.scrollTo(0, 0)")
    page.get_by_role("button", name=words(language, "Add {name}", name=kimchi), exact=True).click()
    expect(page.locator("#cart-total")).to_have_text("₩11,000")
    page.screenshot(path=screenshots / f"lang-{language}-menu.png")

    # The item's dialog: its words, and the origin as large as its title.
    page.locator(".item-card").filter(has_text=kimchi).click()
    item = page.locator("#item-dialog")
    expect(item.locator("#item-add")).to_have_text(words(language, "Add · {price}", price="₩9,000"))
    expect(item.locator("#item-facts")).to_contain_text(KIMCHI_ALLERGENS[language])
    sizes = item.evaluate(
        """(dialog) => ["#item-title", "#item-facts .item-fact"].map((selector) =>
            parseFloat(getComputedStyle(dialog.querySelector(selector)).fontSize))"""
    )
    assert sizes[1] >= sizes[0], sizes
    page.screenshot(path=screenshots / f"lang-{language}-item.png")
    item.get_by_role("button", name=words(language, "Close"), exact=True).click()

    # Review, confirm, the order's number.
    page.locator("#cart-order").click()
    review = page.locator("#review-dialog")
    expect(review.locator("#review-title")).to_have_text(words(language, "Review your order"))
    expect(review.locator("#review-confirm")).to_have_text(words(language, "Place order · {total}", total="₩11,000"))
    expect(review.locator("#review-note")).to_have_attribute("placeholder", words(language, "e.g. less spicy, please"))
    page.screenshot(path=screenshots / f"lang-{language}-review.png")
    review.locator("#review-confirm").click()
    expect(page.locator("#success-title")).to_have_text(words(language, "Your order is in"))
    expect(page.locator("#success-number")).to_have_text(re.compile(r"^#\d{4}$"))
    number = page.locator("#success-number").inner_text()
    page.screenshot(path=screenshots / f"lang-{language}-success.png")
    page.locator("#success-back").click()

    # The session's orders and its bill.
    page.locator("#nav-history").click()
    expect(page.locator("#history-title")).to_have_text(words(language, "Your orders"))
    expect(page.locator("#history-list")).to_contain_text(number)
    # The order keeps the Korean names; the guest reads the menu's.
    expect(page.locator("#history-list")).to_contain_text(kimchi)
    expect(page.locator("#history-summary")).to_have_text(
        words(language, "Orders so far: {count} · {total}", count=1, total="₩11,000")
    )
    page.locator("#nav-bill").click()
    expect(page.locator("#bill-title")).to_have_text(words(language, "Bill"))
    expect(page.locator("#bill-total")).to_have_text("₩11,000")
    expect(page.locator("#bill-lines")).to_contain_text(words(language, "{name} × {quantity}", name=kimchi, quantity=1))
    expect(page.locator("#split-title")).to_have_text(words(language, "Split evenly"))
    page.screenshot(path=screenshots / f"lang-{language}-bill.png")

    # A staff call: the reason in the language, the Korean reason sent.
    page.locator("#call-open").click()
    call = page.locator("#call-dialog")
    expect(call.locator("#call-title")).to_have_text(words(language, "Call staff"))
    water = call.locator('.call-reason[data-reason="물"]')
    label = in_language(language, "물", REASON_TRANSLATIONS["물"])
    expect(water).to_have_text(label)
    page.screenshot(path=screenshots / f"lang-{language}-call.png")
    water.click()
    expect(call).to_be_hidden()
    expect(page.locator("#call-banner")).to_have_text(
        words(language, "Staff called · {reasons} · waiting", reasons=label)
    )
    # What the tablet sent is the Korean reason, and the order is the one the server keeps.
    assert [call["reason"] for call in tablet_get(page, "/api/v1/staff-calls")["results"]] == ["물"]
    orders = tablet_get(page, "/api/v1/orders")["results"]
    assert [(order["display_number"], order["total"]) for order in orders] == [(number, 11000)]
    page.locator("#nav-menu").click()
    page.get_by_role("button", name=words(language, "Add {name}", name=kimchi), exact=True).click()
    expect(page.locator(".cart-line")).to_have_count(1)

    # The manager closes the table: the next guests start in Korean with an empty cart.
    app_server.run_in_app("close_table_session", table)
    if not ON_POSTGRES:
        # SQLite's event hub serves its own process only: the tablet hears of it on connecting again.
        page.reload()
    if language != "ko":
        page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.locator("#call-banner")).to_be_hidden()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.locator("#lang-open")).to_have_text("한국어")
    expect(page.locator("#call-open")).to_have_text("직원 호출")
    expect(page.locator("#cart-empty")).to_be_visible()

    if language == "ja":
        # The same browser on the back office: Korean, whatever the tablet chose.
        page.goto(f"/?lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        manager = page.context.new_page()
        manager.goto("/admin/login/?lang=ja")
        manager.get_by_label("매장 식별자").fill(STORE_CODE)
        manager.get_by_label("아이디").fill(MANAGER)
        manager.get_by_label("비밀번호").fill("manager-pass-1")
        manager.get_by_role("button", name="로그인").click()
        manager.wait_for_url("**/admin/live/")
        manager.goto("/admin/live/?lang=ja")
        expect(manager.locator("html")).to_have_attribute("lang", "ko")
        expect(manager.locator("#sound-dialog").get_by_role("button", name="소리 없이 보기")).to_be_visible()
        manager.close()
