"""Staff calls (직원 호출): the services, the tablet's API, the manager's API and their events."""

import pytest
from django.core.exceptions import ValidationError

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_store
from core.exceptions import Conflict
from orders.models import EventType, OrderEvent, StaffCall, TableSession
from orders.outbox import events_after
from orders.selectors import open_staff_calls, recent_staff_calls
from orders.services import close_session, place_order
from orders.staff_calls import acknowledge_staff_call, call_staff

CALLS = "/api/v1/staff-calls"
ADMIN_CALLS = "/api/v1/admin/staff-calls"


def acknowledge_url(call):
    return f"{ADMIN_CALLS}/{call.id}/acknowledge"


def tablet(table):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


def manager_of(store):
    return {"Authorization": f"Bearer {manager_tokens(store.users.get())['access']}"}


def post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def events(event_type=None):
    rows = OrderEvent.objects.order_by("id")
    return list(rows.filter(type=event_type) if event_type else rows)


@pytest.fixture
def second_table(store):
    return setup_table(store=store, number=2, password="1234")[0]


# The services


def test_a_call_opens_the_tables_session_and_is_announced(table):
    call, created = call_staff(table=table, reason="물")

    session = TableSession.objects.get()
    assert created
    assert (call.store_id, call.table_id, call.session_id, call.reason) == (table.store_id, table.id, session.id, "물")
    assert call.acknowledged_at is None
    (event,) = events()
    assert (event.type, event.store_id, event.table_id, event.session_id) == (
        EventType.STAFF_CALL_CREATED,
        table.store_id,
        table.id,
        session.id,
    )
    assert event.payload == {
        "call": StaffCall.objects.get().as_dict(),
        "table": {"id": table.id, "number": 1, "session_id": session.id, "total": 0, "order_count": 0},
    }


def test_a_call_joins_the_open_session_and_carries_its_total(table, menu):
    order, _created = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])

    call, _created = call_staff(table=table, reason="앞접시")

    assert call.session_id == order.session_id
    assert TableSession.objects.count() == 1
    table_state = events(EventType.STAFF_CALL_CREATED)[0].payload["table"]
    assert (table_state["total"], table_state["order_count"]) == (18000, 1)


def test_calling_again_while_the_reason_waits_returns_the_waiting_call_without_an_event(table):
    first, _created = call_staff(table=table, reason="물")

    again, created = call_staff(table=table, reason="물")

    assert not created
    assert again.pk == first.pk
    assert StaffCall.objects.count() == 1
    assert len(events()) == 1


def test_each_reason_waits_on_its_own(table):
    water, _created = call_staff(table=table, reason="물")
    spoons, created = call_staff(table=table, reason="수저")

    assert created
    assert water.pk != spoons.pk
    assert len(events(EventType.STAFF_CALL_CREATED)) == 2


def test_once_acknowledged_the_same_reason_calls_again(table, manager):
    first, _created = call_staff(table=table, reason="물")
    acknowledge_staff_call(call=first, actor=manager)

    second, created = call_staff(table=table, reason="물")

    assert created
    assert second.pk != first.pk
    assert second.session_id == first.session_id


@pytest.mark.parametrize("reason", ["맥주", "", " 물", None, ["물"]])
def test_a_reason_the_store_does_not_offer_is_refused_and_writes_nothing(table, reason):
    with pytest.raises(ValidationError) as error:
        call_staff(table=table, reason=reason)

    assert error.value.message_dict == {"reason": ["Choose one of this store's call reasons."]}
    assert not StaffCall.objects.exists()
    assert not TableSession.objects.exists()
    assert not OrderEvent.objects.exists()


def test_the_reasons_are_the_stores_own(table, store):
    store.staff_call_reasons = ["냅킨", "물티슈"]
    store.save()
    table.refresh_from_db()

    call, _created = call_staff(table=table, reason="물티슈")

    assert call.reason == "물티슈"
    with pytest.raises(ValidationError):
        call_staff(table=table, reason="물")


def test_acknowledging_records_who_and_when_and_is_announced(table, manager):
    call, _created = call_staff(table=table, reason="물")

    acknowledged, changed = acknowledge_staff_call(call=call, actor=manager)

    assert changed
    assert acknowledged.acknowledged_at is not None
    assert acknowledged.acknowledged_by == manager
    event = events(EventType.STAFF_CALL_ACKNOWLEDGED)[0]
    assert (event.table_id, event.session_id) == (table.id, call.session_id)
    assert event.payload["call"] == StaffCall.objects.get().as_dict()
    assert event.payload["call"]["acknowledged_at"] == acknowledged.acknowledged_at.isoformat()
    assert event.payload["table"]["session_id"] == call.session_id


def test_acknowledging_twice_changes_nothing_the_second_time(table, manager, store):
    call, _created = call_staff(table=table, reason="물")
    first, _changed = acknowledge_staff_call(call=call, actor=manager)
    other = make_store(code="gamma", username="kim").users.get()

    again, changed = acknowledge_staff_call(call=call, actor=other)

    assert not changed
    assert (again.acknowledged_at, again.acknowledged_by) == (first.acknowledged_at, manager)
    assert len(events(EventType.STAFF_CALL_ACKNOWLEDGED)) == 1


