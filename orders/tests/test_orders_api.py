"""POST and GET /api/v1/orders: a tablet orders and sees its own table's current orders."""

import pytest

from accounts.services import revoke_tablet, setup_table
from accounts.tokens import TableAccessToken, manager_tokens, table_tokens
from orders.models import Order, OrderEvent, OrderLine, TableSession
from orders.services import close_session, delete_order, place_order

ORDERS = "/api/v1/orders"


def headers(table, key="key-1"):
    result = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    if key is not None:
        result["Idempotency-Key"] = key
    return result


def post(client, table, body, key="key-1"):
    return client.post(ORDERS, body, content_type="application/json", headers=headers(table, key))


def lines(*pairs):
    return {"items": [{"menu_item_id": item.id, "quantity": quantity} for item, quantity in pairs]}


def nothing_written():
    return not (
        Order.objects.exists()
        or OrderLine.objects.exists()
        or TableSession.objects.exists()
        or OrderEvent.objects.exists()
    )


def test_order_is_priced_by_the_server(client, table, menu):
    stew, _soup, rice = menu
    response = post(client, table, lines((stew, 2), (rice, 1)))
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    order = response.json()
    assert order["total"] == 19000
    assert order["number"] == 1
    assert order["status"] == "pending"
    assert order["table"] == {"id": table.id, "number": 1}
    assert order["session_id"] == TableSession.objects.get().id
    assert order["items"] == [
        {
            "menu_item_id": stew.id,
            "name": "김치찌개",
            "unit_price": 9000,
            "quantity": 2,
            "line_total": 18000,
            "options": [],
        },
        {
            "menu_item_id": rice.id,
            "name": "공기밥",
            "unit_price": 1000,
            "quantity": 1,
            "line_total": 1000,
            "options": [],
        },
    ]
    assert order["note"] == ""
    assert Order.objects.get().as_dict() == order


def test_tampered_names_and_prices_are_ignored(client, table, menu):
    stew = menu[0]
    body = {
        "items": [{"menu_item_id": stew.id, "quantity": 1, "price": 1, "unit_price": 1, "name": "공짜", "total": 1}],
        "total": 1,
        "table": 99,
    }
    response = post(client, table, body)
    assert response.status_code == 201
    line = OrderLine.objects.get()
    assert (line.name, line.unit_price, line.order.total, line.order.table_id) == ("김치찌개", 9000, 9000, table.id)


def test_missing_idempotency_key_is_a_field_error(client, table, menu):
    response = post(client, table, lines((menu[0], 1)), key=None)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["idempotency_key"]
    assert nothing_written()


def test_replay_returns_the_first_order(client, table, menu):
    first = post(client, table, lines((menu[0], 1)))
    replay = post(client, table, lines((menu[0], 1)))
    assert replay.status_code == 201
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1


def test_replay_with_another_body_is_409(client, table, menu):
    post(client, table, lines((menu[0], 1)))
    response = post(client, table, lines((menu[0], 2)))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


@pytest.mark.parametrize("expire", ["close", "delete"])
def test_replay_after_the_session_closed_or_the_order_was_deleted_is_409(client, table, manager, menu, expire):
    first = post(client, table, lines((menu[0], 1)), key="tap").json()
    order = Order.objects.get(pk=first["id"])
    if expire == "close":
        close_session(table=table, actor=manager)
    else:
        delete_order(order=order, actor=manager)
    events = OrderEvent.objects.count()
    response = post(client, table, lines((menu[0], 1)), key="tap")
    assert response.status_code == 409
    assert "Idempotent-Replayed" not in response
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_expired"
    assert "new key" in error["message"]
    assert (Order.objects.count(), TableSession.objects.count(), OrderEvent.objects.count()) == (1, 1, events)
    fresh = post(client, table, lines((menu[0], 1)), key="tap-again")
    assert fresh.status_code == 201
    assert "Idempotent-Replayed" not in fresh
    assert fresh.json()["id"] != first["id"]


def test_a_key_belongs_to_its_table(client, store, table, menu):
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    ours = post(client, table, lines((menu[0], 1)), key="same")
    theirs = post(client, neighbour, lines((menu[0], 1)), key="same")
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != ours.json()["id"]
    assert theirs.json()["table"]["number"] == 2


