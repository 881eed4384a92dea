"""How an order is written: what runs under the store lock, the event its notification
carries, pricing in one query, and replays found through the unique key."""

import contextlib
import json
import random
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from psycopg.pq import TransactionStatus

from accounts.models import Store
from accounts.services import setup_table
from conftest import make_menu, make_store, postgres_only
from core.exceptions import Conflict, RateLimited
from core.listener import connection_params
from kitchen.models import KitchenTicket
from menus.models import MenuItem, Station
from orders import outbox
from orders.hub import hub
from orders.models import EventType, Order, OrderEvent, OrderLine, TableSession
from orders.order_write import DISPLAY_NUMBER, ISO_TIME, write_in_one_message, write_in_steps, write_order
from orders.pricing import price_lines
from orders.selectors import open_session, table_state
from orders.services import delete_order, place_order
from orders.tests.events import assert_tickets_follow_their_orders, ticket_fields
from orders.tests.sse_client import db, run

LOCK = "pg_advisory_xact_lock"


def one(item, quantity=1):
    return [{"menu_item_id": item.id, "quantity": quantity}]


def statements(sql):
    """The statements of one message (`;`-separated; none of ours has a `;` in a literal)."""
    return [part.strip() for part in sql.split(";") if part.strip()]


# What Django logs for its transaction calls; psycopg sends BEGIN before the first statement,
# and nothing for a COMMIT when the transaction has already ended.
TRANSACTION_MARKERS = {"BEGIN", "COMMIT", "ROLLBACK"}


class Messages:
    """The messages sent to the database, each with the transaction status after it."""

    def __init__(self):
        self.sent = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.sent.append((sql, connection.connection.info.transaction_status))
        return result

    def from_the_lock(self):
        index = next(i for i, (sql, _status) in enumerate(self.sent) if LOCK in sql)
        return self.sent[index:]


def sent(function):
    """(what `function` returns, the Messages it sent)."""
    messages = Messages()
    with connection.execute_wrapper(messages):
        return function(), messages


# Under the store lock (PostgreSQL)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_order_is_one_message_that_is_its_own_transaction(table, menu):
    place_order(table=table, items=one(menu[1]))  # the session is open: the usual order
    with CaptureQueriesContext(connection) as captured:
        (order, created), messages = sent(lambda: place_order(table=table, items=one(menu[0]), idempotency_key="tap"))
    assert created
    # Pricing, the kitchen's stations (both before the lock), then the lock, the read and the
    # write: no replay check, no BEGIN, no COMMIT.
    assert [query["sql"] for query in captured.captured_queries if query["sql"] in TRANSACTION_MARKERS] == []
    assert len(captured.captured_queries) == 3
    assert "menus_station" in captured.captured_queries[1]["sql"]
    ((message, status),) = messages.from_the_lock()
    assert [statement.split()[0] for statement in statements(message)] == ["SELECT", "WITH"]
    assert LOCK in statements(message)[0]
    # The database ended the message's transaction with the message: committed, lock released.
    assert status == TransactionStatus.IDLE
    assert connection.get_autocommit() and not connection.in_atomic_block
    with psycopg.connect(**connection_params()) as other:
        assert other.execute("SELECT number FROM orders_order WHERE id = %s", [order.id]).fetchone() == (2,)
        # Its kitchen ticket and the ticket's event committed with it.
        tickets = "SELECT count(*) FROM kitchen_kitchenticket WHERE order_id = %s"
        assert other.execute(tickets, [order.id]).fetchone() == (1,)
        assert other.execute(
            "SELECT array_agg(type ORDER BY id) FROM orders_orderevent WHERE session_id = %s", [order.session_id]
        ).fetchone() == (["order.created", "ticket.created", "order.created", "ticket.created"],)
        # (Of this database: other test runs may share the server.)
        assert other.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone() == (0,)


