"""Offline, as a guest or a manager sees it: a clear banner, the cart kept, and an order tapped
without a connection (or whose answer was lost) placed exactly once when the connection is back,
under the key it was first sent with — after a reload too. A refusal is shown, not retried."""

import json

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import STORE_CODE
from tableorder.tests.test_tablet_browser import (
    add,
    cart_line,
    drop_the_next_order_answer,
    expect_total,
    heard_across_processes,
    set_up_tablet,
)
from tableorder.tests.test_tablet_connection_browser import (  # noqa: F401 (the fixture, used by name)
    BACK_MS,
    proxied_page,
)

pytestmark = pytest.mark.browser

OFFLINE = "연결이 끊겼습니다 · 다시 연결하는 중… 장바구니는 그대로 있습니다."
PENDING_BAR = "주문이 아직 전달되지 않았습니다. 연결되면 자동으로 보내며, 두 번 주문되지 않습니다."
PENDING_ERROR = "연결되면 같은 주문을 자동으로 다시 보내므로 두 번 주문되지 않습니다."
DASHBOARD_OFFLINE = "연결이 끊겼습니다. 화면이 최신이 아닐 수 있습니다. 다시 연결되면 놓친 주문을 모두 불러옵니다."


def pending(page, table):
    """What the tablet keeps of its order to send again: {key, body, unconfirmed}, or None."""
    kept = page.evaluate(f"localStorage.getItem('tableorder.pending.{STORE_CODE}.{table}')")
    return json.loads(kept) if kept else None


def confirm(page):
    page.locator("#cart-order").click()
    expect(page.locator("#review-dialog")).to_be_visible()
    page.locator("#review-confirm").click()


def test_an_order_tapped_offline_is_placed_once_when_the_connection_is_back(page, app_server, screenshots):
    app_server.run_in_app("add_table", 132)
    set_up_tablet(page, 132)
    add(page, "콜라", 2)
    bar, pending_bar = page.locator("#offline-bar"), page.locator("#pending-bar")
    expect(bar).to_be_hidden()

    page.context.set_offline(True)
    try:
        expect(bar).to_have_text(OFFLINE)
        expect(bar).to_be_visible()
        confirm(page)
        expect(page.locator("#review-error")).to_contain_text(PENDING_ERROR)
        expect(pending_bar).to_have_text(PENDING_BAR)
        expect(pending_bar).to_be_visible()
        kept = pending(page, 132)
        assert kept["unconfirmed"] is True
        page.screenshot(path=screenshots / "offline-order-pending.png")
        # Back to the menu: the cart and the pending order stay; a tap meanwhile adds to the cart.
        page.get_by_role("button", name="돌아가기").click()
        add(page, "공기밥")
        expect(cart_line(page, "콜라").locator("output")).to_have_text("2")
        page.wait_for_timeout(500)
        assert app_server.run_in_app("table_orders", 132) == []
    finally:
        page.context.set_offline(False)

    # Back online: sent by itself under the same key, confirmed once; the later line stays.
    expect(page.locator("#success-screen")).to_be_visible()
    expect(page.locator("#success-total")).to_have_text("₩4,000")
    expect(bar).to_be_hidden()
    expect(pending_bar).to_be_hidden()
    orders = app_server.run_in_app("table_orders", 132)
    assert orders == [[page.locator("#success-number").inner_text(), 4000]]
    assert pending(page, 132) is None
    page.get_by_role("button", name="메뉴로 돌아가기").click()
    expect(cart_line(page, "콜라")).to_have_count(0)
    expect_total(page, "₩1,000")

    # Another "online" (a flaky Wi-Fi) sends nothing more.
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.wait_for_timeout(1000)
    assert app_server.run_in_app("table_orders", 132) == orders


