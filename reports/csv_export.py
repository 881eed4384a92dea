"""A sales report as a CSV file spreadsheets open as they are: UTF-8 with a BOM (Excel reads
Hangul then), headers in the store's language, and no cell a spreadsheet would run as a formula."""

import csv
import io
from typing import Any

from django.http import HttpResponse
from django.utils.translation import pgettext

# A cell starting with one of these is a formula (or becomes one) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """`value` as a spreadsheet shows it, never runs it: text that would start a formula gets a `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def column_titles(group: str) -> list[str]:
    """The columns of a group's rows: its key, orders, (units,) amount."""
    key = {
        "day": pgettext("sales report", "Date"),
        "hour": pgettext("sales report", "Hour"),
        "item": pgettext("sales report", "Menu item"),
        "table": pgettext("sales report", "Table"),
    }[group]
    orders, amount = pgettext("sales report", "Orders"), pgettext("sales report", "Sales (won)")
    if group == "item":
        return [key, orders, pgettext("sales report", "Quantity"), amount]
    return [key, orders, amount]


def _cells(group: str, row: dict[str, Any]) -> list[Any]:
    if group == "item":
        return [row["key"], row["orders"], row["quantity"], row["amount"]]
    return [row["key"], row["orders"], row["amount"]]


def report_csv(report: dict[str, Any]) -> HttpResponse:
    """The report's rows, then a total row, as an attachment named after the group and range."""
    group, rows = report["group"], report["rows"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(column_titles(group))
    for row in rows:
        writer.writerow([inert(cell) for cell in _cells(group, row)])
    total = [pgettext("sales report", "Total"), report["total"]["orders"]]
    if group == "item":
        total.append(sum(row["quantity"] for row in rows))
    writer.writerow([*total, report["total"]["amount"]])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8")
    name = f"sales-{group}-{report['date_from']}-{report['date_to']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
