"""A guest's walk through the tablet app in Chromium, against the app under uvicorn."""

import json
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from conftest import ON_POSTGRES
from tableorder.tests.browser import STORE_CODE, STORE_NAME, TABLE_PASSWORD, small_touch_targets

pytestmark = pytest.mark.browser


def set_up_tablet(page, table, password=TABLE_PASSWORD):
    page.goto("/")
    expect(page.get_by_role("heading", name="테이블 설정")).to_be_visible()
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("테이블 번호").fill(str(table))
    page.get_by_label("테이블 비밀번호").fill(password)
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#table-label")).to_have_text(f"{table}번 테이블")
    expect(page.locator("#menu-content .item").first).to_be_visible()


def add(page, name, times=1):
    for _ in range(times):
        page.get_by_role("button", name=f"{name} 담기", exact=True).click()


def cart_line(page, name):
    return page.locator(".cart-line").filter(has=page.get_by_text(name, exact=True))


def expect_total(page, won):
    expect(page.locator("#cart-total")).to_have_text(won)


def place_order(page):
    page.locator("#cart-order").click()
    expect(page.locator("#review-dialog")).to_be_visible()
    page.locator("#review-confirm").click()
    expect(page.locator("#success-screen")).to_be_visible()
    return page.locator("#success-number").inner_text()


def test_setup_once_then_auto_login_and_a_cart_that_survives_reloads(page, app_server, screenshots):
    page.goto("/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("테이블 번호").fill("1")
    page.get_by_label("테이블 비밀번호").fill("wrong-password")
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#setup-error")).to_contain_text("올바르지 않습니다")

    set_up_tablet(page, 1)
    expect(page.locator("#store-name")).to_have_text(STORE_NAME)
    storage = page.evaluate("JSON.stringify(localStorage)")
    assert "refresh" in storage
    assert TABLE_PASSWORD not in storage

    page.reload()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("#setup-screen")).to_be_hidden()
    expect(page.locator("#table-label")).to_have_text("1번 테이블")

    # Menu: categories in order with quick jumps, prices in won, sold-out items disabled.
    expect(page.locator("#category-bar .chip[data-category]")).to_have_text(["식사", "사이드", "음료"])
    # The store's origin notice is a chip of its own, after the categories.
    expect(page.locator("#category-bar .chip").last).to_have_text("원산지 표시")
    expect(page.locator(".item").filter(has_text="김치찌개")).to_contain_text("₩9,000")
    beer = page.get_by_role("button", name="생맥주 품절", exact=True)
    expect(beer).to_be_disabled()
    page.locator("#category-bar .chip", has_text="음료").click()
    expect(page.locator("#category-bar .chip", has_text="음료")).to_have_attribute("aria-current", "true")
    expect(page.get_by_role("heading", name="음료")).to_be_in_viewport()
    # Menu text is data, never markup.
    expect(page.locator(".item").filter(has_text="계란말이").locator("b")).to_have_count(0)
    expect(page.locator(".item").filter(has_text="계란말이")).to_contain_text("<b>치즈</b>")
    page.locator("#menu-view").evaluate("el => el.scrollTo(0, 0)")
    page.screenshot(path=screenshots / "menu-landscape.png")

    add(page, "김치찌개", 2)
    # The detail view adds several at once.
    page.locator(".item-card").filter(has_text="공기밥").click()
    dialog = page.locator("#item-dialog")
    expect(dialog.get_by_role("heading", name="공기밥")).to_be_visible()
    dialog.get_by_role("button", name="하나 더", exact=True).click()
    dialog.get_by_role("button", name="하나 더", exact=True).click()
    expect(dialog.locator("#item-add")).to_have_text("₩3,000 담기")
    dialog.locator("#item-add").click()
    expect(dialog).to_be_hidden()
    expect_total(page, "₩21,000")

    page.reload()
    expect(cart_line(page, "김치찌개").locator("output")).to_have_text("2")
    expect(cart_line(page, "공기밥").locator("output")).to_have_text("3")
    expect_total(page, "₩21,000")
    expect(page.locator(".item").filter(has_text="김치찌개").locator(".in-cart-badge")).to_have_text("2개 담김")
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "cart-landscape.png")

    page.get_by_role("button", name="공기밥 하나 더").click()
    expect_total(page, "₩22,000")
    page.get_by_role("button", name="김치찌개 하나 빼기").click()
    expect_total(page, "₩13,000")
    page.get_by_role("button", name="공기밥 빼기").click()
    expect(cart_line(page, "공기밥")).to_have_count(0)
    expect_total(page, "₩9,000")
    page.get_by_role("button", name="김치찌개 하나 빼기").click()
    expect(page.locator(".cart-line")).to_have_count(0)
    add(page, "콜라")
    page.get_by_role("button", name="비우기").click()
    expect(page.locator("#cart-empty")).to_be_visible()
    expect_total(page, "₩0")
    expect(page.locator("#cart-order")).to_be_disabled()
    page.reload()
    expect(page.locator("#cart-empty")).to_be_visible()
    cart = page.evaluate(f"localStorage.getItem('tableorder.cart.{STORE_CODE}.1')")
    assert json.loads(cart) == []