def test_closing_the_session_ends_its_calls(table, manager, store):
    call, _created = call_staff(table=table, reason="물")

    close_session(table=table, actor=manager)

    assert not open_staff_calls(StaffCall.objects.filter(store=store)).exists()
    assert not recent_staff_calls(StaffCall.objects.filter(store=store)).exists()
    with pytest.raises(Conflict) as error:
        acknowledge_staff_call(call=call, actor=manager)
    assert error.value.code == "session_closed"
    assert not events(EventType.STAFF_CALL_ACKNOWLEDGED)
    # The next guests' call is a new one in their own session.
    fresh, created = call_staff(table=table, reason="물")
    assert created
    assert fresh.session_id != call.session_id


def test_call_events_reach_the_admin_stream_and_only_that_tables_stream(table, second_table, manager):
    call, _created = call_staff(table=table, reason="물")
    acknowledge_staff_call(call=call, actor=manager)
    call_staff(table=second_table, reason="수저")

    store_stream = events_after(after_id=0, store_id=table.store_id, limit=100)
    table_stream = events_after(after_id=0, store_id=table.store_id, limit=100, table_id=table.id, min_session_id=1)

    assert [event.type for event in store_stream] == [
        EventType.STAFF_CALL_CREATED,
        EventType.STAFF_CALL_ACKNOWLEDGED,
        EventType.STAFF_CALL_CREATED,
    ]
    assert [(event.type, event.session_id) for event in table_stream] == [
        (EventType.STAFF_CALL_CREATED, call.session_id),
        (EventType.STAFF_CALL_ACKNOWLEDGED, call.session_id),
    ]


# The tablet's API


def test_a_tablet_calls_staff(client, table):
    response = post(client, CALLS, {"reason": "계산 요청"}, tablet(table))

    assert response.status_code == 201, response.content
    call = StaffCall.objects.get()
    assert response.json() == {
        "id": call.id,
        "reason": "계산 요청",
        "table": {"id": table.id, "number": 1},
        "session_id": TableSession.objects.get().id,
        "created_at": call.created_at.isoformat(),
        "acknowledged_at": None,
    }


def test_a_second_tap_gets_the_waiting_call_with_200(client, table):
    first = post(client, CALLS, {"reason": "물"}, tablet(table)).json()

    response = post(client, CALLS, {"reason": "물"}, tablet(table))

    assert response.status_code == 200
    assert response.json() == first
    assert len(events()) == 1


@pytest.mark.parametrize(("body", "message"), [({"reason": "맥주"}, "call reasons"), ({}, "required")])
def test_a_bad_reason_is_a_400_on_the_reason_field(client, table, body, message):
    response = post(client, CALLS, body, tablet(table))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message in error["fields"]["reason"][0]
    assert not StaffCall.objects.exists()
    assert not TableSession.objects.exists()


def test_a_tablet_lists_its_tables_calls_of_the_current_session_oldest_first(client, table, second_table, manager):
    old, _created = call_staff(table=table, reason="기타")
    close_session(table=table, actor=manager)
    water, _created = call_staff(table=table, reason="물")
    acknowledge_staff_call(call=water, actor=manager)
    spoons, _created = call_staff(table=table, reason="수저")
    call_staff(table=second_table, reason="앞접시")

    body = client.get(CALLS, headers=tablet(table)).json()

    assert body["count"] == 2
    assert [call["id"] for call in body["results"]] == [water.id, spoons.id]
    assert body["results"][0]["acknowledged_at"] is not None
    assert body["results"][1]["acknowledged_at"] is None
    assert old.id not in {call["id"] for call in body["results"]}


def test_a_table_without_a_session_has_no_calls(client, table, manager):
    call_staff(table=table, reason="물")
    close_session(table=table, actor=manager)

    body = client.get(CALLS, headers=tablet(table)).json()

    assert (body["count"], body["results"]) == (0, [])


def test_a_tablets_call_list_pages(client, table):
    for reason in ("물", "앞접시", "수저"):
        call_staff(table=table, reason=reason)

    body = client.get(CALLS, {"page_size": 2}, headers=tablet(table)).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_tablet_endpoint_refuses_a_manager_token_and_no_token(client, table, store, method):
    body = {"reason": "물"} if method == "post" else None
    as_manager = getattr(client, method)(CALLS, body, headers=manager_of(store))
    anonymous = getattr(client, method)(CALLS)

    assert as_manager.status_code in {401, 403}
    assert anonymous.status_code == 401
    assert not StaffCall.objects.exists()


# The manager's API


