"""The bill (계산서) in Chromium: the tablet's bill with its even split, pick calculator and
계산 요청, kept current while open; the dashboard's bill dialog and its print.

Tables 181–185 of the browser store are this file's own.
"""

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import small_touch_targets
from tableorder.tests.test_tablet_browser import set_up_tablet

pytestmark = pytest.mark.browser


def seat(app_server, number, *names):
    app_server.run_in_app("add_table", number)
    for name in names:
        app_server.run_in_app("place_table_order", number, name)


def open_bill(page):
    page.get_by_role("button", name="계산서", exact=True).click()
    expect(page.locator("#bill-view")).to_be_visible()


def test_the_tablet_shows_the_bill_splits_it_and_follows_new_orders(page, app_server, screenshots):
    seat(app_server, 181, "김치찌개", "김치찌개", "공기밥")
    set_up_tablet(page, 181)
    open_bill(page)

    bill = page.locator("#bill-view")
    expect(bill.locator(".bill-line")).to_have_text(["김치찌개 × 2₩18,000", "공기밥 × 1₩1,000"])
    expect(page.locator("#bill-total")).to_have_text("₩19,000")
    expect(page.locator("#bill-summary")).to_have_text("주문 3건")

    # The even split: two people at first, the server's shares for each party size.
    expect(page.locator("#split-people")).to_have_text("2명")
    shares = page.locator("#split-shares li")
    expect(shares).to_have_text(["2명₩9,500씩"])
    expect(page.get_by_role("button", name="한 명 빼기")).to_be_disabled()
    page.get_by_role("button", name="한 명 더하기").click()
    expect(page.locator("#split-people")).to_have_text("3명")
    expect(shares).to_have_text(["1명₩6,400", "2명₩6,300씩"])
    for _ in range(17):
        page.get_by_role("button", name="한 명 더하기").click()
    expect(page.locator("#split-people")).to_have_text("20명")
    expect(page.get_by_role("button", name="한 명 더하기")).to_be_disabled()
    expect(shares).to_have_text(["10명₩1,000씩", "10명₩900씩"])

    # The pick calculator: a whole line by its tick, part of it by its stepper.
    stew = page.locator(".pick-line").filter(has_text="김치찌개")
    stew.get_by_role("checkbox").check()
    expect(page.locator("#pick-total")).to_have_text("₩18,000")
    expect(stew.locator("output")).to_have_text("2/2")
    stew.get_by_role("button", name="김치찌개 하나 빼기").click()
    expect(stew.locator("output")).to_have_text("1/2")
    expect(page.locator("#pick-total")).to_have_text("₩9,000")
    page.locator(".pick-line").filter(has_text="공기밥").get_by_role("checkbox").check()
    expect(page.locator("#pick-total")).to_have_text("₩10,000")
    assert small_touch_targets(page, "#bill-view button, #bill-view .pick-check") == []
    page.screenshot(path=screenshots / "bill-landscape.png", full_page=True)

    # A new order while the bill is open: its line joins, the picks stay.
    app_server.run_in_app("place_table_order", 181, "콜라")
    expect(page.locator("#bill-total")).to_have_text("₩21,000")
    expect(bill.locator(".bill-line").last).to_have_text("콜라 × 1₩2,000")
    expect(page.locator("#bill-summary")).to_have_text("주문 4건")
    expect(page.locator("#pick-total")).to_have_text("₩10,000")
    expect(shares).to_have_text(["10명₩1,100씩", "10명₩1,000씩"])

    # Deleted orders leave the bill.
    app_server.run_in_app("delete_table_orders", 181)
    expect(page.locator("#bill-empty")).to_be_visible()
    expect(page.locator("#bill-total")).to_have_text("₩0")
    expect(page.locator("#bill-split")).to_be_hidden()


def test_asking_for_the_bill_calls_staff_with_the_stores_reason(page, app_server):
    seat(app_server, 182, "비빔밥")
    set_up_tablet(page, 182)
    open_bill(page)
    expect(page.locator("#bill-total")).to_have_text("₩10,000")

    page.get_by_role("button", name="계산 요청", exact=True).click()

    expect(page.locator("#toast")).to_have_text("직원에게 계산 요청을 알렸습니다.")
    expect(page.locator("#call-banner")).to_contain_text("계산 요청")
    assert app_server.run_in_app("table_calls", 182) == [["계산 요청", False]]

    # The guests leave while the tablet shows the menu; the next guests' bill starts clean.
    page.locator(".pick-line").filter(has_text="비빔밥").get_by_role("checkbox").check()
    expect(page.locator("#pick-total")).to_have_text("₩10,000")
    page.get_by_role("button", name="메뉴", exact=True).click()
    app_server.run_in_app("close_table_session", 182)
    app_server.run_in_app("place_table_order", 182, "비빔밥")
    open_bill(page)
    expect(page.locator("#bill-summary")).to_have_text("주문 1건")
    expect(page.locator(".bill-line")).to_have_text(["비빔밥 × 1₩10,000"])
    expect(page.locator("#pick-total")).to_have_text("₩0")