def test_an_order_shows_its_number_then_the_menu_again_after_five_seconds(page, app_server, screenshots):
    set_up_tablet(page, 2)
    add(page, "김치찌개")
    add(page, "콜라", 2)
    page.locator("#cart-order").click()
    review = page.locator("#review-dialog")
    expect(review.locator("li")).to_have_text([re.compile("김치찌개 × 1.*₩9,000"), re.compile("콜라 × 2.*₩4,000")])
    expect(review.locator("#review-total")).to_have_text("₩13,000")
    review.locator("#review-confirm").click()

    expect(page.locator("#success-screen")).to_be_visible()
    shown_at = time.monotonic()
    number = page.locator("#success-number").inner_text()
    assert re.fullmatch(r"#\d{4}", number)
    expect(page.locator("#success-countdown")).to_contain_text("초 후 메뉴로 돌아갑니다")
    page.screenshot(path=screenshots / "success-landscape.png")
    assert app_server.run_in_app("table_orders", 2) == [[number, 13000]]

    expect(page.locator("#menu-view")).to_be_visible(timeout=8000)
    waited = time.monotonic() - shown_at
    assert 4.0 <= waited <= 7.0, waited
    expect(page.locator("#success-screen")).to_be_hidden()
    expect(page.locator("#cart-empty")).to_be_visible()
    expect_total(page, "₩0")

    page.get_by_role("button", name="주문 내역").click()
    card = page.locator(".order-card")
    expect(card).to_have_count(1)
    expect(card.locator(".order-no")).to_have_text(number)
    expect(card.locator(".status")).to_have_text("대기중")
    expect(card).to_contain_text("김치찌개 × 1")
    expect(card).to_contain_text("₩13,000")


def test_a_double_tap_or_a_retry_after_a_dropped_connection_orders_once(page, app_server):
    set_up_tablet(page, 3)
    add(page, "된장찌개")
    page.locator("#cart-order").click()
    page.locator("#review-confirm").evaluate("button => { button.click(); button.click(); }")
    expect(page.locator("#success-screen")).to_be_visible()
    assert len(app_server.run_in_app("table_orders", 3)) == 1
    page.get_by_role("button", name="메뉴로 돌아가기").click()

    def reach_server_then_drop(route):
        route.fetch()
        route.abort("connectionreset")

    # The server takes the order, but the tablet never hears back: the guest retries.
    page.route("**/api/v1/orders", reach_server_then_drop, times=1)
    add(page, "비빔밥")
    page.locator("#cart-order").click()
    page.locator("#review-confirm").click()
    expect(page.locator("#review-error")).to_contain_text("두 번 주문되지 않습니다")
    expect(cart_line(page, "비빔밥")).to_have_count(1)
    orders = app_server.run_in_app("table_orders", 3)
    assert len(orders) == 2

    page.locator("#review-confirm").click()
    expect(page.locator("#success-screen")).to_be_visible()
    expect(page.locator("#success-number")).to_have_text(orders[1][0])
    assert app_server.run_in_app("table_orders", 3) == orders