def test_a_lost_answer_survives_a_reload_and_the_retry_replays_the_same_order(page, app_server):
    app_server.run_in_app("add_table", 133)
    set_up_tablet(page, 133)
    add(page, "김치찌개")
    # The server takes the order; the answer is lost; then the network stays down for orders.
    drop_the_next_order_answer(page)
    confirm(page)
    expect(page.locator("#review-error")).to_contain_text(PENDING_ERROR)
    [placed] = app_server.run_in_app("table_orders", 133)
    kept = pending(page, 133)
    assert kept["unconfirmed"] is True
    page.unroute("**/api/v1/orders")

    sent = []
    page.route(
        "**/api/v1/orders",
        lambda route: (
            sent.append(route.request.headers.get("idempotency-key")) or route.abort("internetdisconnected")
            if route.request.method == "POST"
            else route.fallback()
        ),
    )
    page.reload()
    # After the reload: still pending under the same key, the cart as it was; the retry on load
    # failed the same way and changed nothing.
    expect(page.locator("#pending-bar")).to_be_visible()
    expect(cart_line(page, "김치찌개").locator("output")).to_have_text("1")
    for _ in range(50):
        if sent:
            break
        page.wait_for_timeout(100)
    assert sent and set(sent) == {kept["key"]}, sent
    assert pending(page, 133)["key"] == kept["key"]
    page.unroute("**/api/v1/orders")

    # The connection is back: the same order is confirmed, not a second one.
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator("#success-screen")).to_be_visible()
    expect(page.locator("#success-number")).to_have_text(placed[0])
    expect(page.locator("#pending-bar")).to_be_hidden()
    assert app_server.run_in_app("table_orders", 133) == [placed]
    assert pending(page, 133) is None


def test_a_refusal_heard_on_the_retry_is_shown_and_not_sent_again(page, app_server):
    app_server.run_in_app("add_table", 134)
    set_up_tablet(page, 134)
    add(page, "제육볶음")
    page.context.set_offline(True)
    try:
        confirm(page)
        expect(page.locator("#review-error")).to_contain_text(PENDING_ERROR)
        page.get_by_role("button", name="돌아가기").click()
        app_server.run_in_app("save_item_availability", "제육볶음", False)
        page.context.set_offline(False)
        # The server refuses the sold-out item: the review says so, and the key is dropped.
        expect(page.locator("#review-dialog")).to_be_visible()
        expect(page.locator("#review-error")).to_contain_text("품절")
        expect(page.locator("#pending-bar")).to_be_hidden()
        assert pending(page, 134) is None
        page.context.set_offline(True)
        page.context.set_offline(False)
        page.wait_for_timeout(1000)
        assert app_server.run_in_app("table_orders", 134) == []
    finally:
        page.context.set_offline(False)
        app_server.run_in_app("save_item_availability", "제육볶음", True)


def test_the_dashboard_says_when_it_is_offline(dashboard, screenshots):
    banner = dashboard.locator("#offline-banner")
    expect(dashboard.locator("#connection")).to_have_text("실시간 연결됨")
    expect(banner).to_be_hidden()
    dashboard.context.set_offline(True)
    try:
        expect(banner).to_be_visible()
        expect(banner).to_have_text(DASHBOARD_OFFLINE)
        dashboard.screenshot(path=screenshots / "dashboard-offline.png")
    finally:
        dashboard.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=15_000)
    expect(dashboard.locator("#connection")).to_have_text("실시간 연결됨")


@heard_across_processes
def test_an_order_tapped_while_the_server_is_unreachable_goes_when_the_stream_is_back(request, app_server):
    page, proxy = request.getfixturevalue("proxied_page")
    app_server.run_in_app("add_table", 135)
    set_up_tablet(page, 135)
    add(page, "된장찌개")
    proxy.cut()
    try:
        # The browser still says it is online: no "online" event will come, the stream's return will.
        expect(page.locator("#offline-bar")).to_be_visible(timeout=5_000)
        page.locator("#cart-open").click()
        confirm(page)
        expect(page.locator("#review-error")).to_contain_text(PENDING_ERROR)
        assert page.evaluate("navigator.onLine") is True
        assert app_server.run_in_app("table_orders", 135) == []
    finally:
        proxy.restore()
    expect(page.locator("#success-screen")).to_be_visible(timeout=BACK_MS)
    assert app_server.run_in_app("table_orders", 135) == [[page.locator("#success-number").inner_text(), 8000]]