def unsaved_order(table, item, quantity=1):
    order = Order(store_id=table.store_id, table=table, total=item.price * quantity)
    return order, [
        OrderLine(order=order, menu_item_id=item.id, name=item.name, unit_price=item.price, quantity=quantity)
    ]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_one_message_refuses_to_run_inside_an_atomic_block(table, menu):
    order, lines = unsaved_order(table, menu[0])
    with pytest.raises(TransactionManagementError), transaction.atomic():
        write_in_one_message(order, lines)
    assert (Order.objects.count(), OrderEvent.objects.count(), TableSession.objects.count()) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_steps_write_only_inside_an_atomic_block(table, menu):
    order, lines = unsaved_order(table, menu[0])
    with pytest.raises(TransactionManagementError):
        write_in_steps(order, lines)
    assert (Order.objects.count(), OrderEvent.objects.count(), TableSession.objects.count()) == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("inside_a_transaction", [False, True])
def test_rows_that_belong_to_the_order_exist_if_and_only_if_it_does(table, menu, inside_a_transaction):
    """Any model with an `order` foreign key (here: a line the payload does not show)."""
    block = transaction.atomic if inside_a_transaction else contextlib.nullcontext
    order, lines = unsaved_order(table, menu[0])
    refused = OrderLine(name="refused", unit_price=0, quantity=0)  # the quantity check refuses it
    with pytest.raises(IntegrityError), block():
        write_order(order, lines, rows=[refused])
    assert (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count()) == (0, 0, 0)
    assert Store.objects.get(pk=table.store_id).last_order_number == 0
    order, lines = unsaved_order(table, menu[0])
    with block():
        written = write_order(
            order, lines, rows=[OrderLine(name="extra", unit_price=0, quantity=1, options=[{"id": 1, "name": "큰 것"}])]
        )
    assert list(OrderLine.objects.filter(order=written).values_list("name", "options")) == [
        (menu[0].name, []),
        ("extra", [{"id": 1, "name": "큰 것"}]),
    ]
    # The event shows the order's lines only.
    assert [item["name"] for item in OrderEvent.objects.get().payload["order"]["items"]] == [menu[0].name]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_first_order_opens_its_session_in_the_same_message(table, menu):
    (order, _created), messages = sent(lambda: place_order(table=table, items=one(menu[0])))
    ((message, _committed),) = messages.from_the_lock()
    assert "orders_tablesession" in message
    assert open_session(table).id == order.session_id
    assert order.session.opened_at == order.created_at == open_session(table).opened_at


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_order_is_part_of_it(table, menu):
    with transaction.atomic():
        _placed, messages = sent(lambda: place_order(table=table, items=one(menu[0])))
        # Written step by step in a savepoint of the caller's transaction, which goes on.
        assert len(messages.from_the_lock()) > 2
        assert all(status == TransactionStatus.INTRANS for _sql, status in messages.sent)
        transaction.set_rollback(True)
    assert (Order.objects.count(), OrderEvent.objects.count(), KitchenTicket.objects.count()) == (0, 0, 0)
    # The rollback gave the number back.
    assert Store.objects.get(pk=table.store_id).last_order_number == 0
    assert place_order(table=table, items=one(menu[0]))[0].number == 1


# The event and its notification


def listen():
    """A connection LISTENing on the events channel, like a process's listener."""
    conn = psycopg.connect(**connection_params(), autocommit=True)
    conn.execute(f"LISTEN {outbox.CHANNEL}")
    return conn


