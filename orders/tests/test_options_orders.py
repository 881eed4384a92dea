"""Orders with options and a note: the server checks every choice (an option of the item,
available, within its group's limits), prices the line, and keeps a snapshot; the
idempotency fingerprint covers options and note."""

import pytest
from django.core.exceptions import ValidationError

from accounts.tokens import table_tokens
from conftest import make_option_group
from core.exceptions import Conflict
from menus.models import Option
from menus.services import delete_menu_item, delete_option_group, link_option_groups, save_options
from orders.models import EventType, Order, OrderEvent, OrderLine, TableSession
from orders.pricing import MAX_ORDER_TOTAL
from orders.services import place_order

ORDERS = "/api/v1/orders"


@pytest.fixture
def stew(menu):
    """김치찌개 (₩9,000): 맵기 exactly one; 추가 up to two (치즈 +1,000, 계란 +500, 햄 sold out)."""
    item = menu[0]
    extra = make_option_group(item, name="추가", min_select=0, max_select=2, display_order=2)
    spice = make_option_group(item, name="맵기", min_select=1, max_select=1, display_order=1)
    item.o = {
        "spice": spice,
        "extra": extra,
        "mild": Option.objects.create(group=spice, name="순한맛", display_order=1),
        "hot": Option.objects.create(group=spice, name="매운맛", display_order=2),
        "cheese": Option.objects.create(group=extra, name="치즈", price_delta=1000, display_order=1),
        "egg": Option.objects.create(group=extra, name="계란", price_delta=500, display_order=2),
        "ham": Option.objects.create(group=extra, name="햄", price_delta=2000, display_order=3, is_available=False),
    }
    return item


def line(item, *option_names, quantity=1):
    return {"menu_item_id": item.id, "quantity": quantity, "option_ids": [item.o[name].id for name in option_names]}


def snapshot(item, *option_names):
    return [
        {"id": item.o[name].id, "name": item.o[name].name, "price_delta": item.o[name].price_delta}
        for name in option_names
    ]


def nothing_written():
    return not (
        Order.objects.exists()
        or OrderLine.objects.exists()
        or TableSession.objects.exists()
        or OrderEvent.objects.exclude(type=EventType.MENU_UPDATED).exists()
    )


def test_the_unit_price_is_the_item_plus_the_deltas_and_the_line_keeps_the_options(table, stew):
    # Asked for in another order than the menu's: the line lists them in menu order.
    order, _created = place_order(table=table, items=[line(stew, "egg", "cheese", "hot", quantity=2)])

    (only,) = order.lines.all()
    assert (only.unit_price, only.quantity, only.line_total) == (9000 + 1000 + 500, 2, 21000)
    assert only.options == snapshot(stew, "hot", "cheese", "egg")
    assert order.total == 21000
    created = OrderEvent.objects.get(type=EventType.ORDER_CREATED).payload["order"]
    assert created["items"][0]["options"] == snapshot(stew, "hot", "cheese", "egg")
    assert created["items"][0]["unit_price"] == 10500


def test_an_item_without_options_needs_none(table, menu, stew):
    order, _created = place_order(table=table, items=[{"menu_item_id": menu[2].id, "quantity": 1, "option_ids": []}])

    assert order.lines.get().options == []
    assert order.total == 1000


def test_the_same_item_with_other_options_is_another_line(table, stew):
    order, _created = place_order(table=table, items=[line(stew, "mild"), line(stew, "hot", "cheese")])

    assert [(each.name, each.unit_price, each.options) for each in order.lines.all()] == [
        ("김치찌개", 9000, snapshot(stew, "mild")),
        ("김치찌개", 10000, snapshot(stew, "hot", "cheese")),
    ]
    assert order.total == 19000


def other_items_option(stew, menu, other_store):
    group = make_option_group(menu[1], name="추가")
    return Option.objects.create(group=group, name="두부", price_delta=500).id


def other_stores_option(stew, menu, other_store):
    group = make_option_group(other_store.menu_items.get(), name="추가")
    return Option.objects.create(group=group, name="곱빼기", price_delta=2000).id


