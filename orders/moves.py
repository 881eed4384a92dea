"""Moving guests between tables (이동·합석): a table's open session, or one order.

Each move is one transaction that takes the store's write lock first (the lock order of
orders.services), reads the tables' sessions under it, and publishes one event per table it
changes (`session.moved` or `order.moved`), the table it left first: each carries its table's
state after the move (`table`), so each table's tablet hears only its own table; the second
also carries the first's (`from_table_state`), so a dashboard updates both cards from that
one event and never shows the guests at both tables, or at neither.

The guests' orders go into the target table's open session, or a new one opened there (with
the moved session's opening time); the session they leave ends with no live orders left,
marked `moved_to` the session they joined, so it is no party of its own (history lists orders,
and it has none). A session never changes table: session ids grow per table, which is how a
tablet tells its guests have left (orders.sse.SessionFilter, the tablet's closed session).
Order numbers stay. Each moved order gets an `OrderAudit` record (who, when, from, to) and
keeps its idempotency key for the tablet that placed it (`Order.placed_from`).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Table, User
from accounts.services import lock_store
from core.exceptions import Conflict
from orders import audit, outbox
from orders.models import EventType, Order, StaffCall, TableSession
from orders.selectors import open_session, table_state
from orders.signals import orders_moved


def _refuse_target(table: Table, to_table: Table) -> None:
    """The target must be another table of the same store (the API finds it among the store's)."""
    if to_table.store_id != table.store_id:
        raise ValidationError({"to_table_id": _("Choose a table of this store.")})
    if to_table.pk == table.pk:
        raise ValidationError({"to_table_id": _("Choose another table than the one the guests are at.")})


def _target_session(to_table: Table, *, opened_at: Any) -> tuple[TableSession, bool]:
    """The target table's open session, or one opened now there; (session, existed)."""
    session = open_session(to_table)
    if session is not None:
        return session, True
    return TableSession.objects.create(store_id=to_table.store_id, table=to_table, opened_at=opened_at), False


def _move_orders(orders: list[Order], *, to_table: Table, session: TableSession, actor: User | None) -> list[Order]:
    """Put `orders` (live, of one table) at `to_table` in `session`, each with its audit record;
    returns them as read again, with their lines and new table."""
    if not orders:
        return []
    now = timezone.now()
    from_table = orders[0].table
    ids = [order.id for order in orders]
    Order.objects.filter(pk__in=ids).update(
        placed_from=Coalesce("placed_from", "table"), table=to_table, session=session, updated_at=now
    )
    audit.record_moves(orders=orders, from_table=from_table, to_table=to_table, actor=actor, at=now)
    return list(Order.objects.filter(pk__in=ids).with_lines().select_related("session", "store"))


def _table_ref(table: Table) -> dict[str, int]:
    return {"id": table.id, "number": table.number}


@transaction.atomic
def move_session(*, table: Table, to_table: Table, merge: bool = False, actor: User | None) -> TableSession:
    """이동 / 합석: the guests of `table` (its open session) go to `to_table`.

    To an empty table (no open session) their orders and staff calls go to a session opened
    there with their session's opening time; to a table in use only with `merge` (one session,
    one bill: they join its session), else Conflict `table_in_use`. A waiting call for a reason
    the target's session is already waiting for stays with the old session (one alert per
    reason). The old session ends with no live orders (deleted ones stay with it, where they
    were deleted), `moved_to` the session they joined. Returns that session.

    ValidationError on `to_table_id` for the same table or another store's; Conflict
    `no_open_session` when `table` has no guests. Publishes `session.moved` on `table` (now
    empty) and then on `to_table` (with the moved orders and calls); the kitchen republishes
    the moved orders' tickets (`orders_moved`).
    """
    _refuse_target(table, to_table)
    lock_store(table.store_id)
    source = open_session(table)
    if source is None:
        raise Conflict(_("This table has no open session."), "no_open_session")
    if not merge and open_session(to_table) is not None:
        raise Conflict(
            _("Table %(number)s has guests: merge the tables (합석) or choose an empty one.")
            % {"number": to_table.number},
            "table_in_use",
        )
    target, merged = _target_session(to_table, opened_at=source.opened_at)
    orders = list(Order.objects.live().filter(session=source).select_related("table"))
    moved = _move_orders(orders, to_table=to_table, session=target, actor=actor)
    waiting_there = StaffCall.objects.filter(session=target, acknowledged_at__isnull=True).values("reason")
    calls = StaffCall.objects.filter(session=source).exclude(acknowledged_at__isnull=True, reason__in=waiting_there)
    call_ids = list(calls.values_list("id", flat=True))
    StaffCall.objects.filter(pk__in=call_ids).update(table=to_table, session=target)
    source.closed_at, source.closed_by, source.moved_to = timezone.now(), actor, target
    source.save(update_fields=["closed_at", "closed_by", "moved_to"])

    common = {
        "from_table": _table_ref(table),
        "to_table": _table_ref(to_table),
        "session_id": target.id,
        "from_session_id": source.id,
        "merged": merged,
    }
    outbox.publish(
        store=table.store,
        event_type=EventType.SESSION_MOVED,
        table=table,
        session=source,
        payload={**common, "table": table_state(table, None), "orders": [], "calls": []},
    )
    moved_calls = StaffCall.objects.filter(pk__in=call_ids).select_related("table").order_by("created_at", "id")
    outbox.publish(
        store=table.store,
        event_type=EventType.SESSION_MOVED,
        table=to_table,
        session=target,
        payload={
            **common,
            "table": table_state(to_table, target),
            "from_table_state": table_state(table, None),
            "orders": [order.as_dict() for order in moved],
            "calls": [call.as_dict() for call in moved_calls],
        },
    )
    if moved:
        orders_moved.send(sender=Order, orders=moved, actor=actor)
    return target


@transaction.atomic
def move_order(*, order: Order, to_table: Table, actor: User | None) -> Order:
    """Move one live order of an open session to `to_table`: into its open session, or one
    opened there now. Its number stays; its old session stays open (even with no orders left:
    the guests may still be there).

    ValidationError on `to_table_id` for its own table or another store's; Conflict
    `order_deleted` for a deleted order and `session_closed` for one whose session has ended.
    Publishes `order.moved` on the old table and then on the new one, each with its state;
    the kitchen republishes the order's tickets (`orders_moved`).
    """
    lock_store(order.store_id)
    order = Order.objects.select_related("table", "session", "store").get(pk=order.pk)
    _refuse_target(order.table, to_table)
    if order.deleted_at is not None:
        raise Conflict(_("This order was deleted."), "order_deleted")
    if not order.session.is_open:
        raise Conflict(_("This order's table session has already ended."), "session_closed")
    from_table, source = order.table, order.session
    target, _existed = _target_session(to_table, opened_at=timezone.now())
    (moved,) = _move_orders([order], to_table=to_table, session=target, actor=actor)
    common = {"order": moved.as_dict(), "from_table": _table_ref(from_table), "to_table": _table_ref(to_table)}
    left = table_state(from_table, source)
    outbox.publish(
        store=order.store,
        event_type=EventType.ORDER_MOVED,
        table=from_table,
        session=source,
        payload={**common, "table": left},
    )
    outbox.publish(
        store=order.store,
        event_type=EventType.ORDER_MOVED,
        table=to_table,
        session=target,
        payload={**common, "table": table_state(to_table, target), "from_table_state": left},
    )
    orders_moved.send(sender=Order, orders=[moved], actor=actor)
    return moved