def notifications(conn, count=1):
    payloads = [notify.payload for notify in conn.notifies(timeout=5, stop_after=count)]
    assert len(payloads) == count, payloads
    return payloads


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_notification_carries_the_event_as_its_row_has_it(table, menu):
    """The order's event and then its ticket's, each as its row has it, in id order."""
    with listen() as conn:
        order, _created = place_order(table=table, items=one(menu[0], 2), note="덜 맵게: 부탁해요")
        heard = [outbox.parse_notification(message) for message in notifications(conn, 2)]
    rows = list(OrderEvent.objects.order_by("id"))
    assert [row.type for row in rows] == ["order.created", "ticket.created"]
    for (store_id, event), row in zip(heard, rows, strict=True):
        stored = outbox.Event.from_row((row.id, row.store_id, row.table_id, row.session_id, row.type, row.payload))
        assert store_id == table.store_id
        assert (event.id, event.store_id, event.table_id, event.session_id, event.type) == (
            row.id,
            row.store_id,
            table.id,
            order.session_id,
            row.type,
        )
        # Live or replayed, a stream's frame parses to the same JSON.
        assert json.loads(event.data) == json.loads(stored.data) == row.payload
        assert event.message.split(b"data: ")[0] == stored.message.split(b"data: ")[0]
    assert rows[0].payload["order"] == order.as_dict()
    ticket = rows[1].payload["ticket"]
    assert ticket["id"] == str(KitchenTicket.objects.get(order=order).id)
    assert {key: ticket[key] for key in ticket_fields(order.as_dict())} == ticket_fields(order.as_dict())
    assert ticket["note"] == "덜 맵게: 부탁해요"
    assert ticket["lines"] == [{"name": "김치찌개", "quantity": 2, "options": []}]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_event_too_big_for_a_notification_is_read_from_the_outbox(store, table, menu):
    long_name = MenuItem.objects.create(
        store=store, category=menu[0].category, name="아주 긴 이름의 특선 메뉴 " * 4, price=1000
    )
    big = [{"menu_item_id": long_name.id, "quantity": n} for n in range(1, 51)]

    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        await hub.ready()
        with listen() as conn:
            large = await db(place_order)(table=table, items=big)
            small = await db(place_order)(table=table, items=one(menu[0]))
            heard = notifications(conn, 4)
        received = [await subscription.get(5) for _ in heard]
        return heard, received, large[0], small[0]

    heard, received, large, small = run(scenario)
    events = list(OrderEvent.objects.order_by("id"))
    assert [event.type for event in events] == ["order.created", "ticket.created"] * 2
    # The big order's ticket (the same long lines) is too big as well: only its id, like its order's.
    for event in events[:2]:
        assert len(json.dumps(event.payload, ensure_ascii=False).encode()) > outbox.MAX_NOTIFICATION_BYTES
    assert heard[:2] == [f"{events[0].id}:{store.id}", f"{events[1].id}:{store.id}"]
    assert all(isinstance(outbox.parse_notification(message)[1], outbox.Event) for message in heard[2:])
    # In commit order, whichever way each came.
    assert [event.id for event in received] == [event.id for event in events]
    assert [json.loads(event.data) for event in received] == [event.payload for event in events]
    assert_tickets_follow_their_orders(events)
    assert (large.number, small.number) == (1, 2)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_notifications_of_stores_nobody_here_follows_are_not_read(store, table, other_store):
    class NoReader:
        async def execute(self, *args):
            raise AssertionError("read an event nobody here follows")

    async def scenario():
        subscription = hub.subscribe(store_id=store.id)
        await hub.heard([f"1:{other_store.id}", f"2:{other_store.id}:5:6:order.created:{{}}"], NoReader())
        await hub.heard([f'3:{store.id}:{table.id}::menu.updated:{{"version":"x"}}'], NoReader())
        return await subscription.get(1)

    event = run(scenario)
    assert (event.id, event.table_id, event.session_id, event.type) == (3, table.id, None, "menu.updated")
    assert event.message == b'id: 3\nevent: menu.updated\ndata: {"version":"x"}\n\n'


# Both databases


def test_pricing_is_one_query_however_many_options(table, menu, django_assert_num_queries):
    spice = menu[0].option_groups.create(store=menu[0].store, name="맵기", min_select=1, max_select=1)
    mild = spice.options.create(name="순한맛")
    spice.options.create(name="매운맛", price_delta=500, display_order=1)
    menu[0].option_groups.create(store=menu[0].store, name="추가", max_select=2).options.create(
        name="치즈", price_delta=1000
    )
    lines = [(menu[0].id, 1, [mild.id]), (menu[1].id, 2, []), (menu[2].id, 1, [])]
    with django_assert_num_queries(1):
        priced = price_lines(table.store_id, lines)
    assert [(line.name, line.unit_price, line.options) for line in priced] == [
        ("김치찌개", 9000, [{"id": mild.id, "name": "순한맛", "price_delta": 0}]),
        ("된장찌개", 8000, []),
        ("공기밥", 1000, []),
    ]