def unknown_option(stew, menu, other_store):
    return 999_999


@pytest.mark.parametrize("foreign", [other_items_option, other_stores_option, unknown_option])
def test_an_option_that_is_not_the_items_is_refused(table, menu, stew, other_store, foreign):
    option_id = foreign(stew, menu, other_store)

    with pytest.raises(ValidationError) as error:
        place_order(
            table=table,
            items=[line(stew, "mild"), {**line(stew, "mild"), "option_ids": [stew.o["mild"].id, option_id]}],
        )

    assert error.value.message_dict["items"] == [f"Line 2: option {option_id} is not an option of 김치찌개."]
    assert nothing_written()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["mild", "ham"], "Line 1: 햄 is sold out."),
        ([], "Line 1: choose at least 1 of 맵기 for 김치찌개."),
        (["cheese"], "Line 1: choose at least 1 of 맵기 for 김치찌개."),
        (["mild", "hot"], "Line 1: choose at most 1 of 맵기 for 김치찌개."),
        (["mild", "cheese", "egg", "ham"], "Line 1: 햄 is sold out."),
    ],
    ids=["sold out", "required group missing", "only another group", "above max", "sold out and above max"],
)
def test_a_bad_choice_is_refused_and_writes_nothing(table, stew, options, message):
    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[line(stew, *options)])

    assert message in error.value.message_dict["items"]
    assert nothing_written()


def test_every_group_counts_against_its_own_limits(table, stew):
    stew.o["extra"].min_select = 2
    stew.o["extra"].save()

    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[line(stew, "mild", "cheese")])

    assert error.value.message_dict["items"] == ["Line 1: choose at least 2 of 추가 for 김치찌개."]
    order, _created = place_order(table=table, items=[line(stew, "mild", "cheese", "egg")])
    assert order.total == 10500


def test_an_item_whose_groups_are_deleted_is_ordered_without_options(table, stew):
    delete_option_group(group=stew.o["spice"])
    link_option_groups(store_id=stew.store_id, deleted=list(stew.group_links.all()))

    order, _created = place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1}])

    assert order.lines.get().options == [] and order.total == 9000


@pytest.mark.parametrize(
    ("option_ids", "message"),
    [
        ("1", "Line 1: option_ids must be a list of at most 50 option ids."),
        ([True], "Line 1: option_ids must be a list of at most 50 option ids."),
        (["7"], "Line 1: option_ids must be a list of at most 50 option ids."),
        ([0], "Line 1: option_ids must be a list of at most 50 option ids."),
        ([1.0], "Line 1: option_ids must be a list of at most 50 option ids."),
        (None, "Line 1: option_ids must be a list of at most 50 option ids."),
        (list(range(1, 52)), "Line 1: option_ids must be a list of at most 50 option ids."),
        ("repeat", "Line 1: an option is chosen more than once."),
    ],
)
def test_malformed_option_ids_are_refused(table, stew, option_ids, message):
    if option_ids == "repeat":
        option_ids = [stew.o["mild"].id, stew.o["cheese"].id, stew.o["mild"].id]

    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 1, "option_ids": option_ids}])

    assert error.value.message_dict["items"] == [message]
    assert nothing_written()


def test_the_snapshot_survives_menu_edits_and_deletions(table, stew):
    order, _created = place_order(table=table, items=[line(stew, "hot", "cheese")])
    cheese, hot = stew.o["cheese"], stew.o["hot"]
    ordered = snapshot(stew, "hot", "cheese")
    cheese.name, cheese.price_delta = "모짜렐라", 3000
    save_options(group=stew.o["extra"], options=[cheese])
    save_options(group=stew.o["spice"], deleted=[hot])
    delete_option_group(group=stew.o["extra"])
    delete_menu_item(item=stew)

    kept = OrderLine.objects.get(order=order)
    assert (kept.menu_item_id, kept.name, kept.unit_price) == (None, "김치찌개", 10000)
    assert (
        kept.options
        == ordered
        == [
            {"id": ordered[0]["id"], "name": "매운맛", "price_delta": 0},
            {"id": ordered[1]["id"], "name": "치즈", "price_delta": 1000},
        ]
    )
    assert Order.objects.with_lines().get(pk=order.pk).as_dict()["items"][0]["options"] == kept.options