def test_other_stores_items_are_400_and_change_nothing(client, table, menu, other_store):
    foreign = other_store.menu_items.get()
    response = post(client, table, lines((menu[0], 1), (foreign, 1)))
    assert response.status_code == 400
    assert "items" in response.json()["error"]["fields"]
    assert nothing_written()


def test_sold_out_items_are_400_and_change_nothing(client, table, menu):
    menu[1].is_available = False
    menu[1].save()
    response = post(client, table, lines((menu[0], 1), (menu[1], 1)))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["items"] == ["Line 2: 된장찌개 is sold out."]
    assert nothing_written()


def bad_bodies(menu):
    stew = menu[0]
    return {
        "no items": {"items": []},
        "items missing": {},
        "items not a list": {"items": {"menu_item_id": stew.id, "quantity": 1}},
        "quantity zero": {"items": [{"menu_item_id": stew.id, "quantity": 0}]},
        "quantity 100": {"items": [{"menu_item_id": stew.id, "quantity": 100}]},
        "quantity not a number": {"items": [{"menu_item_id": stew.id, "quantity": "many"}]},
        "quantity a fraction": {"items": [{"menu_item_id": stew.id, "quantity": 1.5}]},
        "quantity missing": {"items": [{"menu_item_id": stew.id}]},
        "item id missing": {"items": [{"quantity": 1}]},
        "unknown item": {"items": [{"menu_item_id": 999_999, "quantity": 1}]},
        "item id out of range": {"items": [{"menu_item_id": 2**70, "quantity": 1}]},
        "51 lines": {"items": [{"menu_item_id": stew.id, "quantity": 1}] * 51},
        "line not an object": {"items": [stew.id]},
    }


BAD_BODY_NAMES = list(bad_bodies([type("Item", (), {"id": 1})]))


@pytest.mark.parametrize("name", BAD_BODY_NAMES)
def test_bad_orders_are_400_with_field_errors_and_change_nothing(client, table, menu, name):
    response = post(client, table, bad_bodies(menu)[name])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "items" in error["fields"]
    assert nothing_written()


def test_fifty_lines_of_ninety_nine_are_fine(client, table, menu):
    response = post(client, table, {"items": [{"menu_item_id": menu[2].id, "quantity": 99}] * 50})
    assert response.status_code == 201
    assert response.json()["total"] == 50 * 99 * 1000


def test_body_must_be_an_object(client, table, menu):
    response = client.post(ORDERS, [1, 2], content_type="application/json", headers=headers(table))
    assert response.status_code == 400
    assert nothing_written()


def test_overlong_idempotency_key_is_400(client, table, menu):
    response = post(client, table, lines((menu[0], 1)), key="k" * 101)
    assert response.status_code == 400
    assert "idempotency_key" in response.json()["error"]["fields"]
    assert nothing_written()


def test_list_shows_the_current_session_oldest_first(client, table, menu):
    first, _ = place_order(table=table, items=lines((menu[0], 1))["items"])
    second, _ = place_order(table=table, items=lines((menu[1], 2))["items"])
    response = client.get(ORDERS, headers=headers(table, key=None))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None
    assert [order["id"] for order in body["results"]] == [first.id, second.id]
    assert body["results"][1]["items"][0]["quantity"] == 2


def test_list_is_paginated(client, table, menu):
    ids = [place_order(table=table, items=lines((menu[0], 1))["items"])[0].id for _ in range(3)]
    page_one = client.get(ORDERS, {"page_size": 2}, headers=headers(table, key=None)).json()
    assert page_one["count"] == 3
    assert [order["id"] for order in page_one["results"]] == ids[:2]
    assert page_one["previous"] is None
    page_two = client.get(page_one["next"], headers=headers(table, key=None)).json()
    assert [order["id"] for order in page_two["results"]] == ids[2:]
    assert page_two["next"] is None
    assert page_two["previous"] is not None


def test_each_table_sees_only_its_own_orders(client, store, table, menu, other_store):
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    elsewhere = setup_table(store=other_store, number=1, password="1234")[0]
    ours, _ = place_order(table=table, items=lines((menu[0], 1))["items"])
    place_order(table=neighbour, items=lines((menu[1], 1))["items"])
    place_order(table=elsewhere, items=[{"menu_item_id": other_store.menu_items.get().id, "quantity": 1}])
    body = client.get(ORDERS, headers=headers(table, key=None)).json()
    assert [order["id"] for order in body["results"]] == [ours.id]
    empty_table = setup_table(store=other_store, number=2, password="1234")[0]
    assert client.get(ORDERS, headers=headers(empty_table, key=None)).json()["results"] == []