def test_an_item_sold_out_before_the_tablet_heard_is_refused_then_left_out_in_one_tap(page, app_server):
    set_up_tablet(page, 4)
    add(page, "제육볶음")
    add(page, "공기밥", 2)
    # The tablet misses the change (its menu read fails): only the server's refusal tells it.
    missed = []
    page.route("**/api/v1/menu?*", lambda route: missed.append(route.request.url) or route.abort())
    app_server.run_in_app("set_available", "제육볶음", False)
    try:
        if ON_POSTGRES:
            deadline = time.monotonic() + 5
            while not missed:
                assert time.monotonic() < deadline, "menu.updated never reached the tablet"
                page.wait_for_timeout(100)
        page.unroute("**/api/v1/menu?*")
        page.locator("#cart-order").click()
        page.locator("#review-confirm").click()
        error = page.locator("#review-error")
        expect(error).to_be_visible()
        expect(error).to_contain_text("품절된 메뉴가 있습니다: 제육볶음")
        expect(page.locator("#review-lines li.is-soldout")).to_contain_text("제육볶음")
        expect(page.locator("#review-total")).to_have_text("₩2,000")
        expect(page.locator("#review-confirm")).to_have_text("품절 메뉴 빼고 ₩2,000 주문하기")
        expect(page.locator("#review-confirm")).to_be_enabled()
        page.get_by_role("button", name="돌아가기").click()

        expect(cart_line(page, "제육볶음").locator("output")).to_have_text("1")
        expect(cart_line(page, "제육볶음")).to_contain_text("품절")
        expect(cart_line(page, "공기밥").locator("output")).to_have_text("2")
        expect_total(page, "₩2,000")
        expect(page.get_by_role("button", name="제육볶음 품절", exact=True)).to_be_disabled()
        assert app_server.run_in_app("table_orders", 4) == []

        # One tap leaves the sold-out line out and goes on to the review.
        page.locator("#cart-order").click()
        expect(page.locator("#review-lines li")).to_have_text([re.compile("공기밥 × 2")])
        page.locator("#review-confirm").click()
        expect(page.locator("#success-screen")).to_be_visible()
        assert app_server.run_in_app("table_orders", 4) == [[page.locator("#success-number").inner_text(), 2000]]
    finally:
        app_server.run_in_app("set_available", "제육볶음", True)


def test_history_follows_status_changes_and_empties_when_the_manager_closes_the_session(page, app_server, screenshots):
    set_up_tablet(page, 5)
    add(page, "콜라")
    place_order(page)
    page.get_by_role("button", name="메뉴로 돌아가기").click()
    page.get_by_role("button", name="주문 내역").click()
    expect(page.locator(".order-card")).to_have_count(1)
    expect(page.locator(".order-card .status")).to_have_text("대기중")

    app_server.run_in_app("change_table_orders_status", 5, "preparing")
    if not app_server.database.pg_name:
        # SQLite's event hub lives in one process, so a change made by another process reaches
        # no stream there; PostgreSQL's NOTIFY reaches every process and updates the page live.
        page.get_by_role("button", name="메뉴").click()
        page.get_by_role("button", name="주문 내역").click()
    expect(page.locator(".order-card .status")).to_have_text("준비중", timeout=12_000)
    page.screenshot(path=screenshots / "history-landscape.png")

    app_server.run_in_app("close_table_session", 5)
    page.reload()
    expect(page.locator("#menu-view")).to_be_visible()
    page.get_by_role("button", name="주문 내역").click()
    expect(page.locator("#history-empty")).to_be_visible()
    expect(page.locator(".order-card")).to_have_count(0)


def test_repeated_wrong_passwords_lock_the_setup_with_a_clear_message(page, app_server):
    page.goto("/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("테이블 번호").fill("12")
    error = page.locator("#setup-error")
    for attempt in range(1, 7):
        page.get_by_label("테이블 비밀번호").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="설정 완료").click()
        expect(error).to_contain_text(re.compile("올바르지 않습니다|잠시 잠겼습니다"))
        if "잠시 잠겼습니다" in error.inner_text():
            break
    expect(error).to_contain_text("잠시 잠겼습니다")
    # Locked out even with the right password, and the tablet stays on the setup screen.
    page.get_by_label("테이블 비밀번호").fill(TABLE_PASSWORD)
    page.get_by_role("button", name="설정 완료").click()
    expect(error).to_contain_text("잠시 잠겼습니다")
    expect(page.locator("#main-screen")).to_be_hidden()


def test_an_expired_access_token_is_renewed_with_the_refresh_token(page, app_server):
    set_up_tablet(page, 8)
    page.evaluate(
        """() => {
            const auth = JSON.parse(localStorage.getItem('tableorder.auth'));
            localStorage.setItem('tableorder.auth', JSON.stringify({...auth, access: 'expired.token.value'}));
        }"""
    )
    page.reload()
    # The menu may show from the device's cache at once; the renewal happens on its refresh.
    # (Polled from here: wait_for_function evaluates strings in the page, which its CSP forbids.)
    deadline = time.monotonic() + 10
    while json.loads(page.evaluate("localStorage.getItem('tableorder.auth')"))["access"] == "expired.token.value":
        assert time.monotonic() < deadline, "the expired access token was never renewed"
        page.wait_for_timeout(100)
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("#setup-screen")).to_be_hidden()
    add(page, "콜라")
    assert re.fullmatch(r"#\d{4}", place_order(page))


