"""The manager API for the floor: tables, sessions, current orders and history."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Table, User
from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from orders.models import EventType, Order, OrderAudit, OrderEvent, TableSession
from orders.services import change_order_status, close_session, delete_order, place_order

API = "/api/v1/admin"
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def api(client, manager):
    """A client that sends the manager's Bearer token."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


def order(table, item, quantity=1):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}])[0]


def json_body(response):
    assert response["Content-Type"] == "application/json", response.content
    return response.json()


def patch(api, url, body):
    return api.patch(url, body, content_type="application/json")


def post(api, url, body=None):
    return api.post(url, body or {}, content_type="application/json")


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def at(order, when):
    """Back-date an order (created_at is set on insert)."""
    Order.objects.filter(pk=order.pk).update(created_at=when)


# Tables


def test_tables_list_shows_each_tables_session_with_its_latest_orders(api, store, table, menu):
    stew, soup, rice = menu
    second = setup_table(store=store, number=2, password="1234")[0]
    orders = [order(table, stew), order(table, soup, 2), order(table, rice), order(table, rice, 3)]
    delete_order(order=orders[3], actor=None)
    response = api.get(f"{API}/tables")
    assert response.status_code == 200
    body = json_body(response)
    assert body["count"] == 2
    first, empty = body["results"]
    assert (first["id"], first["number"], empty["id"], empty["number"]) == (table.id, 1, second.id, 2)
    assert empty["session"] is None
    session = first["session"]
    assert session["id"] == TableSession.objects.get().id
    assert (session["total"], session["order_count"]) == (9000 + 16000 + 1000, 3)
    # The three newest live orders, newest first; the deleted one counts nowhere.
    fresh = [Order.objects.with_lines().get(pk=o.pk).as_dict() for o in reversed(orders[:3])]
    assert session["latest_orders"] == fresh
    assert "password" not in first


def test_tables_list_is_by_number_and_pages(api, store):
    for number in (3, 1, 2):
        setup_table(store=store, number=number, password="1234")
    body = api.get(f"{API}/tables?page_size=2").json()
    assert [t["number"] for t in body["results"]] == [1, 2]
    assert body["next"] is not None
    assert [t["number"] for t in api.get(f"{API}/tables?page_size=2&page=2").json()["results"]] == [3]


def _floor(store, menu, tables, orders_per_table):
    for number in range(1, tables + 1):
        table = setup_table(store=store, number=number, password="1234")[0]
        for _ in range(orders_per_table):
            order(table, menu[0])


def _queries(api, url):
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_tables_list_takes_the_same_queries_for_any_floor(api, store, menu, django_assert_max_num_queries):
    _floor(store, menu, tables=1, orders_per_table=1)
    one_table = _queries(api, f"{API}/tables?page_size=100")
    Order.objects.all().delete()
    TableSession.objects.all().delete()
    _floor(store, menu, tables=8, orders_per_table=5)
    with django_assert_max_num_queries(one_table):
        body = api.get(f"{API}/tables?page_size=100").json()
    # Every order is still new, so every one is there; once acted on, the three newest.
    assert [len(t["session"]["latest_orders"]) for t in body["results"]] == [5] * 8
    Order.objects.update(acknowledged_at=timezone.now())
    with django_assert_max_num_queries(one_table):
        body = api.get(f"{API}/tables?page_size=100").json()
    assert [len(t["session"]["latest_orders"]) for t in body["results"]] == [3] * 8


def test_create_table(api, store):
    response = post(api, f"{API}/tables", {"number": 7, "password": "0707"})
    assert response.status_code == 201
    table = Table.objects.get(store=store, number=7)
    assert json_body(response) == {
        "id": table.id,
        "number": 7,
        "created_at": table.created_at.isoformat(),
        "session": None,
    }
    assert check_password("0707", table.password)


