"""The sales report page, a page of the admin site at `/admin/reports/`, for store managers.

Drawn on the server: the range's figures, bar charts as inline SVG (`report_charts`) with a
table of the same figures under each, and a CSV download of each group from the manager API
(`/api/v1/admin/reports/sales`, with the session cookie). No script.
"""

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.store_admin import user_store
from core.csp import apply_policy, new_nonce
from reports.csv_export import column_titles
from reports.selectors import GROUPS, DayRange, sales_rows, sales_totals
from reports.serializers import SalesReportQuerySerializer
from tableorder.pages.report_charts import bar_chart, column_chart


def quick_ranges(today: date) -> list[tuple[str, date, date]]:
    """The ranges the page offers with one tap: today, yesterday, the last 7 days, this month."""
    return [
        (pgettext("sales report", "Today"), today, today),
        (pgettext("sales report", "Yesterday"), today - timedelta(days=1), today - timedelta(days=1)),
        (pgettext("sales report", "Last 7 days"), today - timedelta(days=6), today),
        (pgettext("sales report", "This month"), today.replace(day=1), today),
    ]


def _query(first: date, last: date, **more: str) -> str:
    return "?" + urlencode({"date_from": first.isoformat(), "date_to": last.isoformat(), **more})


def _labels() -> dict[str, Any]:
    return {
        "day": lambda key: f"{int(key[5:7])}/{int(key[8:10])}",
        "hour": lambda key: pgettext("sales report", "%(hour)s h") % {"hour": key},
        "item": str,
        "table": lambda key: pgettext("sales report", "No. %(number)s") % {"number": key},
    }


def _sections(store: Any, days: DayRange) -> list[dict[str, Any]]:
    labels = _labels()
    titles = {
        "day": pgettext("sales report", "Sales by day"),
        "hour": pgettext("sales report", "Sales by hour"),
        "item": pgettext("sales report", "Top items"),
        "table": pgettext("sales report", "Sales by table"),
    }
    api = reverse("manager-reports-sales")
    sections = []
    for group in GROUPS:
        rows = sales_rows(store=store, days=days, group=group)
        chart = bar_chart(rows, labels[group]) if group == "item" else column_chart(rows, labels[group])
        sections.append(
            {
                "group": group,
                "title": titles[group],
                "chart": chart,
                "horizontal": group == "item",
                "columns": column_titles(group),
                "rows": [{**row, "label": labels[group](row["key"])} for row in rows],
                "csv": api + _query(days.first, days.last, group=group, format="csv"),
            }
        )
    return sections


def sales(request: HttpRequest) -> HttpResponse:
    """The report of the signed-in manager's store (a platform admin gets a notice; kitchen staff a 403)."""
    if getattr(request.user, "is_kitchen_staff", False):
        raise PermissionDenied
    store = user_store(request)
    today = timezone.localdate()
    query = SalesReportQuerySerializer(data=request.GET)
    valid = query.is_valid()
    days = query.validated_data["days"] if valid else DayRange(today, today)
    nonce = new_nonce()
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": _("Sales report"),
        "is_nav_sidebar_enabled": False,
        "csp_nonce": nonce,
        "store": store,
        "date_from": request.GET.get("date_from", days.first.isoformat()),
        "date_to": request.GET.get("date_to", days.last.isoformat()),
        "errors": {} if valid else query.errors,
        "quick": [
            {"label": label, "url": _query(first, last), "current": (first, last) == (days.first, days.last)}
            for label, first, last in quick_ranges(today)
        ],
    }
    if store is not None and valid:
        context["days"] = days
        context["total"] = sales_totals(store=store, days=days)
        context["sections"] = _sections(store, days)
    return apply_policy(TemplateResponse(request, "reports/sales.html", context), nonce)


urlpatterns = [
    path("reports/", sales, name="reports"),
]