def test_a_password_reset_signs_the_tablet_out_to_the_setup_screen(page, app_server):
    set_up_tablet(page, 6)
    app_server.run_in_app("reset_table_password", 6, "new-table-pass")
    page.reload()
    expect(page.locator("#setup-screen")).to_be_visible()
    expect(page.locator("#setup-error")).to_contain_text("설정이 해제되었습니다")
    # Whether the open stream or the reload found out first, a reload still says why.
    page.reload()
    expect(page.locator("#setup-error")).to_contain_text("설정이 해제되었습니다")
    expect(page.get_by_label("매장 식별자")).to_have_value(STORE_CODE)
    assert page.evaluate("localStorage.getItem('tableorder.auth')") is None
    set_up_tablet(page, 6, password="new-table-pass")


def test_portrait_tablet_has_the_cart_in_a_bottom_sheet(portrait_page, app_server, screenshots):
    page = portrait_page
    set_up_tablet(page, 7)
    add(page, "김치찌개")
    add(page, "계란말이")
    expect(page.locator("#cart-open")).to_contain_text("2개")
    expect_total(page, "₩16,000")
    expect(page.locator("#cart-lines")).to_be_hidden()
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "menu-portrait.png")

    page.locator("#cart-open").click()
    expect(cart_line(page, "계란말이")).to_be_visible()
    page.get_by_role("button", name="계란말이 하나 더").click()
    expect_total(page, "₩23,000")
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "cart-portrait.png")
    page.get_by_role("button", name="장바구니 닫기").click()
    expect(page.locator("#cart-lines")).to_be_hidden()

    number = place_order(page)
    assert re.fullmatch(r"#\d{4}", number)
    page.screenshot(path=screenshots / "success-portrait.png")


# Live changes (an order's status, the menu) reach an open tablet within 2 seconds.
LIVE_MS = 2_000
heard_across_processes = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="a change made by run_in_app reaches streams through PostgreSQL's NOTIFY; "
    "SQLite's event hub serves its own process only",
)


def drop_the_next_order_answer(page):
    """The next POST /api/v1/orders reaches the server, but its answer never reaches the tablet."""
    dropped = []

    def handler(route):
        if dropped or route.request.method != "POST":
            return route.fallback()
        dropped.append(route.request.url)
        route.fetch()
        route.abort("connectionreset")

    page.route("**/api/v1/orders", handler)


def pending_key(page, table):
    """The idempotency key the tablet keeps for retrying its cart, or None."""
    return page.evaluate(f"localStorage.getItem('tableorder.pending.{STORE_CODE}.{table}')")


@heard_across_processes
def test_a_cut_stream_resumes_from_its_last_event_with_nothing_missed_or_doubled(page, app_server):
    set_up_tablet(page, 9)
    add(page, "김치찌개")
    first = place_order(page)
    page.get_by_role("button", name="메뉴로 돌아가기").click()
    page.get_by_role("button", name="주문 내역").click()
    cards = page.locator(".order-card")
    expect(cards).to_have_count(1)
    requests = []
    page.on("request", lambda request: requests.append((request.method, urlsplit(request.url))))

    page.context.set_offline(True)
    try:
        page.wait_for_timeout(1000)
        app_server.run_in_app("change_table_orders_status", 9, "preparing")
        second = app_server.run_in_app("place_table_order", 9, "공기밥")
        page.wait_for_timeout(1000)
        # Cut off: nothing arrives.
        expect(cards).to_have_count(1)
        expect(cards.locator(".status")).to_have_text("대기중")
    finally:
        page.context.set_offline(False)

    expect(cards.locator(".order-no")).to_have_text([first, second], timeout=5_000)
    expect(cards.locator(".status")).to_have_text(["준비중", "대기중"])
    expect(page.locator("#history-summary")).to_have_text("지금까지 2건 · ₩10,000")
    page.wait_for_timeout(1000)
    expect(cards).to_have_count(2)
    resumed = [url for method, url in requests if url.path == "/api/v1/orders/stream"]
    assert resumed and all("last_event_id" in parse_qs(url.query) for url in resumed), resumed
    # Caught up from the replayed events, not by reading the list again.
    assert ("GET", "/api/v1/orders") not in [(method, url.path) for method, url in requests]


