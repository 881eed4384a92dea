"""Print layouts — a kitchen ticket, a table's bill, a printer test page — as ESC/POS bytes.

Each takes plain data (the dataclasses below, no models) and returns the bytes of one print,
ending with a cut. Labels go through gettext: render under the store's language (Korean). Times
print in Asia/Seoul whatever the server's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.utils.translation import pgettext

from kitchen.escpos import Receipt

SEOUL = ZoneInfo("Asia/Seoul")

TicketKind = Literal["order", "reprint", "cancel"]


@dataclass(frozen=True)
class TicketLine:
    name: str
    quantity: int
    options: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TicketPrint:
    """One station's part of an order; `kind` marks a reprint or a cancelled order's ticket."""

    store_name: str
    station_name: str
    table_number: int | str
    display_number: str
    created_at: datetime
    lines: list[TicketLine]
    note: str = ""
    kind: TicketKind = "order"


@dataclass(frozen=True)
class BillLine:
    name: str
    options: list[str]
    unit_price: int
    quantity: int
    amount: int


@dataclass(frozen=True)
class BillPrint:
    """A table's bill; `split` is the even shares in won when the guests asked for one."""

    store_name: str
    table_number: int | str
    opened_at: datetime
    printed_at: datetime
    lines: list[BillLine]
    total: int
    order_count: int
    split: list[int] | None = None


def seoul_time(moment: datetime) -> str:
    """`moment` (aware) as 'YYYY-MM-DD HH:MM' in Asia/Seoul."""
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def won(amount: int) -> str:
    """An amount as the receipt shows it: "12,000원"."""
    return pgettext("receipt", "%(amount)s won") % {"amount": f"{amount:,}"}


def ticket_bytes(ticket: TicketPrint, columns: int = 42) -> bytes:
    """A kitchen ticket: table number large, order number, time, lines with options, the note."""
    receipt = Receipt(columns=columns).align("center")
    if ticket.kind == "reprint":
        receipt.size(2, 2).bold().text(pgettext("receipt", "Reprint")).bold(False).size()
    elif ticket.kind == "cancel":
        cancelled = pgettext("receipt", "Cancelled")
        receipt.size(2, 2).bold().text(f"*** {cancelled} ***").bold(False).size()
    receipt.bold().text(ticket.station_name).bold(False)
    receipt.size(2, 2).text(pgettext("receipt", "Table %(number)s") % {"number": ticket.table_number}).size()
    receipt.align("left").row(
        pgettext("receipt", "Order %(number)s") % {"number": ticket.display_number}, seoul_time(ticket.created_at)
    )
    receipt.rule()
    # Double height: readable from a step away, and the column count stays the same.
    receipt.size(1, 2).bold()
    for line in ticket.lines:
        receipt.row(line.name, f"×{line.quantity}")
        for option in line.options:
            receipt.text(f"+ {option}", indent=2)
    receipt.bold(False).size()
    if ticket.note:
        receipt.rule().bold().text(pgettext("receipt", "Request: %(note)s") % {"note": ticket.note}).bold(False)
    receipt.rule().text(ticket.store_name)
    return receipt.feed(1).cut()


def bill_bytes(bill: BillPrint, columns: int = 42) -> bytes:
    """A bill: each line with its amount, the total, and the even split shares if asked for."""
    receipt = Receipt(columns=columns).align("center")
    receipt.size(2, 2).bold().text(pgettext("receipt", "Bill")).bold(False).size()
    receipt.text(bill.store_name)
    receipt.align("left").bold().text(pgettext("receipt", "Table %(number)s") % {"number": bill.table_number})
    receipt.bold(False)
    receipt.row(pgettext("receipt", "Seated"), seoul_time(bill.opened_at))
    receipt.row(pgettext("receipt", "Printed"), seoul_time(bill.printed_at))
    receipt.rule()
    for line in bill.lines:
        receipt.row(f"{line.name} ×{line.quantity}", won(line.amount))
        for option in line.options:
            receipt.text(f"+ {option}", indent=2)
        if line.quantity > 1:
            receipt.text(f"@ {won(line.unit_price)}", indent=2)
    receipt.rule()
    receipt.size(1, 2).bold().row(pgettext("receipt", "Total"), won(bill.total)).bold(False).size()
    receipt.text(pgettext("receipt", "Orders: %(count)s") % {"count": bill.order_count})
    if bill.split:
        receipt.rule()
        receipt.text(pgettext("receipt", "Split between %(people)s") % {"people": len(bill.split)})
        for index, share in enumerate(bill.split, start=1):
            receipt.row(pgettext("receipt", "Person %(index)s") % {"index": index}, won(share))
    return receipt.feed(1).cut()


def test_page_bytes(store_name: str, printer_name: str, now: datetime, columns: int = 42) -> bytes:
    """A short test page: the printer's name, the time, a ruler of the column width, a Hangul line."""
    receipt = Receipt(columns=columns).align("center")
    receipt.size(2, 2).bold().text(pgettext("receipt", "Test print")).bold(False).size()
    receipt.text(store_name)
    receipt.align("left").text(pgettext("receipt", "Printer: %(name)s") % {"name": printer_name})
    receipt.text(seoul_time(now))
    receipt.text("".join(str(column % 10) for column in range(1, columns + 1)))
    receipt.text("가나다라마바사아자차카타파하 주방 계산서 ₩12,000")
    receipt.rule()
    return receipt.feed(1).cut()


# Not a test: keeps pytest from collecting the function above when a test module imports it.
test_page_bytes.__test__ = False  # type: ignore[attr-defined]
