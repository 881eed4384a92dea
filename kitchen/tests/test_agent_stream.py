"""The print agent's stream and acknowledgements, driven in-process over ASGI."""

import base64

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import setup_table
from conftest import make_menu, make_store
from kitchen import agent_stream
from kitchen.models import Alert, AlertKind, JobStatus, Printer, PrintJob
from kitchen.printers import revoke_token
from kitchen.printing import print_test_page, reprint_order
from kitchen.tests.printing import agent, make_printer, place
from orders.models import EventType, OrderEvent
from orders.services import delete_order
from orders.sse import RETRY_MILLISECONDS
from orders.tests.sse_client import ASGIStream, db, run
from printagent.tests.fake_printer import decode

pytestmark = pytest.mark.django_db(transaction=True)

STREAM = "/api/v1/print-agent/stream"


def ack(job_id, token, **body):
    return Client().post(f"/api/v1/print-agent/jobs/{job_id}/ack", body, "application/json", headers=agent(token))


def printed(frame):
    return decode(base64.b64decode(frame.data["data"]))


@pytest.fixture
def korean(settings):
    settings.LANGUAGE_CODE = "ko"


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer 1.wrong", "Basic abc", "Bearer 99999.x"])
def test_the_stream_wants_a_current_agent_token(store, header):
    make_printer(store)

    async def scenario():
        async with ASGIStream(STREAM, headers={"authorization": header} if header else {}) as stream:
            return stream.status, stream.response_headers, await stream.body()

    status, headers, body = run(scenario)
    assert status == 401
    assert headers["www-authenticate"].startswith("Bearer")
    assert b'"not_authenticated"' in body


def test_on_connect_every_unprinted_job_of_the_printer_comes_oldest_first(store, table, menu, korean):
    printer, token = make_printer(store)
    other, _other_token = make_printer(store, "바")
    first = place(table, menu[0], 2, note="덜 맵게")
    done = place(table, menu[1])
    second = place(table, menu[2])
    PrintJob.objects.filter(ticket__order=done).update(status=JobStatus.PRINTED, printed_at=timezone.now())
    test_page = print_test_page(printer=printer)
    print_test_page(printer=other)

    async def scenario():
        async with ASGIStream(STREAM, token=token) as stream:
            assert stream.status == 200
            assert stream.response_headers["content-type"].startswith("text/event-stream")
            assert RETRY_MILLISECONDS[0] <= (await stream.next_frame()).retry <= RETRY_MILLISECONDS[1]
            frames = await stream.events(3)
            assert await stream.expect_silence(0.3) is None
            return frames

    frames = run(scenario)
    jobs = list(PrintJob.objects.filter(printer=printer, status=JobStatus.PENDING).order_by("id"))
    assert [frame.id for frame in frames] == [job.id for job in jobs]
    assert [frame.event for frame in frames] == ["print.job"] * 3
    assert [frame.data["kind"] for frame in frames] == ["order", "order", "test"]
    assert frames[2].data["id"] == test_page.id and frames[2].data["printer_id"] == printer.id
    assert frames[0].data["created_at"] == jobs[0].created_at.isoformat()
    assert all(job.sent_at is not None for job in jobs)
    page = printed(frames[0])
    assert page.korean_mode and page.cuts == 1
    assert page.find(f"테이블 {table.number}").double_size
    assert f"주문 {first.display_number}" in page.text and "요청: 덜 맵게" in page.text
    assert "김치찌개" in page.text and "재출력" not in page.text
    assert f"주문 {second.display_number}" in printed(frames[1]).text


def test_new_jobs_arrive_live_and_a_cancel_and_a_reprint_say_so(store, table, menu, korean):
    printer, token = make_printer(store)

    async def scenario():
        async with ASGIStream(STREAM, token=token) as stream:
            await stream.next_frame()  # retry
            placed = await db(place)(table, menu[0])
            (ordered,) = await stream.events(1)
            await db(reprint_order)(order=placed)
            (reprinted,) = await stream.events(1)
            await db(delete_order)(order=placed, actor=None)
            (cancelled,) = await stream.events(1)
            await db(print_test_page)(printer=printer)
            (test_page,) = await stream.events(1)
            return placed, [ordered, reprinted, cancelled, test_page]

    placed, frames = run(scenario)
    assert [frame.data["kind"] for frame in frames] == ["order", "reprint", "cancel", "test"]
    assert [frame.id for frame in frames] == sorted(frame.id for frame in frames)
    reprint, cancel = printed(frames[1]), printed(frames[2])
    assert reprint.find("재출력").double_size and placed.display_number in reprint.text
    assert cancel.find("*** 취소 ***").double_size and "김치찌개" in cancel.text
    assert "취소" not in printed(frames[0]).text