def test_a_new_order_with_a_key_does_not_look_for_an_earlier_one(table, menu):
    place_order(table=table, items=one(menu[0]))
    with CaptureQueriesContext(connection) as captured:
        place_order(table=table, items=one(menu[1]), idempotency_key="fresh")
    sent = [query["sql"] for query in captured.captured_queries]
    assert sent and not any('"idempotency_key" =' in sql for sql in sent)


def test_the_events_table_state_is_the_tables_state_after_the_order(table, menu, manager):
    first, _created = place_order(table=table, items=one(menu[0]))
    assert OrderEvent.objects.get(type="order.created").payload["table"] == table_state(table, first.session)
    deleted, _created = place_order(table=table, items=one(menu[1], 3))
    delete_order(order=deleted, actor=manager)
    third, _created = place_order(table=table, items=one(menu[2], 2))
    assert_tickets_follow_their_orders(OrderEvent.objects.order_by("id"))
    event = OrderEvent.objects.filter(type="order.created").latest("id")
    assert (
        event.payload["table"]
        == table_state(table, third.session)
        == {
            "id": table.id,
            "number": table.number,
            "session_id": first.session_id,
            "total": 9000 + 2 * 1000,
            "order_count": 2,
        }
    )
    assert event.payload["order"] == Order.objects.with_lines().get(pk=third.pk).as_dict()


def test_a_replay_gets_its_order_even_once_its_item_is_sold_out(table, menu):
    first, _created = place_order(table=table, items=one(menu[0]), idempotency_key="tap")
    MenuItem.objects.filter(pk=menu[0].pk).update(is_available=False)
    replay, created = place_order(table=table, items=one(menu[0]), idempotency_key="tap")
    assert (replay.pk, created) == (first.pk, False)
    with pytest.raises(Conflict) as refused:
        place_order(table=table, items=one(menu[0], 2), idempotency_key="tap")
    assert refused.value.code == "idempotency_key_reused"
    assert (Order.objects.count(), OrderLine.objects.count(), KitchenTicket.objects.count()) == (1, 1, 1)
    assert list(OrderEvent.objects.values_list("type", flat=True)) == ["order.created", "ticket.created"]


def test_a_replay_through_the_unique_key_writes_nothing_and_gives_the_number_back(table, menu):
    first, _created = place_order(table=table, items=one(menu[0]), idempotency_key="tap")
    for _replay in range(3):
        assert place_order(table=table, items=one(menu[0]), idempotency_key="tap") == (first, False)
    assert (Order.objects.count(), KitchenTicket.objects.count()) == (1, 1)
    assert list(OrderEvent.objects.values_list("type", flat=True)) == ["order.created", "ticket.created"]
    assert place_order(table=table, items=one(menu[1]))[0].number == 2


def test_the_returned_order_is_as_written(table, menu):
    order, _created = place_order(table=table, items=one(menu[0], 2), note="  물 많이 ")
    written = Order.objects.with_lines().get(pk=order.pk)
    with CaptureQueriesContext(connection) as captured:
        assert order.as_dict() == written.as_dict()
    assert captured.captured_queries == []
    assert order.session.is_open and order.session_id == written.session_id
    # A saved order, as if read: it can be changed and saved again.
    order.note = "물 적게"
    order.save(update_fields=["note"])
    assert Order.objects.get(pk=order.pk).note == "물 적게"


