"""The audit trail of order corrections (`OrderAudit`): checking a deletion's reason, and the
records the services write in their own transaction (never on their own)."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Table, User
from orders.models import AuditKind, DeleteReason, Order, OrderAudit, OrderStatus

MAX_REASON_TEXT_LENGTH = 200


def deletion_reason(reason: object, reason_text: object) -> tuple[str, str]:
    """(reason, text) of a deletion, checked: no reason at all ("", ""), or one of
    `DeleteReason` with an optional text (trimmed, at most 200 characters), which "other"
    requires. Anything else is a ValidationError naming the field."""
    if reason is None:
        reason = ""
    if reason_text is None:
        reason_text = ""
    if not isinstance(reason, str) or (reason and reason not in DeleteReason.values):
        raise ValidationError({"reason": _("Choose one of the reasons: %(reasons)s.") % {"reasons": _reason_list()}})
    if not isinstance(reason_text, str) or "\x00" in reason_text:
        raise ValidationError({"reason_text": _("The reason must be text.")})
    reason_text = reason_text.strip()
    if len(reason_text) > MAX_REASON_TEXT_LENGTH:
        raise ValidationError(
            {
                "reason_text": _("The reason can have at most %(max)d characters (it has %(length)d).")
                % {"max": MAX_REASON_TEXT_LENGTH, "length": len(reason_text)}
            }
        )
    if reason == DeleteReason.OTHER and not reason_text:
        raise ValidationError({"reason_text": _("Say why the order is deleted.")})
    if reason_text and not reason:
        raise ValidationError({"reason": _("Choose a reason for the text.")})
    return reason, reason_text


def _reason_list() -> str:
    return ", ".join(DeleteReason.values)


def record_step_back(*, order: Order, from_status: str, actor: User | None) -> OrderAudit:
    return OrderAudit.objects.create(
        store_id=order.store_id,
        order=order,
        kind=AuditKind.STEPPED_BACK,
        from_status=from_status,
        to_status=order.status,
        actor=actor,
    )


def record_deletion(*, order: Order, actor: User | None, reason: str, reason_text: str) -> OrderAudit:
    """The record of `order`'s deletion, at the time it was deleted."""
    assert order.deleted_at is not None
    return OrderAudit.objects.create(
        store_id=order.store_id,
        order=order,
        kind=AuditKind.DELETED,
        from_status=order.status,
        to_status=order.status,
        reason=reason,
        reason_text=reason_text,
        actor=actor,
        at=order.deleted_at,
    )


def record_closed_unfinished(*, orders: Iterable[Order], actor: User | None, at: datetime) -> int:
    """One record per order that was not completed when its table was closed; their number."""
    records = [
        OrderAudit(
            store_id=order.store_id,
            order=order,
            kind=AuditKind.CLOSED_UNFINISHED,
            from_status=order.status,
            to_status=order.status,
            actor=actor,
            at=at,
        )
        for order in orders
        if order.status != OrderStatus.COMPLETED
    ]
    OrderAudit.objects.bulk_create(records)
    return len(records)


def record_moves(
    *, orders: Iterable[Order], from_table: Table, to_table: Table, actor: User | None, at: datetime
) -> None:
    """One record per order moved from `from_table` to `to_table` (이동·합석)."""
    OrderAudit.objects.bulk_create(
        OrderAudit(
            store_id=order.store_id,
            order=order,
            kind=AuditKind.MOVED,
            from_status=order.status,
            to_status=order.status,
            from_table=from_table,
            to_table=to_table,
            actor=actor,
            at=at,
        )
        for order in orders
    )
