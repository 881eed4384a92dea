"""`GET /api/v1/admin/reports/sales`: its answer, its CSV, its validation and who may read it."""

import csv
import io
from datetime import date

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.services import create_manager
from accounts.tokens import manager_tokens, table_tokens
from reports.csv_export import inert
from reports.tests.world import expected, generate

URL = "/api/v1/admin/reports/sales"
FIRST, LAST = date(2026, 11, 30), date(2026, 12, 2)
RANGE = {"date_from": "2026-11-30", "date_to": "2026-12-02"}


def client_for(principal):
    tokens = table_tokens(principal) if hasattr(principal, "number") else manager_tokens(principal)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


@pytest.fixture
def api(manager):
    return client_for(manager)


@pytest.fixture
def sales(store):
    generate(store, first=FIRST, days=3)
    return store


def rows_of(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.mark.parametrize("group", ["day", "hour", "item", "table"])
def test_the_report_answers_each_group(api, sales, group):
    response = api.get(URL, {**RANGE, "group": group})
    assert response.status_code == 200, response.content
    answer = expected(sales, FIRST, LAST)
    assert response.json() == {**RANGE, "group": group, "rows": answer[group], "total": answer["total"]}


def test_without_dates_the_report_is_of_today_by_day(api, store):
    body = api.get(URL).json()
    assert body["date_from"] == body["date_to"]
    assert body["group"] == "day"
    assert len(body["rows"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "2026-12-02", "date_to": "2026-12-01"}, "date_to"),
        ({"date_from": "2025-01-01", "date_to": "2026-01-02"}, "date_to"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "yesterday"}, "date_to"),
        ({"date_from": "9999-12-31"}, "date_from"),
        ({"group": "week"}, "group"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_queries_are_field_errors(api, store, query, field):
    response = api.get(URL, query)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]


def test_a_year_is_the_longest_range(api, store):
    assert api.get(URL, {"date_from": "2024-01-01", "date_to": "2024-12-31"}).status_code == 200


@pytest.mark.parametrize(
    ("group", "header"),
    [
        ("day", ["날짜", "주문 수", "매출(원)"]),
        ("hour", ["시간대", "주문 수", "매출(원)"]),
        ("item", ["메뉴", "주문 수", "수량", "매출(원)"]),
        ("table", ["테이블", "주문 수", "매출(원)"]),
    ],
)
def test_each_group_downloads_as_a_csv_with_a_bom_and_korean_headers(api, sales, group, header):
    with translation.override("ko"):
        response = api.get(URL, {**RANGE, "group": group, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="sales-{group}-2026-11-30-2026-12-02.csv"'
    rows = rows_of(response)
    assert rows[0] == header
    answer = expected(sales, FIRST, LAST)
    assert len(rows) == len(answer[group]) + 2
    assert rows[-1][0] == "합계"
    assert int(rows[-1][-1]) == answer["total"]["amount"] == sum(int(row[-1]) for row in rows[1:-1])


def test_a_csv_cell_never_runs_as_a_formula(api, sales):
    rows = rows_of(api.get(URL, {**RANGE, "group": "item", "format": "csv"}))
    names = [row[0] for row in rows[1:-1]]
    assert "'=HYPERLINK()" in names
    assert "=HYPERLINK()" not in names
    assert "김치찌개" in names


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_made_inert(text):
    assert inert(text) == "'" + text


@pytest.mark.parametrize("value", ["김치찌개", "a=b", "", 12, 0])
def test_other_cells_stay_as_they_are(value):
    assert inert(value) == value


def test_a_bad_csv_query_is_a_json_error(api, store):
    response = api.get(URL, {"format": "csv", "group": "week"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_kitchen_staff_tablets_and_strangers_are_refused(store, table):
    cook = create_manager(store=store, username="cook", password="kitchen-pass-77", role=Role.KITCHEN)
    assert client_for(cook).get(URL).status_code == 403
    assert client_for(table).get(URL).status_code in {401, 403}
    assert APIClient().get(URL).status_code == 401


def test_another_stores_sales_never_count(api, store, other_store):
    generate(other_store, first=FIRST, days=3)
    body = api.get(URL, {**RANGE, "group": "item"}).json()
    assert body["rows"] == []
    assert body["total"]["orders"] == body["total"]["deleted_orders"] == 0
