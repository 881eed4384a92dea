"""Alerts: one open per printer and kind, announced once; the watcher raises late and offline
ones and resolves them when their cause clears."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tokens import manager_tokens
from conftest import postgres_only
from kitchen import alerts
from kitchen.alerts import check_alerts, raise_alert, resolve_alerts, watcher
from kitchen.models import Alert, AlertKind, JobStatus, Printer, PrintJob
from kitchen.printers import revoke_token, seen
from kitchen.printing import acknowledge
from kitchen.tests.printing import make_printer, place
from orders.models import EventType, OrderEvent
from orders.tests.sse_client import ASGIStream, run

pytestmark = pytest.mark.django_db(transaction=True)


def events(store, event_type):
    return [event.payload["alert"] for event in OrderEvent.objects.filter(store=store, type=event_type)]


def age_jobs(printer, seconds):
    PrintJob.objects.filter(printer=printer).update(created_at=timezone.now() - timedelta(seconds=seconds))


def age_token(printer, seconds):
    Printer.objects.filter(pk=printer.pk).update(token_issued_at=timezone.now() - timedelta(seconds=seconds))


def test_one_open_alert_per_printer_and_kind_announced_once(store):
    printer, _token = make_printer(store)

    first = raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED, detail="paper out")
    again = raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED, detail="still out")
    other_kind = raise_alert(printer=printer, kind=AlertKind.JOB_LATE)

    assert first is not None and again is None and other_kind is not None
    assert [alert["id"] for alert in events(store, EventType.ALERT_RAISED)] == [first.id, other_kind.id]
    assert events(store, EventType.ALERT_RAISED)[0]["kind_label"] == "The printer refuses"

    (resolved,) = resolve_alerts(printer=printer, kinds=[AlertKind.PRINTER_FAILED])
    assert resolve_alerts(printer=printer, kinds=[AlertKind.PRINTER_FAILED]) == []
    assert [alert["id"] for alert in events(store, EventType.ALERT_RESOLVED)] == [first.id]
    assert resolved.resolved_at is not None
    # Resolved, it may be raised anew.
    assert raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED) is not None


@postgres_only
def test_processes_raising_the_same_alert_at_once_open_one(store):
    printer, _token = make_printer(store)
    barrier = threading.Barrier(6)
    results = []

    def raise_one():
        barrier.wait()
        try:
            results.append(raise_alert(printer=Printer.objects.get(pk=printer.pk), kind=AlertKind.AGENT_OFFLINE))
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len([result for result in results if result is not None]) == 1
    assert Alert.objects.filter(printer=printer, resolved_at__isnull=True).count() == 1
    assert len(events(store, EventType.ALERT_RAISED)) == 1


def test_a_job_unprinted_after_20_seconds_is_late_until_it_prints(store, table, menu):
    printer, _token = make_printer(store)
    placed = place(table, menu[0])
    age_jobs(printer, 19)
    check_alerts()
    assert not Alert.objects.exists()

    age_jobs(printer, 21)
    check_alerts()
    check_alerts()  # a second pass (or process) changes nothing

    (alert,) = Alert.objects.all()
    assert (alert.kind, alert.order_id, alert.resolved_at) == (AlertKind.JOB_LATE, placed.id, None)
    assert "1" in alert.detail
    assert len(events(store, EventType.ALERT_RAISED)) == 1

    PrintJob.objects.filter(printer=printer).update(status=JobStatus.PRINTED)
    check_alerts()
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert len(events(store, EventType.ALERT_RESOLVED)) == 1


def test_a_print_acknowledged_resolves_lateness_at_once(store, table, menu):
    printer, _token = make_printer(store)
    place(table, menu[0])
    place(table, menu[1])
    age_jobs(printer, 30)
    check_alerts()
    first, second = PrintJob.objects.filter(printer=printer).order_by("id")

    acknowledge(printer=printer, job_id=first.id, result="printed")
    assert Alert.objects.get().resolved_at is None  # the second is still late
    acknowledge(printer=printer, job_id=second.id, result="printed")
    assert Alert.objects.get().resolved_at is not None


def test_a_printer_without_a_token_raises_no_lateness(store, table, menu):
    printer, _token = make_printer(store)
    place(table, menu[0])
    revoke_token(printer=printer)
    age_jobs(printer, 60)

    check_alerts()

    assert not Alert.objects.exists()


def test_an_agent_silent_for_60_seconds_is_offline_until_it_is_heard(store):
    printer, _token = make_printer(store)
    age_token(printer, 30)
    check_alerts()
    assert not Alert.objects.exists()

    age_token(printer, 61)
    check_alerts()
    (alert,) = Alert.objects.all()
    assert alert.kind == AlertKind.AGENT_OFFLINE and alert.resolved_at is None

    printer.refresh_from_db()
    seen(printer_id=printer.id, token_digest=printer.token_hash)
    check_alerts()
    alert.refresh_from_db()
    assert alert.resolved_at is not None

    Printer.objects.filter(pk=printer.pk).update(last_seen_at=timezone.now() - timedelta(seconds=61))
    check_alerts()
    assert Alert.objects.filter(resolved_at__isnull=True, kind=AlertKind.AGENT_OFFLINE).count() == 1
    revoke_token(printer=Printer.objects.get(pk=printer.pk))
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()
    check_alerts()
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()


def test_the_watcher_starts_with_a_dashboard_stream_and_survives_errors(store, manager, monkeypatch):
    monkeypatch.setattr(alerts, "CHECK_SECONDS", 0.05)
    printer, _token = make_printer(store)
    age_token(printer, 120)
    failures = []
    real_check = alerts.check_alerts

    def failing_once(now=None):
        if not failures:
            failures.append(1)
            raise RuntimeError("the database went away")
        real_check(now)

    monkeypatch.setattr(alerts, "check_alerts", failing_once)

    async def scenario():
        assert not watcher.running
        async with ASGIStream("/api/v1/admin/stream", token=manager_tokens(manager)["access"]) as stream:
            assert stream.status == 200
            await stream.events(1)  # stream.open
            assert watcher.running
            (raised,) = await stream.events(1, timeout=5)
            await watcher.stop()
            return raised

    raised = run(scenario)
    assert failures == [1]
    assert raised.event == "alert.raised"
    assert raised.data["alert"]["kind"] == "agent_offline"
    assert raised.data["alert"]["printer"] == {"id": printer.id, "name": printer.name}


def test_the_watcher_runs_once_per_loop(store):
    async def scenario():
        watcher.start()
        first = watcher._task
        watcher.start()
        assert watcher._task is first
        await watcher.stop()
        assert not watcher.running

    run(scenario)
