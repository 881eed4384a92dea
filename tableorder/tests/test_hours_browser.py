"""Hours in the browser: a manager pauses and resumes ordering from the live page while a tablet is
open, and a break time closes ordering; the tablet follows within 2 seconds each time.

A store of its own (its hours are store-wide), tables 1–2."""

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import small_touch_targets
from tableorder.tests.conftest import LANDSCAPE, _checked_page

pytestmark = pytest.mark.browser

STORE_CODE = "hours-cafe"
MANAGER_PASSWORD = "hours-pass-5813"
TABLE_PASSWORD = "hours-table-2468"
ITEM = "냉면"
FOLLOW_MS = 2000


def seed():
    """Run in the app's database: the store, a manager, tables 1–2 and one item."""
    from accounts.services import create_store, setup_table
    from menus.models import Category, MenuItem

    store, _manager = create_store(
        code=STORE_CODE, name="영업 식당", manager_username="manager", manager_password=MANAGER_PASSWORD
    )
    for number in (1, 2):
        setup_table(store=store, number=number, password=TABLE_PASSWORD)
    category = Category.objects.create(store=store, name="식사")
    MenuItem.objects.create(store=store, category=category, name=ITEM, price=9000)
    return store.id


def set_hours(fields):
    """Run in the app's database: change the store's hours as the admin's store page does."""
    from datetime import time

    from accounts.models import Store
    from accounts.services import update_store_settings

    for name in ("last_order_time", "opening_time"):
        if fields.get(name):
            fields[name] = time.fromisoformat(fields[name])
    store = Store.objects.get(code=STORE_CODE)
    update_store_settings(store=store, actor=None, **fields)
    return True


def break_now():
    """Run in the app's database: a break on today's weekday that began this minute and ends in
    two hours (or at 23:59), in Seoul; its end as "HH:MM"."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.hours import SEOUL

    now = timezone.now().astimezone(SEOUL).replace(second=0, microsecond=0)
    end = min(now + timedelta(hours=2), now.replace(hour=23, minute=59))
    set_hours(
        {"break_times": [{"weekday": now.weekday(), "start": now.strftime("%H:%M"), "end": end.strftime("%H:%M")}]}
    )
    return end.strftime("%H:%M")


@pytest.fixture(scope="module")
def hours_store(app_server):
    return app_server.run_in_app("seed", module=__name__)


@pytest.fixture
def manager_page(chromium, app_server, hours_store):
    for page in _checked_page(chromium, app_server, LANDSCAPE):
        page.goto("/admin/login/")
        page.get_by_label("매장 식별자").fill(STORE_CODE)
        page.get_by_label("아이디").fill("manager")
        page.get_by_label("비밀번호").fill(MANAGER_PASSWORD)
        page.get_by_role("button", name="로그인").click()
        page.wait_for_url("**/admin/live/")
        page.locator("#sound-dialog").get_by_role("button", name="소리 없이 보기").click()
        yield page


@pytest.fixture
def tablet(page, hours_store):
    """A tablet of table 1 with one item in its cart."""
    page.goto("/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("테이블 번호").fill("1")
    page.get_by_label("테이블 비밀번호").fill(TABLE_PASSWORD)
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    page.get_by_role("button", name=f"{ITEM} 담기", exact=True).click()
    return page


def test_a_pause_from_the_live_page_reaches_the_open_tablet_and_so_does_the_resume(
    manager_page, tablet, app_server, screenshots
):
    order_button, banner = tablet.locator("#cart-order"), tablet.locator("#ordering-banner")
    expect(order_button).to_be_enabled()
    expect(banner).to_be_hidden()
    expect(manager_page.locator("#ordering-state")).to_have_text("주문 받는 중")
    assert small_touch_targets(manager_page, ".ordering-bar :is(button, input)") == []

    manager_page.locator("#ordering-message").fill("재료 준비 중입니다")
    manager_page.get_by_role("button", name="주문 일시 중지").click()

    expect(manager_page.get_by_role("button", name="주문 재개")).to_be_visible()
    expect(manager_page.locator("#ordering-state")).to_have_text("주문 일시 중지됨 · 재료 준비 중입니다")
    expect(banner).to_have_text("지금은 주문을 잠시 받지 않아요 · 재료 준비 중입니다", timeout=FOLLOW_MS)
    expect(order_button).to_be_disabled(timeout=FOLLOW_MS)
    expect(order_button).to_have_text("재료 준비 중입니다")
    tablet.screenshot(path=screenshots / "hours-paused-tablet.png")
    manager_page.screenshot(path=screenshots / "hours-paused-dashboard.png")

    # Staff calls still work while ordering is paused.
    tablet.get_by_role("button", name="직원 호출").click()
    tablet.locator("#call-dialog").get_by_role("button", name="물").click()
    expect(tablet.locator("#call-banner")).to_contain_text("물")

    manager_page.get_by_role("button", name="주문 재개").click()
    expect(manager_page.locator("#ordering-state")).to_have_text("주문 받는 중")
    expect(banner).to_be_hidden(timeout=FOLLOW_MS)
    expect(order_button).to_be_enabled(timeout=FOLLOW_MS)


def test_a_break_time_closes_ordering_on_the_tablet_until_it_ends(manager_page, tablet, app_server, screenshots):
    banner, order_button = tablet.locator("#ordering-banner"), tablet.locator("#cart-order")
    try:
        end = app_server.run_in_app("break_now", module=__name__)
        expected = f"브레이크 타임입니다. {end}에 다시 주문할 수 있어요"
        expect(banner).to_have_text(expected, timeout=FOLLOW_MS)
        expect(order_button).to_be_disabled()
        expect(manager_page.locator("#ordering-state")).to_have_text(expected, timeout=FOLLOW_MS)
        tablet.screenshot(path=screenshots / "hours-break-tablet.png")

        # The menu stays browsable, and a reload knows the break too.
        tablet.reload()
        expect(tablet.locator("#menu-content .item").first).to_be_visible()
        expect(banner).to_have_text(expected)
        expect(order_button).to_be_disabled()
    finally:
        app_server.run_in_app("set_hours", {"break_times": []}, module=__name__)
    expect(banner).to_be_hidden(timeout=FOLLOW_MS)
    expect(order_button).to_be_enabled()
