"""GET /api/v1/menu: the tablet's menu, cheap to serve again and again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from menus.models import Category, MenuItem

MENU = "/api/v1/menu"


def bearer(table):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


@pytest.fixture
def full_menu(store, settings, tmp_path):
    """Two categories listed out of order, items out of order, one sold out, two kinds of image."""
    settings.MEDIA_ROOT = tmp_path
    drinks = Category.objects.create(store=store, name="음료", display_order=2)
    meals = Category.objects.create(store=store, name="식사", display_order=1)
    Category.objects.create(store=store, name="빈 분류", display_order=3)
    cola = MenuItem.objects.create(store=store, category=drinks, name="콜라", price=2000, display_order=2)
    cider = MenuItem.objects.create(
        store=store,
        category=drinks,
        name="사이다",
        price=2000,
        display_order=1,
        is_available=False,
        image_url="https://images.example.com/cider.jpg",
    )
    stew = MenuItem.objects.create(
        store=store,
        category=meals,
        name="김치찌개",
        price=9000,
        description="<b>맵다</b>",
        image=SimpleUploadedFile("stew.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
    )
    return {"drinks": drinks, "meals": meals, "cola": cola, "cider": cider, "stew": stew}


def test_menu_lists_categories_and_items_in_display_order(client, table, full_menu, other_store):
    response = client.get(MENU, headers=bearer(table))
    assert response.status_code == 200
    categories = response.json()["categories"]
    assert [category["name"] for category in categories] == ["식사", "음료", "빈 분류"]
    assert [item["name"] for item in categories[1]["items"]] == ["사이다", "콜라"]
    assert categories[2]["items"] == []
    cider = categories[1]["items"][0]
    assert cider == {
        "id": full_menu["cider"].id,
        "name": "사이다",
        "price": 2000,
        "description": "",
        "image_url": "https://images.example.com/cider.jpg",
        "is_available": False,
    }
    stew = categories[0]["items"][0]
    assert stew["image_url"].startswith("/media/menu/")
    assert stew["description"] == "<b>맵다</b>"
    assert categories[1]["items"][1]["is_available"] is True
    assert "비빔밥" not in response.content.decode()


def test_each_store_sees_its_own_menu(client, table, menu, other_store):
    other_table = setup_table(store=other_store, number=1, password="1234")[0]
    ours = client.get(MENU, headers=bearer(table)).json()
    theirs = client.get(MENU, headers=bearer(other_table)).json()
    assert [item["name"] for item in ours["categories"][0]["items"]] == ["김치찌개", "된장찌개", "공기밥"]
    assert [item["name"] for item in theirs["categories"][0]["items"]] == ["비빔밥"]


def test_menu_needs_a_tablet_token(client, table, manager, menu):
    anonymous = client.get(MENU)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    as_manager = client.get(MENU, headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"})
    assert as_manager.status_code == 401


def test_unchanged_menu_answers_304(client, table, full_menu):
    first = client.get(MENU, headers=bearer(table))
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first["Cache-Control"] == "private, no-cache"
    for if_none_match in [etag, f"W/{etag}", f'"stale", {etag}', "*"]:
        again = client.get(MENU, headers={**bearer(table), "If-None-Match": if_none_match})
        assert again.status_code == 304, if_none_match
        assert again.content == b""
        assert again["ETag"] == etag
        assert again["Cache-Control"] == "private, no-cache"
    assert client.get(MENU, headers={**bearer(table), "If-None-Match": '"stale"'}).status_code == 200


def rename_category(menu):
    menu["meals"].name = "식사류"
    menu["meals"].save()


def reorder_categories(menu):
    menu["meals"].display_order = 5
    menu["meals"].save()


def change_price(menu):
    menu["cola"].price = 2500
    menu["cola"].save()


def sell_out_with_bulk_update(menu):
    # A queryset update skips auto_now: the fingerprint must still see it.
    MenuItem.objects.filter(pk=menu["cola"].pk).update(is_available=False)


def reprice_with_bulk_update(menu):
    MenuItem.objects.filter(pk=menu["cola"].pk).update(price=2100)


def delete_item(menu):
    menu["cola"].delete()


def add_item(menu):
    MenuItem.objects.create(store=menu["cola"].store, category=menu["drinks"], name="물", price=1000)


def move_item(menu):
    menu["cola"].category = menu["meals"]
    menu["cola"].save()


def delete_category(menu):
    Category.objects.filter(name="빈 분류").delete()


@pytest.mark.parametrize(
    "change",
    [
        rename_category,
        reorder_categories,
        change_price,
        sell_out_with_bulk_update,
        reprice_with_bulk_update,
        delete_item,
        add_item,
        move_item,
        delete_category,
    ],
)
def test_any_menu_change_changes_the_etag(client, table, full_menu, change):
    etag = client.get(MENU, headers=bearer(table))["ETag"]
    change(full_menu)
    response = client.get(MENU, headers={**bearer(table), "If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_menu_query_budget(client, table, full_menu, django_assert_max_num_queries):
    # One query authenticates the tablet, one fingerprints the menu, two read it.
    with django_assert_max_num_queries(4):
        etag = client.get(MENU, headers=bearer(table))["ETag"]
    with django_assert_max_num_queries(2):
        assert client.get(MENU, headers={**bearer(table), "If-None-Match": etag}).status_code == 304
    # Another tablet reading the same menu version gets it from memory.
    with django_assert_max_num_queries(2):
        assert client.get(MENU, headers=bearer(table)).json()["categories"]
