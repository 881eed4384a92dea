"""Print jobs beyond an order's own: reprints, bills and test pages; each job's bytes as the
agent receives them; and the agent's acknowledgements.

A ticket's job (order, cancel, reprint) is rendered from its ticket when it is sent, so a
moved table prints its new number; a bill's and a test page's bytes are rendered when asked
for and kept. Jobs written outside an order are announced with `print.queued` (store-wide), so
the printers' agent streams wake; an order's own jobs ride on `order.created` / `ticket.updated`.
Every writer holds the store's lock, so a store's job ids grow in commit order.
"""

import base64
import json
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Table
from accounts.services import lock_store
from core.exceptions import Conflict
from kitchen.alerts import has_late_jobs, raise_alert, resolve_alerts
from kitchen.models import AlertKind, JobKind, JobStatus, KitchenTicket, Printer, PrintJob
from kitchen.receipts import BillLine, BillPrint, TicketLine, TicketPrint, bill_bytes, test_page_bytes, ticket_bytes
from kitchen.tickets import queue_jobs
from orders import outbox
from orders.bills import session_bill
from orders.models import EventType, Order
from orders.selectors import open_session

TICKET_KINDS = {JobKind.ORDER, JobKind.CANCEL, JobKind.REPRINT}


def announce(jobs: Iterable[PrintJob]) -> None:
    """`print.queued` for jobs written outside an order; inside their transaction."""
    jobs = list(jobs)
    if not jobs:
        return
    payload = {"jobs": [{"id": job.id, "printer_id": job.printer_id, "kind": job.kind} for job in jobs]}
    outbox.publish(store=jobs[0].store, event_type=EventType.PRINT_QUEUED, payload=payload)


@transaction.atomic
def reprint_order(*, order: Order) -> list[PrintJob]:
    """A reprint (재출력) of each of the order's tickets on every printer that had it; Conflict
    `no_printer` when no printer did."""
    lock_store(order.store_id)
    jobs = [job for ticket in KitchenTicket.objects.filter(order=order) for job in queue_jobs(ticket, JobKind.REPRINT)]
    if not jobs:
        raise Conflict(_("No printer printed this order's tickets, so there is nothing to reprint."), "no_printer")
    for job in jobs:
        job.store = order.store
    announce(jobs)
    return jobs


@transaction.atomic
def print_test_page(*, printer: Printer) -> PrintJob:
    """A test page on `printer`; Conflict `no_agent` when it has no agent token."""
    lock_store(printer.store_id)
    if not printer.token_hash:
        raise Conflict(_("This printer has no agent yet: issue a token and start the print agent."), "no_agent")
    with translation.override(settings.LANGUAGE_CODE):
        data = test_page_bytes(printer.store.name, printer.name, timezone.now(), columns=printer.columns)
    job = PrintJob.objects.create(store=printer.store, printer=printer, kind=JobKind.TEST, data=data)
    announce([job])
    return job


@transaction.atomic
def print_bill(*, table: Table) -> PrintJob:
    """The bill (계산서) of the table's open session on the store's counter printer (the first
    with an agent). Conflict `no_open_session` or `no_counter_printer`."""
    lock_store(table.store_id)
    session = open_session(table)
    if session is None:
        raise Conflict(_("This table has no open session, so there is no bill to print."), "no_open_session")
    printer = (
        Printer.objects.filter(store_id=table.store_id, station__isnull=True)
        .exclude(token_hash="")
        .select_related("store")
        .order_by("id")
        .first()
    )
    if printer is None:
        raise Conflict(
            _("No counter printer: add a printer without a kitchen station and connect its print agent."),
            "no_counter_printer",
        )
    bill = session_bill(session)
    lines = [
        BillLine(
            name=line["name"],
            options=line["options"],
            unit_price=line["unit_price"],
            quantity=line["quantity"],
            amount=line["amount"],
        )
        for line in bill["lines"]
    ]
    document = BillPrint(
        store_name=printer.store.name,
        table_number=table.number,
        opened_at=session.opened_at,
        printed_at=timezone.now(),
        lines=lines,
        total=bill["total"],
        order_count=bill["order_count"],
    )
    with translation.override(settings.LANGUAGE_CODE):
        data = bill_bytes(document, columns=printer.columns)
    job = PrintJob.objects.create(store=printer.store, printer=printer, kind=JobKind.BILL, data=data)
    announce([job])
    return job


