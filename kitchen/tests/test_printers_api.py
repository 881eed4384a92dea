"""The printing API of the back office: printers and tokens, test pages, reprints, bills, alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import setup_table
from accounts.tokens import table_tokens
from conftest import make_store
from kitchen.alerts import raise_alert
from kitchen.models import Alert, AlertKind, JobKind, JobStatus, Printer, PrintJob
from kitchen.printers import printer_for_token, seen, token_hash
from kitchen.tests.printing import agent, bearer, kitchen_user, make_printer, place
from menus.models import MenuItem, Station
from orders.models import EventType, OrderEvent
from orders.services import close_session, delete_order
from printagent.tests.fake_printer import decode

PRINTERS = "/api/v1/admin/printers"


@pytest.fixture
def auth(manager):
    return bearer(manager)


@pytest.fixture
def station(store):
    return Station.objects.get(store=store)


def test_a_manager_adds_lists_changes_and_deletes_printers(client, auth, station):
    response = client.post(
        PRINTERS, {"name": "주방 프린터", "station_id": station.id, "columns": 48}, "application/json", headers=auth
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created == {
        "id": created["id"],
        "name": "주방 프린터",
        "station_id": station.id,
        "columns": 48,
        "has_token": False,
        "connected": False,
        "last_seen_at": None,
    }
    listed = client.get(PRINTERS, headers=auth).json()
    assert listed["count"] == 1 and listed["results"] == [created]

    url = f"{PRINTERS}/{created['id']}"
    changed = client.patch(url, {"station_id": None, "name": "카운터"}, "application/json", headers=auth)
    assert changed.status_code == 200, changed.content
    assert changed.json()["station_id"] is None and changed.json()["name"] == "카운터"

    assert client.delete(url, headers=auth).status_code == 204
    assert not Printer.objects.exists()


def test_printer_input_is_checked(client, auth, store, other_store):
    make_printer(store, "카운터", station=None, token=False)
    foreign_station = Station.objects.get(store=other_store)

    duplicate = client.post(PRINTERS, {"name": "카운터"}, "application/json", headers=auth)
    foreign = client.post(PRINTERS, {"name": "바", "station_id": foreign_station.id}, "application/json", headers=auth)
    columns = client.post(PRINTERS, {"name": "바", "columns": 41}, "application/json", headers=auth)
    garbage = client.post(PRINTERS, "[[[[", "application/json", headers=auth)

    assert duplicate.status_code == 400 and "name" in duplicate.json()["error"]["fields"]
    assert foreign.status_code == 400 and "station_id" in foreign.json()["error"]["fields"]
    assert columns.status_code == 400 and "columns" in columns.json()["error"]["fields"]
    assert garbage.status_code == 400
    assert Printer.objects.count() == 1


def test_a_token_is_shown_once_stored_hashed_and_a_new_one_revokes_the_old(client, auth, store):
    printer, _token = make_printer(store, token=False)
    url = f"{PRINTERS}/{printer.id}/token"

    first = client.post(url, headers=auth).json()["token"]
    second = client.post(url, headers=auth).json()["token"]

    printer.refresh_from_db()
    assert first != second
    assert printer.token_hash == token_hash(second) and second not in printer.token_hash
    assert printer_for_token(second) == printer
    assert printer_for_token(first) is None
    assert client.get(f"{PRINTERS}/{printer.id}", headers=auth).json()["has_token"] is True
    # The printer id in the token is the lookup key; a token with another printer's id fails.
    other, _ = make_printer(store, "바", token=False)
    assert printer_for_token(f"{other.id}.{second.partition('.')[2]}") is None
    assert printer_for_token("not-a-token") is None
    assert printer_for_token("") is None


def test_a_revoked_token_opens_nothing(client, auth, store):
    printer, token = make_printer(store)

    response = client.post(f"{PRINTERS}/{printer.id}/revoke-token", headers=auth)

    assert response.status_code == 200
    assert response.json()["has_token"] is False
    assert printer_for_token(token) is None
    ack = client.post("/api/v1/print-agent/jobs/1/ack", {"result": "printed"}, "application/json", headers=agent(token))
    assert ack.status_code == 401


def test_connected_means_heard_from_in_the_last_45_seconds(client, auth, store):
    printer, _token = make_printer(store)
    url = f"{PRINTERS}/{printer.id}"
    assert client.get(url, headers=auth).json()["connected"] is False

    assert seen(printer_id=printer.id, token_digest=printer.token_hash)
    assert client.get(url, headers=auth).json()["connected"] is True

    Printer.objects.filter(pk=printer.pk).update(last_seen_at=timezone.now() - timedelta(seconds=46))
    body = client.get(url, headers=auth).json()
    assert body["connected"] is False and body["last_seen_at"] is not None


def test_a_test_page_is_a_job_with_its_bytes_and_is_announced(client, auth, store, settings):
    settings.LANGUAGE_CODE = "ko"
    printer, _token = make_printer(store, "카운터", station=None)
    bare, _ = make_printer(store, "새 프린터", token=False)

    response = client.post(f"{PRINTERS}/{printer.id}/test-print", headers=auth)

    assert response.status_code == 200, response.content
    job = PrintJob.objects.get(pk=response.json()["job_id"])
    assert (job.kind, job.printer, job.status) == (JobKind.TEST, printer, JobStatus.PENDING)
    page = decode(bytes(job.data))
    assert page.korean_mode and page.cuts == 1 and "카운터" in page.text
    event = OrderEvent.objects.filter(store=store).latest("id")
    assert event.type == EventType.PRINT_QUEUED and event.table_id is None
    assert event.payload == {"jobs": [{"id": job.id, "printer_id": printer.id, "kind": "test"}]}

    refused = client.post(f"{PRINTERS}/{bare.id}/test-print", headers=auth)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "no_agent"


def test_reprint_queues_a_reprint_on_each_printer_that_had_the_order(client, store, table, menu, auth):
    printer, _token = make_printer(store)
    placed = place(table, menu[0])
    cook = bearer(kitchen_user(store))

    response = client.post(f"/api/v1/admin/orders/{placed.id}/reprint", headers=cook)

    assert response.status_code == 200, response.content
    assert response.json() == {"jobs": 1}
    kinds = list(PrintJob.objects.filter(printer=printer).values_list("kind", flat=True))
    assert kinds == [JobKind.ORDER, JobKind.REPRINT]
    assert OrderEvent.objects.filter(store=store).latest("id").type == EventType.PRINT_QUEUED


def test_reprint_without_a_printer_is_a_conflict(client, store, table, menu, auth):
    make_printer(store, token=False)
    placed = place(table, menu[0])

    response = client.post(f"/api/v1/admin/orders/{placed.id}/reprint", headers=auth)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_printer"
    assert not PrintJob.objects.exists()


def test_a_deleted_order_is_not_reprinted(client, store, table, menu, auth):
    make_printer(store)
    placed = place(table, menu[0])
    delete_order(order=placed, actor=None)

    response = client.post(f"/api/v1/admin/orders/{placed.id}/reprint", headers=auth)

    assert response.status_code == 404


def test_print_bill_prints_the_open_sessions_bill_on_the_counter_printer(client, store, table, menu, auth, settings):
    settings.LANGUAGE_CODE = "ko"
    url = f"/api/v1/admin/tables/{table.id}/print-bill"
    no_session = client.post(url, headers=auth)
    make_printer(store)  # a station's printer is not the counter
    place(table, menu[0], 2)
    no_counter = client.post(url, headers=auth)
    make_printer(store, "카운터 (꺼짐)", station=None, token=False)
    counter, _token = make_printer(store, "카운터", station=None)

    response = client.post(url, headers=auth)

    assert no_session.status_code == 409 and no_session.json()["error"]["code"] == "no_open_session"
    assert no_counter.status_code == 409 and no_counter.json()["error"]["code"] == "no_counter_printer"
    assert response.status_code == 200, response.content
    job = PrintJob.objects.get(pk=response.json()["job_id"])
    assert (job.printer, job.kind) == (counter, JobKind.BILL)
    page = decode(bytes(job.data))
    assert page.lines[0] == "계산서" and page.find("계산서").double_size
    assert "김치찌개 ×2" in page.text and "18,000" in page.text
    assert page.cuts == 1


def test_print_bill_after_the_session_closed_is_a_conflict(client, store, table, menu, auth):
    make_printer(store, "카운터", station=None)
    place(table, menu[0])
    close_session(table=table, actor=None)

    response = client.post(f"/api/v1/admin/tables/{table.id}/print-bill", headers=auth)

    assert response.status_code == 409 and response.json()["error"]["code"] == "no_open_session"


def test_alerts_lists_the_stores_open_alerts_to_managers_and_kitchen_staff(client, store, table, menu, auth):
    printer, _token = make_printer(store)
    placed = place(table, menu[0])
    raised = raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED, detail="paper out", order_id=placed.id)
    resolved = raise_alert(printer=printer, kind=AlertKind.JOB_LATE)
    Alert.objects.filter(pk=resolved.pk).update(resolved_at=timezone.now())
    other = make_store(code="beta", name="베타 식당")
    other_printer, _ = make_printer(other)
    raise_alert(printer=other_printer, kind=AlertKind.AGENT_OFFLINE)

    for headers in (auth, bearer(kitchen_user(store))):
        response = client.get("/api/v1/admin/alerts", headers=headers)
        assert response.status_code == 200
        (alert,) = response.json()["results"]
        assert alert == {
            "id": raised.id,
            "kind": "printer_failed",
            "kind_label": "The printer refuses",
            "printer": {"id": printer.id, "name": printer.name},
            "detail": "paper out",
            "order_id": placed.id,
            "raised_at": raised.raised_at.isoformat(),
            "resolved_at": None,
        }


def test_kitchen_staff_are_refused_the_printers_and_the_bill(client, store, table):
    printer, _token = make_printer(store)
    cook = bearer(kitchen_user(store))

    assert client.get(PRINTERS, headers=cook).status_code == 403
    assert client.post(PRINTERS, {"name": "x"}, "application/json", headers=cook).status_code == 403
    assert client.post(f"{PRINTERS}/{printer.id}/token", headers=cook).status_code == 403
    assert client.post(f"{PRINTERS}/{printer.id}/test-print", headers=cook).status_code == 403
    assert client.post(f"/api/v1/admin/tables/{table.id}/print-bill", headers=cook).status_code == 403
    assert not PrintJob.objects.exists()


def test_another_stores_printers_orders_and_tables_are_not_found(client, auth, other_store):
    printer, _token = make_printer(other_store)
    table = setup_table(store=other_store, number=3, password="1234")[0]
    placed = place(table, MenuItem.objects.get(store=other_store))

    for method, url in [
        ("get", f"{PRINTERS}/{printer.id}"),
        ("patch", f"{PRINTERS}/{printer.id}"),
        ("delete", f"{PRINTERS}/{printer.id}"),
        ("post", f"{PRINTERS}/{printer.id}/token"),
        ("post", f"{PRINTERS}/{printer.id}/revoke-token"),
        ("post", f"{PRINTERS}/{printer.id}/test-print"),
        ("post", f"/api/v1/admin/orders/{placed.id}/reprint"),
        ("post", f"/api/v1/admin/tables/{table.id}/print-bill"),
    ]:
        response = getattr(client, method)(url, {}, "application/json", headers=auth)
        assert response.status_code == 404, (method, url)
    printer.refresh_from_db()
    assert printer_for_token(_token) == printer
    assert PrintJob.objects.filter(printer=printer).count() == 1


def test_a_tablet_token_is_refused_everywhere_here(client, store, table):
    printer, _token = make_printer(store)
    tablet = {"Authorization": f"Bearer {table_tokens(table)['access']}"}

    assert client.get(PRINTERS, headers=tablet).status_code in (401, 403)
    assert client.get("/api/v1/admin/alerts", headers=tablet).status_code in (401, 403)
    assert client.post(f"{PRINTERS}/{printer.id}/token", headers=tablet).status_code in (401, 403)
    assert client.get("/api/v1/print-agent/stream", headers=tablet).status_code == 401
    ack = client.post("/api/v1/print-agent/jobs/1/ack", {"result": "printed"}, "application/json", headers=tablet)
    assert ack.status_code == 401
