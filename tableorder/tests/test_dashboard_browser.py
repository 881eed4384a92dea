"""A store manager's live dashboard in Chromium while tablets order, against the app under uvicorn.

The tablets order through the API from a browser context of their own, so their orders are
made by the app server itself and reach the dashboard's stream on SQLite as on PostgreSQL.
Each test uses tables of its own (added here), so no test sees another's orders.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import STORE_CODE, TABLE_PASSWORD

pytestmark = pytest.mark.browser

LIVE_MS = 2_000


class Tablet:
    """One table's tablet, speaking the tablet API with its own token."""

    def __init__(self, request, number):
        self.request = request
        self.number = number
        response = request.post(
            "/api/v1/auth/table/login",
            data={"store_code": STORE_CODE, "table_number": number, "password": TABLE_PASSWORD},
        )
        assert response.ok, response.text()
        self.headers = {"Authorization": f"Bearer {response.json()['access']}"}
        menu = request.get("/api/v1/menu", headers=self.headers).json()
        self.items = {item["name"]: item["id"] for category in menu["categories"] for item in category["items"]}

    def order(self, **quantities):
        """Order {name: quantity}; returns the order."""
        items = [{"menu_item_id": self.items[name], "quantity": quantity} for name, quantity in quantities.items()]
        response = self.request.post(
            "/api/v1/orders",
            data={"items": items},
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status == 201, response.text()
        return response.json()

    def orders(self):
        return self.request.get("/api/v1/orders", headers=self.headers).json()["results"]


def fresh_table(app_server, number, page=None):
    """Add a table; a dashboard open meanwhile is reloaded to show it from the start."""
    app_server.run_in_app("add_table", number)
    if page is not None:
        page.reload()
        expect_live(page)
    return number


def table_card(page, number):
    return page.locator(".card").filter(has=page.locator(".card-no", has_text=re.compile(rf"^{number}번$")))


def order_row(page, order):
    return page.locator(f'.order-row[data-order="{order["id"]}"]')


def expect_live(page):
    expect(page.locator("#connection")).to_have_text("실시간 연결됨")


def open_order(page, order):
    order_row(page, order).click()
    dialog = page.locator("#order-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#order-title")).to_contain_text(order["display_number"])
    return dialog


def confirm(page, button):
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button).click()
    expect(dialog).to_be_hidden()


def small_touch_targets(page):
    """Visible buttons, inputs and links of the dashboard smaller than 44×44 CSS px."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.dash :is(button, input, select, summary), dialog[open] button')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.id || el.className || el.textContent.trim(), el.getBoundingClientRect()])
            .filter(([, box]) => box.width < 44 || box.height < 44)
            .map(([name, box]) => `${name} ${Math.round(box.width)}×${Math.round(box.height)}`)"""
    )


def test_a_new_order_shows_live_highlighted_and_its_status_reaches_the_tablet(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 21, page)
    tablet = Tablet(tablet_api, number)
    card = table_card(page, number)
    expect(card.locator(".card-idle")).to_have_text("빈 테이블")

    order = tablet.order(김치찌개=2, 공기밥=1)
    row = order_row(page, order)
    expect(row).to_be_visible(timeout=LIVE_MS)
    expect(card).to_have_class(re.compile(r"\bhas-new\b"))
    expect(row).to_have_class(re.compile(r"\bis-new\b"))
    expect(row.locator(".new-tag")).to_have_text("NEW")
    expect(row).to_contain_text("김치찌개 × 2 외 1")
    expect(row).to_contain_text("₩19,000")
    expect(card.locator(".total")).to_have_text("₩19,000")
    expect(card.locator(".count")).to_have_text("1건")

    # Opening it is looking at it: the highlight goes, the full lines show.
    dialog = open_order(page, order)
    expect(dialog.locator("#order-lines li")).to_have_count(2)
    expect(dialog.locator("#order-lines")).to_contain_text("김치찌개 × 2")
    expect(dialog.locator("#order-total")).to_have_text("₩19,000")
    expect(card).not_to_have_class(re.compile(r"\bhas-new\b"))
    expect(dialog.get_by_role("button", name="대기중")).to_be_disabled()
    assert small_touch_targets(page) == []

    dialog.get_by_role("button", name="준비중").click()
    expect(dialog.locator("#order-status")).to_have_text("준비중")
    expect(dialog.get_by_role("button", name="준비중")).to_be_disabled()
    expect(page.locator(".toast")).to_contain_text("준비중")
    assert [o["status"] for o in tablet.orders()] == ["preparing"]

    dialog.get_by_role("button", name="완료").click()
    expect(dialog.locator("#order-status")).to_have_text("완료")
    expect(dialog.locator("#order-steps button:enabled")).to_have_count(0)
    assert [o["status"] for o in tablet.orders()] == ["completed"]
    dialog.get_by_role("button", name="닫기").first.click()
    expect(order_row(page, order).locator(".badge")).to_have_text("완료")


