"""GET /api/v1/menu from this process's memory: no query while warm, every menu change seen at
the next read in this process, and within a second in another (PostgreSQL)."""

import time
from pathlib import Path

import httpx
import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts import signin
from accounts.hours import ordering_state
from accounts.models import Store
from accounts.services import update_store
from accounts.tokens import table_tokens
from conftest import ON_POSTGRES, postgres_only
from core.listener import MAX_STALENESS
from core.tests.listening import notices_settled, running_listener, wait_until
from core.tests.processes import app_server, warmed
from menus import selectors, services
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.selectors import menu_version, store_menu

pytestmark = pytest.mark.django_db(transaction=True)

MENU = "/api/v1/menu"


@pytest.fixture(autouse=True)
def fresh_caches():
    selectors.tablet_menu_cache.clear()
    signin.table_cache.clear()
    yield
    selectors.tablet_menu_cache.clear()
    signin.table_cache.clear()


@pytest.fixture
def listening_process():
    with running_listener():
        yield


@pytest.fixture
def headers(table):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


@pytest.fixture
def full_menu(store, menu):
    """The conftest menu plus a drink with options (its size group shared with the stew), and
    text JSON must escape or keep as is."""
    drinks = services.save_category(category=Category(store=store, name="음료 🍹", display_order=2))
    cola = services.save_menu_item(
        item=MenuItem(store=store, category=drinks, name="콜라", price=2000, description='"차갑게" <b>\u2028</b> \\ 🧊')
    )
    size = services.save_option_group(group=OptionGroup(store=store, name="크기", min_select=1, max_select=1))
    links = [ItemOptionGroup(item=cola, group=size), ItemOptionGroup(item=menu[0], group=size)]
    services.link_option_groups(store_id=store.pk, links=links)
    services.save_options(group=size, options=[Option(group=size, name="큰 컵", price_delta=500)])
    empty = services.save_category(category=Category(store=store, name="빈 분류", display_order=3))
    return {"drinks": drinks, "cola": cola, "size": size, "meals": menu[0].category, "stew": menu[0], "empty": empty}


def test_a_warm_menu_read_makes_no_query(client, headers, full_menu, listening_process, django_assert_num_queries):
    notices_settled()
    with django_assert_num_queries(6):  # the tablet; the version and reasons; the menu's four
        first = client.get(MENU, headers=headers)
    with django_assert_num_queries(0):
        again = client.get(MENU, headers=headers)
    with django_assert_num_queries(0):
        revalidated = client.get(MENU, headers={**headers, "If-None-Match": first["ETag"]})

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert revalidated.status_code == 304 and revalidated.content == b""
    assert revalidated["ETag"] == first["ETag"]
    assert again["Cache-Control"] == revalidated["Cache-Control"] == "private, no-cache"


def tablet_body(store, language="ko"):
    """The tablet's menu of `store` in `language` as DRF renders it, read afresh."""
    return JSONRenderer().render(
        {
            **selectors.tablet_body(
                store_menu(store.pk),
                language,
                store.staff_call_reasons,
                store.name,
                store.staff_call_reason_translations,
                store.origin_notice,
                store.origin_notice_translations,
                store.cart_reminder_chime,
            ),
            "ordering": ordering_state(store, timezone.now()),
        }
    )


def test_the_cached_body_is_what_drf_renders(client, store, headers, full_menu, listening_process):
    notices_settled()
    first, warm = client.get(MENU, headers=headers), client.get(MENU, headers=headers)

    expected = tablet_body(store)
    assert first.content == warm.content == expected
    assert b"\\u2028" in expected and "🧊".encode() in expected
    assert first["Content-Type"] == warm["Content-Type"] == "application/json"
    assert warm["ETag"].startswith(f'"{menu_version(store)}.')


def rename_category(m):
    m["meals"].name = "식사류"
    services.save_category(category=m["meals"])


def delete_category(m):
    services.delete_category(category=m["empty"])


def reorder(m):
    m["drinks"].display_order = 0
    services.reorder_menu(store_id=m["drinks"].store_id, objects=[m["drinks"]])


def sell_out_item(m):
    m["cola"].is_available = False
    services.save_menu_item(item=m["cola"])


def delete_item(m):
    services.delete_menu_item(item=m["stew"])


def change_options(m):
    services.save_options(group=m["size"], options=[Option(group=m["size"], name="작은 컵")])


def change_shared_group_limits(m):
    m["size"].max_select = 2
    services.save_option_group(group=m["size"])


