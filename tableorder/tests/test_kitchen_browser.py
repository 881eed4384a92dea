"""The kitchen display in Chromium, against the app under uvicorn: orders arrive live, cooks work
them by touch and by bump bar, the order's status follows, a cut stream catches up once.

A store of its own ("kitchen-kds": stations 주방 and 주류, tables 141–150, a manager and a cook),
so the display's board holds only this module's tickets; each test starts from an empty board.
Orders are placed through the services in the app's database (`run_in_app`), as a tablet's
request would place them.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import SCREENSHOTS, small_touch_targets

pytestmark = pytest.mark.browser

STORE_CODE = "kitchen-kds"
MANAGER, MANAGER_PASSWORD = "manager", "kitchen-manager-1"
COOK, COOK_PASSWORD = "cook", "kitchen-cook-pass-1"
TABLES = range(141, 151)
LIVE_MS = 2_000
# The alert watcher looks every 5 s (kitchen.alerts.CHECK_SECONDS).
WATCHER_MS = 12_000
BIG_SCREEN = {"width": 1920, "height": 1080}
MODULE = __name__


# ---------------------------------------------------------------- run in the app's database


def seed():
    """The store: stations 주방 and 주류 (drinks go to 주류), a menu with options, tables, a cook."""
    from accounts.models import Role, User
    from accounts.services import create_store, setup_table
    from menus.models import Category, MenuItem, Option, OptionGroup, Station

    store, _manager = create_store(
        code=STORE_CODE, name="주방 테스트 식당", manager_username=MANAGER, manager_password=MANAGER_PASSWORD
    )
    bar = Station.objects.create(store=store, name="주류", display_order=1)
    food = Category.objects.create(store=store, name="식사", display_order=0)
    drinks = Category.objects.create(store=store, name="주류", display_order=1, station=bar)
    for position, (category, name, price) in enumerate(
        [
            (food, "김치찌개", 9000),
            (food, "된장찌개", 8000),
            (food, "제육볶음", 11000),
            (food, "공기밥", 1000),
            (food, "해물파전", 15000),
            (drinks, "생맥주", 5000),
            (drinks, "콜라", 2000),
        ]
    ):
        MenuItem.objects.create(store=store, category=category, name=name, price=price, display_order=position)
    spicy = OptionGroup.objects.create(store=store, name="맵기", min_select=0, max_select=1)
    spicy.items.add(MenuItem.objects.get(store=store, name="김치찌개"), through_defaults={"display_order": 0})
    Option.objects.create(group=spicy, name="순한맛", display_order=0)
    Option.objects.create(group=spicy, name="아주 맵게", display_order=1)
    for number in TABLES:
        setup_table(store=store, number=number, password="kitchen-table-1")
    cook = User(store=store, username=COOK, role=Role.KITCHEN, is_staff=True)
    cook.set_password(COOK_PASSWORD)
    cook.save()
    return {"kitchen": Station.objects.get(store=store, name="주방").id, "bar": bar.id}


def place(number, lines, note=""):
    """An order at table `number`: lines [[name, quantity, option names…]]; its id and display number."""
    from accounts.models import Table
    from menus.models import MenuItem, Option
    from orders.services import place_order

    table = Table.objects.select_related("store").get(store__code=STORE_CODE, number=number)
    rows = []
    for name, quantity, *options in lines:
        item = MenuItem.objects.get(store=table.store, name=name)
        option_ids = [Option.objects.get(group__items=item, name=option).id for option in options]
        rows.append({"menu_item_id": item.id, "quantity": quantity, "option_ids": option_ids})
    order, _created = place_order(table=table, items=rows, note=note)
    return {"id": order.id, "display_number": order.display_number}


def order_status(order_id):
    from orders.models import Order

    return Order.objects.get(pk=order_id).status


def delete(order_id):
    """The manager deletes (직권 수정) the order."""
    from orders.models import Order
    from orders.services import delete_order

    order = Order.objects.select_related("store").get(pk=order_id)
    delete_order(order=order, actor=order.store.users.get(username=MANAGER))
    return order_id


def clear_board():
    """Every ticket of the store off the board: open ones finished, and all finished or
    cancelled ones out of the recall window (a test's setup, not a cook's step)."""
    from datetime import timedelta

    from django.utils import timezone

    from kitchen.models import KitchenTicket, TicketStatus

    long_ago = timezone.now() - timedelta(minutes=30)
    tickets = KitchenTicket.objects.filter(store__code=STORE_CODE)
    tickets.filter(status__in=[TicketStatus.NEW, TicketStatus.COOKING]).update(
        status=TicketStatus.DONE, started_at=long_ago, done_at=long_ago
    )
    tickets.filter(status=TicketStatus.DONE).update(done_at=long_ago)
    return tickets.filter(status=TicketStatus.CANCELLED).update(cancelled_at=long_ago)


def backdate(order_id, minutes):
    """The order's tickets arrived `minutes` ago."""
    from datetime import timedelta

    from django.db.models import F

    from kitchen.models import KitchenTicket

    tickets = KitchenTicket.objects.filter(order_id=order_id)
    return tickets.update(created_at=F("created_at") - timedelta(minutes=minutes))