def test_each_event_adds_its_order_to_the_tables_total(table, menu):
    for n in range(1, 4):
        place_order(table=table, items=one(menu[0], n))
    created = OrderEvent.objects.filter(type="order.created")
    states = [(e.payload["table"]["total"], e.payload["table"]["order_count"]) for e in created]
    assert states == [(9000, 1), (27000, 2), (54000, 3)]
    assert assert_tickets_follow_their_orders(OrderEvent.objects.order_by("id")) == 3


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_event_shows_the_order_as_the_response_does(table, menu):
    Store.objects.filter(pk=table.store_id).update(last_order_number=12344)
    with listen() as conn:
        order, _created = place_order(table=table, items=one(menu[0], 2), note='따옴표 " 역슬래시 \\ 퍼센트 %s')
        (_store_id, event), (_store_id, ticket_event) = map(outbox.parse_notification, notifications(conn, 2))
    payload = json.loads(event.data)
    assert payload == {"order": order.as_dict(), "table": table_state(table, order.session)}
    assert payload["order"]["display_number"] == "#12345"
    assert OrderEvent.objects.get(type="order.created").payload == payload
    # Its ticket's event, filled in by the same statement, shows the same number, time and note.
    ticket = json.loads(ticket_event.data)["ticket"]
    assert {key: ticket[key] for key in ticket_fields(payload["order"])} == ticket_fields(payload["order"])
    assert ticket["note"] == order.note
    assert OrderEvent.objects.get(type="ticket.created").payload == {"ticket": ticket}


@postgres_only
@pytest.mark.django_db
def test_the_database_writes_an_orders_time_as_python_does():
    start = datetime(2000, 1, 1, tzinfo=UTC)
    moments = [
        start + timedelta(seconds=random.randrange(40 * 365 * 86400), microseconds=random.randrange(10**6))
        for _ in range(20_000)
    ]
    moments += [datetime(2026, 11, 26, 8, 5, 3, microsecond, tzinfo=UTC) for microsecond in (0, 1, 70, 500000, 999999)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT now, {ISO_TIME} FROM unnest(%s::timestamptz[]) AS now ORDER BY now", [moments])
        written = cursor.fetchall()
    assert written == [(moment, moment.isoformat()) for moment in sorted(moments)]


@postgres_only
@pytest.mark.django_db
def test_the_database_writes_an_orders_display_number_as_python_does():
    numbers = [*range(1, 100_001), 999_999, 1_000_000, 1234567, 2**53]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, {DISPLAY_NUMBER} FROM unnest(%s::bigint[]) AS number ORDER BY number", [numbers]
        )
        written = cursor.fetchall()
    assert written == [(number, Order(number=number).display_number) for number in sorted(numbers)]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_refused_order_writes_nothing_and_takes_no_number_or_id(table, menu, settings):
    settings.TABLE_ORDER_LIMIT = 2
    place_order(table=table, items=one(menu[0]))
    second, _created = place_order(table=table, items=one(menu[1]))
    with pytest.raises(RateLimited):
        place_order(table=table, items=one(menu[2]))
    assert (Order.objects.count(), OrderLine.objects.count(), KitchenTicket.objects.count()) == (2, 2, 2)
    assert OrderEvent.objects.count() == 4  # each order's and its ticket's
    settings.TABLE_ORDER_LIMIT = 3
    third, _created = place_order(table=table, items=one(menu[2]))
    assert (third.number, third.id) == (second.number + 1, second.id + 1)
    events = list(OrderEvent.objects.order_by("id").values_list("id", "type"))
    # The second order's ticket event, then the third order's: no event id between them.
    assert [event_type for _id, event_type in events[3:]] == ["ticket.created", "order.created", "ticket.created"]
    assert [event_id for event_id, _type in events[3:]] == [events[3][0], events[3][0] + 1, events[3][0] + 2]


# One order write, two dialects: the same scenario through each gives the same rows and events


def _store_with_menu(code):
    store = make_store(code=code, name=f"{code} 식당")
    kimchi, soybean, _rice = make_menu(store)
    spice = kimchi.option_groups.create(store=kimchi.store, name="맵기", min_select=1, max_select=1)
    spice.options.create(name="순한맛")
    hot = spice.options.create(name="매운맛", price_delta=500, display_order=1)
    long_name = MenuItem.objects.create(
        store=store, category=kimchi.category, name="아주 긴 이름의 특선 메뉴 " * 4, price=1
    )
    # A second station, so that an order with a line for each has two tickets (two followers).
    soybean.station = Station.objects.create(store=store, name="국", display_order=1)
    soybean.save(update_fields=["station"])
    table = setup_table(store=store, number=7, password="1234")[0]
    return table, kimchi, soybean, hot, long_name