def test_next_guest_starts_with_an_empty_list(client, table, manager, menu):
    last, _ = place_order(table=table, items=lines((menu[0], 1))["items"])
    close_session(table=table, actor=manager)
    body = client.get(ORDERS, headers=headers(table, key=None)).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": [], "closed_session_id": last.session_id}
    new, _ = place_order(table=table, items=lines((menu[1], 1))["items"])
    assert [order["id"] for order in client.get(ORDERS, headers=headers(table, key=None)).json()["results"]] == [new.id]


def test_the_list_carries_the_tables_last_closed_session(client, store, table, manager, menu, other_store):
    def closed_session_id(of=table, **params):
        return client.get(ORDERS, params, headers=headers(of, key=None)).json()["closed_session_id"]

    assert closed_session_id() is None
    first, _ = place_order(table=table, items=lines((menu[0], 1))["items"])
    assert closed_session_id() is None
    close_session(table=table, actor=manager)
    assert closed_session_id() == first.session_id
    second, _ = place_order(table=table, items=lines((menu[1], 1))["items"])
    # Every page says it, as the stream's `stream.open` does.
    assert closed_session_id(page_size=1) == first.session_id

    # Other tables' sessions, of this store or another, are not this table's.
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    place_order(table=neighbour, items=lines((menu[0], 1))["items"])
    close_session(table=neighbour, actor=manager)
    elsewhere = setup_table(store=other_store, number=1, password="1234")[0]
    place_order(table=elsewhere, items=[{"menu_item_id": other_store.menu_items.get().id, "quantity": 1}])
    close_session(table=elsewhere, actor=other_store.users.get())
    assert closed_session_id() == first.session_id
    assert closed_session_id(of=neighbour) > second.session_id
    close_session(table=table, actor=manager)
    assert closed_session_id() == second.session_id

    # The schema says what the answer carries.
    schema = client.get("/api/schema/?format=json").json()
    documented = schema["paths"][ORDERS]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = schema["components"]["schemas"][documented["$ref"].rsplit("/", 1)[-1]]
    body = client.get(ORDERS, headers=headers(table, key=None)).json()
    assert set(page["properties"]) == set(body)
    assert "closed_session_id" in page["required"]


def test_deleted_orders_are_not_shown(client, table, manager, menu):
    kept, _ = place_order(table=table, items=lines((menu[0], 1))["items"])
    gone, _ = place_order(table=table, items=lines((menu[1], 1))["items"])
    delete_order(order=gone, actor=manager)
    body = client.get(ORDERS, headers=headers(table, key=None)).json()
    assert [order["id"] for order in body["results"]] == [kept.id]
    assert body["count"] == 1


def test_orders_need_a_current_tablet_token(client, table, manager, menu):
    manager_headers = {"Authorization": f"Bearer {manager_tokens(manager)['access']}", "Idempotency-Key": "k"}
    expired = TableAccessToken(table_tokens(table)["access"])
    expired.set_exp(lifetime=-TableAccessToken.lifetime)
    stale = headers(table)
    revoke_tablet(table=table)
    for request_headers in [
        {"Idempotency-Key": "k"},
        manager_headers,
        {"Authorization": f"Bearer {expired}", "Idempotency-Key": "k"},
        stale,
        {"Authorization": f"Bearer {table_tokens(table)['refresh']}", "Idempotency-Key": "k"},
    ]:
        assert client.get(ORDERS, headers=request_headers).status_code == 401
        response = client.post(ORDERS, lines((menu[0], 1)), content_type="application/json", headers=request_headers)
        assert response.status_code == 401
        assert set(response.json()["error"]) == {"code", "message"}
    assert nothing_written()


def test_orders_list_query_budget(client, table, menu, django_assert_max_num_queries):
    for _ in range(3):
        place_order(table=table, items=lines((menu[0], 1), (menu[1], 1))["items"])
    with django_assert_max_num_queries(5):
        assert client.get(ORDERS, headers=headers(table, key=None)).json()["count"] == 3