def test_without_a_bill_reason_asking_for_the_bill_opens_the_call_sheet(page, app_server):
    seat(app_server, 183, "콜라")
    old = app_server.run_in_app("set_staff_call_reasons", ["물", "직원 호출"])
    try:
        set_up_tablet(page, 183)
        open_bill(page)
        page.get_by_role("button", name="계산 요청", exact=True).click()

        sheet = page.locator("#call-dialog")
        expect(sheet).to_be_visible()
        expect(sheet.locator(".call-reason-name")).to_have_text(["물", "직원 호출"])
        assert app_server.run_in_app("table_calls", 183) == []
    finally:
        app_server.run_in_app("set_staff_call_reasons", *old)


def test_the_bill_in_portrait_keeps_its_targets_large_and_the_cart_sheet_away(portrait_page, app_server, screenshots):
    page = portrait_page
    seat(app_server, 185, "제육볶음", "공기밥", "공기밥")
    set_up_tablet(page, 185)
    open_bill(page)

    expect(page.locator("#bill-total")).to_have_text("₩13,000")
    expect(page.locator(".bill-line").first).to_have_text("제육볶음 × 1₩11,000")
    expect(page.locator("#cart")).to_be_hidden()
    page.locator(".pick-line").filter(has_text="공기밥").get_by_role("button", name="공기밥 하나 더").click()
    expect(page.locator("#pick-total")).to_have_text("₩1,000")
    assert small_touch_targets(page, "#bill-view button, #bill-view .pick-check, .tab") == []
    page.screenshot(path=screenshots / "bill-portrait.png", full_page=True)

    page.get_by_role("button", name="메뉴", exact=True).click()
    expect(page.locator("#menu-view")).to_be_visible()
    expect(page.locator("#bill-view")).to_be_hidden()


MODULE = __name__
COUNTER_PRINTER = "계산서 테스트 계산대"


def add_counter_printer():
    """A counter printer (no station) with an agent in the browser store."""
    from accounts.models import Store
    from kitchen.models import Printer
    from kitchen.printers import issue_token
    from tableorder.tests.browser import STORE_CODE

    store = Store.objects.get(code=STORE_CODE)
    issue_token(printer=Printer.objects.create(store=store, name=COUNTER_PRINTER))
    return 1


def remove_counter_printer():
    from kitchen.models import Printer

    return Printer.objects.filter(name=COUNTER_PRINTER).delete()[0]


def printed(page):
    return page.evaluate("window.printed || 0")


def test_the_dashboard_shows_a_tables_bill_and_prints_it(dashboard, app_server, screenshots):
    page = dashboard
    seat(app_server, 184, "김치찌개", "콜라")
    card = page.locator(".card").filter(has=page.locator(".card-no", has_text="184번"))
    expect(card.locator(".total")).to_have_text("₩11,000")

    card.get_by_role("button", name="계산서", exact=True).click()
    dialog = page.locator("#bill-dialog")
    expect(dialog.locator("#bill-title")).to_have_text("184번 테이블 계산서")
    expect(dialog.locator(".bill-lines li")).to_have_text(["김치찌개 × 1₩9,000", "콜라 × 1₩2,000"])
    expect(dialog.locator(".order-sum")).to_have_text("합계₩11,000")
    expect(dialog.locator("#bill-meta")).to_contain_text("주문 2건")

    dialog.get_by_label("똑같이 나누기").select_option(label="3명")
    expect(dialog.locator(".bill-shares li strong")).to_have_text(["₩3,700", "₩3,700", "₩3,600"])
    # An order while the dialog is open joins the bill.
    app_server.run_in_app("place_table_order", 184, "공기밥")
    expect(dialog.locator(".order-sum")).to_have_text("합계₩12,000")
    expect(dialog.locator(".bill-shares li strong")).to_have_text(["₩4,000", "₩4,000", "₩4,000"])
    page.screenshot(path=screenshots / "dashboard-bill-1280x800.png")

    # No counter printer: the browser prints the receipt, and nothing else of the page.
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    dialog.get_by_role("button", name="계산서 출력").click()
    for _ in range(50):
        if printed(page):
            break
        page.wait_for_timeout(100)
    assert printed(page) == 1
    page.emulate_media(media="print")
    receipt = page.locator("#bill-receipt")
    expect(receipt).to_be_visible()
    expect(receipt).to_contain_text("184번 테이블 계산서")
    expect(receipt.locator(".order-sum")).to_have_text("합계₩12,000")
    expect(receipt.locator(".bill-shares li")).to_have_count(3)
    expect(page.locator("#container")).to_be_hidden()
    # 72 mm of an 80 mm roll: 272 CSS px.
    assert 268 <= receipt.bounding_box()["width"] <= 276
    page.screenshot(path=screenshots / "dashboard-bill-receipt-print.png")
    page.emulate_media(media="screen")
    expect(receipt).to_be_hidden()

    # With a counter printer, the bill goes there.
    try:
        app_server.run_in_app("add_counter_printer", module=MODULE)
        dialog.get_by_role("button", name="계산서 출력").click()
        expect(page.locator(".toast").last).to_have_text("184번 테이블 계산서를 출력합니다.")
        assert printed(page) == 1
    finally:
        app_server.run_in_app("remove_counter_printer", module=MODULE)