def test_creating_an_existing_table_is_a_conflict_and_keeps_its_password(api, table):
    version = table.token_version
    error = error_of(post(api, f"{API}/tables", {"number": 1, "password": "9999"}), 409)
    assert error["code"] == "table_exists"
    table.refresh_from_db()
    assert table.check_password("1234")
    assert table.token_version == version


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"number": 2, "password": "123"}, {"password"}),
        ({"number": 2, "password": "x" * 129}, {"password"}),
        ({"number": 0, "password": "1234"}, {"number"}),
        ({"number": "two", "password": "1234"}, {"number"}),
        ({}, {"number", "password"}),
    ],
)
def test_invalid_table_is_a_field_error_and_creates_nothing(api, store, body, fields):
    error = error_of(post(api, f"{API}/tables", body), 400)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == fields
    assert not Table.objects.exists()


def test_get_a_table(api, table, menu):
    placed = order(table, menu[0])
    body = api.get(f"{API}/tables/{table.id}").json()
    assert body["number"] == 1
    assert body["session"]["latest_orders"] == [placed.as_dict()]


def test_password_reset_signs_the_tablet_out(api, client, table, menu):
    tablet = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    response = patch(api, f"{API}/tables/{table.id}", {"password": "5678"})
    assert response.status_code == 200
    assert json_body(response)["id"] == table.id
    table.refresh_from_db()
    assert table.check_password("5678")
    assert Client().get("/api/v1/orders", headers=tablet).status_code == 401


def test_a_too_short_reset_password_changes_nothing(api, table):
    error = error_of(patch(api, f"{API}/tables/{table.id}", {"password": "1"}), 400)
    assert set(error["fields"]) == {"password"}
    table.refresh_from_db()
    assert table.check_password("1234")


def test_revoke_tablet(api, table):
    tablet = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    response = post(api, f"{API}/tables/{table.id}/revoke-tablet")
    assert response.status_code == 200
    assert json_body(response)["number"] == 1
    table.refresh_from_db()
    assert table.check_password("1234")
    assert Client().get("/api/v1/orders", headers=tablet).status_code == 401


def test_close_session_moves_the_orders_to_history(api, manager, table, menu):
    first, second = order(table, menu[0]), order(table, menu[1], 2)
    delete_order(order=second, actor=manager)
    response = post(api, f"{API}/tables/{table.id}/close-session")
    assert response.status_code == 200
    session = TableSession.objects.get()
    assert session.closed_at is not None
    assert session.closed_by == manager
    assert json_body(response) == {
        "session": {
            "id": session.id,
            "opened_at": session.opened_at.isoformat(),
            "closed_at": session.closed_at.isoformat(),
            "total": 9000,
            "order_count": 1,
            "unfinished_count": 1,
        },
        "table": {"id": table.id, "number": 1, "session_id": None, "total": 0, "order_count": 0},
    }
    assert OrderEvent.objects.filter(type=EventType.SESSION_CLOSED, session=session).count() == 1
    assert api.get(f"{API}/tables/{table.id}").json()["session"] is None
    assert [o["id"] for o in api.get(f"{API}/history").json()["results"]] == [first.id]


def test_closing_a_table_without_a_session_is_a_conflict(api, table, menu):
    error = error_of(post(api, f"{API}/tables/{table.id}/close-session"), 409)
    assert error["code"] == "no_open_session"
    order(table, menu[0])
    post(api, f"{API}/tables/{table.id}/close-session")
    assert error_of(post(api, f"{API}/tables/{table.id}/close-session"), 409)["code"] == "no_open_session"
    assert OrderEvent.objects.filter(type=EventType.SESSION_CLOSED).count() == 1


# Current orders


def test_current_orders_are_the_open_sessions_live_orders_oldest_first(api, store, table, menu):
    other = setup_table(store=store, number=2, password="1234")[0]
    past = order(table, menu[0])
    close_session(table=table, actor=None)
    gone = order(table, menu[0])
    delete_order(order=gone, actor=None)
    first, second, third = order(table, menu[1]), order(other, menu[2]), order(table, menu[0], 3)
    body = api.get(f"{API}/orders").json()
    assert body["count"] == 3
    assert body["results"] == [o.as_dict() for o in (first, second, third)]
    assert past.id not in {o["id"] for o in body["results"]}