def test_a_stream_records_its_agent_pings_and_ends_when_the_token_is_revoked(store, monkeypatch):
    monkeypatch.setattr(agent_stream, "HEARTBEAT_SECONDS", 0.3)
    printer, token = make_printer(store)

    async def scenario():
        async with ASGIStream(STREAM, token=token) as stream:
            await stream.next_frame()  # retry
            seen_at = (await db(Printer.objects.get)(pk=printer.pk)).last_seen_at
            assert seen_at is not None
            ping = await stream.next_frame(2)
            assert ping.comment == "ping"
            later = (await db(Printer.objects.get)(pk=printer.pk)).last_seen_at
            assert later > seen_at
            await db(revoke_token)(printer=printer)
            with pytest.raises(EOFError):
                while True:
                    await stream.next_frame(2)

    run(scenario)


def test_a_printer_holds_at_most_two_streams(store):
    _printer, token = make_printer(store)

    async def scenario():
        async with ASGIStream(STREAM, token=token) as first, ASGIStream(STREAM, token=token) as second:
            assert first.status == second.status == 200
            async with ASGIStream(STREAM, token=token) as third:
                assert third.status == 429
                assert b"too_many_streams" in await third.body()
        async with ASGIStream(STREAM, token=token) as again:
            return again.status

    assert run(scenario) == 200


def test_printed_is_acknowledged_once_and_again_harmlessly(store, table, menu):
    printer, token = make_printer(store)
    place(table, menu[0])
    job = PrintJob.objects.get(printer=printer)

    first = ack(job.id, token, result="printed")
    job.refresh_from_db()
    printed_at = job.printed_at
    again = ack(job.id, token, result="printed")
    job.refresh_from_db()

    assert first.status_code == again.status_code == 200
    assert first.json() == {"id": job.id, "status": "printed"}
    assert job.status == JobStatus.PRINTED and job.printed_at == printed_at is not None
    assert Printer.objects.get(pk=printer.pk).last_seen_at is not None


def test_a_failure_keeps_the_job_and_raises_an_alert_which_a_print_resolves(store, table, menu):
    printer, token = make_printer(store)
    placed = place(table, menu[0])
    job = PrintJob.objects.get(printer=printer)

    assert ack(job.id, token, result="failed", error="connection refused").status_code == 200
    assert ack(job.id, token, result="failed", error="connection refused").status_code == 200
    job.refresh_from_db()
    (alert,) = Alert.objects.filter(printer=printer, resolved_at__isnull=True)
    raised = OrderEvent.objects.filter(store=store, type=EventType.ALERT_RAISED)

    assert job.status == JobStatus.PENDING and job.failed_at is not None and job.error == "connection refused"
    assert alert.kind == AlertKind.PRINTER_FAILED and alert.order_id == placed.id
    assert "connection refused" in alert.detail
    assert [event.payload["alert"]["id"] for event in raised] == [alert.id]
    assert raised[0].payload["alert"]["printer"] == {"id": printer.id, "name": printer.name}

    assert ack(job.id, token, result="printed").status_code == 200
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    resolved = OrderEvent.objects.get(store=store, type=EventType.ALERT_RESOLVED)
    assert resolved.payload["alert"]["resolved_at"] == alert.resolved_at.isoformat()
    # A late failure report of a job already printed changes nothing.
    assert ack(job.id, token, result="failed", error="late").status_code == 200
    assert not Alert.objects.filter(resolved_at__isnull=True).exists()


def test_an_agent_acknowledges_only_its_own_printers_jobs(store, table, menu):
    _printer, token = make_printer(store)
    bar, bar_token = make_printer(store, "바")
    other = make_store(code="beta", name="베타 식당")
    other_printer, _other_token = make_printer(other)
    other_table = setup_table(store=other, number=1, password="1234")[0]
    place(other_table, make_menu(other)[0])
    foreign = PrintJob.objects.get(printer=other_printer)
    bar_job = print_test_page(printer=bar)

    for job in (foreign, bar_job):
        response = ack(job.id, token, result="printed")
        assert response.status_code == 404
        job.refresh_from_db()
        assert job.status == JobStatus.PENDING
    assert ack(2**63, token, result="printed").status_code == 404
    assert ack(bar_job.id, bar_token, result="printed").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        '{"result": "done"}',
        '{"result": null}',
        '["printed"]',
        '"printed"',
        "{not json",
        '{"result": "failed", "error": "' + "e" * 1001 + '"}',
        "[" * 5000 + "]" * 5000,
    ],
)
def test_a_bad_ack_body_is_a_400(store, body):
    printer, token = make_printer(store, station=None)
    job = print_test_page(printer=printer)

    response = Client().post(
        f"/api/v1/print-agent/jobs/{job.id}/ack", body, content_type="application/json", headers=agent(token)
    )

    assert response.status_code == 400, response.content
    assert "error" in response.json()
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.failed_at is None


def test_ack_wants_the_agent_token(store):
    printer, token = make_printer(store, station=None)
    job = print_test_page(printer=printer)
    url = f"/api/v1/print-agent/jobs/{job.id}/ack"

    anonymous = Client().post(url, {"result": "printed"}, "application/json")
    wrong = Client().post(url, {"result": "printed"}, "application/json", headers=agent(token + "x"))

    assert anonymous.status_code == wrong.status_code == 401
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
