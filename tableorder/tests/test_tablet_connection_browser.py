"""The tablet across lost connections and closed sessions: it says when it is cut off, catches
up by itself when it is back, and never shows or keeps the last guests' cart."""

import contextlib
import re
import socket
import threading

import pytest
from playwright.sync_api import expect

from tableorder.tests.test_tablet_browser import (
    LIVE_MS,
    add,
    call_sheet,
    cart_line,
    expect_total,
    heard_across_processes,
    place_order,
    set_up_tablet,
)

pytestmark = pytest.mark.browser

OFFLINE = "연결이 끊겼습니다 · 다시 연결하는 중… 장바구니는 그대로 있습니다."
# The stream retries after 1, 2, 5 and then every 10 seconds.
BACK_MS = 15_000
PORTRAIT = {"width": 800, "height": 1280}


@heard_across_processes
def test_offline_shows_a_bar_and_coming_back_catches_up_with_the_cart_kept(page, app_server, screenshots):
    app_server.run_in_app("add_table", 113)
    set_up_tablet(page, 113)
    add(page, "콜라")
    first = place_order(page)
    page.get_by_role("button", name="메뉴로 돌아가기").click()
    call_sheet(page).get_by_role("button", name="물").click()
    banner = page.locator("#call-banner")
    expect(banner).to_have_text("직원을 호출했습니다 · 물 · 대기중")
    add(page, "김치찌개")
    expect(page.locator("#toast")).to_have_text("김치찌개 담았습니다")
    bar = page.locator("#offline-bar")
    expect(bar).to_be_hidden()

    page.context.set_offline(True)
    try:
        expect(bar).to_have_text(OFFLINE)
        expect(bar).to_be_visible()
        page.screenshot(path=screenshots / "offline-bar-landscape.png")
        second = app_server.run_in_app("place_table_order", 113, "공기밥")
        app_server.run_in_app("save_item_availability", "계란말이", False)
        assert app_server.run_in_app("acknowledge_table_calls", 113) == ["물"]
        page.wait_for_timeout(1000)
        expect(bar).to_be_visible()
        expect(page.get_by_role("button", name="계란말이 담기", exact=True)).to_be_enabled()
        # An order tried meanwhile waits, with the cart and its key, for the connection.
        page.locator("#cart-order").click()
        page.locator("#review-confirm").click()
        expect(page.locator("#review-error")).to_contain_text("두 번 주문되지 않습니다")
        page.get_by_role("button", name="돌아가기").click()
        expect(cart_line(page, "김치찌개").locator("output")).to_have_text("1")
        expect_total(page, "₩9,000")
    finally:
        page.context.set_offline(False)
    try:
        # Back: the waiting order goes by itself, once.
        expect(page.locator("#success-screen")).to_be_visible(timeout=BACK_MS)
        third = page.locator("#success-number").inner_text()
        page.get_by_role("button", name="메뉴로 돌아가기").click()
        expect(bar).to_be_hidden(timeout=BACK_MS)
        # Caught up: the menu, the calls and the orders missed.
        expect(page.get_by_role("button", name="계란말이 품절", exact=True)).to_be_disabled(timeout=LIVE_MS)
        expect(banner).to_have_text(re.compile(r"^직원이 확인했습니다 · 물 · \d\d:\d\d$"), timeout=LIVE_MS)
        expect(cart_line(page, "김치찌개")).to_have_count(0)
        page.get_by_role("button", name="주문 내역").click()
        expect(page.locator(".order-card .order-no")).to_have_text([first, second, third])
    finally:
        app_server.run_in_app("save_item_availability", "계란말이", True)
    assert app_server.run_in_app("table_orders", 113) == [[first, 2000], [second, 1000], [third, 9000]]


