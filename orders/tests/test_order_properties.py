"""Property tests of placing orders (orders/services.py, orders/pricing.py), with Hypothesis.

1. Any list of lines, options and note (valid ones, unknown or malformed ids, sold-out items
   and options, another store's, duplicate options, quantities out of range, too many lines,
   totals over the cap) is either exactly the order a simple model of the rules expects, or a
   ValidationError (a 400 through the API) that changes nothing: no order, line, kitchen
   ticket, session or event, and the store's order counter as it was. A retry with the same key changes nothing.
   One bad line (each kind of mistake) among good ones refuses the whole order.
2. The same through the API, with what JSON can carry (floats, huge numbers, nested junk):
   201 with the expected order, or a 400 in the error shape, never anything else.
3. Orders placed, moved on or back, deleted and tables closed at random: every table's total
   and order count (API, dashboard and the latest event's payload) equal the sum of its
   current session's live orders' lines, and each order's total the sum of its lines; each
   status is what the rules allow (forward any steps, back one step only where allowed), and
   the audit holds one record per step back, deletion and order a close left unfinished.

Bounded: PROPERTY_EXAMPLES (default 100) examples each, the same ones every run
(`derandomize`); set PROPERTY_EXAMPLES higher for a longer search.
"""

import contextlib
import itertools
import json
import os
import uuid
from dataclasses import dataclass, field

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from accounts.models import Store
from accounts.services import setup_table
from accounts.tokens import table_tokens
from conftest import make_menu, make_option_group, make_store
from core.exceptions import Conflict
from kitchen.models import KitchenTicket
from menus.models import MenuItem, Option
from orders.models import (
    STAFF_ONLY_EVENTS,
    STATUS_FLOW,
    EventType,
    Order,
    OrderAudit,
    OrderEvent,
    OrderLine,
    TableSession,
)
from orders.pricing import MAX_LINES, MAX_NOTE_LENGTH, MAX_ORDER_TOTAL, MAX_QUANTITY
from orders.selectors import dashboard_tables, open_session, table_state
from orders.services import change_order_status, close_session, delete_order, place_order

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "100"))
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """The examples place far more orders on one table than the per-table limit lets a tablet."""
    settings.TABLE_ORDER_LIMIT = 10**9


# The menu, as the model of the rules sees it


@dataclass
class ModelOption:
    id: int
    name: str
    price_delta: int
    is_available: bool


@dataclass
class ModelGroup:
    min_select: int
    max_select: int
    options: list


@dataclass
class ModelItem:
    name: str
    price: int
    is_available: bool
    groups: list = field(default_factory=list)


@dataclass
class World:
    table: object
    menu: dict  # this store's items by id
    foreign_item_id: int
    foreign_option_id: int

    @property
    def option_ids(self):
        return [option.id for item in self.menu.values() for group in item.groups for option in group.options]

    def item_id(self, name):
        return next(item_id for item_id, item in self.menu.items() if item.name == name)

    def option_id(self, name):
        return next(
            option.id for item in self.menu.values() for g in item.groups for option in g.options if option.name == name
        )


@pytest.fixture
def world(store, other_store):
    """Store alpha's table 1 and menu: 김치찌개 (₩9,000; 맵기 exactly one, 추가 up to two, 햄
    sold out), 공기밥 (₩1,000), 된장찌개 (sold out), 한우 코스 (₩10,000,000, to reach the cap);
    and an item and option of store beta."""
    table = setup_table(store=store, number=1, password="1234")[0]
    stew, _rice, soup, _course = make_menu(
        store, items=(("김치찌개", 9000), ("공기밥", 1000), ("된장찌개", 8000), ("한우 코스", 10_000_000))
    )
    MenuItem.objects.filter(pk=soup.pk).update(is_available=False)
    spice = make_option_group(stew, name="맵기", min_select=1, max_select=1, display_order=1)
    extra = make_option_group(stew, name="추가", min_select=0, max_select=2, display_order=2)
    for group, name, delta, available in [
        (spice, "순한맛", 0, True),
        (spice, "매운맛", 500, True),
        (extra, "치즈", 1000, True),
        (extra, "계란", 500, True),
        (extra, "햄", 2000, False),
    ]:
        Option.objects.create(group=group, name=name, price_delta=delta, is_available=available)
    foreign_item = other_store.menu_items.get()
    foreign_group = make_option_group(foreign_item, name="곱빼기", min_select=0, max_select=1)
    foreign_option = Option.objects.create(group=foreign_group, name="곱빼기", price_delta=2000)

    menu = {}
    for item in MenuItem.objects.filter(store=store).prefetch_related("option_groups__options"):
        groups = [
            ModelGroup(
                group.min_select,
                group.max_select,
                [ModelOption(o.id, o.name, o.price_delta, o.is_available) for o in group.options.all()],
            )
            for group in item.option_groups.all()
        ]
        menu[item.id] = ModelItem(item.name, item.price, item.is_available, groups)
    return World(table, menu, foreign_item.id, foreign_option.id)


