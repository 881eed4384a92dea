"""이동·합석 in Chromium: a manager moves and merges tables and moves an order on the live
dashboard while both tables' tablets are open; all three screens follow at once.

Tables 161–163 are this file's own.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.conftest import LANDSCAPE, _checked_page
from tableorder.tests.test_dashboard_browser import LIVE_MS, expect_live, fresh_table, table_card
from tableorder.tests.test_tablet_browser import add, place_order, set_up_tablet

pytestmark = pytest.mark.browser

FROM, TO, ORDER_TABLE = 161, 162, 163


@pytest.fixture
def other_tablet(chromium, app_server):
    yield from _checked_page(chromium, app_server, LANDSCAPE)


def order_on_tablet(page, name):
    page.get_by_role("button", name="메뉴", exact=True).click()
    add(page, name)
    number = place_order(page)
    page.get_by_role("button", name="메뉴로 돌아가기").click()
    page.get_by_role("button", name="주문 내역").click()
    return number


def show_history(page):
    page.get_by_role("button", name="주문 내역").click()


def expect_history(page, numbers, total):
    expect(page.locator(".order-card .order-no")).to_have_text(numbers, timeout=LIVE_MS)
    if numbers:
        expect(page.locator("#history-summary")).to_contain_text(total, timeout=LIVE_MS)
    else:
        expect(page.locator("#history-empty")).to_be_visible(timeout=LIVE_MS)


def choice(page, number):
    """Table `number`'s button in the open table picker."""
    return page.locator("#move-dialog .move-table").filter(has=page.get_by_text(re.compile(rf"^{number}번$")))


def pick(page, number):
    picker = page.locator("#move-dialog")
    expect(picker).to_be_visible()
    choice(page, number).click()
    expect(picker).to_be_hidden()


def test_a_move_a_merge_and_an_order_move_reach_both_tablets_and_the_dashboard_at_once(
    dashboard, page, other_tablet, app_server, screenshots
):
    board = dashboard
    for number in (FROM, TO, ORDER_TABLE):
        fresh_table(app_server, number)
    board.reload()
    expect_live(board)
    old, new = page, other_tablet
    set_up_tablet(old, FROM)
    set_up_tablet(new, TO)
    first = order_on_tablet(old, "김치찌개")
    show_history(new)
    expect_history(new, [], "")
    expect(table_card(board, FROM).locator(".total")).to_have_text("₩9,000")

    # 이동, by keyboard: the picker takes the focus and gives it back when dismissed.
    move = table_card(board, FROM).get_by_role("button", name=f"{FROM}번 테이블 손님을 다른 테이블로 이동")
    move.focus()
    board.keyboard.press("Enter")
    picker = board.locator("#move-dialog")
    expect(picker).to_be_visible()
    expect(picker.locator("#move-title")).to_have_text(f"{FROM}번 테이블 이동")
    expect(picker.locator(".move-table").first).to_be_focused()
    board.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(move).to_be_focused()
    board.keyboard.press("Enter")
    pick(board, TO)
    question = board.locator("#confirm-dialog")
    expect(question).to_contain_text(f"{FROM}번 테이블 손님을 {TO}번 테이블로 옮길까요?")
    question.get_by_role("button", name="이동", exact=True).click()

    expect(board.locator(".toast").last).to_have_text(f"{FROM}번 테이블을 {TO}번 테이블로 옮겼습니다.")
    expect_history(new, [first], "₩9,000")
    expect_history(old, [], "")
    expect(table_card(board, FROM).locator(".card-idle")).to_be_visible(timeout=LIVE_MS)
    expect(table_card(board, TO).locator(".total")).to_have_text("₩9,000")
    expect(table_card(board, TO).locator(".o-no")).to_have_text([first])

    # The next guests at the old table order, and are merged (합석) with the first ones.
    second = order_on_tablet(old, "콜라")
    expect(table_card(board, FROM).locator(".total")).to_have_text("₩2,000", timeout=LIVE_MS)
    table_card(board, FROM).get_by_role("button", name=f"{FROM}번 테이블 손님을 다른 테이블로 이동").click()
    busy = choice(board, TO)
    expect(busy).to_have_class(re.compile(r"\bis-busy\b"))
    expect(busy).to_contain_text("사용 중 · ₩9,000")
    pick(board, TO)
    expect(question.locator("#confirm-title")).to_have_text("합석")
    expect(question).to_contain_text(f"{TO}번 테이블에 손님이 있습니다.")
    board.screenshot(path=screenshots / "dashboard-merge-question.png")
    floor_total = board.locator("#summary strong").inner_text()
    question.get_by_role("button", name="합석", exact=True).click()

    expect(board.locator(".toast").last).to_have_text(f"{FROM}번 테이블을 {TO}번 테이블에 합석했습니다.")
    expect_history(new, [first, second], "₩11,000")
    expect_history(old, [], "")
    expect(table_card(board, TO).locator(".total")).to_have_text("₩11,000", timeout=LIVE_MS)
    expect(table_card(board, FROM).locator(".card-idle")).to_be_visible()
    # The merged guests count once on the floor: the store's total is what it was.
    expect(board.locator("#summary strong")).to_have_text(floor_total)

    # One order on to a third table, from its dialog.
    table_card(board, TO).locator(".order-row").filter(has_text=second).click()
    detail = board.locator("#order-dialog")
    detail.get_by_role("button", name="다른 테이블로 이동").click()
    pick(board, ORDER_TABLE)
    question.get_by_role("button", name="이동", exact=True).click()
    expect(board.locator(".toast").last).to_have_text(f"주문 {second}을 {ORDER_TABLE}번 테이블로 옮겼습니다.")
    expect(detail.locator("#order-title")).to_contain_text(f"{ORDER_TABLE}번 테이블")
    expect(detail.get_by_role("button", name="다른 테이블로 이동")).to_be_focused()
    expect_history(new, [first], "₩9,000")
    expect(table_card(board, ORDER_TABLE).locator(".total")).to_have_text("₩2,000", timeout=LIVE_MS)
    expect(table_card(board, TO).locator(".total")).to_have_text("₩9,000")
    # After a reload each screen reads the same from the server.
    for screen in (board, new):
        screen.reload()
    expect_live(board)
    expect(table_card(board, TO).locator(".total")).to_have_text("₩9,000")
    expect(table_card(board, ORDER_TABLE).locator(".total")).to_have_text("₩2,000")
    show_history(new)
    expect_history(new, [first], "₩9,000")