def raise_alert(kind, order_id=None, resolve=False):
    """A printer alert raised (or resolved) through the alert services, with its event."""
    from accounts.models import Store
    from kitchen.alerts import raise_alert, resolve_alerts
    from kitchen.models import Printer

    printer, _created = Printer.objects.get_or_create(store=Store.objects.get(code=STORE_CODE), name="주방 프린터")
    if resolve:
        return len(resolve_alerts(printer=printer, kinds=[kind]))
    alert = raise_alert(printer=printer, kind=kind, order_id=order_id)
    return alert and alert.id


def late_job(order_id):
    """A printer of the order's station, with an agent, whose job for the order has waited 30 s
    unprinted: the app's alert watcher finds it late on its own."""
    from datetime import timedelta

    from django.utils import timezone

    from kitchen.models import JobKind, KitchenTicket, Printer, PrintJob
    from kitchen.printers import issue_token

    ticket = KitchenTicket.objects.filter(order_id=order_id).first()
    printer, _created = Printer.objects.get_or_create(store=ticket.store, name="주방 프린터", station=ticket.station)
    issue_token(printer=printer)
    waited = timezone.now() - timedelta(seconds=30)
    return PrintJob.objects.create(
        store=ticket.store, printer=printer, kind=JobKind.ORDER, order_id=order_id, ticket=ticket, created_at=waited
    ).id


def printed(job_id):
    """The job was printed (its agent acknowledged it)."""
    from kitchen.models import PrintJob
    from kitchen.printing import acknowledge

    job = PrintJob.objects.select_related("printer").get(pk=job_id)
    acknowledge(printer=job.printer, job_id=job.id, result="printed")


def counter_printer():
    """A counter printer (no station) with an agent."""
    from accounts.models import Store
    from kitchen.models import Printer
    from kitchen.printers import issue_token

    issue_token(printer=Printer.objects.create(store=Store.objects.get(code=STORE_CODE), name="계산대"))


def bill_jobs():
    from kitchen.models import JobKind, PrintJob

    return PrintJob.objects.filter(store__code=STORE_CODE, kind=JobKind.BILL).count()


def remove_printers():
    from kitchen.models import Printer

    return Printer.objects.filter(store__code=STORE_CODE).delete()[0]


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def stations(app_server):
    return app_server.run_in_app("seed", module=MODULE)


@pytest.fixture
def board(app_server, stations):
    """Runs `function(*args)` of this module in the app's database; the board starts empty."""
    app_server.run_in_app("clear_board", module=MODULE)
    return lambda function, *args: app_server.run_in_app(function, *args, module=MODULE)