def expected_order(world, items, note):
    """What the rules say `items` and `note` make: (total, [(name, unit price, quantity,
    option names)]), or None when the order must be refused. Written apart from
    orders/pricing.py, from the rules: items of the menu and available, options of the item,
    available and within each group's limits, a note within its length, the total within the
    cap."""
    if not isinstance(items, list | tuple) or not 1 <= len(items) <= MAX_LINES:
        return None
    if not isinstance(note, str) or "\x00" in note or len(note.strip()) > MAX_NOTE_LENGTH:
        return None
    lines = []
    for line in items:
        if not isinstance(line, dict):
            return None
        item_id, quantity, option_ids = line.get("menu_item_id"), line.get("quantity"), line.get("option_ids", [])
        if not (_whole(item_id) and _whole(quantity) and 1 <= quantity <= MAX_QUANTITY):
            return None
        if not isinstance(option_ids, list | tuple) or not all(_whole(o) for o in option_ids):
            return None
        if len(set(option_ids)) != len(option_ids):
            return None
        item = world.menu.get(item_id)
        if item is None or not item.is_available:
            return None
        offered = {option.id for group in item.groups for option in group.options}
        if not set(option_ids) <= offered:
            return None
        chosen = []
        for group in item.groups:
            picked = [option for option in group.options if option.id in option_ids]
            if not group.min_select <= len(picked) <= group.max_select or not all(o.is_available for o in picked):
                return None
            chosen += picked
        unit_price = item.price + sum(option.price_delta for option in chosen)
        lines.append((item.name, unit_price, quantity, [option.name for option in chosen]))
    total = sum(unit_price * quantity for _name, unit_price, quantity, _options in lines)
    return (total, lines) if total <= MAX_ORDER_TOTAL else None


def _whole(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


# What a tablet (or anything else) might send


def well_formed_lines(world, *, sold_out):
    """Lines a tablet would send: an item of the store's menu, a quantity in range, a choice
    within each of its groups' limits; with `sold_out`, sold-out items and options too."""

    def for_item(item_id):
        choices = [
            st.lists(
                st.sampled_from([option.id for option in group.options if sold_out or option.is_available]),
                min_size=group.min_select,
                max_size=group.max_select,
                unique=True,
            )
            for group in world.menu[item_id].groups
        ]
        return st.fixed_dictionaries(
            {
                "menu_item_id": st.just(item_id),
                "quantity": st.one_of(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=99)),
                "option_ids": st.tuples(*choices).map(lambda picked: [option for group in picked for option in group]),
            }
        )

    items = [item_id for item_id, item in world.menu.items() if sold_out or item.is_available]
    return st.sampled_from(items).flatmap(for_item)


