"""What the orders tests check of the outbox now that every order also has kitchen tickets:
the `ticket.created` events that follow each `order.created`."""

from kitchen.models import KitchenTicket
from orders.models import EventType, OrderEvent


def ticket_fields(order):
    """What a ticket's event repeats of its order (a dict of the API's order shape)."""
    return {key: order[key] for key in ("number", "display_number", "created_at")} | {"order_id": order["id"]}


def assert_tickets_follow_their_orders(events):
    """Each `order.created` of `events` (rows or (type, payload) pairs, by id) is followed at
    once by one `ticket.created` per ticket of its order, carrying the order's fields; no
    `ticket.created` appears anywhere else. Returns how many ticket events there were."""
    pairs = [(e.type, e.payload) if isinstance(e, OrderEvent) else e for e in events]
    seen = 0
    for index, (event_type, payload) in enumerate(pairs):
        if event_type != EventType.ORDER_CREATED:
            continue
        order = payload["order"]
        tickets = {str(pk) for pk in KitchenTicket.objects.filter(order_id=order["id"]).values_list("id", flat=True)}
        assert tickets, f"order {order['id']} has no kitchen ticket"
        following = pairs[index + 1 : index + 1 + len(tickets)]
        assert [kind for kind, _payload in following] == [EventType.TICKET_CREATED] * len(tickets)
        assert {ticket["ticket"]["id"] for _kind, ticket in following} == tickets
        for _kind, ticket in following:
            shown = ticket["ticket"]
            assert {key: shown[key] for key in ticket_fields(order)} == ticket_fields(order)
            assert shown["table"] == {"id": order["table"]["id"], "number": order["table"]["number"]}
        seen += len(tickets)
    assert seen == sum(kind == EventType.TICKET_CREATED for kind, _payload in pairs)
    return seen
