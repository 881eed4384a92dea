"""A table session's bill: its live orders' lines added up, as the API and the printed bill show it."""

from typing import Any

from django.db.models import Count

from orders.models import Order, OrderLine, TableSession


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