def one_defect(world, good):
    """Good lines and one line with one thing wrong, somewhere among them."""
    stew, mild = world.item_id("김치찌개"), world.option_id("순한맛")
    defects = [
        {"menu_item_id": world.item_id("된장찌개"), "quantity": 1},  # sold out
        {"menu_item_id": stew, "quantity": 1, "option_ids": [mild, world.option_id("햄")]},  # option sold out
        {"menu_item_id": world.foreign_item_id, "quantity": 1},  # another store's item
        {"menu_item_id": stew, "quantity": 1, "option_ids": [mild, world.foreign_option_id]},  # its option
        {"menu_item_id": world.item_id("공기밥"), "quantity": 1, "option_ids": [mild]},  # another item's option
        {"menu_item_id": stew, "quantity": 1, "option_ids": [mild, mild]},  # chosen twice
        {"menu_item_id": stew, "quantity": 1, "option_ids": [mild, world.option_id("매운맛")]},  # over the maximum
        {"menu_item_id": stew, "quantity": 1, "option_ids": [world.option_id("치즈")]},  # a required group left out
        {"menu_item_id": world.item_id("공기밥"), "quantity": 0},
        {"menu_item_id": world.item_id("공기밥"), "quantity": MAX_QUANTITY + 1},
        {"menu_item_id": world.item_id("공기밥"), "quantity": True},
        {"menu_item_id": 2**63 - 1, "quantity": 1},  # unknown
    ]
    return st.tuples(st.lists(good, max_size=3), st.sampled_from(defects), st.integers(min_value=0, max_value=3)).map(
        lambda parts: [*parts[0][: parts[2]], parts[1], *parts[0][parts[2] :]]
    )


def orders(world, *, json_only=False):
    """(items, note) anywhere from a correct order to nonsense, a third or so of them good."""
    junk = [None, True, 1.5, "1", "", [], {}]
    if json_only:
        junk += [2.0, "2", 10**30, -(10**30), 1e300, [[[]]], {"a": {"b": {}}}]
    item_ids = st.one_of(
        st.sampled_from([*world.menu, world.foreign_item_id]),
        st.integers(min_value=-2, max_value=3),
        st.integers(min_value=2**62, max_value=2**63 - 1),
        st.sampled_from(junk),
    )
    option_ids = st.one_of(
        st.sampled_from([*world.option_ids, world.foreign_option_id]),
        st.integers(min_value=-1, max_value=2),
        st.sampled_from(junk),
    )
    quantities = st.one_of(
        st.integers(min_value=1, max_value=MAX_QUANTITY),
        st.sampled_from([0, -1, MAX_QUANTITY + 1, 10**6, *junk]),
    )
    option_lists = st.one_of(
        st.lists(st.sampled_from(world.option_ids), max_size=3),
        st.lists(option_ids, max_size=4),
        st.sampled_from(junk),
    )
    any_line = st.one_of(
        st.fixed_dictionaries(
            {"menu_item_id": item_ids, "quantity": quantities}, optional={"option_ids": option_lists}
        ),
        st.sampled_from(junk),
    )
    good = well_formed_lines(world, sold_out=False)
    # One line without options many times, around the 50-line limit.
    plain = [item_id for item_id, item in world.menu.items() if item.is_available and not item.groups]
    many = st.integers(min_value=MAX_LINES - 1, max_value=MAX_LINES + 1).flatmap(
        lambda count: st.lists(
            st.fixed_dictionaries(
                {"menu_item_id": st.sampled_from(plain), "quantity": st.integers(min_value=1, max_value=2)}
            ),
            min_size=count,
            max_size=count,
        )
    )
    items = st.one_of(
        st.lists(good, min_size=1, max_size=4),
        st.lists(good, min_size=1, max_size=2),
        one_defect(world, good),
        st.lists(st.one_of(well_formed_lines(world, sold_out=True), any_line), max_size=5),
        many,
        st.sampled_from(junk),
    )
    notes = st.one_of(
        st.just(""),
        st.text(max_size=20),
        st.text(min_size=MAX_NOTE_LENGTH - 2, max_size=MAX_NOTE_LENGTH + 2),
        st.sampled_from([" " * 300 + "덜 맵게", "a\x00b", None, 5]),
    )
    return st.tuples(items, notes)


def counters(store_id):
    return {
        "orders": Order.objects.filter(store_id=store_id).count(),
        "lines": OrderLine.objects.filter(order__store_id=store_id).count(),
        "sessions": TableSession.objects.filter(store_id=store_id).count(),
        "events": OrderEvent.objects.filter(store_id=store_id).count(),
        "tickets": KitchenTicket.objects.filter(store_id=store_id).count(),
        "last_number": Store.objects.get(pk=store_id).last_order_number,
    }


def live_lines_total(session):
    lines = OrderLine.objects.filter(order__session=session, order__deleted_at__isnull=True)
    return sum(line.unit_price * line.quantity for line in lines)


