"""A store manager's live dashboard in Chromium while tablets order, against the app under uvicorn.

The tablets order through the API from a browser context of their own, so their orders are
made by the app server itself and reach the dashboard's stream on SQLite as on PostgreSQL.
Each test uses tables of its own (added here), so no test sees another's orders.
"""

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import STORE_CODE, TABLE_PASSWORD, small_touch_targets

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
        return self.place(
            [{"menu_item_id": self.items[name], "quantity": quantity} for name, quantity in quantities.items()]
        )

    def place(self, items, note=""):
        """Order request lines as they are (with `option_ids`) and a note; returns the order."""
        response = self.request.post(
            "/api/v1/orders",
            data={"items": items, "note": note},
            headers={**self.headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status == 201, response.text()
        return response.json()

    def orders(self):
        return self.request.get("/api/v1/orders", headers=self.headers).json()["results"]

    def call_staff(self, reason):
        """The call button: returns (HTTP status, the call)."""
        response = self.request.post("/api/v1/staff-calls", data={"reason": reason}, headers=self.headers)
        assert response.status in (200, 201), response.text()
        return response.status, response.json()

    def calls(self):
        return self.request.get("/api/v1/staff-calls", headers=self.headers).json()["results"]


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


# The dashboard's own controls and its open dialog (the admin header is Django's).
DASHBOARD_CONTROLS = ".dash :is(button, input, select, summary), dialog[open] button"


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
    expect(page.locator(f'.ticket[data-ticket="{order["id"]}"]')).to_have_class(re.compile(r"\bis-new\b"))
    expect(row.locator(".new-tag")).to_have_text("NEW")
    expect(row.locator(".o-line")).to_have_text(["김치찌개 × 2", "공기밥 × 1"])
    expect(row).to_contain_text("₩19,000")
    expect(card.locator(".total")).to_have_text("₩19,000")
    expect(card.locator(".count")).to_have_text("1건")

    # Opening it is only looking at it: it stays new until someone acts on it.
    dialog = open_order(page, order)
    expect(dialog.locator("#order-lines li")).to_have_count(2)
    expect(dialog.locator("#order-lines")).to_contain_text("김치찌개 × 2")
    expect(dialog.locator("#order-total")).to_have_text("₩19,000")
    expect(card).to_have_class(re.compile(r"\bhas-new\b"))
    expect(dialog.get_by_role("button", name="대기중")).to_be_disabled()
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []

    # A status change is acting on it.
    dialog.get_by_role("button", name="준비중").click()
    expect(dialog.locator("#order-status")).to_have_text("준비중")
    expect(card).not_to_have_class(re.compile(r"\bhas-new\b"))
    expect(dialog.get_by_role("button", name="준비중")).to_be_disabled()
    expect(page.locator(".toast")).to_contain_text("준비중")
    assert [o["status"] for o in tablet.orders()] == ["preparing"]

    dialog.get_by_role("button", name="완료").click()
    expect(dialog.locator("#order-status")).to_have_text("완료")
    # Only the step back is left (test_dashboard_corrections_browser.py).
    expect(dialog.locator("#order-steps button:enabled")).to_have_accessible_name("준비중 단계로 되돌리기")
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
    page.locator("#delete-dialog").get_by_role("button", name="취소").click()
    expect(card.locator(".total")).to_have_text("₩30,000")
    dialog.get_by_role("button", name="주문 삭제").click()
    expect(page.locator("#delete-message")).to_contain_text(dropped["display_number"])
    page.locator("#delete-dialog").get_by_label("고객 요청 취소").check()
    page.locator("#delete-dialog").get_by_role("button", name="삭제", exact=True).click()

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
    expect(row.locator(".o-name")).to_have_text(name, timeout=LIVE_MS)
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
    # Every new order shows (no "more" to tap while they are new), each once.
    for order in [before, *missed]:
        expect(order_row(page, order)).to_have_count(1)
    expect(card.locator(".order-row")).to_have_count(4)
    expect(card.locator(".more")).to_have_count(0)


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
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
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
    # Tables of their own (see conftest.py).
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
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
    page.screenshot(path=screenshots / f"dashboard-{name}.png")
    open_order(page, orders[0])
    page.screenshot(path=screenshots / f"dashboard-order-{name}.png")
    page.locator("#order-dialog").get_by_role("button", name="닫기").first.click()
    page.get_by_role("button", name="과거 내역").first.click()
    expect(page.locator("#history-view")).to_be_visible()
    page.screenshot(path=screenshots / f"dashboard-history-all-{name}.png")


# ---------------------------------------------------------------- staff calls, options and notes


def call_item(page, call):
    return page.locator(f'#call-list .call-item[data-call="{call["id"]}"]')


def card_call(page, number, call):
    return table_card(page, number).locator(f'.card-call[data-call="{call["id"]}"]')


def test_a_staff_call_shows_at_once_until_one_tap_acknowledges_it_everywhere(
    dashboard, second_dashboard, tablet_api, app_server, screenshots
):
    page, other = dashboard, second_dashboard
    # Calls other tests' tablets left waiting would show the list; answered, it starts hidden.
    app_server.run_in_app("acknowledge_store_orders")
    page.reload()
    first = fresh_table(app_server, 41, page)
    second = fresh_table(app_server, 42, page)
    other.reload()
    expect_live(other)
    expect(page.locator("#calls")).to_be_hidden()
    water_tablet, bill_tablet = Tablet(tablet_api, first), Tablet(tablet_api, second)

    status, water = water_tablet.call_staff("물")
    assert status == 201
    banner = card_call(page, first, water)
    expect(banner.locator(".card-call-text")).to_have_text(re.compile(r"^직원 호출 · 물\s*\d\d:\d\d$"), timeout=LIVE_MS)
    expect(table_card(page, first)).to_have_class(re.compile(r"\bhas-call\b"))
    expect(call_item(page, water)).to_contain_text(f"{first}번")
    expect(call_item(page, water)).to_contain_text("물")
    expect(call_item(other, water)).to_be_visible(timeout=LIVE_MS)
    # A call opens the table's session, as a first order does.
    expect(table_card(page, first).locator(".total")).to_have_text("₩0")

    _status, bill = bill_tablet.call_staff("계산 요청")
    # Calling again for a waiting reason is the same call: no second alert anywhere.
    assert water_tablet.call_staff("물") == (200, water)
    expect(call_item(page, bill)).to_be_visible(timeout=LIVE_MS)
    for dash in (page, other):
        expect(dash.locator("#call-list .call-item")).to_have_count(2)
        # Oldest first.
        expect(dash.locator("#call-list .call-table")).to_have_text([f"{first}번", f"{second}번"])
    expect(page.locator("#calls-title")).to_have_text("직원 호출 2건")
    expect(page.locator("#summary .call-pill")).to_have_text("호출 2")
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []

    table_card(page, first).scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "dashboard-staff-calls-landscape.png")
    page.locator("#calls").screenshot(path=screenshots / "dashboard-calls-list-landscape.png")

    banner.get_by_role("button", name="확인").click()
    expect(page.locator(".toast").last).to_contain_text(f"{first}번 테이블의 호출(물)을 확인했습니다")
    for dash in (page, other):
        expect(card_call(dash, first, water)).to_have_count(0, timeout=LIVE_MS)
        expect(call_item(dash, water)).to_have_count(0)
        expect(dash.locator("#call-list .call-item")).to_have_count(1)
    expect(table_card(page, first)).not_to_have_class(re.compile(r"\bhas-call\b"))
    [seen] = water_tablet.calls()
    assert seen["id"] == water["id"] and seen["acknowledged_at"]

    # The other manager answers the other call from the list.
    call_item(other, bill).get_by_role("button", name="확인").click()
    for dash in (page, other):
        expect(dash.locator("#calls")).to_be_hidden(timeout=LIVE_MS)
        expect(card_call(dash, second, bill)).to_have_count(0)
    assert bill_tablet.calls()[0]["acknowledged_at"]

    # A reload agrees: nothing is waiting.
    page.reload()
    expect_live(page)
    expect(page.locator("#calls")).to_be_hidden()
    expect(table_card(page, first).locator(".card-call")).to_have_count(0)


def test_open_calls_come_back_after_a_reload_and_leave_with_the_session(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 43, page)
    tablet = Tablet(tablet_api, number)
    _status, spoon = tablet.call_staff("수저")
    expect(card_call(page, number, spoon)).to_be_visible(timeout=LIVE_MS)

    page.reload()
    expect_live(page)
    expect(card_call(page, number, spoon)).to_contain_text("직원 호출 · 수저")
    expect(call_item(page, spoon)).to_be_visible()

    table_card(page, number).get_by_role("button", name="이용 완료").click()
    confirm(page, "이용 완료")
    expect(card_call(page, number, spoon)).to_have_count(0)
    expect(call_item(page, spoon)).to_have_count(0)
    expect(table_card(page, number).locator(".card-idle")).to_have_text("빈 테이블")


def test_guest_text_stays_text_on_the_dashboard(dashboard, tablet_api, app_server):
    page = dashboard
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    # A reason is at most 30 characters; a note may be 200.
    reason = "<img src=x onerror=alert(1)>"
    note = "<img src=x onerror=document.title='pwned'>"
    old_reasons = app_server.run_in_app("set_staff_call_reasons", ["물", reason])
    try:
        number = fresh_table(app_server, 44, page)
        tablet = Tablet(tablet_api, number)
        _status, call = tablet.call_staff(reason)
        order = tablet.place([{"menu_item_id": tablet.items["콜라"], "quantity": 1}], note=note)
        expect(call_item(page, call)).to_contain_text(reason, timeout=LIVE_MS)
        expect(card_call(page, number, call)).to_contain_text(reason)
        expect(order_row(page, order).locator(".o-note")).to_have_text(note, timeout=LIVE_MS)
        dialog = open_order(page, order)
        expect(dialog.locator("#order-note")).to_contain_text(note)
        dialog.get_by_role("button", name="닫기").first.click()
        # The snapshot after a reload draws the same text the same way.
        page.reload()
        expect(call_item(page, call)).to_contain_text(reason)
        expect(order_row(page, order).locator(".o-note")).to_have_text(note)
        expect(page.locator(".dash img, dialog img")).to_have_count(0)
        assert "pwned" not in page.title()
        assert alerts == []
        call_item(page, call).get_by_role("button", name="확인").click()
        expect(page.locator(".toast").last).to_contain_text(reason)
        expect(call_item(page, call)).to_have_count(0)
    finally:
        app_server.run_in_app("set_staff_call_reasons", *old_reasons)


def test_an_order_shows_its_options_and_note_on_the_card_in_the_dialog_and_in_history(
    dashboard, tablet_api, app_server, screenshots
):
    page = dashboard
    app_server.run_in_app("add_menu_item", "쫄면", 6000)
    options = app_server.run_in_app(
        "add_item_options",
        "쫄면",
        [["맵기", 1, 1, [["순한맛", 0], ["매운맛", 0]]], ["추가", 0, 2, [["치즈 추가", 1000], ["계란 추가", 500]]]],
    )
    number = fresh_table(app_server, 45, page)
    tablet = Tablet(tablet_api, number)
    note = "아이가 먹을 거라 덜 맵게 해 주세요. 앞접시 두 개랑 가위도 같이 부탁드립니다."
    order = tablet.place(
        [
            {
                "menu_item_id": tablet.items["쫄면"],
                "quantity": 2,
                "option_ids": [options["순한맛"], options["치즈 추가"]],
            },
            {"menu_item_id": tablet.items["쫄면"], "quantity": 1, "option_ids": [options["매운맛"]]},
            {"menu_item_id": tablet.items["콜라"], "quantity": 1},
        ],
        note=note,
    )
    assert order["total"] == 2 * 7000 + 6000 + 2000

    row = order_row(page, order)
    expect(row.locator(".o-options")).to_have_text(["순한맛, 치즈 추가 +₩1,000", "매운맛"], timeout=LIVE_MS)
    expect(row.locator(".o-note")).to_have_text(note)
    table_card(page, number).scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "dashboard-options-note-card-landscape.png")

    dialog = open_order(page, order)
    lines = dialog.locator("#order-lines li")
    expect(lines).to_have_count(3)
    expect(lines.nth(0).locator(".line-options")).to_have_text("순한맛, 치즈 추가 +₩1,000")
    expect(lines.nth(0).locator(".line-unit")).to_have_text("₩7,000")
    expect(lines.nth(0).locator(".line-total")).to_have_text("₩14,000")
    expect(lines.nth(1).locator(".line-options")).to_have_text("매운맛")
    expect(lines.nth(2).locator(".line-options")).to_have_count(0)
    expect(dialog.locator("#order-note")).to_contain_text("요청사항")
    expect(dialog.locator("#order-note .note-text")).to_have_text(note)
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []
    page.screenshot(path=screenshots / "dashboard-order-options-note-landscape.png")
    dialog.get_by_role("button", name="닫기").first.click()

    # An order without a note has no note block.
    plain = tablet.order(콜라=1)
    open_order(page, plain)
    expect(dialog.locator("#order-note")).to_be_empty()
    dialog.get_by_role("button", name="닫기").first.click()

    table_card(page, number).get_by_role("button", name="이용 완료").click()
    confirm(page, "이용 완료")
    table_card(page, number).get_by_role("button", name="과거 내역").click()
    past = page.locator(f'#history-view .past-order[data-order="{order["id"]}"]')
    expect(past.locator(".line-options").first).to_have_text("순한맛, 치즈 추가 +₩1,000")
    expect(past.locator(".note-text")).to_have_text(note)
    page.screenshot(path=screenshots / "dashboard-history-options-note-landscape.png")