def test_an_order_over_100_million_won_is_refused(table, stew):
    stew.price = 10_000_000
    stew.save()
    stew.o["cheese"].price_delta = 10_000_000
    stew.o["cheese"].save()
    at_the_limit = [line(stew, "mild", quantity=10)]
    over = [line(stew, "mild", quantity=5), line(stew, "mild", "cheese", quantity=3)]

    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=over)

    assert error.value.message_dict["items"] == ["An order can come to at most ₩100,000,000."]
    assert nothing_written()
    assert place_order(table=table, items=at_the_limit)[0].total == MAX_ORDER_TOTAL


# The note


@pytest.mark.parametrize(("note", "kept"), [("  덜 맵게 해 주세요 \n", "덜 맵게 해 주세요"), ("   ", ""), ("", "")])
def test_the_note_is_trimmed_and_an_empty_one_is_none(table, menu, note, kept):
    order, _created = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}], note=note)

    assert Order.objects.get(pk=order.pk).note == kept
    assert OrderEvent.objects.get(type=EventType.ORDER_CREATED).payload["order"]["note"] == kept


def test_a_note_of_200_characters_is_fine_and_201_is_refused(table, menu):
    items = [{"menu_item_id": menu[0].id, "quantity": 1}]

    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=items, note="가" * 201)

    assert error.value.message_dict["note"] == ["The note can have at most 200 characters (it has 201)."]
    assert nothing_written()
    assert place_order(table=table, items=items, note=f" {'가' * 200} ")[0].note == "가" * 200


@pytest.mark.parametrize("note", [None, 5, ["덜 맵게"], "nul\x00"])
def test_a_note_that_is_not_text_is_refused(table, menu, note):
    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}], note=note)

    assert error.value.message_dict["note"] == ["The note must be text."]
    assert nothing_written()


# Idempotency covers options and note


def test_a_replay_with_the_same_options_in_any_order_and_the_same_note_is_the_first_order(table, stew):
    first, created = place_order(
        table=table, items=[line(stew, "hot", "cheese", "egg")], note="덜 맵게", idempotency_key="tap"
    )
    again, created_again = place_order(
        table=table, items=[line(stew, "egg", "hot", "cheese")], note=" 덜 맵게 ", idempotency_key="tap"
    )

    assert created and not created_again
    assert again.pk == first.pk
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("options", "note"),
    [(("mild", "cheese", "egg"), "덜 맵게"), (("hot", "cheese"), "덜 맵게"), (("hot", "cheese", "egg"), "맵게")],
    ids=["other option", "fewer options", "another note"],
)
def test_a_replay_with_other_options_or_another_note_is_a_conflict(table, stew, options, note):
    place_order(table=table, items=[line(stew, "hot", "cheese", "egg")], note="덜 맵게", idempotency_key="tap")

    with pytest.raises(Conflict) as error:
        place_order(table=table, items=[line(stew, *options)], note=note, idempotency_key="tap")

    assert error.value.code == "idempotency_key_reused"
    assert Order.objects.count() == 1


# Through the API


def post(client, table, body, key="key-1"):
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}", "Idempotency-Key": key}
    return client.post(ORDERS, body, content_type="application/json", headers=headers)


def test_the_api_places_options_and_a_note_and_shows_them(client, table, stew):
    response = post(client, table, {"items": [line(stew, "hot", "cheese")], "note": "  덜 맵게 해 주세요  "})

    assert response.status_code == 201
    order = response.json()
    assert order["note"] == "덜 맵게 해 주세요"
    assert order["items"] == [
        {
            "menu_item_id": stew.id,
            "name": "김치찌개",
            "unit_price": 10000,
            "quantity": 1,
            "line_total": 10000,
            "options": snapshot(stew, "hot", "cheese"),
        }
    ]
    assert order["total"] == 10000
    listed = client.get(ORDERS, headers={"Authorization": f"Bearer {table_tokens(table)['access']}"}).json()
    assert listed["results"] == [order]


