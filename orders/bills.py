"""A table session's bill: its live orders' lines added up, as the API and the printed bill show it."""

from typing import Any

from django.db.models import Count

from orders.models import Order, OrderLine, TableSession

SPLIT_MIN, SPLIT_MAX = 2, 20
# Shares are rounded to this (whole hundreds of won): what a guest hands over at the counter.
SHARE_UNIT = 100


def session_bill(session: TableSession) -> dict[str, Any]:
    """`{session_id, opened_at, lines, total, order_count}`: one line per item, options and unit
    price (in the order first ordered), each `{menu_item_id, name, options: [name], unit_price,
    quantity, amount}`; deleted orders count nowhere. A read only."""
    lines: dict[tuple[Any, ...], dict[str, Any]] = {}
    rows = OrderLine.objects.filter(order__session=session, order__deleted_at__isnull=True).order_by("order_id", "id")
    for line in rows:
        options = [option["name"] for option in line.options]
        # An item deleted from the menu has no id left: its name tells its lines apart.
        key = (line.menu_item_id, line.name if line.menu_item_id is None else None, tuple(options), line.unit_price)
        entry = lines.get(key)
        if entry is None:
            entry = lines[key] = {
                "menu_item_id": line.menu_item_id,
                "name": line.name,
                "options": options,
                "unit_price": line.unit_price,
                "quantity": 0,
                "amount": 0,
            }
        entry["quantity"] += line.quantity
        entry["amount"] += line.unit_price * line.quantity
    order_count = Order.objects.live().filter(session=session).aggregate(count=Count("id"))["count"]
    return {
        "session_id": session.id,
        "opened_at": session.opened_at.isoformat(),
        "lines": list(lines.values()),
        "total": sum(entry["amount"] for entry in lines.values()),
        "order_count": order_count,
    }


def no_bill() -> dict[str, Any]:
    """The bill of a table with no open session: nothing ordered yet."""
    return {"session_id": None, "opened_at": None, "lines": [], "total": 0, "order_count": 0}


def split_shares(total: int, people: int) -> list[int]:
    """`total` won split among `people`: whole won, multiples of 100 except possibly the last,
    no two more than 100 apart, adding up to `total` exactly. The larger shares come first and
    the one that takes the odd won last.

    With b the largest multiple of 100 that `people` can each pay (b = ⌊total / 100·people⌋·100),
    the rest r = total − people·b is below 100·people: q = ⌊r / 100⌋ ≤ people − 1 shares pay
    b + 100, the last pays b + (r mod 100) and the others b."""
    base = total // (SHARE_UNIT * people) * SHARE_UNIT
    more, odd = divmod(total - people * base, SHARE_UNIT)
    return [base + SHARE_UNIT] * more + [base] * (people - 1 - more) + [base + odd]


def with_split(bill: dict[str, Any], people: int | None) -> dict[str, Any]:
    """The bill with `split: {people, shares}` when `people` is given."""
    if people is None:
        return bill
    return {**bill, "split": {"people": people, "shares": split_shares(bill["total"], people)}}