def test_a_failed_acknowledgement_says_so_and_a_call_that_ended_leaves(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 46, page)
    _status, call = Tablet(tablet_api, number).call_staff("앞접시")
    item = call_item(page, call)
    expect(item).to_be_visible(timeout=LIVE_MS)
    acknowledge = f"**/api/v1/admin/staff-calls/{call['id']}/acknowledge"

    page.route(acknowledge, lambda route: route.fulfill(status=500, json={"error": {"message": "boom"}}))
    item.get_by_role("button", name="확인").click()
    expect(page.locator(".toast-error").last).to_have_text("서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.")
    # Still waiting, and the button works again.
    expect(item.get_by_role("button", name="확인")).to_be_enabled()
    expect(card_call(page, number, call)).to_be_visible()

    # The table was closed elsewhere and its event is not here yet: the server's 409 ends the call.
    page.unroute(acknowledge)
    page.route(
        acknowledge,
        lambda route: route.fulfill(status=409, json={"error": {"code": "session_closed", "message": "ended"}}),
    )
    item.get_by_role("button", name="확인").click()
    expect(page.locator(".toast").last).to_have_text("이미 확인되었거나 끝난 호출입니다.")
    expect(item).to_have_count(0)
    expect(card_call(page, number, call)).to_have_count(0)


