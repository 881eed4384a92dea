"""Table sessions, orders with their lines, and the event outbox screens follow."""

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Store, Table
from menus.models import MenuItem


class TableSession(models.Model):
    """One party's time at a table: opened by its first order, closed by "이용 완료"."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="sessions")
    table = models.ForeignKey(Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="sessions")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Where its guests went when a manager moved or merged it into another table's session
    # (이동·합석, orders.moves): it ended there with no orders left, so it is no party of its own.
    moved_to = models.ForeignKey(
        "self", verbose_name=_("moved to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # How many of its orders were not completed when `close_session` closed it (it records
    # each one); None for a session read from the database.
    unfinished_count: int | None = None

    class Meta:
        verbose_name = _("table session")
        verbose_name_plural = _("table sessions")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["table"], condition=Q(closed_at__isnull=True), name="one_open_session_per_table"
            ),
        ]
        indexes = [models.Index(fields=["store", "closed_at"])]

    def __str__(self):
        opened = timezone.localtime(self.opened_at)
        return _("%(table)s, opened %(time)s") % {"table": self.table, "time": f"{opened:%Y-%m-%d %H:%M}"}

    @property
    def is_open(self):
        return self.closed_at is None


class OrderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PREPARING = "preparing", _("Preparing")
    COMPLETED = "completed", _("Completed")


STATUS_FLOW = [OrderStatus.PENDING, OrderStatus.PREPARING, OrderStatus.COMPLETED]


class OrderQuerySet(models.QuerySet):
    def live(self) -> Self:
        """Orders that count: not deleted."""
        return self.filter(deleted_at__isnull=True)

    def with_lines(self) -> Self:
        return self.select_related("table").prefetch_related("lines")


class Order(models.Model):
    """What one "order" tap sent. Deleted orders stay for audit but count nowhere."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="orders")
    table = models.ForeignKey(Table, verbose_name=_("table"), on_delete=models.PROTECT, related_name="orders")
    session = models.ForeignKey(
        TableSession, verbose_name=_("table session"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.PositiveBigIntegerField(_("order number"))
    status = models.CharField(_("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    total = models.PositiveBigIntegerField(_("total (won)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The table whose tablet placed it, once a manager has moved it elsewhere (orders.moves);
    # NULL while it is where it was placed. Its idempotency key stays that tablet's.
    placed_from = models.ForeignKey(
        Table, verbose_name=_("placed from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # NULL, not "", for orders placed without a key: the unique constraint skips NULLs.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)  # noqa: DJ001
    request_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # Given by the order's writer (orders.order_write), so its event shows the same time.
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When a manager first acted on the order (확인, a status change or a delete): until then it
    # is new on every dashboard.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # When the order last became 완료 (cleared when it steps back from it); the sales report's
    # time from order to 완료. Null for orders completed before it was recorded.
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    # The lines an order was just written with (orders.order_write), so that showing it needs no
    # query; None for an order read from the database.
    written_lines: "list[OrderLine] | None" = None

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="order_number_unique_per_store"),
            # Per the table that sent the key: a moved order keeps its key for its tablet's retry,
            # and never collides with a key of the table it moved to.
            models.UniqueConstraint(
                Coalesce("placed_from", "table"),
                F("idempotency_key"),
                condition=Q(idempotency_key__isnull=False),
                name="order_idempotency_key_unique_per_placing_table",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="order_number_positive"),
        ]
        indexes = [
            models.Index(fields=["session", "deleted_at"]),
            # The sales report reads one store's live orders by time.
            models.Index(
                fields=["store", "created_at"], condition=Q(deleted_at__isnull=True), name="order_store_live_created"
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self):
        return f"#{self.number:04d}"

    def acknowledge(self, by=None):
        """Mark the order acted on, once (the first time counts); returns the fields to save."""
        if self.acknowledged_at is not None:
            return []
        self.acknowledged_at, self.acknowledged_by = timezone.now(), by
        return ["acknowledged_at", "acknowledged_by"]

    def as_dict(self, lines=None):
        """The order as the API and the event stream show it (its schema: orders.serializers.OrderSerializer).

        `lines` saves the query for them when the caller has them (as `written_lines` does).
        """
        if lines is None:
            lines = self.lines.all() if self.written_lines is None else self.written_lines
        return {
            "id": self.id,
            "number": self.number,
            "display_number": self.display_number,
            "status": self.status,
            # Not get_status_display(): it hashes every choice's lazy label, which dominated a
            # dashboard snapshot of many orders.
            "status_label": str(OrderStatus(self.status).label),
            "created_at": self.created_at.isoformat(),
            "table": {"id": self.table_id, "number": self.table.number},
            "session_id": self.session_id,
            "items": [line.as_dict() for line in lines],
            "total": self.total,
            "note": self.note,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
        }


class AuditKind(models.TextChoices):
    STEPPED_BACK = "stepped_back", _("Moved back a step")
    DELETED = "deleted", _("Deleted")
    CLOSED_UNFINISHED = "closed_unfinished", _("Table closed before it was completed")
    MOVED = "moved", _("Moved to another table")


class DeleteReason(models.TextChoices):
    CUSTOMER_CANCEL = "customer_cancel", _("Cancelled at the guest's request")
    WRONG_ORDER = "wrong_order", _("Ordered by mistake")
    OTHER = "other", _("Other")


class OrderAudit(models.Model):
    """A record of what happened to an order besides moving on: a manager's step back or
    deletion (with its reason), a table closed while the order was not completed, or a move
    to another table (이동·합석, with both tables).

    Written by the service that made the change, in its transaction (`orders.audit`); never
    changed afterwards. `to_status` is the status after the change: the same as `from_status`
    for a deletion, a close and a move, which leave the status as it was.
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="audits")
    kind = models.CharField(_("change"), max_length=20, choices=AuditKind.choices)
    from_status = models.CharField(_("status before"), max_length=10, choices=OrderStatus.choices)
    to_status = models.CharField(_("status after"), max_length=10, choices=OrderStatus.choices)
    reason = models.CharField(_("deletion reason"), max_length=20, choices=DeleteReason.choices, blank=True)
    reason_text = models.CharField(_("reason details"), max_length=200, blank=True)
    # A move's tables (이동·합석); null for the other kinds.
    from_table = models.ForeignKey(
        Table, verbose_name=_("from table"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_table = models.ForeignKey(
        Table, verbose_name=_("to table"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("order change")
        verbose_name_plural = _("order changes")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind"],
                condition=Q(kind__in=["deleted", "closed_unfinished"]),
                name="order_audit_one_deletion_and_close_per_order",
            ),
            models.CheckConstraint(condition=Q(kind="deleted") | Q(reason=""), name="order_audit_reason_on_deletion"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(reason_text=""), name="order_audit_other_reason_has_text"
            ),
        ]
        indexes = [models.Index(fields=["store", "at"])]

    def __str__(self):
        return f"{self.order} {AuditKind(self.kind).label}"

    def as_dict(self):
        """The record as the manager API shows it (its schema: orders.serializers.OrderAuditSerializer)."""
        return {
            "kind": self.kind,
            "kind_label": str(AuditKind(self.kind).label),
            "from_status": self.from_status,
            "to_status": self.to_status,
            "reason": self.reason,
            "reason_label": str(DeleteReason(self.reason).label) if self.reason else "",
            "reason_text": self.reason_text,
            "from_table": self.from_table.number if self.from_table else None,
            "to_table": self.to_table.number if self.to_table else None,
            "by": self.actor.get_username() if self.actor else None,
            "at": self.at.isoformat(),
        }


class OrderLine(models.Model):
    """A line of an order; name and unit price are copied, so menu edits never rewrite it."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    menu_item = models.ForeignKey(
        MenuItem, verbose_name=_("menu item"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    unit_price = models.PositiveBigIntegerField(_("unit price (won)"))
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    # The chosen options as they were: [{id, name, price_delta}]; unit_price includes the deltas.
    options = models.JSONField(_("options"), default=list, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=99), name="order_line_quantity_range"
            ),
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity}"

    @property
    def line_total(self):
        return self.unit_price * self.quantity

    def as_dict(self):
        return {
            "menu_item_id": self.menu_item_id,
            "name": self.name,
            "unit_price": self.unit_price,
            "quantity": self.quantity,
            "line_total": self.line_total,
            "options": self.options,
        }


class StaffCall(models.Model):
    """A guest's call for staff (직원 호출) from a table, waiting until a manager acknowledges it.

    A call belongs to the table's session (a call opens one, like a first order); while one
    for a reason is waiting, calling again for it returns the same call.
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="staff_calls")
    table = models.ForeignKey(Table, verbose_name=_("table"), on_delete=models.CASCADE, related_name="staff_calls")
    session = models.ForeignKey(
        TableSession, verbose_name=_("table session"), on_delete=models.CASCADE, related_name="staff_calls"
    )
    reason = models.CharField(_("reason"), max_length=30)
    created_at = models.DateTimeField(_("called at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff call")
        verbose_name_plural = _("staff calls")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "reason"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_waiting_call_per_reason",
            ),
        ]
        indexes = [models.Index(fields=["store", "acknowledged_at"])]

    def __str__(self):
        return f"{self.table} · {self.reason}"

    @property
    def is_waiting(self):
        return self.acknowledged_at is None

    def as_dict(self):
        """The call as the API and the event stream show it (its schema: orders.serializers.StaffCallSerializer)."""
        return {
            "id": self.id,
            "reason": self.reason,
            "table": {"id": self.table_id, "number": self.table.number},
            "session_id": self.session_id,
            "created_at": self.created_at.isoformat(),
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
        }


class EventType(models.TextChoices):
    ORDER_CREATED = "order.created"
    ORDER_UPDATED = "order.updated"
    ORDER_DELETED = "order.deleted"
    SESSION_CLOSED = "session.closed"
    MENU_UPDATED = "menu.updated"
    STAFF_CALL_CREATED = "staff_call.created"
    STAFF_CALL_ACKNOWLEDGED = "staff_call.acknowledged"
    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    PRINT_QUEUED = "print.queued"
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"
    SESSION_MOVED = "session.moved"
    ORDER_MOVED = "order.moved"
    STORE_UPDATED = "store.updated"


# What the kitchen's screens follow (all a kitchen staff's stream carries); none of it, nor a
# print job's news, is for a guest's tablet.
KITCHEN_EVENTS = frozenset(
    {EventType.TICKET_CREATED, EventType.TICKET_UPDATED, EventType.ALERT_RAISED, EventType.ALERT_RESOLVED}
)
STAFF_ONLY_EVENTS = KITCHEN_EVENTS | {EventType.PRINT_QUEUED}


class OrderEvent(models.Model):
    """The transactional outbox: written with each change, streamed to screens by id."""

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    table = models.ForeignKey(Table, null=True, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TableSession, null=True, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=30, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["id"]
        indexes = [models.Index(fields=["store", "id"]), models.Index(fields=["table", "id"])]

    def __str__(self):
        return f"{self.id} {self.type}"
