"""A cart with lines sold out meanwhile: they count nowhere, show as such, and leave in one tap."""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.test_tablet_browser import (
    LIVE_MS,
    OPTION_ITEM,
    add,
    cart_line,
    choose,
    expect_total,
    heard_across_processes,
    option_item,
    set_up_tablet,
)

pytestmark = [pytest.mark.browser, heard_across_processes]


def cart_button(page):
    return page.locator("#cart-order")


@pytest.fixture
def restore_menu(app_server):
    yield
    app_server.run_in_app("save_item_availability", "제육볶음", True)
    app_server.run_in_app("set_option_availability", OPTION_ITEM, "어묵 추가", True)


def test_sold_out_lines_leave_the_total_and_one_tap_orders_the_rest(page, app_server, screenshots, restore_menu):
    option_item(app_server)
    app_server.run_in_app("add_table", 111)
    set_up_tablet(page, 111)
    add(page, "제육볶음")
    add(page, "공기밥", 2)
    choose(page, ["보통", "어묵 추가"])
    expect_total(page, "₩20,200")
    expect(page.locator("#cart-count")).to_have_text("4개")

    # Sold out while the review is open: marked there, and the confirm button says what it sends.
    cart_button(page).click()
    review = page.locator("#review-dialog")
    expect(review.locator("#review-total")).to_have_text("₩20,200")
    app_server.run_in_app("save_item_availability", "제육볶음", False)
    soldout = review.locator("#review-lines li.is-soldout")
    expect(soldout).to_have_count(1, timeout=LIVE_MS)
    expect(soldout).to_contain_text("제육볶음")
    expect(soldout.locator(".tag")).to_have_text("품절")
    expect(review.locator("#review-total")).to_have_text("₩9,200")
    expect(review.locator("#review-confirm")).to_have_text("품절 메뉴 빼고 ₩9,200 주문하기")
    expect(review.locator("#review-error")).to_contain_text("품절된 메뉴가 있습니다: 제육볶음")
    page.screenshot(path=screenshots / "review-sold-out-line-landscape.png")
    review.get_by_role("button", name="돌아가기").click()

    # An option sold out counts the same: both lines are out of the total and of the count.
    app_server.run_in_app("set_option_availability", OPTION_ITEM, "어묵 추가", False)
    ddeok = page.locator(".cart-line").filter(has_text="어묵 추가")
    expect(ddeok.locator(".tag")).to_have_text("품절", timeout=LIVE_MS)
    expect_total(page, "₩2,000")
    expect(page.locator("#cart-count")).to_have_text("2개")
    for line in (cart_line(page, "제육볶음"), ddeok):
        expect(line).to_have_class(re.compile("is-soldout"))
        expect(line.locator(".line-excluded")).to_have_text("합계 제외")
    expect(cart_button(page)).to_have_text("품절 메뉴 빼고 ₩2,000 주문하기")
    expect(cart_button(page)).to_be_enabled()
    page.screenshot(path=screenshots / "cart-sold-out-line-landscape.png")

    # One tap: the sold-out lines leave, and the review shows what is left.
    cart_button(page).click()
    expect(review).to_be_visible()
    expect(review.locator("#review-lines li")).to_have_text([re.compile("공기밥 × 2.*₩2,000")])
    expect(review.locator("#review-confirm")).to_have_text("₩2,000 주문하기")
    expect(review.locator("#review-error")).to_be_hidden()
    expect(page.locator(".cart-line")).to_have_count(1)
    review.locator("#review-confirm").click()
    expect(page.locator("#success-screen")).to_be_visible()
    [order] = app_server.run_in_app("table_order_details", 111)
    assert order["total"] == 2000
    assert order["lines"] == [["공기밥", [], 1000, 2]]


def test_a_cart_of_sold_out_lines_only_cannot_be_ordered_and_says_why(portrait_page, app_server, screenshots):
    page = portrait_page
    app_server.run_in_app("add_table", 112)
    set_up_tablet(page, 112)
    add(page, "제육볶음")
    add(page, "공기밥")
    try:
        app_server.run_in_app("save_item_availability", "제육볶음", False)
        expect(cart_button(page)).to_have_text("품절 메뉴 빼고 ₩1,000 주문하기", timeout=LIVE_MS)
        expect(page.locator("#cart-open")).to_contain_text("1개")
        expect_total(page, "₩1,000")
        page.locator("#cart-open").click()
        expect(cart_line(page, "제육볶음").locator(".tag")).to_have_text("품절")
        page.screenshot(path=screenshots / "cart-sold-out-line-portrait.png")

        page.get_by_role("button", name="공기밥 빼기").click()
        expect(cart_button(page)).to_be_disabled()
        expect(cart_button(page)).to_have_text("주문하기")
        alert = page.locator("#cart-alert")
        expect(alert).to_have_text("담은 메뉴가 모두 품절되어 주문할 수 없습니다. 빼고 다른 메뉴를 골라 주세요.")
        expect(alert).to_be_visible()
        expect_total(page, "₩0")
        page.screenshot(path=screenshots / "cart-all-sold-out-portrait.png")

        app_server.run_in_app("save_item_availability", "제육볶음", True)
        expect(cart_button(page)).to_be_enabled(timeout=LIVE_MS)
        expect(alert).to_be_hidden()
        expect_total(page, "₩11,000")
    finally:
        app_server.run_in_app("save_item_availability", "제육볶음", True)
    assert app_server.run_in_app("table_orders", 112) == []


def test_the_review_orders_without_a_line_sold_out_while_it_is_open(page, app_server):
    app_server.run_in_app("add_table", 117)
    set_up_tablet(page, 117)
    add(page, "제육볶음")
    add(page, "콜라")
    cart_button(page).click()
    review = page.locator("#review-dialog")
    expect(review.locator("#review-confirm")).to_have_text("₩13,000 주문하기")
    try:
        app_server.run_in_app("save_item_availability", "제육볶음", False)
        confirm = review.locator("#review-confirm")
        expect(confirm).to_have_text("품절 메뉴 빼고 ₩2,000 주문하기", timeout=LIVE_MS)
        confirm.click()
        expect(page.locator("#success-screen")).to_be_visible()
    finally:
        app_server.run_in_app("save_item_availability", "제육볶음", True)
    [order] = app_server.run_in_app("table_order_details", 117)
    assert order["lines"] == [["콜라", [], 2000, 1]]
