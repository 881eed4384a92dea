"""The sales report page in Chromium on a tablet, both ways up: its range form and quick picks,
figures, the four charts and their CSV downloads. A store of its own ("sales-report", tables
1, 2, 7 and 12) with a month of generated sales (reports.tests.world)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import SCREENSHOTS, small_touch_targets

pytestmark = pytest.mark.browser

STORE_CODE = "sales-report"
MANAGER, PASSWORD = "manager", "sales-manager-1"
MODULE = __name__
NOVEMBER = "/admin/reports/?date_from=2026-11-01&date_to=2026-11-30"


def seed():
    """The store with November 2026's sales (and a day either side)."""
    from datetime import date

    from accounts.services import create_store
    from reports.tests.world import generate

    store, _manager = create_store(
        code=STORE_CODE, name="매출 테스트 식당", manager_username=MANAGER, manager_password=PASSWORD
    )
    generate(store, first=date(2026, 11, 1), days=30)


def november():
    """The report as the API computes it, to compare the page with."""
    from datetime import date

    from accounts.models import Store
    from reports.selectors import DayRange, sales_totals

    return sales_totals(store=Store.objects.get(code=STORE_CODE), days=DayRange(date(2026, 11, 1), date(2026, 11, 30)))


@pytest.fixture(scope="module")
def sales(app_server):
    app_server.run_in_app("seed", module=MODULE)
    return app_server.run_in_app("november", module=MODULE)


def open_report(page, url=NOVEMBER):
    page.goto("/admin/login/")
    page.get_by_label("매장 식별자").fill(STORE_CODE)
    page.get_by_label("아이디").fill(MANAGER)
    page.get_by_label("비밀번호").fill(PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    page.goto(url)
    return page


def check_layout(page, name):
    charts = page.locator("svg.report-chart")
    expect(charts).to_have_count(4)
    assert page.locator("#report-day rect").count() == 30
    assert page.locator("#report-hour rect").count() == 24
    assert 1 <= page.locator("#report-item rect").count() <= 10
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for chart in charts.all():
        assert chart.bounding_box()["width"] >= 600
    # Chart labels stay readable when the drawing is scaled to the page.
    assert (
        page.evaluate(
            "Math.min(...[...document.querySelectorAll('.report-chart .chart-label')]"
            ".map((t) => t.getBoundingClientRect().height))"
        )
        >= 12
    )
    assert small_touch_targets(page, ".report-range a, .report-range input, .report-range button, .report-csv") == []
    page.screenshot(path=str(SCREENSHOTS / f"reports-{name}.png"), full_page=True)


def test_the_report_on_a_landscape_tablet(page, sales, screenshots):
    open_report(page)
    expect(page.get_by_role("heading", name="매출 보고서")).to_be_visible()
    expect(page.locator("#total-amount")).to_have_text(f"₩{sales['amount']:,}")
    expect(page.locator("#total-orders")).to_have_text(str(sales["orders"]))
    expect(page.locator("#total-sessions")).to_have_text(str(sales["sessions"]))
    expect(page.locator("#total-deleted")).to_contain_text(f"{sales['deleted_orders']}건")
    expect(page.locator("#total-minutes")).to_contain_text(f"중앙값 {sales['minutes_to_complete']['p50']}분")
    expect(page.get_by_role("heading", name="많이 팔린 메뉴")).to_be_visible()
    expect(page.locator("#report-item .chart-label").first).to_be_visible()
    check_layout(page, "landscape")


def test_the_report_on_a_portrait_tablet(portrait_page, sales, screenshots):
    check_layout(open_report(portrait_page), "portrait")


def test_the_range_form_and_quick_picks(page, sales):
    open_report(page, "/admin/reports/")
    page.get_by_role("link", name="이번 달").click()
    expect(page.get_by_role("link", name="이번 달")).to_have_attribute("aria-current", "true")
    page.get_by_label("시작일").fill("2026-11-03")
    page.get_by_label("종료일").fill("2026-11-01")
    page.get_by_role("button", name="보기").click()
    expect(page.locator("#date_to-error")).to_be_visible()
    expect(page.locator("svg.report-chart")).to_have_count(0)
    page.get_by_label("종료일").fill("2026-11-09")
    page.get_by_role("button", name="보기").click()
    expect(page.locator("#report-day rect")).to_have_count(7)


def test_the_figures_are_a_table_under_each_chart(page, sales):
    open_report(page)
    section = page.locator("#report-table")
    section.get_by_text("표로 보기").click()
    expect(section.get_by_role("columnheader", name="테이블")).to_be_visible()
    expect(section.get_by_role("rowheader", name="12번")).to_be_visible()


def test_each_group_downloads_as_csv(page, sales):
    open_report(page)
    with page.expect_download() as info:
        page.locator("#report-item").get_by_role("link", name="CSV 내려받기").click()
    download = info.value
    assert download.suggested_filename == "sales-item-2026-11-01-2026-11-30.csv"
    body = Path(download.path()).read_text(encoding="utf-8")
    assert body.startswith("\ufeff메뉴,주문 수,수량,매출(원)")
    assert "'=HYPERLINK()" in body