@heard_across_processes
def test_a_sold_out_switch_reaches_the_open_tablet_and_its_cart_within_two_seconds(page, app_server, screenshots):
    # This test places no order, so it shares table 1 with the first test.
    set_up_tablet(page, 1)
    add(page, "제육볶음")
    add(page, "공기밥")
    try:
        app_server.run_in_app("save_item_availability", "제육볶음", False)
        expect(page.locator('[data-item] .item-add[aria-label="제육볶음 품절"]')).to_have_text("품절", timeout=LIVE_MS)
        expect(cart_line(page, "제육볶음").locator(".tag")).to_have_text("품절", timeout=LIVE_MS)
        expect(page.get_by_role("button", name="제육볶음 품절", exact=True)).to_be_disabled()
        # Flagged before ordering, not by the server's refusal: out of the total, and the order
        # button leaves it out.
        expect_total(page, "₩1,000")
        expect(page.locator("#cart-order")).to_have_text("품절 메뉴 빼고 ₩1,000 주문하기")
        page.screenshot(path=screenshots / "cart-sold-out-landscape.png")
    finally:
        app_server.run_in_app("save_item_availability", "제육볶음", True)
    expect(page.get_by_role("button", name="제육볶음 담기", exact=True)).to_be_enabled(timeout=LIVE_MS)
    expect(cart_line(page, "제육볶음").locator(".tag")).to_have_count(0)
    expect_total(page, "₩12,000")


@heard_across_processes
def test_a_session_closed_by_the_manager_empties_the_history_live_and_drops_the_pending_key(page, app_server):
    set_up_tablet(page, 10)
    add(page, "콜라")
    drop_the_next_order_answer(page)
    page.locator("#cart-order").click()
    page.locator("#review-confirm").click()
    expect(page.locator("#review-error")).to_contain_text("두 번 주문되지 않습니다")
    page.get_by_role("button", name="돌아가기").click()
    assert pending_key(page, 10) is not None
    page.get_by_role("button", name="주문 내역").click()
    expect(page.locator(".order-card")).to_have_count(1)

    app_server.run_in_app("close_table_session", 10)
    expect(page.locator(".order-card")).to_have_count(0, timeout=LIVE_MS)
    expect(page.locator("#history-summary")).to_have_text("", timeout=LIVE_MS)
    expect(page.locator("#history-empty")).to_be_visible()
    assert pending_key(page, 10) is None

    # The cart left with its guests; the next guests' order is a new order of the next session.
    page.get_by_role("button", name="메뉴", exact=True).click()
    expect(page.locator("#cart-empty")).to_be_visible()
    add(page, "콜라")
    number = place_order(page)
    orders = app_server.run_in_app("table_orders", 10)
    assert len(orders) == 2
    assert orders[1] == [number, 2000]


def test_a_retry_after_the_manager_deleted_the_order_asks_to_confirm_again_then_orders_once(page, app_server):
    set_up_tablet(page, 11)
    add(page, "비빔밥")
    drop_the_next_order_answer(page)
    page.locator("#cart-order").click()
    page.locator("#review-confirm").click()
    expect(page.locator("#review-error")).to_contain_text("두 번 주문되지 않습니다")
    [deleted] = app_server.run_in_app("delete_table_orders", 11)

    # The kept key's order is gone: no silent replay, and nothing new placed.
    page.locator("#review-confirm").click()
    expect(page.locator("#review-error")).to_contain_text("이전 주문 요청이 만료되어")
    expect(cart_line(page, "비빔밥").locator("output")).to_have_text("1")
    assert app_server.run_in_app("table_orders", 11) == [[deleted, 10000]]

    page.locator("#review-confirm").click()
    expect(page.locator("#success-screen")).to_be_visible()
    orders = app_server.run_in_app("table_orders", 11)
    assert len(orders) == 2
    assert orders[1] == [page.locator("#success-number").inner_text(), 10000]


# Options, the order note and staff calls.
OPTION_ITEM = "라볶이"


def option_item(app_server):
    """라볶이 (₩6,500): 맵기 (exactly one) and 추가 (up to two; 라면 사리 sold out)."""
    app_server.run_in_app("add_menu_item", OPTION_ITEM, 6500)
    groups = [
        ["맵기", 1, 1, [["순한맛", 0], ["보통", 0], ["매운맛", 0]]],
        ["추가", 0, 2, [["치즈 추가", 1000], ["계란 추가", 500], ["어묵 추가", 700], ["라면 사리", 1000]]],
    ]
    app_server.run_in_app("add_item_options", OPTION_ITEM, groups)
    app_server.run_in_app("set_option_availability", OPTION_ITEM, "어묵 추가", True)
    app_server.run_in_app("set_option_availability", OPTION_ITEM, "라면 사리", False)


def option(dialog, name):
    return dialog.locator(".option").filter(has_text=name).locator("input")


