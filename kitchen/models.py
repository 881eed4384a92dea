"""The kitchen: a ticket per order per station, the store's ticket printers, their print jobs,
and the alerts that say a printer is late, offline or refusing."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from menus.models import Station
from orders.models import Order


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    COOKING = "cooking", _("Cooking")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class KitchenTicket(models.Model):
    """One station's part of an order: its lines as they were ordered, and the cook's steps.

    Written with its order, in the order's transaction (`kitchen.tickets.rows_for_order`), so
    a ticket exists if and only if its order committed. The id is made here rather than by the
    database, so the `ticket.created` event written in that same statement can name it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="tickets")
    station = models.ForeignKey(
        Station, verbose_name=_("kitchen station"), null=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    # Kept as it was, so a renamed or deleted station does not rewrite past tickets.
    station_name = models.CharField(_("station"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW)
    # [{name, quantity, options: [name, …]}]: the station's lines as ordered.
    lines = models.JSONField(_("lines"), default=list)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kitchen ticket")
        verbose_name_plural = _("kitchen tickets")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "station"], name="one_ticket_per_order_and_station")]
        indexes = [models.Index(fields=["store", "station", "status", "created_at"])]

    def __str__(self):
        return f"{self.order} · {self.station_name}"


class Printer(models.Model):
    """A receipt printer in the store, reached through the print agent that holds its token.

    `station` is the station whose tickets it prints; none makes it the counter printer (bills,
    and the tickets of a station without a printer of its own are not printed).
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="printers")
    name = models.CharField(_("name"), max_length=50)
    station = models.ForeignKey(
        Station,
        verbose_name=_("kitchen station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="printers",
        help_text=_("Empty means the counter printer (bills)."),
    )
    columns = models.PositiveSmallIntegerField(
        _("characters per line"),
        choices=[(42, "42 (80 mm)"), (48, "48 (80 mm)"), (32, "32 (58 mm)")],
        default=42,
    )
    # sha256 of the agent's token; "" when it has none (never issued, or revoked).
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_issued_at = models.DateTimeField(_("token issued at"), null=True, blank=True, editable=False)
    # When its agent was last heard from (a connection, a stream's heartbeat or an
    # acknowledgement): "connected" is derived from it, so a crashed process leaves nothing stale.
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("printer")
        verbose_name_plural = _("printers")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="printer_name_unique_per_store")]

    def __str__(self):
        return self.name


class JobKind(models.TextChoices):
    ORDER = "order", _("Order ticket")
    CANCEL = "cancel", _("Cancelled ticket")
    REPRINT = "reprint", _("Reprint")
    BILL = "bill", _("Bill")
    TEST = "test", _("Test print")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PRINTED = "printed", _("Printed")


class PrintJob(models.Model):
    """Something a printer must print, delivered to its agent until the agent says it printed.

    A ticket's jobs (order, cancel, reprint) are rendered from the ticket when they are sent;
    a bill's and a test page's bytes are rendered when asked for and kept in `data`. Ids grow,
    so an agent prints in id order.
    """

    id = models.BigAutoField(primary_key=True)
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    printer = models.ForeignKey(Printer, verbose_name=_("printer"), on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    # The order whose placing wrote the job (orders.order_write fills it in); None otherwise.
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        KitchenTicket, null=True, blank=True, on_delete=models.CASCADE, related_name="print_jobs"
    )
    data = models.BinaryField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    sent_at = models.DateTimeField(_("first sent"), null=True, blank=True)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("last failed"), null=True, blank=True)
    error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("print job")
        verbose_name_plural = _("print jobs")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["printer", "id"], condition=Q(status="pending"), name="print_job_pending"),
        ]

    def __str__(self):
        return f"{self.printer} {JobKind(self.kind).label} {self.id}"


class AlertKind(models.TextChoices):
    JOB_LATE = "job_late", _("A print job is late")
    AGENT_OFFLINE = "agent_offline", _("The print agent is offline")
    PRINTER_FAILED = "printer_failed", _("The printer refuses")


class Alert(models.Model):
    """Something the kitchen must know now, shown on every dashboard and kitchen display until
    it is resolved: one open alert per printer and kind."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="+")
    printer = models.ForeignKey(Printer, verbose_name=_("printer"), on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    # The order of the job that is late or refused, for the dashboard's reprint button.
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["printer", "kind"], condition=Q(resolved_at__isnull=True), name="one_open_alert_per_kind"
            ),
        ]
        indexes = [models.Index(fields=["store", "resolved_at"])]

    def __str__(self):
        return f"{self.printer}: {AlertKind(self.kind).label}"