def test_any_order_is_the_expected_one_or_a_validation_error_that_changes_nothing(world):
    table = world.table

    @BOUNDED
    @given(orders(world))
    def check(order):
        items, note = order
        want = expected_order(world, items, note)
        before = counters(table.store_id)
        key = str(uuid.uuid4())
        try:
            placed, created = place_order(table=table, items=items, note=note, idempotency_key=key)
        except ValidationError as error:
            event("refused")
            assert want is None, f"refused a good order: {error}"
            assert counters(table.store_id) == before
            return
        event("placed")
        assert want is not None, f"placed an order the rules refuse: {placed.as_dict()}"
        total, lines = want
        assert created
        assert placed.total == total
        assert [
            (line.name, line.unit_price, line.quantity, [option["name"] for option in line.options])
            for line in placed.lines.all()
        ] == lines
        assert placed.note == note.strip()
        after = counters(table.store_id)
        assert after == {
            "orders": before["orders"] + 1,
            "lines": before["lines"] + len(lines),
            "sessions": before["sessions"] + (before["sessions"] == 0),
            # Its event and its ticket's (the store has one kitchen station, which makes everything).
            "events": before["events"] + 2,
            "tickets": before["tickets"] + 1,
            "last_number": before["last_number"] + 1,
        }
        assert placed.number == after["last_number"]
        assert table_state(table, placed.session)["total"] == live_lines_total(placed.session)
        # A retry of the same request is the same order, and nothing more.
        assert place_order(table=table, items=items, note=note, idempotency_key=key) == (placed, False)
        assert counters(table.store_id) == after

    check()


def test_one_bad_line_among_good_ones_refuses_the_whole_order_and_changes_nothing(world):
    table = world.table

    @BOUNDED
    @given(one_defect(world, well_formed_lines(world, sold_out=False)))
    def check(items):
        assert expected_order(world, items, "") is None
        before = counters(table.store_id)
        with pytest.raises(ValidationError):
            place_order(table=table, items=items, idempotency_key=str(uuid.uuid4()))
        assert counters(table.store_id) == before

    check()


def test_any_order_through_the_api_is_a_201_or_a_400_in_the_error_shape(client, world):
    headers = {"Authorization": f"Bearer {table_tokens(world.table)['access']}"}

    @BOUNDED
    @given(orders(world, json_only=True))
    def check(order):
        items, note = order
        before = counters(world.table.store_id)
        response = client.post(
            "/api/v1/orders",
            json.dumps({"items": items, "note": note}),
            content_type="application/json",
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code in {201, 400}, response.content[:500]
        event(str(response.status_code))
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["code"] == "invalid"
            assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages), error
            assert counters(world.table.store_id) == before
            # DRF reads "2" and 2.0 as 2, so only a request of plain whole numbers must pass.
            assert expected_order(world, items, note) is None, error
            return
        # What was placed is an order the rules accept, priced as the menu says.
        placed = response.json()
        as_placed = [
            {
                "menu_item_id": line["menu_item_id"],
                "quantity": line["quantity"],
                "option_ids": [o["id"] for o in line["options"]],
            }
            for line in placed["items"]
        ]
        want = expected_order(world, as_placed, placed["note"])
        assert want is not None, placed
        assert placed["total"] == want[0]
        assert [(line["name"], line["unit_price"], line["quantity"]) for line in placed["items"]] == [
            line[:3] for line in want[1]
        ]
        assert counters(world.table.store_id)["orders"] == before["orders"] + 1

    check()


# Totals under a random floor