def _scenario(table, kimchi, soybean, hot, long_name, manager):
    """Orders of one party: the first opens the session and has a ticket for each of two
    stations, a replay, a deleted order, an event too big for a notification (its ticket's
    too), and an order over the table's limit."""
    first, _ = place_order(
        table=table,
        items=[{"menu_item_id": kimchi.id, "quantity": 2, "option_ids": [hot.id]}, *one(soybean)],
        note="덜 짜게 \\ %s",
    )
    second, _ = place_order(table=table, items=one(soybean), idempotency_key="tap")
    assert place_order(table=table, items=one(soybean), idempotency_key="tap") == (second, False)
    delete_order(order=first, actor=manager)
    place_order(table=table, items=[{"menu_item_id": long_name.id, "quantity": n} for n in range(1, 51)])
    with pytest.raises(RateLimited):
        place_order(table=table, items=one(soybean, 3))


def _written(table, heard):
    """The store's rows and its events' notifications, with ids replaced by what they stand for."""
    store_id = table.store_id
    sessions = {s.id: f"session {n}" for n, s in enumerate(TableSession.objects.filter(store_id=store_id))}
    orders = list(Order.objects.filter(store_id=store_id).order_by("number"))
    order_names = {order.id: order.display_number for order in orders}
    created = {order.id: order.created_at.isoformat() for order in orders}
    items = {item.id: item.name for item in MenuItem.objects.filter(store_id=store_id)}
    tickets = list(KitchenTicket.objects.filter(store_id=store_id).order_by("order__number", "station_name"))
    # A ticket's id is a UUID made in Python: named by its order and station instead.
    ticket_names = {str(t.id): f"{order_names[t.order_id]} {t.station_name}" for t in tickets}
    events = list(OrderEvent.objects.filter(store_id=store_id).order_by("id"))
    # A deleted order's tickets are cancelled one after another in no set order (it follows
    # their random ids): such a run of ticket.updated events is put in the order of its tickets.
    runs = {}
    for previous, event in zip([None, *events], events, strict=False):
        in_a_run = previous is not None and previous.type == event.type == EventType.TICKET_UPDATED
        runs[event.id] = runs[previous.id] if in_a_run else event.id
    events.sort(key=lambda e: (runs[e.id], ticket_names.get(e.payload.get("ticket", {}).get("id"), "")))
    event_names = {event.id: f"event {n}" for n, event in enumerate(events)}

    def named(value, key=None):
        if isinstance(value, dict):
            return {k: named(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [named(v) for v in value]
        names = {"session_id": sessions, "menu_item_id": items}.get(key)
        if names is not None and value is not None:
            return names[value]
        return value

    def payload(data):
        data = named(data)
        if "ticket" in data:
            ticket = data["ticket"]
            ticket["id"] = ticket_names[ticket["id"]]
            ticket["order_id"] = order_names[ticket["order_id"]]
            ticket["created_at"] = "its time"  # a ticket.created's is compared with its order's in "times"
            ticket["cancelled_at"] = ticket.get("cancelled_at") is not None
            ticket["table"]["id"] = "table"
            ticket["station"]["id"] = ticket["station"]["id"] is not None
            return data
        data["order"]["id"] = order_names[data["order"]["id"]]
        data["order"]["created_at"] = "its time"  # compared with the row's in "times"
        data["order"]["acknowledged_at"] = data["order"]["acknowledged_at"] is not None
        data["order"]["table"]["id"] = data["table"]["id"] = "table"
        for item in data["order"]["items"]:
            for option in item["options"]:
                option["id"] = "option"
        return data

    rows = {
        "sessions": [
            (sessions[s.id], s.opened_at == orders[0].created_at, s.closed_at)
            for s in TableSession.objects.filter(store_id=store_id)
        ],
        "orders": [
            (
                o.display_number,
                sessions[o.session_id],
                o.status,
                o.total,
                o.note,
                o.idempotency_key,
                len(o.request_fingerprint),  # a hash of the store's own ids
                o.deleted_at is None,
            )
            for o in orders
        ],
        "lines": [
            (
                order_names[line.order_id],
                items[line.menu_item_id],
                line.name,
                line.unit_price,
                line.quantity,
                [o["name"] for o in line.options],
            )
            for line in OrderLine.objects.filter(order__store_id=store_id).order_by("order__number", "id")
        ],
        "tickets": [
            (
                ticket_names[str(t.id)],
                t.station.name,
                t.status,
                t.lines,
                t.note,
                (t.started_at, t.done_at),
                t.cancelled_at is not None,
            )
            for t in tickets
        ],
        "events": [(event_names[e.id], e.type, sessions[e.session_id], payload(e.payload)) for e in events],
        # Each order's event and each of its tickets' shows the order's time as its row has it.
        "times": [
            (event_names[e.id], subject["created_at"] == created[subject.get("order_id", subject["id"])])
            for e in events
            if e.type in (EventType.ORDER_CREATED, EventType.TICKET_CREATED)
            for subject in [e.payload.get("order") or e.payload["ticket"]]
        ],
    }
    heard_ids = [int(message.split(":", 1)[0]) for message in heard]
    assert heard_ids == sorted(heard_ids)  # notified in id order
    rank = {event.id: n for n, event in enumerate(events)}
    notices = []
    for message in sorted(heard, key=lambda message: rank[int(message.split(":", 1)[0])]):
        parts = message.split(":", 5)
        assert int(parts[1]) == store_id
        if len(parts) == 2:
            notices.append((event_names[int(parts[0])], "only its id"))
            continue
        event_id, _store, table_id, session_id, event_type, data = parts
        assert int(table_id) == table.id
        notices.append((event_names[int(event_id)], sessions[int(session_id)], event_type, payload(json.loads(data))))
        row = OrderEvent.objects.get(pk=event_id)
        assert json.loads(data) == row.payload
    return rows, notices


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_both_dialects_of_the_order_write_give_the_same_rows_events_and_notifications(settings):
    """The one message (each order outside a transaction) and the steps (the whole scenario
    inside a caller's transaction)."""
    settings.TABLE_ORDER_LIMIT = 3
    results = []
    for code, block in (("onemessage", contextlib.nullcontext), ("steps", transaction.atomic)):
        table, *menu = _store_with_menu(code)
        manager = table.store.users.get()
        with listen() as conn:
            with block():
                _scenario(table, *menu, manager)
            heard = [n.payload for n in conn.notifies(timeout=1, stop_after=11)]
        heard = [message for message in heard if int(message.split(":", 2)[1]) == table.store_id]
        results.append(_written(table, heard))
    (one_message, its_notices), (steps, their_notices) = results
    assert one_message == steps
    assert its_notices == their_notices
    # The scenario reached every case it names.
    assert [event[1] for event in one_message["events"]] == [
        "order.created",
        "ticket.created",
        "ticket.created",
        "order.created",
        "ticket.created",
        "order.deleted",
        "ticket.updated",  # the deleted order's tickets, cancelled
        "ticket.updated",
        "order.created",
        "ticket.created",
    ]
    # Every event was notified once (in id order, as _written checks; a follower's after its order's).
    assert [notice[0] for notice in its_notices] == [f"event {n}" for n in range(10)]
    assert [notice[1] for notice in its_notices] == ["session 0"] * 8 + ["only its id"] * 2
    assert [ticket[:3] for ticket in one_message["tickets"]] == [
        ("#0001 국", "국", "cancelled"),
        ("#0001 주방", "주방", "cancelled"),
        ("#0002 국", "국", "new"),
        ("#0003 주방", "주방", "new"),
    ]
    assert [same for _event, same in one_message["times"]] == [True] * 7
    assert one_message["sessions"][0][1]