def sign_in(page, username, password):
    page.goto("/admin/login/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()


def open_display(page, username=MANAGER, password=MANAGER_PASSWORD):
    """Sign in through the admin's login form and open the kitchen display (a manager lands on
    the live dashboard, kitchen staff on the display)."""
    sign_in(page, username, password)
    if username == MANAGER:
        page.wait_for_url("**/admin/live/")
        page.goto("/admin/kitchen/")
    page.wait_for_url("**/admin/kitchen/")
    expect(page.locator("#connection")).to_contain_text("실시간 연결됨")
    return page


@pytest.fixture
def kds(page, board):
    """The kitchen display on a 10" tablet in landscape, signed in as the store's manager."""
    return open_display(page)


@pytest.fixture
def cook_kds(page, board):
    """The kitchen display signed in as kitchen staff."""
    return open_display(page, COOK, COOK_PASSWORD)


def card(page, order, station=None):
    """The board's card of an order (of one station when the order has several)."""
    cards = page.locator(".kt").filter(has=page.locator(".kt-order", has_text=order["display_number"]))
    if station:
        cards = cards.filter(has=page.locator(".kt-station", has_text=station))
    return cards


def done_card(page, order):
    return page.locator(".kd").filter(has=page.locator(".kd-order", has_text=order["display_number"]))


# ---------------------------------------------------------------- tests


def test_an_order_appears_live_is_cooked_finished_and_recalled_and_the_order_follows(kds, board):
    page = kds
    order = board("place", 141, [["김치찌개", 2, "아주 맵게"], ["공기밥", 2], ["생맥주", 1]], "김치찌개는 아주 맵게요")
    food = card(page, order, "주방")
    drink = card(page, order, "주류")
    expect(food).to_be_visible(timeout=LIVE_MS)
    expect(drink).to_be_visible(timeout=LIVE_MS)
    expect(food.locator(".kt-table-no")).to_have_text("141")
    expect(food.locator(".kt-status")).to_have_text("신규")
    expect(food.locator(".kt-line")).to_have_text(["김치찌개 × 2아주 맵게", "공기밥 × 2"])
    expect(food.locator(".kt-options")).to_have_text(["아주 맵게"])
    expect(food.locator(".kt-note")).to_contain_text("김치찌개는 아주 맵게요")
    expect(drink.locator(".kt-line")).to_have_text(["생맥주 × 1"])
    expect(food.locator(".kt-time")).to_have_text(re.compile(r"^0:0\d$"))
    expect(page.locator(".allday-item")).to_have_text(["공기밥2", "김치찌개2", "생맥주1"])
    assert small_touch_targets(page, ".kds button") == []
    assert all(
        box["height"] >= 48
        for box in page.locator(".kds button").evaluate_all(
            "(els) => els.map((el) => el.getBoundingClientRect().toJSON())"
        )
    )

    food.get_by_role("button", name="조리 시작").click()
    expect(food.locator(".kt-status")).to_have_text("조리중")
    assert board("order_status", order["id"]) == "preparing"

    food.get_by_role("button", name="완료").click()
    expect(food).to_have_count(0)
    expect(done_card(page, order)).to_be_visible()
    expect(done_card(page, order)).to_contain_text("141")
    # The drink is still to make: the order stays 준비중 until its last ticket is done.
    assert board("order_status", order["id"]) == "preparing"
    expect(page.locator(".allday-item")).to_have_text(["생맥주1"])
    drink.get_by_role("button", name="조리 시작").click()
    drink.get_by_role("button", name="완료").click()
    expect(done_card(page, order)).to_have_count(2)
    expect(page.locator(".allday-item")).to_have_count(0)
    expect(page.locator("#kds-empty")).to_be_visible()
    assert board("order_status", order["id"]) == "completed"

    done_card(page, order).filter(has_text="생맥주").get_by_role("button", name=re.compile("되돌리기")).click()
    expect(drink.locator(".kt-status")).to_have_text("조리중")
    expect(page.locator(".toast").last).to_contain_text("다시 조리중")
    assert board("order_status", order["id"]) == "preparing"
    # After a reload the server's list agrees, each ticket once.
    page.reload()
    expect(card(page, order)).to_have_count(1)
    expect(done_card(page, order)).to_have_count(1)


def test_a_deleted_order_shows_cancelled_and_struck_through(kds, board):
    page = kds
    order = board("place", 142, [["해물파전", 1]])
    expect(card(page, order)).to_be_visible(timeout=LIVE_MS)
    board("delete", order["id"])
    cancelled = card(page, order)
    expect(cancelled).to_have_class(re.compile(r"\bkt-cancelled\b"), timeout=LIVE_MS)
    expect(cancelled.locator(".kt-status")).to_have_text("✕ 취소")
    expect(cancelled.get_by_role("button")).to_have_count(0)
    decoration = cancelled.locator(".kt-lines").evaluate("(el) => getComputedStyle(el).textDecorationLine")
    assert decoration == "line-through"
    expect(page.locator(".allday-item")).to_have_count(0)
    # A step started on another screen before the delete: refused, explained, the board re-read.
    page.reload()
    expect(card(page, order).locator(".kt-status")).to_have_text("✕ 취소")


def test_a_step_already_taken_on_another_screen_is_explained(kds, board, chromium, app_server):
    page = kds
    order = board("place", 143, [["된장찌개", 1]])
    expect(card(page, order)).to_be_visible(timeout=LIVE_MS)
    # The other screen starts it while this one's stream is cut, so this one still shows 신규.
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(page.locator("#connection")).to_contain_text("다시 연결 중")
    other = page.context.browser.new_context(base_url=app_server.url, locale="ko-KR")
    try:
        other_page = other.new_page()
        sign_in(other_page, COOK, COOK_PASSWORD)
        other_page.wait_for_url("**/admin/kitchen/")
        card(other_page, order).get_by_role("button", name="조리 시작").click()
        expect(card(other_page, order).locator(".kt-status")).to_have_text("조리중")
    finally:
        other.close()
    card(page, order).get_by_role("button", name="조리 시작").click()
    expect(page.locator(".toast-error")).to_contain_text("이미 다른 화면에서 처리됨")
    expect(card(page, order).locator(".kt-status")).to_have_text("조리중")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#connection")).to_contain_text("실시간 연결됨")


def test_a_bump_bar_works_the_board(kds, board):
    page = kds
    orders = [board("place", number, [["제육볶음", 1]]) for number in (144, 145, 146)]
    for order in orders:
        expect(card(page, order)).to_be_visible(timeout=LIVE_MS)
    cards = page.locator(".kt")
    expect(cards.locator(".kt-key")).to_have_text(["1", "2", "3"])
    expect(cards.first).to_have_class(re.compile(r"\bis-selected\b"))

    def selected():
        expect(page.locator(".kt.is-selected")).to_have_count(1)
        return page.locator(".kt.is-selected .kt-table-no").text_content()

    page.keyboard.press("ArrowRight")
    assert selected() == "145"
    # The selection has a visible ring, and is where the keyboard's focus is.
    ring = page.locator(".kt.is-selected").evaluate("(el) => getComputedStyle(el).boxShadow")
    assert ring != "none"
    assert page.evaluate("document.activeElement.classList.contains('is-selected')")
    page.keyboard.press("Enter")
    expect(card(page, orders[1]).locator(".kt-status")).to_have_text("조리중")
    page.keyboard.press("Space")
    expect(card(page, orders[1])).to_have_count(0)
    expect(done_card(page, orders[1])).to_be_visible()
    # The next ticket takes the finished one's place in the selection.
    assert selected() == "146"
    page.keyboard.press("ArrowLeft")
    assert selected() == "144"
    page.keyboard.press("3")  # there are two tickets now: nothing to select
    assert selected() == "144"
    page.keyboard.press("2")
    assert selected() == "146"
    page.keyboard.press("Enter")
    expect(card(page, orders[2]).locator(".kt-status")).to_have_text("조리중")
    page.keyboard.press("Enter")
    expect(done_card(page, orders[2])).to_be_visible()
    # R recalls the ticket finished last, Backspace the one before.
    page.keyboard.press("r")
    expect(card(page, orders[2]).locator(".kt-status")).to_have_text("조리중")
    page.keyboard.press("Backspace")
    expect(card(page, orders[1]).locator(".kt-status")).to_have_text("조리중")
    expect(page.locator(".kd")).to_have_count(0)
    page.keyboard.press("Backspace")
    expect(page.locator(".toast").last).to_contain_text("되돌릴 완료 주문이 없습니다")
    # Arrival order holds after the recalls.
    expect(page.locator(".kt .kt-table-no")).to_have_text(["144", "145", "146"])


def test_a_cut_stream_catches_up_and_shows_each_ticket_once(kds, board, app_server):
    page = kds
    first = board("place", 147, [["김치찌개", 1]])
    expect(card(page, first)).to_be_visible(timeout=LIVE_MS)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(page.locator("#connection")).to_contain_text("다시 연결 중")
    missed = board("place", 147, [["된장찌개", 3]])
    page.wait_for_timeout(500)
    expect(card(page, missed)).to_have_count(0)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    # The reconnect replays the missed events and reads the list again: the ticket comes once.
    expect(card(page, missed)).to_have_count(1, timeout=LIVE_MS)
    expect(page.locator("#connection")).to_contain_text("실시간 연결됨")
    page.wait_for_timeout(1000)
    expect(card(page, missed)).to_have_count(1)
    expect(card(page, first)).to_have_count(1)
    expect(page.locator(".allday-item")).to_have_text(["된장찌개3", "김치찌개1"])
    # A network outage the browser notices by itself behaves the same.
    page.context.set_offline(True)
    expect(page.locator("#connection")).to_contain_text("다시 연결 중")
    during = board("place", 148, [["콜라", 2]])
    page.context.set_offline(False)
    expect(card(page, during)).to_have_count(1, timeout=12_000)
    page.wait_for_timeout(1000)
    expect(card(page, during)).to_have_count(1)


def test_the_station_filter_shows_one_stations_tickets_and_is_remembered(kds, board):
    page = kds
    order = board("place", 149, [["해물파전", 1], ["콜라", 2]])
    expect(card(page, order)).to_have_count(2, timeout=LIVE_MS)
    page.locator("#stations").get_by_role("button", name="주류").click()
    expect(page.locator("#stations").get_by_role("button", name="주류")).to_have_attribute("aria-pressed", "true")
    expect(card(page, order)).to_have_count(1)
    expect(card(page, order).locator(".kt-line")).to_have_text(["콜라 × 2"])
    expect(page.locator(".allday-item")).to_have_text(["콜라2"])
    page.reload()
    expect(page.locator("#stations").get_by_role("button", name="주류")).to_have_attribute("aria-pressed", "true")
    later = board("place", 149, [["된장찌개", 1], ["생맥주", 1]])
    expect(card(page, later)).to_have_count(1, timeout=LIVE_MS)
    expect(card(page, later).locator(".kt-line")).to_have_text(["생맥주 × 1"])
    page.locator("#stations").get_by_role("button", name="전체").click()
    expect(card(page, later)).to_have_count(2)
    expect(card(page, order)).to_have_count(2)


def test_kitchen_staff_land_on_the_display_and_are_refused_the_dashboard(cook_kds, board):
    page = cook_kds
    loads = []
    page.on("request", lambda request: "/pwned" in request.url and loads.append(request.url))
    note = "<img src=/pwned-kds.png onerror=alert(1)>덜 맵게"
    order = board("place", 150, [["김치찌개", 1, "순한맛"]], note)
    expect(card(page, order, "주방")).to_be_visible(timeout=LIVE_MS)
    # The guest's note is text: shown as typed, never parsed.
    expect(card(page, order).locator(".kt-note")).to_contain_text(note)
    expect(card(page, order).locator("img")).to_have_count(0)
    assert loads == []
    card(page, order).get_by_role("button", name="조리 시작").click()
    expect(card(page, order).locator(".kt-status")).to_have_text("조리중")
    expect(page.locator('a[href="/admin/live/"]')).to_have_count(0)
    response = page.goto("/admin/live/")
    assert response.status == 403
    page.goto("/admin/")
    page.wait_for_url("**/admin/kitchen/")


def test_a_late_print_job_raises_an_alert_that_stays_until_it_prints(kds, board):
    """The app's own watcher (every 5 s) finds the late job and, once it printed, resolves it."""
    page = kds
    order = board("place", 141, [["공기밥", 1]])
    try:
        job = board("late_job", order["id"])
        banner = page.locator(".alert-banner")
        expect(banner).to_be_visible(timeout=WATCHER_MS)
        expect(banner).to_contain_text("주방 프린터")
        expect(banner).to_contain_text("주문서가 아직 출력되지 않았습니다")
        expect(banner.get_by_role("button", name=re.compile("재출력"))).to_be_visible()
        board("printed", job)
        expect(banner).to_have_count(0, timeout=WATCHER_MS)
    finally:
        board("remove_printers")


def screenshot_board(board):
    """A busy evening: tickets in time, amber and red, with options and notes, one cancelled,
    two finished."""
    orders = [
        board("place", 141, [["김치찌개", 2, "아주 맵게"], ["공기밥", 2], ["생맥주", 2]], "하나는 덜 맵게 해 주세요"),
        board("place", 142, [["해물파전", 1], ["콜라", 1]]),
        board("place", 143, [["제육볶음", 1], ["된장찌개", 1], ["공기밥", 3]]),
        board("place", 144, [["된장찌개", 2]], "아이가 먹을 거라 뜨겁지 않게"),
        board("place", 145, [["김치찌개", 1, "순한맛"], ["해물파전", 1], ["제육볶음", 2], ["공기밥", 2]]),
        board("place", 146, [["생맥주", 4]]),
        board("place", 147, [["공기밥", 1]]),
        board("place", 148, [["제육볶음", 1]]),
    ]
    board("backdate", orders[0]["id"], 24)
    board("backdate", orders[1]["id"], 13)
    board("backdate", orders[2]["id"], 11)
    return orders


def shoot(page, board, orders, name):
    page.reload()
    board("raise_alert", "printer_failed")
    expect(card(page, orders[-1])).to_have_count(1)
    card(page, orders[2], "주방").get_by_role("button", name="조리 시작").click()
    card(page, orders[6]).get_by_role("button", name="조리 시작").click()
    card(page, orders[6]).get_by_role("button", name="완료").click()
    card(page, orders[1], "주류").get_by_role("button", name="조리 시작").click()
    card(page, orders[1], "주류").get_by_role("button", name="완료").click()
    board("delete", orders[7]["id"])
    expect(card(page, orders[7])).to_have_class(re.compile("kt-cancelled"))
    expect(page.locator(".kt[data-late='red']")).to_have_count(2)
    expect(page.locator(".alert-banner")).to_be_visible()
    # Clicking scrolled the board to each card: show it from the oldest ticket.
    page.locator(".kds-board").evaluate("(board) => board.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name)


def columns(page):
    lefts = page.locator(".kt").evaluate_all("(els) => els.map((el) => Math.round(el.getBoundingClientRect().left))")
    return len(set(lefts))


def test_screenshots_at_a_tablet_and_a_big_screen(kds, board):
    page = kds
    orders = screenshot_board(board)
    try:
        shoot(page, board, orders, "kitchen-1280x800.png")
        small = columns(page)
        page.set_viewport_size(BIG_SCREEN)
        expect(page.locator(".kt").first).to_be_in_viewport()
        page.screenshot(path=SCREENSHOTS / "kitchen-1920x1080.png")
        table_size = page.locator(".kt-table-no").first.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
        assert table_size >= 40
        assert columns(page) > small >= 3
    finally:
        board("raise_alert", "printer_failed", None, True)


def test_the_live_dashboard_shows_printer_alerts_and_prints_a_bill(page, board):
    sign_in(page, MANAGER, MANAGER_PASSWORD)
    page.wait_for_url("**/admin/live/")
    page.locator("#sound-dialog").get_by_role("button", name="소리 없이 보기").click()
    expect(page.locator("#connection")).to_have_text("실시간 연결됨")
    order = board("place", 141, [["공기밥", 1]])
    table = page.locator(".card").filter(has=page.locator(".card-no", has_text=re.compile(r"^141번$")))
    expect(table.locator(f'.order-row[data-order="{order["id"]}"]')).to_be_visible(timeout=LIVE_MS)
    board("raise_alert", "printer_failed", order["id"])
    banner = page.locator(".alert-banner")
    expect(banner).to_contain_text("프린터가 출력하지 못합니다", timeout=LIVE_MS)
    expect(banner.get_by_role("button", name=re.compile("재출력"))).to_be_visible()
    table.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "dashboard-alert-and-bill-1280x800.png")
    board("raise_alert", "printer_failed", order["id"], True)
    expect(banner).to_have_count(0, timeout=LIVE_MS)

    # The bill dialog's print goes to the counter printer (without one, the browser prints it:
    # test_bill_browser.py).
    table.get_by_role("button", name="계산서", exact=True).click()
    # Earlier tests' orders are at table 141 too: the bill adds up to what its card shows.
    expect(page.locator("#bill-dialog .order-sum")).to_have_text(f"합계{table.locator('.total').inner_text()}")
    try:
        board("counter_printer")
        page.locator("#bill-dialog").get_by_role("button", name="계산서 출력").click()
        expect(page.locator(".toast").last).to_have_text("141번 테이블 계산서를 출력합니다.")
        assert board("bill_jobs") == 1
    finally:
        board("remove_printers")