def test_open_calls_are_the_waiting_ones_of_open_sessions_oldest_first(client, store, table, second_table, manager):
    ended, _created = call_staff(table=second_table, reason="물")
    close_session(table=second_table, actor=manager)
    first, _created = call_staff(table=table, reason="물")
    seen, _created = call_staff(table=table, reason="수저")
    acknowledge_staff_call(call=seen, actor=manager)
    later, _created = call_staff(table=second_table, reason="기타")

    body = client.get(ADMIN_CALLS, {"status": "open"}, headers=manager_of(store)).json()

    assert [call["id"] for call in body["results"]] == [first.id, later.id]
    assert body["results"][0] == StaffCall.objects.get(pk=first.pk).as_dict()
    assert ended.id not in {call["id"] for call in body["results"]}


def test_recent_calls_are_every_call_of_open_sessions_newest_first(client, store, table, second_table, manager):
    call_staff(table=second_table, reason="물")
    close_session(table=second_table, actor=manager)
    first, _created = call_staff(table=table, reason="물")
    seen, _created = call_staff(table=table, reason="수저")
    acknowledge_staff_call(call=seen, actor=manager)

    body = client.get(ADMIN_CALLS, headers=manager_of(store)).json()

    assert [call["id"] for call in body["results"]] == [seen.id, first.id]
    assert body["results"][0]["acknowledged_at"] is not None


def test_calls_filter_by_table(client, store, table, second_table):
    call_staff(table=table, reason="물")
    other, _created = call_staff(table=second_table, reason="물")

    body = client.get(ADMIN_CALLS, {"status": "open", "table": second_table.id}, headers=manager_of(store)).json()

    assert [call["id"] for call in body["results"]] == [other.id]


@pytest.mark.parametrize("query", [{"status": "waiting"}, {"table": "one"}])
def test_a_bad_filter_is_a_400(client, store, query):
    response = client.get(ADMIN_CALLS, query, headers=manager_of(store))

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(query)


def test_the_call_list_reads_in_constant_queries(client, store, django_assert_max_num_queries):
    tables = [setup_table(store=store, number=n, password="1234")[0] for n in range(1, 11)]
    call_staff(table=tables[0], reason="물")
    client.get(ADMIN_CALLS, headers=manager_of(store))
    headers = manager_of(store)
    with django_assert_max_num_queries(8) as few:
        client.get(ADMIN_CALLS, headers=headers)
    for other in tables[1:]:
        call_staff(table=other, reason="물")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(ADMIN_CALLS, headers=headers).json()
    assert body["count"] == 10


def test_a_manager_acknowledges_a_call_once_and_again_is_fine(client, store, table, manager):
    call, _created = call_staff(table=table, reason="물")

    response = post(client, acknowledge_url(call), {}, manager_of(store))
    again = post(client, acknowledge_url(call), {}, manager_of(store))

    assert response.status_code == 200, response.content
    call.refresh_from_db()
    assert response.json() == call.as_dict()
    assert call.acknowledged_by == manager
    assert again.status_code == 200
    assert again.json() == response.json()
    assert len(events(EventType.STAFF_CALL_ACKNOWLEDGED)) == 1
    assert client.get(ADMIN_CALLS, {"status": "open"}, headers=manager_of(store)).json()["count"] == 0


def test_acknowledging_a_call_of_an_ended_session_is_a_409(client, store, table, manager):
    call, _created = call_staff(table=table, reason="물")
    close_session(table=table, actor=manager)

    response = post(client, acknowledge_url(call), {}, manager_of(store))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "session_closed"


def test_the_tablet_sees_its_call_acknowledged(client, store, table):
    call = post(client, CALLS, {"reason": "물"}, tablet(table)).json()
    post(client, f"{ADMIN_CALLS}/{call['id']}/acknowledge", {}, manager_of(store))

    (listed,) = client.get(CALLS, headers=tablet(table)).json()["results"]

    assert listed["id"] == call["id"]
    assert listed["acknowledged_at"] is not None


# Isolation


def test_another_stores_manager_cannot_see_or_acknowledge_a_call(client, table, other_store):
    call, _created = call_staff(table=table, reason="물")
    outsider = manager_of(other_store)

    acknowledge = post(client, acknowledge_url(call), {}, outsider)
    listed = [client.get(ADMIN_CALLS, query, headers=outsider).json() for query in ({}, {"status": "open"})]
    filtered = client.get(ADMIN_CALLS, {"table": table.id}, headers=outsider).json()

    assert acknowledge.status_code == 404
    assert all(body["count"] == 0 for body in [*listed, filtered])
    call.refresh_from_db()
    assert call.acknowledged_at is None
    assert not events(EventType.STAFF_CALL_ACKNOWLEDGED)


def test_a_tablet_token_cannot_acknowledge(client, table):
    call, _created = call_staff(table=table, reason="물")

    response = post(client, acknowledge_url(call), {}, tablet(table))

    assert response.status_code in {401, 403}
    call.refresh_from_db()
    assert call.acknowledged_at is None


def test_a_tablet_never_sees_another_stores_calls(client, table, other_store):
    other_table = setup_table(store=other_store, number=1, password="1234")[0]
    call_staff(table=other_table, reason="물")

    body = client.get(CALLS, headers=tablet(table)).json()

    assert body["count"] == 0
