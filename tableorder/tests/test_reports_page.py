"""The sales report page at /admin/reports/: who gets it, for which store, what it draws."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import create_manager
from accounts.tokens import table_tokens
from conftest import make_store
from orders.models import Order
from reports.tests.world import generate
from tableorder.pages.report_charts import _step, bar_chart, column_chart
from tableorder.pages.reports import quick_ranges

BACKEND = "accounts.backends.StoreUserBackend"
PAGE = "/admin/reports/"
RANGE = "?date_from=2026-11-30&date_to=2026-12-02"


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def test_the_page_is_the_admin_url_named_reports():
    assert reverse("admin:reports") == PAGE


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={PAGE}"


def test_a_tablet_token_does_not_open_the_page(client, table):
    response = client.get(PAGE, headers={"Authorization": f"Bearer {table_tokens(table)['access']}"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_kitchen_staff_are_refused(client, store):
    cook = create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)
    assert signed_in(client, cook).get(PAGE).status_code == 403


def test_a_manager_gets_the_figures_charts_and_csv_links_under_the_policy(client, store, manager):
    generate(store, first=date(2026, 11, 30), days=3)
    response = signed_in(client, manager).get(PAGE + RANGE)
    assert response.status_code == 200
    assert "'nonce-" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "<script" not in html.split("</head>")[1]
    assert not re.search(r"\sstyle=", html)
    assert html.count('<svg class="report-chart') == 4
    for group in ("day", "hour", "item", "table"):
        assert (
            f"/api/v1/admin/reports/sales?date_from=2026-11-30&amp;date_to=2026-12-02&amp;group={group}&amp;format=csv"
            in html
        )
    live = Order.objects.live().filter(store=store, created_at__date__range=(date(2026, 11, 29), date(2026, 12, 3)))
    assert live.exists()
    assert 'id="total-amount">₩' in html
    # The item named like a formula and like markup stays text.
    assert "=HYPERLINK()" in html


def test_a_name_with_markup_is_text_in_the_chart_and_table(client, store, manager, table):
    from orders.models import OrderLine, TableSession

    session = TableSession.objects.create(store=store, table=table)
    order = Order.objects.create(store=store, table=table, session=session, number=1, total=1000)
    OrderLine.objects.create(order=order, name="<script>x</script>", unit_price=1000, quantity=1)
    html = signed_in(client, manager).get(PAGE).content.decode()
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_bad_dates_are_shown_as_field_errors_with_no_report(client, manager):
    html = signed_in(client, manager).get(PAGE + "?date_from=2026-12-02&date_to=2026-12-01").content.decode()
    assert 'id="date_to-error"' in html
    assert "report-chart" not in html
    assert 'aria-invalid="true"' in html


def test_the_quick_ranges_are_today_yesterday_the_last_week_and_this_month():
    today = date(2026, 12, 7)
    assert [(first, last) for _, first, last in quick_ranges(today)] == [
        (today, today),
        (today - timedelta(days=1), today - timedelta(days=1)),
        (date(2026, 12, 1), today),
        (date(2026, 12, 1), today),
    ]


def test_the_page_defaults_to_today_and_marks_its_quick_pick(client, manager):
    html = signed_in(client, manager).get(PAGE).content.decode()
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in html
    assert 'aria-current="true"' in html


def test_another_stores_sales_never_reach_the_page(client, store, manager):
    other = make_store(code="beta", name="BETA-SECRET 식당")
    generate(other, first=date(2026, 11, 30), days=3)
    Order.objects.filter(store=other).update(note="BETA-SECRET")
    html = signed_in(client, manager).get(PAGE + RANGE).content.decode()
    assert "BETA-SECRET" not in html
    assert 'id="total-orders">0<' in html


@pytest.mark.django_db
def test_a_platform_admin_gets_a_notice(client):
    root = User.objects.create_superuser(username="root", password="root-pass-123")
    html = signed_in(client, root).get(PAGE).content.decode()
    assert 'class="errornote"' in html
    assert "report-chart" not in html


def test_the_admin_index_links_to_the_report(client, manager):
    assert PAGE in signed_in(client, manager).get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(("top", "step"), [(1, 1), (4, 1), (5, 2), (9, 5), (40, 10), (41, 20), (1_234_000, 500_000)])
def test_the_scale_steps_are_round_and_at_most_four(top, step):
    assert _step(top) == step


def test_the_bars_are_as_tall_as_their_amounts():
    rows = [{"key": str(n), "amount": amount} for n, amount in enumerate([0, 5000, 10000, 20000])]
    chart = column_chart(rows, str)
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0
    assert heights[2] == pytest.approx(2 * heights[1], abs=0.2)
    assert all(bar.y + bar.height == pytest.approx(chart.baseline, abs=0.2) for bar in chart.bars)
    assert chart.scale[-1][1] == "₩20,000"


def test_a_year_by_day_labels_at_most_twelve_days():
    rows = [{"key": f"d{n}", "amount": n} for n in range(366)]
    assert 0 < sum(1 for bar in column_chart(rows, str).bars if bar.label) <= 12


def test_the_top_items_are_the_first_ten_with_long_names_shortened():
    rows = [{"key": "아주 긴 이름의 특별 세트 메뉴 구성", "amount": 100}] + [
        {"key": f"{n}", "amount": 10} for n in range(12)
    ]
    chart = bar_chart(rows, str)
    assert len(chart.bars) == 10
    assert chart.bars[0].label.endswith("…")
    assert chart.bars[0].title.startswith("아주 긴 이름의 특별 세트 메뉴 구성")