class CuttableProxy:
    """A TCP relay to the app that can drop every connection and refuse new ones, as a server
    gone away (a restart, a broken link) looks to the browser."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.sockets = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.sockets |= {client, upstream}
            threading.Thread(target=self.pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.pipe, args=(upstream, client), daemon=True).start()

    def pipe(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                self.drop(sock)

    def drop(self, sock):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        with self.lock:
            self.sockets.discard(sock)

    def cut(self):
        self.up = False
        with self.lock:
            sockets = list(self.sockets)
        for sock in sockets:
            self.drop(sock)

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture
def proxied_page(chromium, app_server):
    """A portrait tablet that reaches the app through a CuttableProxy; fails on script errors."""
    proxy = CuttableProxy(app_server.port)
    context = chromium.new_context(
        viewport=PORTRAIT,
        has_touch=True,
        locale="ko-KR",
        timezone_id="Asia/Seoul",
        base_url=f"http://127.0.0.1:{proxy.port}",
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, proxy
    context.close()
    proxy.close()
    assert not errors, errors


@heard_across_processes
def test_a_dropped_stream_shows_the_bar_until_the_server_is_back_and_caught_up(proxied_page, app_server, screenshots):
    page, proxy = proxied_page
    app_server.run_in_app("add_table", 114)
    set_up_tablet(page, 114)
    add(page, "된장찌개")
    first = app_server.run_in_app("place_table_order", 114, "콜라")
    page.get_by_role("button", name="주문 내역").click()
    cards = page.locator(".order-card .order-no")
    expect(cards).to_have_text([first])
    bar = page.locator("#offline-bar")

    proxy.cut()
    try:
        # The browser still says it is online: the stream's own state shows the bar.
        expect(bar).to_be_visible(timeout=5_000)
        expect(bar).to_have_text(OFFLINE)
        assert page.evaluate("navigator.onLine") is True
        page.screenshot(path=screenshots / "offline-bar-portrait.png")
        second = app_server.run_in_app("place_table_order", 114, "공기밥")
    finally:
        proxy.restore()
    expect(bar).to_be_hidden(timeout=BACK_MS)
    expect(cards).to_have_text([first, second], timeout=LIVE_MS)
    expect(page.locator("#history-error")).to_be_hidden()
    page.get_by_role("button", name="메뉴", exact=True).click()
    page.locator("#cart-open").click()
    expect(cart_line(page, "된장찌개").locator("output")).to_have_text("1")


def without_stream(page):
    """The server answers as one without event streams: the tablet polls the list of orders."""
    page.route(
        "**/api/v1/stream-ticket",
        lambda route: route.fulfill(status=404, json={"error": {"code": "not_found", "message": "Not found."}}),
    )


def test_polling_resets_the_cart_when_the_session_closes_and_on_load(page, app_server):
    app_server.run_in_app("add_table", 115)
    without_stream(page)
    set_up_tablet(page, 115)
    app_server.run_in_app("place_table_order", 115, "콜라")
    add(page, "비빔밥", 2)
    # The next guests' cart survives a reload: the list says no session closed since.
    page.reload()
    expect(cart_line(page, "비빔밥").locator("output")).to_have_text("2")

    # Closed while the tablet is open: the next poll empties it.
    app_server.run_in_app("close_table_session", 115)
    expect(page.locator(".cart-line")).to_have_count(0, timeout=15_000)
    expect(page.locator("#cart-empty")).to_have_text("담은 메뉴가 없습니다.")
    expect_total(page, "₩0")

    # Closed while the tablet is off: emptied on load.
    add(page, "제육볶음")
    app_server.run_in_app("place_table_order", 115, "콜라")
    page.goto("about:blank")
    app_server.run_in_app("close_table_session", 115)
    page.goto("/")
    expect(page.locator("#menu-content .item").first).to_be_visible()
    expect(page.locator("#cart-empty")).to_have_text("담은 메뉴가 없습니다.")
    expect(page.locator(".cart-line")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('tableorder.cart.browser-cafe.115')") == "[]"


COUNT_CART_LINES = """
    window.cartLinesSeen = 0;
    new MutationObserver(() => {
        window.cartLinesSeen = Math.max(window.cartLinesSeen, document.querySelectorAll(".cart-line").length);
    }).observe(document, { childList: true, subtree: true });
"""


def test_a_reload_shows_no_cart_before_the_server_says_whose_it_is(page, app_server, screenshots):
    app_server.run_in_app("add_table", 116)
    set_up_tablet(page, 116)
    add(page, "김치찌개", 2)
    page.add_init_script(COUNT_CART_LINES)

    # The stream's first word is held back: the cart the device kept waits, unseen.
    waiting = []
    page.route("**/api/v1/stream-ticket", lambda route: waiting.append(route))
    page.reload()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    page.wait_for_timeout(500)
    assert waiting, "the tablet asks for a stream ticket"
    expect(page.locator("#cart-empty")).to_have_text("이 태블릿에 담아 둔 메뉴를 확인하는 중…")
    expect_total(page, "₩0")
    assert page.evaluate("window.cartLinesSeen") == 0
    for route in waiting:
        route.continue_()
    page.unroute("**/api/v1/stream-ticket")
    # The same guests: their cart shows.
    expect(cart_line(page, "김치찌개").locator("output")).to_have_text("2")
    expect_total(page, "₩18,000")

    # The guests left while the tablet was off: their cart never shows, not even for a moment.
    app_server.run_in_app("place_table_order", 116, "콜라")
    page.goto("about:blank")
    app_server.run_in_app("close_table_session", 116)
    page.goto("/")
    expect(page.locator("#cart-empty")).to_have_text("담은 메뉴가 없습니다.")
    expect(page.locator("#menu-content .item").first).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("window.cartLinesSeen") == 0
    expect_total(page, "₩0")
