"""WCAG 2.2 AA on the manager's screens in Chromium: axe-core finds no serious or critical
violation on the admin login, the live dashboard in each of its states and dialogs, the kitchen
display and the sales report; the dashboard and the kitchen work from the keyboard alone, with a
visible focus in a sensible order, dialogs that keep the focus and give it back; nothing is lost
at 200% zoom.

Tables 206–209 of the browser store are this file's own.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.axe import assert_accessible
from tableorder.tests.browser import MANAGER, STORE_CODE
from tableorder.tests.test_dashboard_browser import LIVE_MS, Tablet, expect_live, table_card

pytestmark = pytest.mark.browser

FIRST, SECOND, THIRD, FOURTH = 206, 207, 208, 209
TABLES = (FIRST, SECOND, THIRD, FOURTH)
MODULE = __name__

# The focused element: a short description, whether a dialog holds it (and which), and whether
# it shows a focus indicator (an outline or a ring, not the browser's default nothing).
# Which of the selected controls cannot be seen whole once scrolled to: off the viewport, or
# under something else (the sticky top, say).
HIDDEN_CONTROLS = """(selector) => [...document.querySelectorAll(selector)]
    .filter((el) => el.checkVisibility())
    .filter((el) => {
        el.scrollIntoView({block: 'center', inline: 'center'});
        const box = el.getBoundingClientRect();
        const inside = box.left >= 0 && box.top >= 0 && box.right <= innerWidth + 1 && box.bottom <= innerHeight + 1;
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        return !inside || !(hit && (el === hit || el.contains(hit)));
    })
    .map((el) => (el.getAttribute('aria-label') || el.textContent.trim() || el.id).slice(0, 40))"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
        || (style.boxShadow !== 'none' && style.boxShadow !== '');
    const dialog = el.closest('dialog');
    const box = el.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    const name = el.getAttribute('aria-label') || el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40);
    return {
        id: el.id, name, tag: el.tagName.toLowerCase(), ring,
        seen: Boolean(hit && (hit === el || el.contains(hit) || hit.contains(el))),
        dialog: dialog ? dialog.id : null,
        card: el.closest('.card')?.dataset.number || null,
        ticket: el.closest('.kt')?.dataset.ticket || null,
        order: el.dataset.order || null,
    };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, matches, limit=120, backwards=False):
    """Tab (or Shift+Tab) until `matches(focused)`; every control on the way shows its focus
    (past the end of the page the focus goes round to its start). Returns the controls passed."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if now is None:
            continue
        assert now["ring"] and now["seen"], f"no visible focus on {now}"
        passed.append(now)
        if matches(now):
            return passed
    raise AssertionError(f"never reached the control; last: {passed[-5:]}")


def expect_trapped(page, dialog_id, presses=12):
    """Tab and Shift+Tab go round the open dialog's controls, never out of it."""
    for key in ("Tab", "Shift+Tab"):
        for _ in range(presses):
            page.keyboard.press(key)
            now = focused(page)
            assert now and now["dialog"] == dialog_id, f"{key} left #{dialog_id}: {now}"
            assert now["ring"], f"no visible focus on {now}"


def named(text):
    return lambda now: now["name"] == text


# ---------------------------------------------------------------- run in the app's database


def board_tables():
    """This file's tables in the browser store, with nothing new waiting on the board (the
    store's other orders and calls seen): their ids."""
    from tableorder.tests.browser import acknowledge_store_orders, add_table

    ids = [add_table(number) for number in TABLES]
    acknowledge_store_orders()
    return ids


def kitchen_orders():
    """An order at table 208, and one at 209 whose tickets came 30 minutes ago: their ids."""
    from datetime import timedelta

    from django.db.models import F

    from accounts.models import Table
    from kitchen.models import KitchenTicket
    from menus.models import MenuItem
    from orders.services import place_order

    board_tables()
    tables = {table.number: table for table in Table.objects.filter(store__code=STORE_CODE, number__in=TABLES)}
    ids = []
    for number, name in ((THIRD, "김치찌개"), (FOURTH, "제육볶음")):
        item = MenuItem.objects.get(store__code=STORE_CODE, name=name)
        order, _created = place_order(
            table=tables[number], items=[{"menu_item_id": item.id, "quantity": 2}], note="덜 맵게"
        )
        ids.append(order.id)
    KitchenTicket.objects.filter(order_id=ids[1]).update(created_at=F("created_at") - timedelta(minutes=30))
    return ids