def job_bytes(job: PrintJob, printer: Printer) -> bytes:
    """The ESC/POS bytes of a job (a ticket's read with its order and table), in the store's language."""
    if job.kind not in TICKET_KINDS:
        return bytes(job.data or b"")
    ticket = job.ticket
    assert ticket is not None, "a ticket's job has its ticket"
    order = ticket.order
    document = TicketPrint(
        store_name=printer.store.name,
        station_name=ticket.station_name,
        table_number=order.table.number,
        display_number=order.display_number,
        created_at=ticket.created_at,
        lines=[
            TicketLine(name=line["name"], quantity=line["quantity"], options=line["options"]) for line in ticket.lines
        ],
        note=ticket.note,
        kind=job.kind,  # type: ignore[arg-type]
    )
    with translation.override(settings.LANGUAGE_CODE):
        return ticket_bytes(document, columns=printer.columns)


def job_frame(job: PrintJob, printer: Printer) -> bytes:
    """A job as its agent stream sends it: `id`, `event: print.job`, and its JSON data."""
    data = {
        "id": job.id,
        "printer_id": job.printer_id,
        "kind": job.kind,
        "created_at": job.created_at.isoformat(),
        "data": base64.b64encode(job_bytes(job, printer)).decode("ascii"),
    }
    return outbox.sse_frame(job.id, "print.job", json.dumps(data, separators=(",", ":")))


def unsent_frames(*, printer: Printer, sent: set[int]) -> tuple[list[bytes], set[int]]:
    """The frames of the printer's pending jobs not in `sent` (oldest first), and the ids of
    all its pending jobs; marks first sends. For an agent stream: `sent` is what it has sent."""
    pending = set(PrintJob.objects.filter(printer=printer, status=JobStatus.PENDING).values_list("id", flat=True))
    new_ids = sorted(pending - sent)
    if not new_ids:
        return [], pending
    jobs = PrintJob.objects.filter(pk__in=new_ids).select_related("ticket__order__table").order_by("id")
    frames = [job_frame(job, printer) for job in jobs]
    PrintJob.objects.filter(pk__in=new_ids, sent_at__isnull=True).update(sent_at=timezone.now())
    return frames, pending


@transaction.atomic
def acknowledge(*, printer: Printer, job_id: int, result: str, error: str = "") -> PrintJob:
    """The agent's word on a job of its printer (PrintJob.DoesNotExist for any other job).

    printed: the job is done (again: no change), the printer's refusal alert resolves, and
    its late alert too once nothing of it is late. failed: the job stays pending (the agent
    retries) with the error, and the printer's refusal alert is raised."""
    lock_store(printer.store_id)
    job = PrintJob.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=job_id, printer=printer)
    now = timezone.now()
    Printer.objects.filter(pk=printer.pk).update(last_seen_at=now)
    if result == JobStatus.PRINTED:
        if job.status != JobStatus.PRINTED:
            job.status, job.printed_at = JobStatus.PRINTED, now
            job.save(update_fields=["status", "printed_at"])
        kinds = [AlertKind.PRINTER_FAILED]
        if not has_late_jobs(printer.pk, now):
            kinds.append(AlertKind.JOB_LATE)
        resolve_alerts(printer=printer, kinds=kinds)
    elif job.status == JobStatus.PENDING:
        job.failed_at, job.error = now, error[:200]
        job.save(update_fields=["failed_at", "error"])
        with translation.override(settings.LANGUAGE_CODE):
            detail = _("The printer did not print: %(error)s") % {"error": error or _("no reason given")}
        order_id = job.order_id or (job.ticket.order_id if job.ticket else None)
        raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED, detail=detail, order_id=order_id)
    return job