def choose(page, picks, quantity=1):
    """Open the chooser of OPTION_ITEM from its card's quick add, pick `picks`, add `quantity`."""
    add(page, OPTION_ITEM)
    dialog = page.locator("#item-dialog")
    expect(dialog.get_by_role("heading", name=OPTION_ITEM)).to_be_visible()
    for name in picks:
        option(dialog, name).click()
    for _ in range(quantity - 1):
        dialog.get_by_role("button", name="하나 더", exact=True).click()
    dialog.locator("#item-add").click()
    expect(dialog).to_be_hidden()


def test_a_guest_picks_options_and_a_note_and_the_order_keeps_them(page, app_server, screenshots):
    option_item(app_server)
    app_server.run_in_app("add_table", 51)
    set_up_tablet(page, 51)
    add(page, OPTION_ITEM)
    dialog = page.locator("#item-dialog")
    expect(dialog).to_be_visible()
    # Required groups first, each with its limits; a sold-out option cannot be picked.
    expect(dialog.locator(".option-group legend")).to_have_text(
        [re.compile("맵기.*필수.*1개 선택"), re.compile("추가.*선택.*최대 2개")]
    )
    expect(option(dialog, "라면 사리")).to_be_disabled()
    expect(dialog.locator(".option").filter(has_text="라면 사리")).to_contain_text("품절")
    add_button = dialog.locator("#item-add")
    expect(add_button).to_be_disabled()
    expect(add_button).to_have_text("필수 옵션을 골라 주세요")

    # The price follows the picks; without the required 맵기 nothing can be added.
    option(dialog, "치즈 추가").click()
    expect(dialog.locator("#item-price")).to_have_text("₩7,500")
    expect(add_button).to_be_disabled()
    option(dialog, "계란 추가").click()
    expect(dialog.locator("#item-price")).to_have_text("₩8,000")
    # 추가 is full at two: the others wait until one is taken back.
    expect(option(dialog, "어묵 추가")).to_be_disabled()
    option(dialog, "보통").click()
    option(dialog, "순한맛").click()
    expect(option(dialog, "순한맛")).to_be_checked()
    expect(option(dialog, "보통")).not_to_be_checked()
    dialog.get_by_role("button", name="하나 더", exact=True).click()
    expect(add_button).to_be_enabled()
    expect(add_button).to_have_text("₩16,000 담기")
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "option-chooser-landscape.png")
    add_button.click()
    expect(dialog).to_be_hidden()

    # The same item with other options is another line.
    choose(page, ["매운맛"])
    choose(page, ["순한맛", "계란 추가", "치즈 추가"])
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    expect(lines.locator(".line-options")).to_have_text(["순한맛, 치즈 추가, 계란 추가", "매운맛"])
    expect(lines.locator("output")).to_have_text(["3", "1"])
    expect_total(page, "₩30,500")
    expect(page.locator(".item").filter(has_text=OPTION_ITEM).locator(".in-cart-badge")).to_have_text("4개 담김")
    page.get_by_role("button", name=f"{OPTION_ITEM} (순한맛, 치즈 추가, 계란 추가) 하나 빼기").click()
    expect_total(page, "₩22,500")

    page.reload()
    expect(lines.locator(".line-options")).to_have_text(["순한맛, 치즈 추가, 계란 추가", "매운맛"])
    expect_total(page, "₩22,500")

    page.locator("#cart-order").click()
    review = page.locator("#review-dialog")
    expect(review.locator("#review-lines li")).to_have_text(
        [re.compile("라볶이 × 2.*순한맛, 치즈 추가, 계란 추가.*₩16,000"), re.compile("라볶이 × 1.*매운맛.*₩6,500")]
    )
    expect(review.locator("#review-total")).to_have_text("₩22,500")
    note = review.get_by_label("요청사항")
    note.fill("덜 맵게 해 주세요")
    expect(review.locator("#review-note-count")).to_have_text("10/200자")
    assert note.evaluate("el => el.maxLength") == 200
    page.screenshot(path=screenshots / "review-options-note-landscape.png")
    # The note stays with the cart until it is ordered.
    review.get_by_role("button", name="돌아가기").click()
    page.reload()
    page.locator("#cart-order").click()
    expect(review.get_by_label("요청사항")).to_have_value("덜 맵게 해 주세요")
    review.locator("#review-confirm").click()

    success = page.locator("#success-screen")
    expect(success).to_be_visible()
    expect(success.locator("#success-lines li")).to_have_text(
        [re.compile("라볶이 × 2.*순한맛, 치즈 추가, 계란 추가"), re.compile("라볶이 × 1.*매운맛")]
    )
    expect(success.locator("#success-note")).to_have_text("요청사항: 덜 맵게 해 주세요")
    page.screenshot(path=screenshots / "success-options-landscape.png")
    [order] = app_server.run_in_app("table_order_details", 51)
    assert order["note"] == "덜 맵게 해 주세요"
    assert order["total"] == 22500
    assert sorted((name, sorted(options), unit, quantity) for name, options, unit, quantity in order["lines"]) == [
        (OPTION_ITEM, ["계란 추가", "순한맛", "치즈 추가"], 8000, 2),
        (OPTION_ITEM, ["매운맛"], 6500, 1),
    ]

    page.get_by_role("button", name="메뉴로 돌아가기").click()
    expect(page.locator("#cart-empty")).to_be_visible()
    page.get_by_role("button", name="주문 내역").click()
    card = page.locator(".order-card")
    expect(card.locator(".order-lines li")).to_have_count(2)
    expect(card.locator(".line-options")).to_have_text([re.compile("순한맛"), "매운맛"])
    expect(card.locator(".order-note")).to_have_text("요청사항: 덜 맵게 해 주세요")
    page.get_by_role("button", name="메뉴", exact=True).click()
    # A new cart starts without the last order's note.
    add(page, "콜라")
    page.locator("#cart-order").click()
    expect(review.get_by_label("요청사항")).to_have_value("")


