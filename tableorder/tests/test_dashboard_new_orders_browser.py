"""Orders are never missed on the live dashboard: the sound is asked for, NEW is a fact every
screen agrees on, the count stays in view, and a card shows what to cook.

Same fixtures as test_dashboard_browser.py; these tests use tables 71–103 of their own. The
app server is shared, so a test that counts new orders first marks the store's earlier ones
seen (`acknowledge_store_orders`) and then loads the page.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import STORE_CODE, small_touch_targets
from tableorder.tests.test_dashboard_browser import (
    DASHBOARD_CONTROLS,
    LIVE_MS,
    Tablet,
    expect_live,
    fresh_table,
    open_order,
    table_card,
)

pytestmark = pytest.mark.browser

FILTER_KEY = f"tableorder.dashboard.filter.{STORE_CODE}"

COUNT_OSCILLATORS = """() => {
    window.oscillators = [];
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
        const oscillator = create.call(this);
        window.oscillators.push(oscillator);
        return oscillator;
    };
}"""

# Chromium without a screen lets every page sound; a browser on a tablet holds a page's audio
# until the page is touched (its autoplay rule). This makes the test's browser do the same.
AUTOPLAY_RULE = """(() => {
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
        constructor(...args) {
            super(...args);
            if (!navigator.userActivation.hasBeenActive) this.suspend();
        }
        resume() {
            return navigator.userActivation.hasBeenActive ? super.resume() : Promise.resolve();
        }
    };
})()"""


def ticket(page, order):
    return page.locator(f'.ticket[data-ticket="{order["id"]}"]')


def new_chip(page, order):
    return page.locator(f'#new-list .new-chip[data-order="{order["id"]}"]')


def reload(page):
    page.reload()
    expect_live(page)


def start_clean(app_server, page):
    """Every earlier order of the shared store seen; the page reloaded to know it."""
    app_server.run_in_app("acknowledge_store_orders")
    reload(page)


def test_the_sound_is_asked_for_once_and_the_answer_is_kept_on_the_device(first_visit_dashboard, screenshots):
    page = first_visit_dashboard
    question = page.locator("#sound-dialog")
    expect(question).to_be_visible()
    expect(question.get_by_role("heading")).to_have_text("새 주문을 소리로 알려 드릴까요?")
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
    page.screenshot(path=screenshots / "dashboard-sound-question-landscape.png")
    page.evaluate(COUNT_OSCILLATORS)

    question.get_by_role("button", name="알림음 켜기").click()
    expect(question).to_be_hidden()
    chime = page.locator("#chime")
    expect(chime).to_have_attribute("aria-pressed", "true")
    expect(chime).to_have_text("알림음 켜짐")
    # The tap that answered let the page sound: the order tone plays at once.
    page.wait_for_function("() => window.oscillators.length === 2", timeout=LIVE_MS)

    reload(page)
    expect(question).to_be_hidden()
    expect(chime).to_have_attribute("aria-pressed", "true")

    # Switched off later, it stays off, and the question does not come back.
    chime.click()
    expect(chime).to_have_text("알림음 꺼짐")
    reload(page)
    expect(question).to_be_hidden()
    expect(chime).to_have_attribute("aria-pressed", "false")


def test_a_remembered_sound_after_a_reload_waits_for_a_tap_and_says_so(first_visit_dashboard, tablet_api, app_server):
    page = first_visit_dashboard
    page.locator("#sound-dialog").get_by_role("button", name="알림음 켜기").click()
    page.add_init_script(AUTOPLAY_RULE)
    reload(page)
    bar = page.locator("#sound-blocked")
    expect(bar).to_have_text("화면을 아무 곳이나 한 번 누르면 알림음이 켜집니다.")
    expect(page.locator("#chime")).to_have_attribute("aria-pressed", "true")

    # The first touch anywhere on the page lets it sound.
    page.locator(".dash-title h1").click()
    expect(bar).to_be_hidden()
    page.evaluate(COUNT_OSCILLATORS)
    number = fresh_table(app_server, 71)
    Tablet(tablet_api, number).order(콜라=1)
    page.wait_for_function("() => window.oscillators.length === 2", timeout=LIVE_MS)
    assert page.evaluate("window.oscillators[0].context.state") == "running"


def test_a_warning_stays_while_the_sound_is_off_and_a_new_order_waits(dashboard, tablet_api, app_server, screenshots):
    page = dashboard
    number = fresh_table(app_server, 72)
    start_clean(app_server, page)
    warning = page.locator("#sound-warning")
    expect(page.locator("#chime")).to_have_attribute("aria-pressed", "false")
    expect(warning).to_be_hidden()

    order = Tablet(tablet_api, number).order(김치찌개=1)
    expect(new_chip(page, order)).to_be_visible(timeout=LIVE_MS)
    expect(warning).to_contain_text("알림음이 꺼져 있어 새 주문이 와도 소리가 나지 않습니다.")
    page.screenshot(path=screenshots / "dashboard-sound-off-warning-landscape.png")
    # It stays: a reload does not make it go away.
    reload(page)
    expect(warning).to_be_visible()

    warning.get_by_role("button", name="알림음 켜기").click()
    expect(warning).to_be_hidden()
    expect(page.locator("#chime")).to_have_attribute("aria-pressed", "true")
    page.locator("#chime").click()
    expect(warning).to_be_visible()

    # Nothing new waits once the order is acknowledged: no warning.
    ticket(page, order).get_by_role("button", name=re.compile("확인")).click()
    expect(page.locator("#new-orders")).to_be_hidden()
    expect(warning).to_be_hidden()


def test_new_survives_a_reload_and_ends_on_every_dashboard_at_once(dashboard, second_dashboard, tablet_api, app_server):
    page, other = dashboard, second_dashboard
    first, second = fresh_table(app_server, 73), fresh_table(app_server, 74)
    start_clean(app_server, page)
    reload(other)
    seen_here = Tablet(tablet_api, first).order(된장찌개=1)
    moved_elsewhere = Tablet(tablet_api, first).order(공기밥=2)
    moved_by_api = Tablet(tablet_api, second).order(콜라=1)
    orders = [seen_here, moved_elsewhere, moved_by_api]
    for dash in (page, other):
        for order in orders:
            expect(ticket(dash, order)).to_have_class(re.compile(r"\bis-new\b"), timeout=LIVE_MS)
        expect(dash.locator("#new-title")).to_have_text("새 주문 3")

    # A reload, or a second screen opened now, shows the same NEW: it is the server's.
    reload(page)
    for order in orders:
        expect(ticket(page, order)).to_have_class(re.compile(r"\bis-new\b"))
        expect(new_chip(page, order)).to_be_visible()
    expect(page.locator("#new-title")).to_have_text("새 주문 3")
    expect(table_card(page, first).locator(".new-pill")).to_have_text("새 주문 2")

    # 확인 on one dashboard ends NEW on the other.
    ticket(page, seen_here).get_by_role("button", name=re.compile("확인")).click()
    for dash in (page, other):
        expect(ticket(dash, seen_here)).not_to_have_class(re.compile(r"\bis-new\b"), timeout=LIVE_MS)
        expect(ticket(dash, seen_here).locator(".badge")).to_have_text("대기중")
        expect(new_chip(dash, seen_here)).to_have_count(0)
        expect(dash.locator("#new-title")).to_have_text("새 주문 2")

    # A status change on the other dashboard ends it here.
    dialog = open_order(other, moved_elsewhere)
    dialog.get_by_role("button", name="준비중").click()
    expect(dialog.locator("#order-status")).to_have_text("준비중")
    expect(ticket(page, moved_elsewhere)).not_to_have_class(re.compile(r"\bis-new\b"), timeout=LIVE_MS)
    expect(table_card(page, first)).not_to_have_class(re.compile(r"\bhas-new\b"))

    # And so does one made through the API.
    app_server.run_in_app("change_table_orders_status", second, "completed")
    for dash in (page, other):
        expect(ticket(dash, moved_by_api)).not_to_have_class(re.compile(r"\bis-new\b"), timeout=LIVE_MS)
        expect(dash.locator("#new-orders")).to_be_hidden()
    reload(page)
    expect(page.locator("#new-orders")).to_be_hidden()
    expect(page.locator(".ticket.is-new")).to_have_count(0)


def test_the_count_stays_in_view_on_a_busy_floor_and_the_title_carries_it(dashboard, tablet_api, app_server):
    page = dashboard
    # A floor of twelve busy tables of its own, more than a screen.
    numbers = list(range(92, 104))
    app_server.run_in_app("add_tables", numbers)
    start_clean(app_server, page)
    base_title = page.title()
    assert not base_title.startswith("(")
    orders = [Tablet(tablet_api, number).order(비빔밥=1, 콜라=1) for number in numbers]
    expect(page.locator("#new-title")).to_have_text("새 주문 12", timeout=LIVE_MS)
    expect(page).to_have_title(f"(12) {base_title}")

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("() => window.scrollY > 400")
    # Scrolled past the floor's first rows (and the header would have gone with them) ...
    assert page.locator("#grid .card").first.bounding_box()["y"] < 0
    # ... while the count and the newest new orders stay at the top.
    strip = page.locator("#new-orders").bounding_box()
    assert strip["y"] >= 0 and strip["y"] + strip["height"] < 300, strip
    expect(page.locator("#new-list .new-chip strong").first).to_have_text("103번")
    expect(page.locator("#new-list .new-more")).to_have_text("외 6건")

    # A chip brings its order's card into view, below the sticky top (from the history view too).
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#open-history").click()
    expect(page.locator("#floor-view")).to_be_hidden()
    new_chip(page, orders[-1]).click()
    expect(page.locator("#floor-view")).to_be_visible()
    page.wait_for_function("() => window.scrollY > 0")
    page.wait_for_timeout(600)
    top = page.locator("#dash-top").bounding_box()
    box = ticket(page, orders[-1]).bounding_box()
    assert top["y"] + top["height"] <= box["y"] < 800, (top, box)
    expect(ticket(page, orders[-1]).get_by_role("button", name=re.compile("확인"))).to_be_focused()

    # A staff call counts in the title too.
    Tablet(tablet_api, numbers[0]).call_staff("물")
    expect(page).to_have_title(f"(13) {base_title}", timeout=LIVE_MS)


def test_a_card_lists_every_line_with_its_options_and_the_whole_note(dashboard, tablet_api, app_server, screenshots):
    page = dashboard
    app_server.run_in_app("add_menu_item", "쫄면", 6000)
    options = app_server.run_in_app(
        "add_item_options",
        "쫄면",
        [["맵기", 1, 1, [["순한맛", 0], ["매운맛", 0]]], ["추가", 0, 2, [["치즈 추가", 1000], ["계란 추가", 500]]]],
    )
    number = fresh_table(app_server, 78, page)
    tablet = Tablet(tablet_api, number)
    note = "아이가 먹을 거라 덜 맵게 해 주세요. 앞접시 두 개랑 가위도 같이 부탁드립니다."
    mild_cheese = [options["순한맛"], options["치즈 추가"]]
    order = tablet.place(
        [
            {"menu_item_id": tablet.items["쫄면"], "quantity": 2, "option_ids": mild_cheese},
            {"menu_item_id": tablet.items["쫄면"], "quantity": 1, "option_ids": [options["매운맛"]]},
            {"menu_item_id": tablet.items["콜라"], "quantity": 3},
        ],
        note=note,
    )
    lines = ticket(page, order).locator(".o-line")
    expect(lines).to_have_count(3, timeout=LIVE_MS)
    expect(lines.locator(".o-name")).to_have_text(["쫄면", "쫄면", "콜라"])
    expect(lines.locator(".o-qty")).to_have_text(["× 2", "× 1", "× 3"])
    expect(lines.nth(0).locator(".o-options")).to_have_text("순한맛, 치즈 추가 +₩1,000")
    expect(lines.nth(1).locator(".o-options")).to_have_text("매운맛")
    expect(lines.nth(2).locator(".o-options")).to_have_count(0)
    # The whole note, on as many lines as it takes.
    note_box = ticket(page, order).locator(".o-note")
    expect(note_box).to_have_text(note)
    assert note_box.evaluate("(el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight")
    table_card(page, number).scroll_into_view_if_needed()
    table_card(page, number).screenshot(path=screenshots / "dashboard-card-every-line.png")

    # A finished order needs no cooking: its lines in one short line.
    app_server.run_in_app("change_table_orders_status", number, "completed")
    expect(ticket(page, order).locator(".o-summary")).to_have_text("쫄면 × 2 외 2", timeout=LIVE_MS)
    expect(ticket(page, order).locator(".o-line")).to_have_count(0)


def test_the_compact_layout_is_chosen_and_kept_on_the_device(dashboard):
    page = dashboard
    expect_live(page)
    toggle = page.locator("#density")
    expect(toggle).to_have_text("촘촘히 보기")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    normal = page.locator("#grid .card").first.bounding_box()["width"]

    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#dash")).to_have_class(re.compile(r"\bis-dense\b"))
    dense = page.locator("#grid .card").first.bounding_box()["width"]
    assert dense < normal * 0.85, (normal, dense)
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []

    reload(page)
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#dash")).to_have_class(re.compile(r"\bis-dense\b"))
    toggle.click()
    reload(page)
    expect(page.locator("#dash")).not_to_have_class(re.compile(r"\bis-dense\b"))


def test_screenshots_of_a_busy_floor_normal_and_compact(dashboard, portrait_dashboard, app_server, screenshots):
    app_server.run_in_app("add_menu_item", "쫄면", 6000)
    app_server.run_in_app(
        "add_item_options",
        "쫄면",
        [["맵기", 1, 1, [["순한맛", 0], ["매운맛", 0]]], ["추가", 0, 2, [["치즈 추가", 1000], ["계란 추가", 500]]]],
    )
    app_server.run_in_app("acknowledge_store_orders")
    ids = app_server.run_in_app("busy_floor", 80)
    pages = {"landscape": dashboard, "portrait": portrait_dashboard}
    dashboard.locator("#chime").click()
    for name, page in pages.items():
        # Only the busy floor's twelve tables (the table filter, as a manager would set it).
        page.evaluate("([key, ids]) => localStorage.setItem(key, JSON.stringify(ids))", [FILTER_KEY, ids])
        reload(page)
        expect(page.locator("#grid .card")).to_have_count(12)
        expect(page.locator("#new-title")).to_have_text("새 주문 5")
        expect(page.locator("#sound-warning")).to_be_hidden()
        assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
        page.screenshot(path=screenshots / f"dashboard-busy-{name}.png")
        page.locator("#density").click()
        expect(page.locator("#dash")).to_have_class(re.compile(r"\bis-dense\b"))
        assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
        page.screenshot(path=screenshots / f"dashboard-busy-compact-{name}.png")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(300)
        page.screenshot(path=screenshots / f"dashboard-busy-compact-scrolled-{name}.png")
        page.locator("#density").click()
        page.evaluate("window.scrollTo(0, 0)")