def test_the_chime_rings_for_calls_with_a_tone_of_their_own(dashboard, tablet_api, app_server):
    page = dashboard
    number = fresh_table(app_server, 47, page)
    tablet = Tablet(tablet_api, number)
    # Count the tones instead of listening: every oscillator the page makes, with its pitch.
    page.evaluate(
        """() => {
            window.oscillators = [];
            const create = AudioContext.prototype.createOscillator;
            AudioContext.prototype.createOscillator = function () {
                const oscillator = create.call(this);
                window.oscillators.push(oscillator);
                return oscillator;
            };
        }"""
    )

    def tones(count):
        # Polled from here: wait_for_function's polling evaluates strings in the page, which its
        # policy (no unsafe-eval) refuses.
        deadline = time.monotonic() + LIVE_MS / 1000
        while page.evaluate("window.oscillators.length") < count and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert page.evaluate("window.oscillators.length") == count
        return page.evaluate("window.oscillators.map((oscillator) => oscillator.frequency.value)")

    page.locator("#chime").click()
    order_tone = tones(2)
    tablet.call_staff("수저")
    call_tone = tones(6)[2:]
    assert call_tone != order_tone and len(call_tone) == 4
    # The same call again is no new alert; a new order rings the order's tone.
    tablet.call_staff("수저")
    tablet.order(콜라=1)
    assert tones(8)[6:] == order_tone


def test_the_login_pages_store_field_is_the_size_of_the_others(page, screenshots):
    page.goto("/admin/login/")
    boxes = {label: page.get_by_label(label).bounding_box() for label in ("매장 식별자", "아이디", "비밀번호")}
    page.screenshot(path=screenshots / "admin-login.png")
    store, username, password = boxes.values()
    assert username == {**password, "y": username["y"]}
    assert store == {**username, "y": store["y"]}, boxes