def test_an_option_sold_out_meanwhile_flags_the_cart_line(page, app_server):
    option_item(app_server)
    app_server.run_in_app("add_table", 52)
    set_up_tablet(page, 52)
    choose(page, ["보통", "어묵 추가"])
    add(page, "공기밥")
    expect_total(page, "₩8,200")
    try:
        app_server.run_in_app("set_option_availability", OPTION_ITEM, "어묵 추가", False)
        if not ON_POSTGRES:
            # SQLite's event hub serves its own process only: the menu is read again on reload.
            page.reload()
        line = page.locator(".cart-line").filter(has_text="어묵 추가")
        expect(line.locator(".tag")).to_have_text("품절", timeout=LIVE_MS)
        expect_total(page, "₩1,000")
        expect(page.locator("#cart-order")).to_have_text("품절 메뉴 빼고 ₩1,000 주문하기")
        # The chooser shows it sold out too.
        add(page, OPTION_ITEM)
        expect(option(page.locator("#item-dialog"), "어묵 추가")).to_be_disabled()
        page.locator("#item-dialog").get_by_role("button", name="닫기").click()
    finally:
        app_server.run_in_app("set_option_availability", OPTION_ITEM, "어묵 추가", True)
    assert app_server.run_in_app("table_orders", 52) == []


def call_sheet(page):
    page.get_by_role("button", name="직원 호출").click()
    sheet = page.locator("#call-dialog")
    expect(sheet).to_be_visible()
    return sheet


def test_a_staff_call_waits_until_seen_and_survives_a_reload(page, app_server, screenshots):
    app_server.run_in_app("add_table", 53)
    set_up_tablet(page, 53)
    sheet = call_sheet(page)
    expect(sheet.locator(".call-reason-name")).to_have_text(["물", "앞접시", "수저", "계산 요청", "기타"])
    assert small_touch_targets(page) == []
    page.screenshot(path=screenshots / "call-sheet-landscape.png")
    sheet.get_by_role("button", name="물").click()
    expect(sheet).to_be_hidden()
    banner = page.locator("#call-banner")
    expect(banner).to_have_text("직원을 호출했습니다 · 물 · 대기중")

    # The waiting reason shows as waiting; tapping it again makes no second call.
    sheet = call_sheet(page)
    waiting = sheet.locator(".call-reason", has_text="물")
    expect(waiting).to_contain_text("대기중")
    page.screenshot(path=screenshots / "call-sheet-waiting-landscape.png")
    waiting.click()
    expect(sheet).to_be_hidden()
    assert app_server.run_in_app("table_calls", 53) == [["물", False]]

    page.reload()
    expect(banner).to_have_text("직원을 호출했습니다 · 물 · 대기중")

    assert app_server.run_in_app("acknowledge_table_calls", 53) == ["물"]
    if not ON_POSTGRES:
        page.reload()
    expect(banner).to_have_text(re.compile(r"^직원이 확인했습니다 · 물 · \d\d:\d\d$"), timeout=LIVE_MS)
    sheet = call_sheet(page)
    expect(sheet.locator(".call-reason", has_text="물")).to_contain_text(re.compile(r"확인됨 \d\d:\d\d"))
    sheet.get_by_role("button", name="닫기").click()


