"""Fixing mis-taps on the live dashboard: a status moved back one step after a confirmation,
a deletion with its reason, and "이용 완료" warning of orders not completed.

Same fixtures as test_dashboard_browser.py; each test uses tables of its own (81 and up).
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import MANAGER, small_touch_targets
from tableorder.tests.test_dashboard_browser import (
    DASHBOARD_CONTROLS,
    LIVE_MS,
    Tablet,
    confirm,
    expect_live,
    fresh_table,
    open_order,
    order_row,
    table_card,
)

pytestmark = pytest.mark.browser


def test_a_status_moves_back_one_step_after_a_confirmation_everywhere(
    dashboard, second_dashboard, tablet_api, app_server, screenshots
):
    page = dashboard
    number = fresh_table(app_server, 81, page)
    second_dashboard.reload()
    expect_live(second_dashboard)
    tablet = Tablet(tablet_api, number)
    order = tablet.order(김치찌개=1)
    dialog = open_order(page, order)
    dialog.get_by_role("button", name="완료").click()
    expect(dialog.locator("#order-status")).to_have_text("완료")
    # The other dashboard has seen it (NEW gone), so its row shows the status.
    table_card(second_dashboard, number).locator(".card-no").click()
    expect(order_row(second_dashboard, order).locator(".badge")).to_have_text("완료", timeout=LIVE_MS)

    # The step just before is the one way back; two steps back is not offered.
    back = dialog.get_by_role("button", name="준비중 단계로 되돌리기")
    expect(back).to_be_enabled()
    expect(back).to_have_text("↩ 준비중")
    expect(dialog.get_by_role("button", name="대기중")).to_be_disabled()
    assert small_touch_targets(page, DASHBOARD_CONTROLS) == []

    back.click()
    question = page.locator("#confirm-dialog")
    expect(question).to_be_visible()
    expect(question.locator("#confirm-title")).to_have_text("주문 상태 되돌리기")
    expect(question.locator("#confirm-message")).to_have_text(
        f"주문 {order['display_number']}을(를) '완료'에서 '준비중' 단계로 되돌릴까요? "
        "누가 언제 되돌렸는지 기록에 남습니다."
    )
    expect(question.locator("#confirm-warning")).to_be_hidden()
    page.screenshot(path=screenshots / "dashboard-step-back-confirm-landscape.png")
    # Cancelling changes nothing.
    question.get_by_role("button", name="취소").click()
    expect(dialog.locator("#order-status")).to_have_text("완료")
    assert [o["status"] for o in tablet.orders()] == ["completed"]
    assert app_server.run_in_app("table_audit", number) == []

    back.click()
    confirm(page, "되돌리기")
    expect(dialog.locator("#order-status")).to_have_text("준비중")
    expect(dialog.get_by_role("button", name="대기중 단계로 되돌리기")).to_be_enabled()
    expect(page.locator(".toast").last).to_contain_text("준비중")
    # The tablet and every other dashboard follow.
    assert [o["status"] for o in tablet.orders()] == ["preparing"]
    expect(order_row(second_dashboard, order).locator(".badge")).to_have_text("준비중", timeout=LIVE_MS)
    assert app_server.run_in_app("table_audit", number) == [
        [order["display_number"], "stepped_back", "completed", "preparing", "", "", MANAGER]
    ]
    # Forward again in one tap, as before.
    dialog.get_by_role("button", name="완료").click()
    expect(dialog.locator("#order-status")).to_have_text("완료")
    assert len(app_server.run_in_app("table_audit", number)) == 1


def test_deleting_asks_the_reason_and_other_needs_a_text(dashboard, tablet_api, app_server, screenshots):
    page = dashboard
    number = fresh_table(app_server, 82, page)
    tablet = Tablet(tablet_api, number)
    mistaken = tablet.order(콜라=2)
    cancelled = tablet.order(비빔밥=1)
    card = table_card(page, number)
    expect(card.locator(".total")).to_have_text("₩14,000", timeout=LIVE_MS)

    dialog = open_order(page, cancelled)
    dialog.get_by_role("button", name="주문 삭제").click()
    ask = page.locator("#delete-dialog")
    expect(ask).to_be_visible()
    expect(ask.locator("#delete-message")).to_contain_text(cancelled["display_number"])
    expect(ask.get_by_role("radio")).to_have_count(3)
    for label in ("고객 요청 취소", "잘못 주문", "기타"):
        expect(ask.get_by_role("radio", name=label, exact=True)).not_to_be_checked()
    expect(ask.locator("#delete-text")).to_be_hidden()
    assert small_touch_targets(page, "dialog[open] :is(button, label.reason)") == []
    page.screenshot(path=screenshots / "dashboard-delete-reason-landscape.png")

    delete = ask.get_by_role("button", name="삭제", exact=True)
    delete.click()
    expect(ask.locator("#delete-error")).to_have_text("삭제 사유를 골라 주세요.")
    ask.get_by_role("radio", name="기타", exact=True).check()
    expect(ask.locator("#delete-text")).to_be_visible()
    expect(ask.locator("#delete-text")).to_be_focused()
    delete.click()
    expect(ask.locator("#delete-error")).to_have_text("기타 사유를 적어 주세요.")
    expect(ask).to_be_visible()
    page.screenshot(path=screenshots / "dashboard-delete-reason-other-landscape.png")
    assert app_server.run_in_app("table_audit", number) == []
    expect(card.locator(".total")).to_have_text("₩14,000")

    ask.locator("#delete-text").fill("  음식이 늦어 손님이 취소  ")
    delete.click()
    expect(ask).to_be_hidden()
    expect(dialog).to_be_hidden()
    expect(order_row(page, cancelled)).to_have_count(0)
    expect(card.locator(".total")).to_have_text("₩4,000")

    open_order(page, mistaken).get_by_role("button", name="주문 삭제").click()
    expect(ask.locator("#delete-error")).to_be_hidden()
    expect(ask.get_by_role("radio", name="기타", exact=True)).not_to_be_checked()
    ask.get_by_role("radio", name="잘못 주문", exact=True).check()
    expect(ask.locator("#delete-text")).to_be_hidden()
    delete.click()
    expect(order_row(page, mistaken)).to_have_count(0)
    assert app_server.run_in_app("table_audit", number) == [
        [cancelled["display_number"], "deleted", "pending", "pending", "other", "음식이 늦어 손님이 취소", MANAGER],
        [mistaken["display_number"], "deleted", "pending", "pending", "wrong_order", "", MANAGER],
    ]


def test_closing_a_table_warns_of_unfinished_orders_and_history_explains_them(
    dashboard, tablet_api, app_server, screenshots
):
    page = dashboard
    number = fresh_table(app_server, 83, page)
    done = fresh_table(app_server, 84, page)
    tablet = Tablet(tablet_api, number)
    served = [tablet.order(공기밥=1), tablet.order(콜라=1)]
    app_server.run_in_app("change_table_orders_status", number, "completed")
    waiting = [tablet.order(김치찌개=1), tablet.order(된장찌개=1)]
    card = table_card(page, number)
    expect(order_row(page, waiting[-1])).to_be_visible(timeout=LIVE_MS)
    # The card shows three of the four orders: the count comes from all of them.
    expect(card.locator(".order-row")).to_have_count(3)

    card.get_by_role("button", name="이용 완료").click()
    question = page.locator("#confirm-dialog")
    expect(question.locator("#confirm-warning")).to_be_visible()
    expect(question.locator("#confirm-warning")).to_contain_text("아직 완료되지 않은 주문 2건이 있습니다")
    page.screenshot(path=screenshots / "dashboard-close-unfinished-landscape.png")
    confirm(page, "이용 완료")
    expect(card.locator(".card-idle")).to_have_text("빈 테이블")
    assert [record[1:4] for record in app_server.run_in_app("table_audit", number)] == [
        ["closed_unfinished", "pending", "pending"]
    ] * 2

    # A table whose orders are all served closes without a warning.
    other = Tablet(tablet_api, done)
    cola = other.order(콜라=1)
    expect(order_row(page, cola)).to_be_visible(timeout=LIVE_MS)
    app_server.run_in_app("change_table_orders_status", done, "completed")
    done_card = table_card(page, done)
    done_card.locator(".card-no").click()
    expect(done_card.locator(".badge")).to_have_text("완료", timeout=LIVE_MS)
    done_card.get_by_role("button", name="이용 완료").click()
    expect(question.locator("#confirm-warning")).to_be_hidden()
    confirm(page, "이용 완료")

    card.get_by_role("button", name="과거 내역").click()
    past = page.locator("#history-view .past-order")
    expect(past).to_have_count(4)
    for order in waiting:
        entry = page.locator(f'.past-order[data-order="{order["id"]}"]')
        expect(entry.locator(".badge")).to_have_text("대기중")
        expect(entry.locator(".past-audit")).to_have_text("'대기중' 상태에서 이용 완료됨")
    for order in served:
        expect(page.locator(f'.past-order[data-order="{order["id"]}"] .past-audit')).to_have_count(0)
    expect(page.locator("#history-view")).to_contain_text(re.compile("상태에서 이용 완료됨"))
    page.screenshot(path=screenshots / "dashboard-history-closed-unfinished-landscape.png")
