"""A tablet's "still signed in?" check from this process's memory (accounts.signin): no query
while warm, and a signed-out tablet refused at its next request in this process, and within a
second in another (PostgreSQL)."""

import time
from pathlib import Path

import httpx
import pytest
from django.db.models import F

from accounts import signin
from accounts.models import Table
from accounts.services import revoke_tablet, setup_table, update_store
from accounts.signin import signed_in_table
from accounts.tokens import table_tokens
from conftest import ON_POSTGRES, make_store, postgres_only
from core.listener import MAX_STALENESS
from core.tests.listening import notices_settled, running_listener, wait_until
from core.tests.processes import app_server, warmed
from orders.services import place_order

pytestmark = pytest.mark.django_db(transaction=True)

MENU = "/api/v1/menu"


@pytest.fixture(autouse=True)
def listening_process():
    signin.table_cache.clear()
    with running_listener():
        yield
    signin.table_cache.clear()


def check(table, token_version=None):
    version = table.token_version if token_version is None else token_version
    return signed_in_table(table_id=table.id, store_id=table.store_id, token_version=version)


def soon(condition):
    """At once on SQLite (notices arrive at commit); on PostgreSQL within the notice's latency."""
    if ON_POSTGRES:
        wait_until(condition, timeout=MAX_STALENESS)
    else:
        assert condition()


def test_a_warm_check_makes_no_query_and_hands_out_copies(table, django_assert_num_queries):
    notices_settled()
    with django_assert_num_queries(1):
        first = check(table)
    with django_assert_num_queries(0):
        second = check(table)
    assert (second.id, second.store.code) == (table.id, table.store.code)
    second.number = 99
    second.store.name = "바뀐 이름"
    with django_assert_num_queries(0):
        third = check(table)
    assert third is not second and third.store is not second.store
    assert (third.number, third.store.name) == (first.number, first.store.name) == (1, "알파 식당")


def test_a_miss_loads_the_whole_stores_tables_in_its_one_query(table, store, django_assert_num_queries):
    # A store's tablets come together (opening time, a deploy's reconnects).
    others = [setup_table(store=store, number=number, password="1234")[0] for number in (2, 3)]
    notices_settled()
    with django_assert_num_queries(1):
        check(table)
    with django_assert_num_queries(0):
        for other in others:
            assert check(other).id == other.id


def test_a_stale_credential_is_refused_from_memory_too(table, django_assert_num_queries):
    notices_settled()
    check(table)
    with django_assert_num_queries(0):
        assert check(table, token_version=table.token_version + 1) is None
        assert signed_in_table(table_id=table.id, store_id=table.store_id + 1, token_version=1) is None
        assert signed_in_table(table_id=table.id, store_id=table.store_id, token_version=None) is None


def revoke(table, other_store):
    revoke_tablet(table=table)


def reset_password(table, other_store):
    setup_table(store=table.store, number=table.number, password="new-pass")


def delete_table(table, other_store):
    Table.objects.get(pk=table.pk).delete()


def move_table(table, other_store):
    moved = Table.objects.get(pk=table.pk)
    moved.store = other_store
    moved.save()


def delete_store(table, other_store):
    table.store.delete()


@pytest.mark.parametrize("sign_out", [revoke, reset_password, delete_table, move_table, delete_store])
def test_a_signed_out_tablet_is_refused_at_its_next_request(client, table, other_store, sign_out):
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    assert client.get(MENU, headers=headers).status_code == 200
    signed_in = {"table_id": table.id, "store_id": table.store_id, "token_version": table.token_version}
    assert signed_in_table(**signed_in) is not None

    sign_out(table, other_store)

    def refused():
        response = client.get(MENU, headers=headers)
        return response.status_code == 401 and response.json()["error"]["code"] == "tablet_signed_out"

    soon(refused)
    assert signed_in_table(**signed_in) is None


def test_a_store_change_reaches_its_cached_tables_and_no_other(table, django_assert_num_queries):
    other_table = setup_table(store=make_store(code="gamma", name="감마 식당"), number=1, password="1234")[0]
    notices_settled()
    check(table)
    check(other_table)
    store = table.store
    store.name = "새 이름"
    update_store(store=store, fields=["name"])

    soon(lambda: check(table).store.name == "새 이름")
    with django_assert_num_queries(0):
        assert check(other_table).store.name == "감마 식당"


def test_an_order_taking_its_number_leaves_the_cache_alone(table, menu, django_assert_num_queries):
    """`last_order_number` moves with every order through a queryset update: not a change the
    check is about, and nothing reads it from the cached store."""
    check(table)
    place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    notices_settled()  # any notice the orders sent has arrived by now
    with django_assert_num_queries(0):
        assert check(table) is not None


# Across processes (PostgreSQL): a server of its own on this test's database


@pytest.fixture
def server(tmp_path):
    with app_server(Path(tmp_path) / "server.log") as url:
        yield url


@postgres_only
def test_another_process_refuses_a_signed_out_tablet_within_a_second(server, table, menu):
    reset = setup_table(store=table.store, number=2, password="1234")[0]
    clients = [
        httpx.Client(base_url=server, headers={"Authorization": f"Bearer {table_tokens(t)['access']}"}, timeout=10)
        for t in (table, reset)
    ]
    with clients[0] as revoked_tablet, clients[1] as reset_tablet:
        assert [warmed(http, MENU).status_code for http in clients] == [200, 200]
        # It checks tablets from memory: a sign-out written around the services goes unseen.
        Table.objects.filter(pk=table.pk).update(token_version=F("token_version") + 1)
        time.sleep(0.3)
        assert revoked_tablet.get(MENU).status_code == 200

        revoke_tablet(table=table)
        setup_table(store=table.store, number=2, password="new-pass")

        for http in (revoked_tablet, reset_tablet):

            def refused(http=http):
                response = http.get(MENU)
                return response.status_code == 401 and response.json()["error"]["code"] == "tablet_signed_out"

            wait_until(refused, timeout=MAX_STALENESS, interval=0.02)