@heard_across_processes
def test_the_manager_sees_a_call_and_the_tablet_shows_it_seen_within_two_seconds(page, app_server, screenshots):
    app_server.run_in_app("add_table", 54)
    set_up_tablet(page, 54)
    call_sheet(page).get_by_role("button", name="계산 요청").click()
    call_sheet(page).get_by_role("button", name="수저").click()
    banner = page.locator("#call-banner")
    expect(banner).to_have_text("직원을 호출했습니다 · 계산 요청, 수저 · 대기중")

    assert app_server.run_in_app("acknowledge_table_calls", 54) == ["계산 요청", "수저"]
    seen = re.compile(r"^직원이 확인했습니다 · 계산 요청, 수저 · \d\d:\d\d$")
    expect(banner).to_have_text(seen, timeout=LIVE_MS)
    page.screenshot(path=screenshots / "call-seen-landscape.png")

    # The session's end clears the calls.
    call_sheet(page).get_by_role("button", name="물").click()
    expect(banner).to_have_text("직원을 호출했습니다 · 물 · 대기중")
    app_server.run_in_app("close_table_session", 54)
    expect(banner).to_be_hidden(timeout=LIVE_MS)
    expect(call_sheet(page).locator(".call-state")).to_have_count(0)


def note_kept(page, table):
    return page.evaluate(f"localStorage.getItem('tableorder.note.{STORE_CODE}.{table}')")


def write_note(page, text):
    """Open the review, write the note (요청사항) and go back to the menu."""
    page.locator("#cart-order").click()
    review = page.locator("#review-dialog")
    expect(review).to_be_visible()
    # The dialog's title holds the focus, not the note: a focused field opens the on-screen keyboard.
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.id]")
    assert focused == ["H2", "review-title"], focused
    page.keyboard.press("Tab")
    expect(page.locator("#review-note")).to_be_focused()
    page.keyboard.type(text)
    page.get_by_role("button", name="돌아가기").click()
    expect(review).to_be_hidden()


def test_a_session_closed_while_the_tablet_was_off_leaves_no_cart_or_note_for_the_next_guests(
    page, app_server, screenshots
):
    app_server.run_in_app("add_table", 55)
    set_up_tablet(page, 55)
    # New guests fill the cart before the table's first order: it survives reloads.
    add(page, "김치찌개", 2)
    write_note(page, "덜 맵게")
    page.reload()
    expect(cart_line(page, "김치찌개").locator("output")).to_have_text("2")
    expect_total(page, "₩18,000")
    place_order(page)
    page.get_by_role("button", name="메뉴로 돌아가기").click()

    # More for the table, then the party leaves; the tablet is off when the manager closes.
    add(page, "된장찌개")
    add(page, "콜라", 2)
    write_note(page, "포장해 주세요")
    assert json.loads(note_kept(page, 55)) == "포장해 주세요"
    page.goto("about:blank")
    app_server.run_in_app("close_table_session", 55)
    page.goto("/")
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("#cart-empty")).to_be_visible()
    expect(page.locator(".cart-line")).to_have_count(0)
    expect_total(page, "₩0")
    assert note_kept(page, 55) is None
    page.screenshot(path=screenshots / "next-guests-after-reload.png")

    # The next guests' cart, before their first order, is theirs: it survives a reload.
    add(page, "비빔밥")
    page.reload()
    expect(cart_line(page, "비빔밥").locator("output")).to_have_text("1")
    page.locator("#cart-order").click()
    expect(page.locator("#review-note")).to_have_value("")


@heard_across_processes
def test_a_session_closed_while_the_tablet_is_open_resets_it_at_once(page, app_server, screenshots):
    app_server.run_in_app("add_table", 56)
    set_up_tablet(page, 56)
    app_server.run_in_app("place_table_order", 56, "콜라")
    add(page, "제육볶음")
    add(page, "공기밥", 2)
    write_note(page, "수저 두 벌")
    page.locator("#cart-order").click()
    expect(page.locator("#review-dialog")).to_be_visible()
    page.screenshot(path=screenshots / "review-focus.png")

    app_server.run_in_app("close_table_session", 56)
    expect(page.locator("#review-dialog")).to_be_hidden(timeout=LIVE_MS)
    expect(page.locator("#cart-empty")).to_be_visible()
    expect_total(page, "₩0")
    assert note_kept(page, 56) is None
    page.screenshot(path=screenshots / "next-guests-live.png")
    page.reload()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("#cart-empty")).to_be_visible()
