"""Alerts the kitchen must see now: a print job late, an agent offline, a printer refusing.

`raise_alert` / `resolve_alerts` keep at most one open alert per printer and kind (the
database's constraint decides between processes) and announce each change once, as
`alert.raised` / `alert.resolved` on the store's streams. The watcher raises and resolves the
time-based ones (job late, agent offline); acknowledgements raise and resolve the rest
(kitchen.printing). It runs inside every app process that serves streams, started by the first
stream (no separate process or cron that might not be running), so any process may raise an
alert and the constraint keeps it single.
"""

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.services import lock_store
from kitchen.models import Alert, AlertKind, JobStatus, Printer, PrintJob
from orders import outbox
from orders.models import EventType
from orders.sse import releasing_connection

logger = logging.getLogger(__name__)

# A job not acknowledged as printed this long after it was written is late.
LATE_AFTER = timedelta(seconds=20)
# An agent with a token not heard from for this long is offline.
OFFLINE_AFTER = timedelta(seconds=60)
CHECK_SECONDS = 5.0
WATCHER_TASK_NAME = "kitchen alert watcher"


def alert_dict(alert: Alert) -> dict[str, Any]:
    """An alert as the API and its events show it (read with its printer)."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "kind_label": str(AlertKind(alert.kind).label),
        "printer": {"id": alert.printer_id, "name": alert.printer.name},
        "detail": alert.detail,
        "order_id": alert.order_id,
        "raised_at": alert.raised_at.isoformat(),
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
    }


def _publish(alert: Alert, event_type: str) -> None:
    # One event for every screen of the store: in the store's language.
    with translation.override(settings.LANGUAGE_CODE):
        payload = {"alert": alert_dict(alert)}
    outbox.publish(store=alert.printer.store, event_type=event_type, payload=payload)


@transaction.atomic
def raise_alert(*, printer: Printer, kind: str, detail: str = "", order_id: int | None = None) -> Alert | None:
    """Open an alert of `kind` for `printer` and announce it; None if one is open already."""
    lock_store(printer.store_id)
    if Alert.objects.filter(printer=printer, kind=kind, resolved_at__isnull=True).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                store_id=printer.store_id, printer=printer, kind=kind, detail=detail[:200], order_id=order_id
            )
    except IntegrityError:
        # Another process opened it first (without the store lock: SQLite, or a bug elsewhere).
        return None
    _publish(alert, EventType.ALERT_RAISED)
    return alert


@transaction.atomic
def resolve_alerts(*, printer: Printer, kinds: Iterable[str]) -> list[Alert]:
    """Resolve `printer`'s open alerts of `kinds` and announce each; those resolved here."""
    lock_store(printer.store_id)
    open_alerts = list(
        Alert.objects.select_for_update().filter(printer=printer, kind__in=list(kinds), resolved_at__isnull=True)
    )
    now = timezone.now()
    resolved = []
    for alert in open_alerts:
        # Only the process whose update resolved it announces it.
        if Alert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(resolved_at=now):
            alert.resolved_at, alert.printer = now, printer
            _publish(alert, EventType.ALERT_RESOLVED)
            resolved.append(alert)
    return resolved


def open_alerts(store_id: int) -> list[Alert]:
    """The store's open alerts, newest first."""
    return list(Alert.objects.filter(store_id=store_id, resolved_at__isnull=True).select_related("printer"))


def has_late_jobs(printer_id: int, now: datetime | None = None) -> bool:
    """Whether the printer has a job unprinted LATE_AFTER after it was written."""
    cutoff = (now or timezone.now()) - LATE_AFTER
    return PrintJob.objects.filter(printer_id=printer_id, status=JobStatus.PENDING, created_at__lt=cutoff).exists()


def check_alerts(now: datetime | None = None) -> None:
    """One pass of the watcher over every store: raise job_late and agent_offline where their
    condition holds, and resolve them where it cleared. Idempotent, and safe to run in several
    processes at once."""
    now = now or timezone.now()
    late = {
        row["printer_id"]: row
        # A printer whose token was revoked expects no agent: its jobs wait for the next one.
        for row in PrintJob.objects.filter(status=JobStatus.PENDING, created_at__lt=now - LATE_AFTER)
        .exclude(printer__token_hash="")
        .values("printer_id")
        .annotate(count=Count("id"), oldest=Min("id"))
    }
    silent = now - OFFLINE_AFTER
    offline = set(
        Printer.objects.exclude(token_hash="")
        .filter(token_issued_at__lt=silent)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=silent))
        .values_list("id", flat=True)
    )
    alerted = set(
        Alert.objects.filter(
            resolved_at__isnull=True, kind__in=[AlertKind.JOB_LATE, AlertKind.AGENT_OFFLINE]
        ).values_list("printer_id", "kind")
    )
    wanted = {(printer_id, AlertKind.JOB_LATE.value) for printer_id in late}
    wanted |= {(printer_id, AlertKind.AGENT_OFFLINE.value) for printer_id in offline}
    changes = (wanted - alerted) | (alerted - wanted)
    printers = Printer.objects.select_related("store").in_bulk({printer_id for printer_id, _kind in changes})
    with translation.override(settings.LANGUAGE_CODE):
        for printer_id, kind in sorted(changes):
            printer = printers.get(printer_id)
            if printer is None:
                continue
            if (printer_id, kind) in alerted:
                resolve_alerts(printer=printer, kinds=[kind])
            elif kind == AlertKind.JOB_LATE:
                row = late[printer_id]
                oldest = PrintJob.objects.filter(pk=row["oldest"]).values("order_id", "ticket__order_id").first()
                order_id = oldest and (oldest["order_id"] or oldest["ticket__order_id"])
                detail = _("%(count)d print jobs not printed after %(seconds)d seconds.") % {
                    "count": row["count"],
                    "seconds": LATE_AFTER.seconds,
                }
                raise_alert(printer=printer, kind=kind, detail=detail, order_id=order_id)
            else:
                detail = _("No word from the print agent for over %(seconds)d seconds.") % {
                    "seconds": OFFLINE_AFTER.seconds
                }
                raise_alert(printer=printer, kind=kind, detail=detail)


class AlertWatcher:
    """Runs `check_alerts` every CHECK_SECONDS on the event loop of the streams that started it.

    Bound to one loop, like the hub (a new loop, as in tests, starts it afresh); the checks run
    on the loop's thread pool and give their database connection back at once.
    """

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def start(self, sender: object = None, **_signal: Any) -> None:
        """Start on the running loop unless already running there (a receiver of `stream_opened`)."""
        loop = asyncio.get_running_loop()
        task = self._task
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self._task = loop.create_task(self._run(), name=WATCHER_TASK_NAME)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        check = releasing_connection(check_alerts)
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await check()
            except Exception:
                # A database outage or a deadlock: the next pass tries again.
                logger.exception("kitchen alert check failed")


watcher = AlertWatcher()