def test_current_orders_filter_by_table_and_status(api, store, table, menu):
    other = setup_table(store=store, number=2, password="1234")[0]
    third = setup_table(store=store, number=3, password="1234")[0]
    mine, theirs, elsewhere = order(table, menu[0]), order(other, menu[0]), order(third, menu[0])
    change_order_status(order=theirs, status="preparing")

    def ids(query):
        response = api.get(f"{API}/orders?{query}")
        assert response.status_code == 200, response.content
        return [o["id"] for o in response.json()["results"]]

    assert ids(f"table={table.id}") == [mine.id]
    assert ids(f"table={table.id}&table={third.id}") == [mine.id, elsewhere.id]
    assert ids(f"table={other.id},{third.id}") == [theirs.id, elsewhere.id]
    assert ids("status=preparing") == [theirs.id]
    assert ids(f"status=pending&table={other.id}") == []


@pytest.mark.parametrize(
    ("query", "field"), [("status=cooking", "status"), ("table=one", "table"), ("table=1,-2", "table")]
)
def test_bad_order_filters_are_field_errors(api, query, field):
    assert set(error_of(api.get(f"{API}/orders?{query}"), 400)["fields"]) == {field}


def test_current_orders_take_the_same_queries_for_any_number(api, store, menu, django_assert_max_num_queries):
    _floor(store, menu, tables=1, orders_per_table=1)
    one_order = _queries(api, f"{API}/orders?page_size=100")
    _floor(store, menu, tables=6, orders_per_table=4)
    with django_assert_max_num_queries(one_order):
        assert api.get(f"{API}/orders?page_size=100").json()["count"] == 1 + 6 * 4


def test_get_an_order_current_past_or_deleted(api, manager, table, menu):
    current = order(table, menu[0])
    assert api.get(f"{API}/orders/{current.id}").json() == {
        **current.as_dict(),
        "deleted_at": None,
        "deleted_by": None,
        "audit": [],
    }
    delete_order(order=current, actor=manager)
    current.refresh_from_db()
    body = api.get(f"{API}/orders/{current.id}").json()
    assert (body["deleted_at"], body["deleted_by"]) == (current.deleted_at.isoformat(), "manager")
    assert [(record["kind"], record["by"], record["reason"]) for record in body["audit"]] == [
        ("deleted", "manager", "")
    ]
    close_session(table=table, actor=manager)
    assert api.get(f"{API}/orders/{current.id}").status_code == 200


# Status and delete


def test_status_change_publishes_an_event(api, table, menu):
    placed = order(table, menu[0])
    response = patch(api, f"{API}/orders/{placed.id}", {"status": "preparing"})
    assert response.status_code == 200
    placed.refresh_from_db()
    assert placed.status == "preparing"
    assert json_body(response) == Order.objects.with_lines().get(pk=placed.pk).as_dict()
    event = OrderEvent.objects.get(type=EventType.ORDER_UPDATED)
    assert event.payload["order"]["status"] == "preparing"
    assert patch(api, f"{API}/orders/{placed.id}", {"status": "completed"}).json()["status"] == "completed"


def test_status_cannot_go_back_two_steps_or_stay(api, table, menu):
    placed = order(table, menu[0])
    change_order_status(order=placed, status="completed")
    error = error_of(patch(api, f"{API}/orders/{placed.id}", {"status": "pending"}), 409)
    assert error["code"] == "status_back_too_far"
    assert "one step" in error["message"]
    assert error_of(patch(api, f"{API}/orders/{placed.id}", {"status": "completed"}), 409)["code"] == (
        "status_not_forward"
    )
    placed.refresh_from_db()
    assert placed.status == "completed"
    assert OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).count() == 1
    assert not OrderAudit.objects.exists()