def test_deleting_an_order_asks_first_and_recomputes_the_totals(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 22, page)
    tablet = Tablet(tablet_api, number)
    kept = tablet.order(된장찌개=1)
    dropped = tablet.order(제육볶음=2)
    card = table_card(page, number)
    expect(card.locator(".total")).to_have_text("₩30,000", timeout=LIVE_MS)
    expect(card.locator(".count")).to_have_text("2건")

    dialog = open_order(page, dropped)
    dialog.get_by_role("button", name="주문 삭제").click()
    # Cancelling changes nothing.
    page.locator("#confirm-dialog").get_by_role("button", name="취소").click()
    expect(card.locator(".total")).to_have_text("₩30,000")
    dialog.get_by_role("button", name="주문 삭제").click()
    expect(page.locator("#confirm-message")).to_contain_text(dropped["display_number"])
    confirm(page, "삭제")

    expect(dialog).to_be_hidden()
    expect(order_row(page, dropped)).to_have_count(0)
    expect(order_row(page, kept)).to_have_count(1)
    expect(card.locator(".total")).to_have_text("₩8,000")
    expect(card.locator(".count")).to_have_text("1건")
    expect(page.locator(".toast").last).to_contain_text("삭제했습니다")
    assert [o["id"] for o in tablet.orders()] == [kept["id"]]
    # After a reload the server's snapshot agrees.
    page.reload()
    expect(table_card(page, number).locator(".total")).to_have_text("₩8,000")


def test_closing_a_table_moves_its_orders_to_history_with_the_end_time(dashboard, tablet_api, app_server, screenshots):
    page = dashboard
    number = fresh_table(app_server, 23, page)
    tablet = Tablet(tablet_api, number)
    first = tablet.order(비빔밥=1, 콜라=2)
    second = tablet.order(계란말이=1)
    card = table_card(page, number)
    expect(card.locator(".total")).to_have_text("₩21,000", timeout=LIVE_MS)

    card.get_by_role("button", name="이용 완료").click()
    expect(page.locator("#confirm-message")).to_contain_text("₩21,000")
    confirm(page, "이용 완료")
    expect(card.locator(".card-idle")).to_have_text("빈 테이블")
    expect(card.locator(".total")).to_have_count(0)
    expect(card.locator(".order-row")).to_have_count(0)
    expect(card.get_by_role("button", name="이용 완료")).to_have_count(0)
    expect(page.locator(".toast").last).to_contain_text("이용 완료")
    assert tablet.orders() == []

    card.get_by_role("button", name="과거 내역").click()
    history = page.locator("#history-view")
    expect(history.get_by_role("heading", name=f"{number}번 테이블 과거 내역")).to_be_visible()
    past = history.locator(".past-order")
    expect(past).to_have_count(2)
    # Newest first, each with its lines, total and the session's end time.
    expect(past.locator(".past-no")).to_have_text([second["display_number"], first["display_number"]])
    expect(past.nth(1)).to_contain_text("비빔밥 × 1")
    expect(past.nth(1)).to_contain_text("콜라 × 2")
    expect(past.nth(1).locator(".past-total")).to_have_text("₩14,000")
    expect(past.nth(0).locator(".past-closed")).to_contain_text(re.compile(r"이용 완료 .*\d\d:\d\d"))
    page.screenshot(path=screenshots / "dashboard-history-landscape.png")

    history.get_by_role("button", name="주문 현황으로").click()
    expect(page.locator("#grid")).to_be_visible()
    expect(history).to_be_hidden()


def test_the_history_date_filter(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 24, page)
    tablet = Tablet(tablet_api, number)
    old = tablet.order(콜라=1)
    recent = tablet.order(공기밥=3)
    app_server.run_in_app("backdate_orders", [old["id"]], 10)
    app_server.run_in_app("close_table_session", number)

    table_card(page, number).get_by_role("button", name="과거 내역").click()
    past = page.locator("#history-view .past-order")
    expect(past).to_have_count(2)
    today = page.evaluate("new Intl.DateTimeFormat('en-CA', {timeZone: 'Asia/Seoul'}).format(new Date())")
    page.locator("#history-from").fill(today)
    page.locator("#history-to").fill(today)
    page.get_by_role("button", name="조회").click()
    expect(past).to_have_count(1)
    expect(past.locator(".past-no")).to_have_text(recent["display_number"])
    expect(page.locator("#history-summary")).to_have_text("1건")

    page.locator("#history-from").fill("2000-01-01")
    page.locator("#history-to").fill("2000-01-31")
    page.get_by_role("button", name="조회").click()
    expect(page.locator("#history-empty")).to_be_visible()
    expect(past).to_have_count(0)

    page.get_by_role("button", name="기간 지우기").click()
    expect(past).to_have_count(2)