def test_the_api_answers_a_bad_choice_with_a_field_error_and_writes_nothing(client, table, stew):
    response = post(client, table, {"items": [line(stew, "mild"), line(stew, "cheese")]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"items": ["Line 2: choose at least 1 of 맵기 for 김치찌개."]}
    assert nothing_written()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": "가" * 201}, "note"),
        ({"note": ["덜 맵게"]}, "note"),
        ({"note": None}, "note"),
        ({"items": [{"menu_item_id": 1, "quantity": 1, "option_ids": "1,2"}]}, "items"),
        ({"items": [{"menu_item_id": 1, "quantity": 1, "option_ids": ["치즈"]}]}, "items"),
        ({"items": [{"menu_item_id": 1, "quantity": 1, "option_ids": [2**70]}]}, "items"),
    ],
)
def test_the_api_refuses_malformed_options_and_notes(client, table, stew, body, field):
    response = post(client, table, {"items": [line(stew, "mild")], **body})

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert nothing_written()


def test_the_api_replays_the_same_note_and_refuses_another(client, table, stew):
    body = {"items": [line(stew, "mild")], "note": "덜 맵게"}
    first = post(client, table, body, key="tap")

    replay = post(client, table, body, key="tap")
    other = post(client, table, {**body, "note": "맵게"}, key="tap")

    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


# A group shared by several items (one 맵기, many items)


def test_an_option_of_a_shared_group_is_priced_on_every_item_that_offers_it(table, menu, stew):
    spice = stew.o["spice"]
    spice.items.add(menu[1], menu[2])
    hot = stew.o["hot"]
    hot.price_delta = 700
    save_options(group=spice, options=[hot])

    order, _created = place_order(
        table=table, items=[{"menu_item_id": item.id, "quantity": 1, "option_ids": [hot.id]} for item in menu]
    )

    assert [(each.name, each.unit_price, each.options) for each in order.lines.all()] == [
        (item.name, item.price + 700, [{"id": hot.id, "name": "매운맛", "price_delta": 700}]) for item in menu
    ]


def test_a_shared_groups_limits_hold_on_each_item(table, menu, stew):
    stew.o["spice"].items.add(menu[1])

    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[line(stew, "mild"), {"menu_item_id": menu[1].id, "quantity": 1}])

    assert error.value.message_dict["items"] == ["Line 2: choose at least 1 of 맵기 for 된장찌개."]
    assert nothing_written()


def test_the_api_refuses_an_option_of_a_group_the_item_does_not_offer(client, table, menu, stew):
    # 추가 is attached to 김치찌개 only: its options are nothing of 된장찌개's.
    body = {"items": [{"menu_item_id": menu[1].id, "quantity": 1, "option_ids": [stew.o["cheese"].id]}]}

    response = post(client, table, body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "items": [f"Line 1: option {stew.o['cheese'].id} is not an option of 된장찌개."]
    }
    assert nothing_written()


def test_another_stores_group_on_an_item_is_never_offered_or_priced(client, table, menu, stew, other_store):
    """A link to another store's group (written past the services, which refuse it) prices nothing."""
    theirs = make_option_group(other_store.menu_items.get(), name="곱빼기", min_select=1)
    option = Option.objects.create(group=theirs, name="곱빼기", price_delta=2000)
    theirs.items.add(menu[2])
    body = {"items": [{"menu_item_id": menu[2].id, "quantity": 1, "option_ids": [option.id]}]}

    response = post(client, table, body)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"items": [f"Line 1: option {option.id} is not an option of 공기밥."]}
    assert post(client, table, {"items": [{"menu_item_id": menu[2].id, "quantity": 1}]}, "key-2").status_code == 201
    with pytest.raises(ValidationError):
        link_option_groups(store_id=table.store_id, links=[menu[2].group_links.get()])