def test_a_manager_steps_an_order_back_one_step_at_a_time(api, manager, table, menu):
    placed = order(table, menu[0])
    change_order_status(order=placed, status="completed")
    response = patch(api, f"{API}/orders/{placed.id}", {"status": "preparing"})
    assert response.status_code == 200, response.content
    assert json_body(response) == Order.objects.with_lines().get(pk=placed.pk).as_dict()
    assert json_body(response)["status"] == "preparing"
    assert patch(api, f"{API}/orders/{placed.id}", {"status": "pending"}).json()["status"] == "pending"
    updates = OrderEvent.objects.filter(type=EventType.ORDER_UPDATED)
    assert [event.payload["order"]["status"] for event in updates] == ["completed", "preparing", "pending"]
    audit = api.get(f"{API}/orders/{placed.id}").json()["audit"]
    assert [(r["kind"], r["from_status"], r["to_status"], r["by"]) for r in audit] == [
        ("stepped_back", "completed", "preparing", "manager"),
        ("stepped_back", "preparing", "pending", "manager"),
    ]
    # Forward may still skip a step.
    assert patch(api, f"{API}/orders/{placed.id}", {"status": "completed"}).json()["status"] == "completed"
    assert OrderAudit.objects.count() == 2


def test_another_stores_order_is_a_404_to_step_back_or_delete(api, other_store, menu):
    theirs_table = setup_table(store=other_store, number=1, password="1234")[0]
    theirs = order(theirs_table, other_store.menu_items.get())
    change_order_status(order=theirs, status="preparing")
    assert error_of(patch(api, f"{API}/orders/{theirs.id}", {"status": "pending"}), 404)["code"] == "not_found"
    assert error_of(delete(api, theirs, {"reason": "wrong_order"}), 404)["code"] == "not_found"
    theirs.refresh_from_db()
    assert (theirs.status, theirs.deleted_at) == ("preparing", None)
    assert not OrderAudit.objects.exists()


@pytest.mark.parametrize("body", [{"status": "cooking"}, {"status": ""}, {}])
def test_unknown_status_is_a_field_error(api, table, menu, body):
    placed = order(table, menu[0])
    assert set(error_of(patch(api, f"{API}/orders/{placed.id}", body), 400)["fields"]) == {"status"}
    placed.refresh_from_db()
    assert placed.status == "pending"
    assert not OrderEvent.objects.filter(type=EventType.ORDER_UPDATED).exists()


def test_orders_of_an_ended_session_cannot_change(api, table, menu):
    placed = order(table, menu[0])
    close_session(table=table, actor=None)
    assert error_of(patch(api, f"{API}/orders/{placed.id}", {"status": "preparing"}), 409)["code"] == "session_closed"
    assert error_of(api.delete(f"{API}/orders/{placed.id}"), 409)["code"] == "session_closed"
    placed.refresh_from_db()
    assert (placed.status, placed.deleted_at) == ("pending", None)


def test_delete_is_audited_and_recounts_the_table(api, manager, table, menu):
    kept, deleted = order(table, menu[0]), order(table, menu[1])
    response = api.delete(f"{API}/orders/{deleted.id}")
    assert response.status_code == 204
    deleted.refresh_from_db()
    assert deleted.deleted_by == manager
    assert deleted.deleted_at is not None
    event = OrderEvent.objects.get(type=EventType.ORDER_DELETED)
    assert event.payload["deleted_by"] == "manager"
    assert (event.payload["table"]["total"], event.payload["table"]["order_count"]) == (kept.total, 1)
    session = api.get(f"{API}/tables/{table.id}").json()["session"]
    assert (session["total"], session["order_count"]) == (kept.total, 1)
    assert [o["id"] for o in api.get(f"{API}/orders").json()["results"]] == [kept.id]
    assert error_of(api.delete(f"{API}/orders/{deleted.id}"), 404)["code"] == "not_found"
    assert OrderEvent.objects.filter(type=EventType.ORDER_DELETED).count() == 1