class Floor(RuleBasedStateMachine):
    """Two tables of a store of their own, whose guests order and whose managers move orders
    on or back, delete them and close tables, in any order. `current` is what each table should
    have: the totals of the orders placed since it was last closed, less those deleted;
    `status` each order's status by the rules, and `audited` the audit records by kind."""

    stores = itertools.count(1)

    def __init__(self):
        super().__init__()
        self.store = make_store(code=f"floor-{next(self.stores)}", name="플로어")
        self.manager = self.store.users.get()
        self.tables = [setup_table(store=self.store, number=number, password="1234")[0] for number in (1, 2)]
        self.items = make_menu(self.store)
        self.current = {table.id: {} for table in self.tables}
        self.status = {}
        self.audited = {"stepped_back": 0, "deleted": 0, "closed_unfinished": 0}

    def current_orders(self):
        return list(Order.objects.live().filter(store=self.store, session__closed_at__isnull=True).order_by("id"))

    @rule(
        table=st.integers(min_value=0, max_value=1),
        picks=st.lists(
            st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=1, max_value=MAX_QUANTITY)),
            min_size=1,
            max_size=4,
        ),
    )
    def order(self, table, picks):
        items = [{"menu_item_id": self.items[index].id, "quantity": quantity} for index, quantity in picks]
        placed, _created = place_order(table=self.tables[table], items=items)
        self.current[placed.table_id][placed.id] = sum(self.items[index].price * quantity for index, quantity in picks)
        self.status[placed.id] = "pending"

    @rule(data=st.data())
    def delete(self, data):
        if current := self.current_orders():
            reason = data.draw(st.sampled_from([("", ""), ("wrong_order", ""), ("other", "손님 요청")]))
            deleted = delete_order(
                order=data.draw(st.sampled_from(current)), actor=self.manager, reason=reason[0], reason_text=reason[1]
            )
            del self.current[deleted.table_id][deleted.id]
            self.audited["deleted"] += 1

    @rule(data=st.data(), status=st.sampled_from(STATUS_FLOW), allow_step_back=st.booleans())
    def move(self, data, status, allow_step_back):
        if not (current := self.current_orders()):
            return
        order = data.draw(st.sampled_from(current))
        step = STATUS_FLOW.index(status) - STATUS_FLOW.index(self.status[order.id])
        allowed = step > 0 or (step == -1 and allow_step_back)
        try:
            change_order_status(order=order, status=status, actor=self.manager, allow_step_back=allow_step_back)
        except Conflict:
            assert not allowed, (self.status[order.id], status, allow_step_back)
            return
        assert allowed, (self.status[order.id], status, allow_step_back)
        self.status[order.id] = status
        self.audited["stepped_back"] += step < 0

    @rule(table=st.integers(min_value=0, max_value=1))
    def close(self, table):
        with contextlib.suppress(Conflict):  # no open session
            close_session(table=self.tables[table], actor=self.manager)
        left = self.current[self.tables[table].id]
        self.audited["closed_unfinished"] += sum(self.status[order_id] != "completed" for order_id in left)
        self.current[self.tables[table].id] = {}

    @invariant()
    def statuses_and_audit_follow_the_rules(self):
        for order in self.current_orders():
            assert order.status == self.status[order.id]
        kinds = OrderAudit.objects.filter(store=self.store).values_list("kind", flat=True)
        assert {kind: list(kinds).count(kind) for kind in self.audited} == self.audited

    @invariant()
    def totals_are_the_sum_of_live_lines(self):
        for table in self.tables:
            session = open_session(table)
            live = list(Order.objects.live().filter(session=session).prefetch_related("lines")) if session else []
            assert {order.id: order.total for order in live} == self.current[table.id]
            total = sum(line.unit_price * line.quantity for order in live for line in order.lines.all())
            for order in live:
                assert order.total == sum(line.unit_price * line.quantity for line in order.lines.all())
            state = table_state(table, session)
            assert (state["total"], state["order_count"]) == (total, len(live))
            shown = dashboard_tables([table])[0]["session"]
            if session is None:
                assert shown is None
            else:
                assert (shown["total"], shown["order_count"]) == (total, len(live))
            # The dashboards' copy: the latest event of the table carries the same figures.
            # (The kitchen's events carry no table state.)
            shown_to_guests = OrderEvent.objects.filter(table=table).exclude(type__in=STAFF_ONLY_EVENTS)
            latest = shown_to_guests.exclude(type=EventType.MENU_UPDATED).last()
            if latest is not None:
                assert (latest.payload["table"]["total"], latest.payload["table"]["order_count"]) == (total, len(live))


def test_table_totals_always_equal_the_sum_of_their_live_orders_lines():
    run_state_machine_as_test(
        Floor,
        settings=settings(
            max_examples=max(EXAMPLES // 4, 10),
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