def attach_group(m):
    rice = MenuItem.objects.get(name="공기밥")
    services.link_option_groups(store_id=rice.store_id, links=[ItemOptionGroup(item=rice, group=m["size"])])


def detach_group(m):
    services.link_option_groups(store_id=m["cola"].store_id, deleted=list(m["cola"].group_links.all()))


def delete_option_group(m):
    services.delete_option_group(group=m["size"])


def import_rows(m):
    row = {"category": "음료 🍹", "name": "사이다", "price": 2000, "description": "", "is_available": True}
    services.import_menu(store=m["stew"].store, rows=[row])


def change_staff_call_reasons(m):
    store = Store.objects.get(pk=m["stew"].store_id)
    store.staff_call_reasons = ["물", "냅킨"]
    update_store(store=store, fields=["staff_call_reasons"])


def rename_store(m):
    store = Store.objects.get(pk=m["stew"].store_id)
    store.name = f"{store.name} 본점"
    update_store(store=store, fields=["name"])


MENU_CHANGES = [
    rename_category,
    delete_category,
    reorder,
    sell_out_item,
    delete_item,
    change_options,
    change_shared_group_limits,
    attach_group,
    detach_group,
    delete_option_group,
    import_rows,
    change_staff_call_reasons,
    rename_store,
]


@pytest.mark.parametrize("change", MENU_CHANGES)
def test_every_menu_change_is_seen_at_the_next_read(client, headers, full_menu, listening_process, change):
    first = client.get(MENU, headers=headers)
    assert client.get(MENU, headers=headers).content == first.content

    change(full_menu)

    def changed():
        response = client.get(MENU, headers={**headers, "If-None-Match": first["ETag"]})
        return response.status_code == 200 and response["ETag"] != first["ETag"] and response.content != first.content

    if ON_POSTGRES:  # the notice comes back through the listener, in milliseconds
        wait_until(changed, timeout=MAX_STALENESS)
    else:  # delivered at commit
        assert changed()
    response = client.get(MENU, headers=headers)
    assert response.content == tablet_body(Store.objects.get())
    assert response["ETag"].startswith(f'"{menu_version(full_menu["stew"].store)}.')


def test_a_shared_group_changes_on_every_item_that_offers_it(client, headers, full_menu, listening_process):
    client.get(MENU, headers=headers)
    big = full_menu["size"].options.get()
    big.price_delta = 700
    services.save_options(group=full_menu["size"], options=[big])

    def both_repriced():
        items = [
            item for category in client.get(MENU, headers=headers).json()["categories"] for item in category["items"]
        ]
        offered = {item["name"]: item["option_groups"] for item in items if item["option_groups"]}
        return offered.keys() == {"김치찌개", "콜라"} and all(
            groups[0]["id"] == full_menu["size"].id and groups[0]["options"][0]["price_delta"] == 700
            for groups in offered.values()
        )

    wait_until(both_repriced, timeout=MAX_STALENESS)


def test_a_write_around_the_services_is_not_seen(client, headers, full_menu, listening_process):
    """What the version (and so the cache) promises covers the services only."""
    notices_settled()
    first = client.get(MENU, headers=headers)
    MenuItem.objects.filter(pk=full_menu["cola"].pk).update(price=3000)
    notices_settled()
    assert client.get(MENU, headers=headers).content == first.content


# Across processes (PostgreSQL): a server of its own on this test's database


@pytest.fixture
def server(tmp_path):
    with app_server(Path(tmp_path) / "server.log") as url:
        yield url


def within_a_second(condition):
    """Seconds until `condition()` held, polled every 20 ms; fails after MAX_STALENESS."""
    return wait_until(condition, timeout=MAX_STALENESS, interval=0.02)


@postgres_only
def test_another_process_sees_every_menu_change_within_a_second(server, headers, full_menu):
    with httpx.Client(base_url=server, headers=headers, timeout=10) as http:
        first = warmed(http, MENU)
        assert first.status_code == 200
        # It answers from memory: a write around the services goes unseen.
        MenuItem.objects.filter(pk=full_menu["cola"].pk).update(price=3000)
        time.sleep(0.3)
        assert http.get(MENU).content == first.content

        etag = first.headers["ETag"]
        for change in MENU_CHANGES:
            change(full_menu)

            def changed(etag=etag):
                return http.get(MENU, headers={"If-None-Match": etag}).status_code == 200

            within_a_second(changed)
            etag = http.get(MENU).headers["ETag"]
            assert etag.startswith(f'"{menu_version(full_menu["stew"].store)}.')
        store = Store.objects.get()
        assert http.get(MENU).content == tablet_body(store)