def delete(api, placed, body):
    return api.delete(f"{API}/orders/{placed.id}", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("body", "reason", "text"),
    [
        ({"reason": "customer_cancel"}, "customer_cancel", ""),
        ({"reason": "wrong_order", "reason_text": "  두 번 눌림 "}, "wrong_order", "두 번 눌림"),
        ({"reason": "other", "reason_text": "음식이 늦게 나와 취소"}, "other", "음식이 늦게 나와 취소"),
        ({}, "", ""),
    ],
)
def test_a_deletion_keeps_its_reason_with_the_audit_record(api, table, menu, body, reason, text):
    placed = order(table, menu[0])
    assert delete(api, placed, body).status_code == 204
    record = OrderAudit.objects.get(order=placed)
    placed.refresh_from_db()
    assert (record.kind, record.reason, record.reason_text, record.actor.username) == (
        "deleted",
        reason,
        text,
        "manager",
    )
    assert record.at == placed.deleted_at
    assert api.get(f"{API}/orders/{placed.id}").json()["audit"][0]["reason"] == reason


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "angry"}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "other"}, "reason_text"),
        ({"reason": "other", "reason_text": "   "}, "reason_text"),
        ({"reason": "other", "reason_text": "가" * 201}, "reason_text"),
        ({"reason": "wrong_order", "reason_text": "a\x00b"}, "reason_text"),
        ({"reason_text": "이유만"}, "reason"),
        ({"reason": ["other"]}, "reason"),
    ],
)
def test_a_bad_deletion_reason_is_a_field_error_and_deletes_nothing(api, table, menu, body, field):
    placed = order(table, menu[0])
    assert set(error_of(delete(api, placed, body), 400)["fields"]) == {field}
    placed.refresh_from_db()
    assert placed.deleted_at is None
    assert not OrderAudit.objects.exists()
    assert not OrderEvent.objects.filter(type=EventType.ORDER_DELETED).exists()


def test_a_reason_of_two_hundred_characters_is_kept(api, table, menu):
    placed = order(table, menu[0])
    assert delete(api, placed, {"reason": "other", "reason_text": "가" * 200}).status_code == 204
    assert OrderAudit.objects.get().reason_text == "가" * 200


def test_a_deleted_order_cannot_change_status(api, table, menu):
    placed = order(table, menu[0])
    delete_order(order=placed, actor=None)
    assert patch(api, f"{API}/orders/{placed.id}", {"status": "preparing"}).status_code == 404
    placed.refresh_from_db()
    assert placed.status == "pending"


# History


def closed(placed):
    """The audit record of a pending order whose table was closed."""
    record = OrderAudit.objects.get(order=placed, kind="closed_unfinished")
    return {
        "kind": "closed_unfinished",
        "kind_label": "Table closed before it was completed",
        "from_status": "pending",
        "to_status": "pending",
        "reason": "",
        "reason_label": "",
        "reason_text": "",
        "from_table": None,
        "to_table": None,
        "by": None,
        "at": record.at.isoformat(),
    }


def test_history_is_ended_sessions_orders_newest_first(api, store, table, menu):
    other = setup_table(store=store, number=2, password="1234")[0]
    first, second = order(table, menu[0]), order(other, menu[1])
    gone = order(table, menu[2])
    delete_order(order=gone, actor=None)
    close_session(table=table, actor=None)
    close_session(table=other, actor=None)
    current = order(table, menu[0])
    body = api.get(f"{API}/history").json()
    sessions = {s.table_id: s for s in TableSession.objects.filter(closed_at__isnull=False)}
    assert body["results"] == [
        {**second.as_dict(), "session_closed_at": sessions[other.id].closed_at.isoformat(), "audit": [closed(second)]},
        {**first.as_dict(), "session_closed_at": sessions[table.id].closed_at.isoformat(), "audit": [closed(first)]},
    ]
    assert current.id not in {o["id"] for o in body["results"]}
    assert [o["id"] for o in api.get(f"{API}/history?table={table.id}").json()["results"]] == [first.id]


