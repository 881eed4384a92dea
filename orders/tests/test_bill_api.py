"""The bill API (계산서): the tablet's `GET /api/v1/bill` and the manager's
`GET /api/v1/admin/tables/{id}/bill`, each with `?split=N`."""

import pytest

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from kitchen.tests.printing import bearer, kitchen_user
from orders.bills import session_bill
from orders.models import OrderEvent
from orders.selectors import open_session
from orders.services import close_session, delete_order, place_order

BILL = "/api/v1/bill"


def admin_bill(table):
    return f"/api/v1/admin/tables/{table.id}/bill"


def tablet(table):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


def manager_of(store):
    return {"Authorization": f"Bearer {manager_tokens(store.users.get())['access']}"}


def place(table, item, quantity=1):
    return place_order(table=table, items=[{"menu_item_id": item.id, "quantity": quantity}])[0]


@pytest.fixture
def seated(table, menu):
    """Table 1 with 김치찌개 × 2 and 공기밥 × 3 (₩21,000) over two orders, and a deleted order."""
    stew, soup, rice = menu
    place(table, stew, 2)
    place(table, rice, 3)
    delete_order(order=place(table, soup, 4), actor=None)
    return table


def test_the_tablet_reads_its_sessions_bill(client, seated, menu):
    response = client.get(BILL, headers=tablet(seated))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body == session_bill(open_session(seated))
    assert [(line["name"], line["quantity"], line["amount"]) for line in body["lines"]] == [
        ("김치찌개", 2, 18000),
        ("공기밥", 3, 3000),
    ]
    assert (body["total"], body["order_count"]) == (21000, 2)
    assert "split" not in body


def test_the_tablet_splits_its_bill_evenly(client, seated):
    body = client.get(f"{BILL}?split=4", headers=tablet(seated)).json()

    assert body["split"] == {"people": 4, "shares": [5300, 5300, 5200, 5200]}
    assert sum(body["split"]["shares"]) == body["total"]


def test_a_table_without_an_open_session_has_an_empty_bill(client, table, menu):
    assert client.get(f"{BILL}?split=2", headers=tablet(table)).json() == {
        "session_id": None,
        "opened_at": None,
        "lines": [],
        "total": 0,
        "order_count": 0,
        "split": {"people": 2, "shares": [0, 0]},
    }
    place(table, menu[0])
    close_session(table=table, actor=None)

    body = client.get(BILL, headers=tablet(table)).json()

    assert (body["session_id"], body["lines"], body["total"]) == (None, [], 0)


def test_the_tablet_sees_only_its_own_tables_bill(client, store, seated, menu):
    other = setup_table(store=store, number=2, password="1234")[0]
    place(other, menu[1], 5)

    assert client.get(BILL, headers=tablet(seated)).json()["total"] == 21000
    assert client.get(BILL, headers=tablet(other)).json()["total"] == 40000


@pytest.mark.parametrize("split", ["1", "21", "0", "-3", "two", "2.5", "1e3"])
def test_a_bad_split_is_a_field_error(client, seated, split):
    for url, headers in ((BILL, tablet(seated)), (admin_bill(seated), manager_of(seated.store))):
        response = client.get(f"{url}?split={split}", headers=headers)

        assert response.status_code == 400, response.content
        assert list(response.json()["error"]["fields"]) == ["split"]


@pytest.mark.parametrize("split", [2, 20])
def test_the_split_takes_two_to_twenty_people(client, seated, split):
    body = client.get(f"{BILL}?split={split}", headers=tablet(seated)).json()

    assert len(body["split"]["shares"]) == split


def test_the_manager_reads_and_splits_a_tables_bill(client, seated):
    response = client.get(f"{admin_bill(seated)}?split=3", headers=manager_of(seated.store))

    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: value for key, value in body.items() if key != "split"} == session_bill(open_session(seated))
    assert body["split"] == {"people": 3, "shares": [7000, 7000, 7000]}


def test_a_table_without_an_open_session_has_no_bill_for_the_manager(client, table):
    response = client.get(admin_bill(table), headers=manager_of(table.store))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_open_session"


def test_reading_a_bill_changes_nothing(client, seated):
    events = OrderEvent.objects.count()

    client.get(f"{BILL}?split=2", headers=tablet(seated))
    client.get(f"{admin_bill(seated)}?split=2", headers=manager_of(seated.store))

    assert OrderEvent.objects.count() == events
    assert open_session(seated) is not None


def test_each_bill_takes_its_own_token(client, seated):
    manager = manager_of(seated.store)

    # Each authentication takes only its own kind of token: the other kind is not valid there.
    for response in (client.get(BILL, headers=manager), client.get(admin_bill(seated), headers=tablet(seated))):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_not_valid"
    assert client.get(BILL).status_code == 401
    assert client.get(admin_bill(seated)).status_code == 401


def test_kitchen_staff_are_refused_the_bill(client, seated):
    response = client.get(admin_bill(seated), headers=bearer(kitchen_user(seated.store)))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_another_stores_table_has_no_bill_for_the_manager(client, seated, other_store):
    response = client.get(admin_bill(seated), headers=manager_of(other_store))

    assert response.status_code == 404
    assert "김치찌개" not in response.content.decode()


def test_the_bills_are_in_the_schema(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    tablet_get = paths[BILL]["get"]
    admin_get = paths["/api/v1/admin/tables/{id}/bill"]["get"]
    assert [scheme for entry in tablet_get["security"] for scheme in entry] == ["tabletToken"]
    assert "tabletToken" not in [scheme for entry in admin_get["security"] for scheme in entry]
    for operation in (tablet_get, admin_get):
        assert [parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"] == ["split"]
    assert "409" in admin_get["responses"]