def test_menu_text_stays_text_on_the_dashboard(dashboard, tablet_api, app_server):
    page = dashboard
    name = "<img src=x onerror=document.title='pwned'>"
    app_server.run_in_app("add_menu_item", name, 3000)
    number = fresh_table(app_server, 25, page)
    tablet = Tablet(tablet_api, number)
    order = tablet.order(**{name: 1})
    row = order_row(page, order)
    expect(row).to_contain_text(f"{name} × 1", timeout=LIVE_MS)
    expect(page.locator("#grid img")).to_have_count(0)
    dialog = open_order(page, order)
    expect(dialog.locator("#order-lines")).to_contain_text(name)
    expect(dialog.locator("img")).to_have_count(0)
    assert "pwned" not in page.title()


def test_the_stream_resumes_after_a_cut_with_nothing_missed_or_doubled(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 26, page)
    tablet = Tablet(tablet_api, number)
    before = tablet.order(콜라=1)
    card = table_card(page, number)
    expect(order_row(page, before)).to_have_count(1, timeout=LIVE_MS)

    page.context.set_offline(True)
    expect(page.locator("#connection")).to_have_text("다시 연결 중…")
    missed = [tablet.order(공기밥=1), tablet.order(김치찌개=1), tablet.order(된장찌개=1)]
    page.wait_for_timeout(LIVE_MS)
    # Cut off: nothing arrives meanwhile.
    expect(card.locator(".order-row")).to_have_count(1)
    page.context.set_offline(False)

    expect_live(page)
    for order in missed:
        expect(order_row(page, order)).to_have_count(1, timeout=8_000)
    expect(card.locator(".total")).to_have_text("₩20,000")
    expect(card.locator(".count")).to_have_text("4건")
    card.get_by_role("button", name="주문 1건 더 보기").click()
    for order in [before, *missed]:
        expect(order_row(page, order)).to_have_count(1)
    expect(card.locator(".order-row")).to_have_count(4)


def test_the_filter_and_the_chime_are_remembered(dashboard, app_server, screenshots):
    page = dashboard
    expect_live(page)
    chime = page.locator("#chime")
    expect(chime).to_have_attribute("aria-pressed", "false")
    expect(chime).to_have_text("알림음 꺼짐")
    chime.click()
    expect(chime).to_have_attribute("aria-pressed", "true")
    expect(chime).to_have_text("알림음 켜짐")
    page.locator("#filter summary").click()
    chips = page.locator("#filter-chips .chip")
    chips.filter(has_text=re.compile(r"^3$")).click()
    chips.filter(has_text=re.compile(r"^5$")).click()
    expect(page.locator("#grid .card-no")).to_have_text(["3번", "5번"])
    expect(page.locator("#filter-label")).to_have_text("2개 테이블")
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "dashboard-filter-landscape.png")
    page.reload()
    expect(page.locator("#grid .card-no")).to_have_text(["3번", "5번"])
    expect(chime).to_have_attribute("aria-pressed", "true")
    page.locator("#filter summary").click()
    page.get_by_role("button", name="전체 보기").click()
    expect(page.locator("#filter-label")).to_have_text("전체 테이블")
    assert page.locator("#grid .card").count() >= 12


@pytest.mark.parametrize("viewport", ["dashboard", "laptop_dashboard"])
def test_screenshots_of_a_busy_floor(request, viewport, tablet_api, app_server, screenshots):
    page = request.getfixturevalue(viewport)
    name = "landscape" if viewport == "dashboard" else "laptop"
    expect_live(page)
    orders = []
    # Tables of their own: the tablet tests use 1–12 of the same database.
    first = 31 if name == "landscape" else 34
    floor = {
        first: {"김치찌개": 2, "공기밥": 2},
        first + 1: {"제육볶음": 1, "콜라": 2},
        first + 2: {"비빔밥": 1, "계란말이": 1},
    }
    for number in floor:
        fresh_table(app_server, number, page)
    for number, quantities in floor.items():
        tablet = Tablet(tablet_api, number)
        orders.append(tablet.order(**quantities))
    orders.append(tablet.order(콜라=1))
    expect(order_row(page, orders[-1])).to_be_visible(timeout=LIVE_MS)
    order_row(page, orders[1]).click()
    page.locator("#order-dialog").get_by_role("button", name="준비중").click()
    page.locator("#order-dialog").get_by_role("button", name="닫기").first.click()
    page.evaluate("window.scrollTo(0, 0)")
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / f"dashboard-{name}.png")
    open_order(page, orders[0])
    page.screenshot(path=screenshots / f"dashboard-order-{name}.png")
    page.locator("#order-dialog").get_by_role("button", name="닫기").first.click()
    page.get_by_role("button", name="과거 내역").first.click()
    expect(page.locator("#history-view")).to_be_visible()
    page.screenshot(path=screenshots / f"dashboard-history-all-{name}.png")