def test_history_takes_the_same_queries_for_any_number_of_audited_orders(
    api, manager, store, menu, django_assert_max_num_queries
):
    def closed_floor(tables):
        for number in range(1, tables + 1):
            table = setup_table(store=store, number=number, password="1234")[0]
            for _ in range(3):
                placed = order(table, menu[0])
                change_order_status(order=placed, status="preparing")
                change_order_status(order=placed, status="pending", actor=manager, allow_step_back=True)
            close_session(table=table, actor=manager)

    closed_floor(1)
    one_table = _queries(api, f"{API}/history?page_size=100")
    closed_floor(5)
    with django_assert_max_num_queries(one_table):
        body = api.get(f"{API}/history?page_size=100").json()
    assert body["count"] == 3 * (1 + 5)
    assert all([r["kind"] for r in o["audit"]] == ["stepped_back", "closed_unfinished"] for o in body["results"])


def test_history_dates_are_inclusive_days_in_seoul(api, table, menu):
    late = order(table, menu[0])
    midnight = order(table, menu[1])
    next_night = order(table, menu[2])
    close_session(table=table, actor=None)
    # 23:59:59 on 1 March in Seoul is still 1 March, though it is 14:59 UTC.
    at(late, datetime(2026, 3, 1, 23, 59, 59, tzinfo=SEOUL))
    at(midnight, datetime(2026, 3, 2, 0, 0, tzinfo=SEOUL))
    at(next_night, datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=SEOUL))

    def ids(query):
        response = api.get(f"{API}/history?{query}")
        assert response.status_code == 200, response.content
        return [o["id"] for o in response.json()["results"]]

    assert ids("date_to=2026-03-01") == [late.id]
    assert ids("date_from=2026-03-02") == [next_night.id, midnight.id]
    assert ids("date_from=2026-03-02&date_to=2026-03-02") == [next_night.id, midnight.id]
    assert ids("date_from=2026-03-01&date_to=2026-03-01") == [late.id]
    assert ids("date_from=2026-03-03") == []
    assert ids("date_from=2026-02-28&date_to=2026-03-03") == [next_night.id, midnight.id, late.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2026-13-01", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("date_from=2026-03-02&date_to=2026-03-01", "date_to"),
        ("table=x", "table"),
    ],
)
def test_bad_history_filters_are_field_errors(api, query, field):
    error = error_of(api.get(f"{API}/history?{query}"), 400)
    assert set(error["fields"]) == {field}


# Who may call it


def _csrf_client(manager):
    """A browser with the admin's session cookie and the csrftoken cookie its pages set."""
    client = Client(enforce_csrf_checks=True)
    client.get("/admin/login/")
    client.force_login(manager)
    return client, client.cookies["csrftoken"].value


def test_the_admin_session_cookie_needs_the_csrf_token_to_write(manager, table, menu):
    placed = order(table, menu[0])
    client, token = _csrf_client(manager)
    assert client.get(f"{API}/orders").json()["count"] == 1
    url = f"{API}/orders/{placed.id}"
    refused = client.patch(url, {"status": "preparing"}, content_type="application/json")
    assert refused.status_code == 403
    placed.refresh_from_db()
    assert placed.status == "pending"
    accepted = client.patch(
        url, {"status": "preparing"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 200
    placed.refresh_from_db()
    assert placed.status == "preparing"


def test_a_platform_admins_session_is_not_a_store_managers(db, table, menu):
    client = Client()
    client.force_login(User.objects.create_superuser(username="root", password="root-pass-123"))
    assert client.get(f"{API}/tables").status_code in {401, 403}


def test_tablet_tokens_and_anonymous_requests_are_refused(client, table):
    tablet = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    assert client.get(f"{API}/tables", headers=tablet).status_code in {401, 403}
    assert post(client, f"{API}/tables", {"number": 2, "password": "1234"}).status_code == 401
    assert error_of(client.get(f"{API}/orders"), 401)["code"] == "not_authenticated"
    assert Table.objects.count() == 1


@pytest.mark.parametrize("query", ["date_to=9999-12-31", "date_from=9999-12-31", "date_from=0001-01-01"])
def test_history_dates_at_the_calendar_edges_are_a_400(api, table, menu, query):
    order(table, menu[0])
    close_session(table=table, actor=None)
    response = api.get(f"{API}/history?{query}")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [query.split("=")[0]])