# ---------------------------------------------------------------- tests


def test_the_dashboard_passes_axe_in_every_state_and_works_by_keyboard(page, app_server, tablet_api):
    ids = app_server.run_in_app("board_tables", module=MODULE)

    # The admin's login, filled in and sent by keyboard.
    page.goto("/admin/login/")
    assert_accessible(page, "the admin login")
    # Only this file's tables on the board, as the filter would keep them.
    page.evaluate(
        "([key, ids]) => localStorage.setItem(key, JSON.stringify(ids))",
        [f"tableorder.dashboard.filter.{STORE_CODE}", ids],
    )
    for label, value in (("매장 식별자", STORE_CODE), ("아이디", MANAGER), ("비밀번호", "manager-pass-1")):
        tab_to(
            page,
            lambda now, label=label: now["tag"] == "input"
            and page.get_by_label(label).evaluate("el => el === document.activeElement"),
        )
        page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/live/")

    # The first visit's sound question: a modal that holds the focus.
    expect(page.locator("#sound-dialog")).to_be_visible()
    assert_accessible(page, "the sound question")
    assert focused(page)["dialog"] == "sound-dialog"
    expect_trapped(page, "sound-dialog", presses=3)
    tab_to(page, named("소리 없이 보기"))
    page.keyboard.press("Enter")
    expect(page.locator("#sound-dialog")).to_be_hidden()
    expect_live(page)
    expect(page.locator("#grid > .card")).to_have_count(4)
    assert_accessible(page, "the board, its tables free")

    # Orders and a call arrive: NEW on the cards and the strip, said aloud by the live region.
    first, second = Tablet(tablet_api, FIRST), Tablet(tablet_api, SECOND)
    stew = first.order(김치찌개=2, 공기밥=1)
    cola = first.order(콜라=1)
    second.order(된장찌개=1)
    _status, call = second.call_staff("물")
    expect(table_card(page, FIRST).locator(".new-tag")).to_have_count(2, timeout=LIVE_MS)
    expect(page.locator("#call-list .call-item")).to_have_count(1, timeout=LIVE_MS)
    expect(page.locator("#announce")).to_contain_text(f"{SECOND}번 테이블", timeout=LIVE_MS)
    assert page.locator("#announce").get_attribute("aria-live") == "polite"
    assert_accessible(page, "the board with new orders and a staff call")

    # By keyboard, in the page's order: the tools, then the strip, the calls, the cards.
    passed = tab_to(page, lambda now: now["card"] and now["order"] == str(stew["id"]), limit=80)
    ids_passed = [now["id"] for now in passed]
    assert ids_passed.index("chime") < ids_passed.index("ordering-toggle"), ids_passed
    cards = [now["card"] for now in passed if now["card"]]
    assert cards[0] == str(FIRST) and str(SECOND) not in cards, cards
    page.keyboard.press("Enter")
    dialog = page.locator("#order-dialog")
    expect(dialog).to_be_visible()
    assert focused(page)["dialog"] == "order-dialog"
    assert_accessible(page, "the order dialog")
    expect_trapped(page, "order-dialog")
    tab_to(page, named("준비중"))
    page.keyboard.press("Enter")
    expect(dialog.locator("#order-status")).to_have_text("준비중")
    assert_accessible(page, "the order dialog after a status change")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    # The card was redrawn meanwhile: the focus is back on the same order's row.
    assert focused(page)["order"] == str(stew["id"])

    # Delete: the reason dialog over the order dialog, each giving the focus back.
    tab_to(page, lambda now: now["card"] and now["order"] == str(cola["id"]))
    page.keyboard.press("Enter")
    tab_to(page, named("주문 삭제"))
    page.keyboard.press("Enter")
    expect(page.locator("#delete-dialog")).to_be_visible()
    assert_accessible(page, "the delete dialog")
    expect_trapped(page, "delete-dialog")
    page.keyboard.press("Escape")
    expect(page.locator("#delete-dialog")).to_be_hidden()
    assert focused(page)["name"] == "주문 삭제"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert focused(page)["order"] == str(cola["id"])

    # 이동·합석: the picker, then the merge's confirmation, dismissed back to the card.
    tab_to(page, named(f"{FIRST}번 테이블 손님을 다른 테이블로 이동"))
    page.keyboard.press("Enter")
    expect(page.locator("#move-dialog")).to_be_visible()
    assert_accessible(page, "the move picker")
    expect_trapped(page, "move-dialog", presses=6)
    tab_to(page, lambda now: now["dialog"] == "move-dialog" and now["name"].startswith(f"{SECOND}번"))
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-dialog")).to_be_visible()
    expect(page.locator("#confirm-title")).to_have_text("합석")
    assert_accessible(page, "the merge confirmation")
    expect_trapped(page, "confirm-dialog", presses=3)
    page.keyboard.press("Escape")
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    assert focused(page)["name"] == f"{FIRST}번 테이블 손님을 다른 테이블로 이동"

    # The bill, split by keyboard.
    tab_to(page, lambda now: now["card"] == str(FIRST) and now["name"] == "계산서", backwards=True)
    page.keyboard.press("Enter")
    bill = page.locator("#bill-dialog")
    expect(bill).to_be_visible()
    expect(bill.locator("#bill-body")).to_contain_text("₩", timeout=LIVE_MS)
    tab_to(page, lambda now: now["id"] == "bill-people")
    expect(bill.locator("#bill-body")).not_to_contain_text("null")
    page.keyboard.press("ArrowDown")
    expect(bill.locator(".bill-shares li")).to_have_text(["1번째 분₩10,500", "2번째 분₩10,500"], timeout=LIVE_MS)
    assert_accessible(page, "the bill split in two")
    expect_trapped(page, "bill-dialog", presses=6)
    page.keyboard.press("Escape")
    expect(bill).to_be_hidden()
    assert focused(page)["name"] == "계산서"

    # The staff call, acknowledged from the list at the top.
    tab_to(page, lambda now: now["name"] == f"{SECOND}번 테이블 물 호출 확인", limit=60)
    page.keyboard.press("Enter")
    expect(page.locator(f'#call-list .call-item[data-call="{call["id"]}"]')).to_have_count(0, timeout=LIVE_MS)

    # Ordering paused (and resumed, for the other tests' tablets).
    tab_to(page, lambda now: now["id"] == "ordering-toggle", backwards=True)
    try:
        page.keyboard.press("Enter")
        expect(page.locator("#ordering-toggle")).to_have_attribute("aria-pressed", "true")
        assert_accessible(page, "ordering paused")
    finally:
        if page.locator("#ordering-toggle").get_attribute("aria-pressed") == "true":
            page.locator("#ordering-toggle").click()
        expect(page.locator("#ordering-toggle")).to_have_attribute("aria-pressed", "false")

    # The connection lost, and back.
    page.context.set_offline(True)
    try:
        expect(page.locator("#offline-banner")).to_be_visible(timeout=10_000)
        assert_accessible(page, "the connection lost")
    finally:
        page.context.set_offline(False)
    expect_live(page)

    # Past orders.
    tab_to(page, lambda now: now["id"] == "open-history", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#history-view")).to_be_visible()
    assert focused(page)["id"] == "history-back"
    assert_accessible(page, "the past orders")
    page.keyboard.press("Enter")
    expect(page.locator("#floor-view")).to_be_visible()

    # The admin's dark theme too.
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    assert_accessible(page, "the board in the dark theme")


def test_the_kitchen_and_the_report_pass_axe_and_the_kitchen_works_by_keyboard(dashboard, app_server):
    page = dashboard
    app_server.run_in_app("kitchen_orders", module=MODULE)
    page.goto("/admin/kitchen/")
    expect(page.locator("#connection")).to_contain_text("실시간 연결됨")
    mine = page.locator(".kt").filter(has=page.locator(".kt-table-no", has_text=re.compile(rf"^{THIRD}$")))
    expect(mine).to_have_count(1)
    expect(page.locator(".kt.kt-new[data-late='red']").first).to_be_visible()
    assert_accessible(page, "the kitchen display with new and late tickets")

    # 조리 시작, then 완료, from the keyboard: the focus stays on the ticket, visibly.
    ticket = mine.get_attribute("data-ticket")
    tab_to(page, lambda now: now["ticket"] == ticket and now["tag"] == "button", limit=150)
    page.keyboard.press("Enter")
    expect(mine).to_have_class(re.compile(r"\bkt-cooking\b"))
    now = focused(page)
    assert now["ticket"] == ticket and now["ring"], now
    assert_accessible(page, "the kitchen display with a ticket cooking")
    page.keyboard.press("Enter")
    done = page.locator(f'.kd[data-ticket="{ticket}"]')
    expect(done).to_be_visible()
    assert_accessible(page, "the kitchen display with a ticket done")
    tab_to(page, lambda now: now["tag"] == "button" and now["name"].startswith(f"{THIRD}번"), limit=150)
    page.keyboard.press("Enter")
    expect(mine).to_have_class(re.compile(r"\bkt-cooking\b"))

    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    assert_accessible(page, "the kitchen display in the dark theme")

    page.goto("/admin/reports/")
    assert_accessible(page, "the sales report in the dark theme")
    page.emulate_media(color_scheme="light")
    page.reload()
    assert_accessible(page, "the sales report")


@pytest.fixture
def zoomed(chromium, app_server):
    """A 1280×800 tablet's browser at 200% zoom: 640×400 CSS px, two device pixels to each."""
    context = chromium.new_context(
        viewport={"width": 640, "height": 400},
        device_scale_factor=2,
        locale="ko-KR",
        timezone_id="Asia/Seoul",
        base_url=app_server.url,
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors


def test_nothing_is_lost_on_the_dashboard_at_200_percent_zoom(zoomed, app_server, tablet_api):
    page = zoomed
    ids = app_server.run_in_app("board_tables", module=MODULE)
    first = Tablet(tablet_api, FIRST)
    order = first.order(김치찌개=1, 콜라=2)
    first.call_staff("물")
    page.goto("/admin/login/")
    page.evaluate(
        "([key, ids]) => localStorage.setItem(key, JSON.stringify(ids))",
        [f"tableorder.dashboard.filter.{STORE_CODE}", ids[:1]],
    )
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill(MANAGER)
    page.get_by_label("비밀번호").fill("manager-pass-1")
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    sound = page.locator("#sound-dialog")
    assert page.evaluate(HIDDEN_CONTROLS, "#sound-dialog button") == []
    sound.get_by_role("button", name="소리 없이 보기").click()
    expect_live(page)
    card = table_card(page, FIRST)
    expect(card.locator(f'.order-row[data-order="{order["id"]}"]')).to_be_visible()

    # The page reflows into the width: no sideways scrolling, every control reachable whole.
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    assert page.evaluate(HIDDEN_CONTROLS, ".dash :is(button, input, select, summary)") == []

    # The dialogs scroll within the screen: each of their controls in reach.
    card.locator(f'.order-row[data-order="{order["id"]}"]').click()
    expect(page.locator("#order-dialog")).to_be_visible()
    assert page.evaluate(HIDDEN_CONTROLS, "#order-dialog button") == []
    page.locator("#order-delete").click()
    expect(page.locator("#delete-dialog")).to_be_visible()
    assert page.evaluate(HIDDEN_CONTROLS, "#delete-dialog :is(button, input)") == []
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page.locator("#order-dialog")).to_be_hidden()
    card.get_by_role("button", name="계산서").click()
    expect(page.locator("#bill-dialog #bill-body")).to_contain_text("₩")
    assert page.evaluate(HIDDEN_CONTROLS, "#bill-dialog :is(button, select)") == []
    page.keyboard.press("Escape")
    card.locator(".card-move").click()
    expect(page.locator("#move-dialog")).to_be_visible()
    assert page.evaluate(HIDDEN_CONTROLS, "#move-dialog button") == []
