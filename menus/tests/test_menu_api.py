"""GET /api/v1/menu: the tablet's menu, cheap to serve again and again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import setup_table, update_store
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_option_group
from menus import services
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.services import delete_option_group, link_option_groups, save_option_group, save_options

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
        "image_srcset": "",
        "is_available": False,
        "option_groups": [],
        "origin": "",
        "allergens": [],
    }
    stew = categories[0]["items"][0]
    assert stew["image_url"].startswith("/media/menu/")
    assert stew["description"] == "<b>맵다</b>"
    assert categories[1]["items"][1]["is_available"] is True
    assert "비빔밥" not in response.content.decode()
    assert response.json()["staff_call_reasons"] == ["물", "앞접시", "수저", "계산 요청", "기타"]


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


# Every menu write goes through menus.services, which gives the menu a new version.


def rename_category(menu):
    menu["meals"].name = "식사류"
    services.save_category(category=menu["meals"])


def reorder_categories(menu):
    menu["meals"].display_order = 5
    services.reorder_menu(store_id=menu["meals"].store_id, objects=[menu["meals"]])


def change_price(menu):
    menu["cola"].price = 2500
    services.save_menu_item(item=menu["cola"])


def sell_out(menu):
    menu["cola"].is_available = False
    services.save_menu_item(item=menu["cola"])


def reprice_by_import(menu):
    rows = [{"category": "음료", "name": "콜라", "price": 2100, "description": "", "is_available": True}]
    services.import_menu(store=menu["cola"].store, rows=rows)


def delete_item(menu):
    services.delete_menu_item(item=menu["cola"])


def add_item(menu):
    services.save_menu_item(item=MenuItem(store=menu["cola"].store, category=menu["drinks"], name="물", price=1000))


def move_item(menu):
    menu["cola"].category = menu["meals"]
    services.save_menu_item(item=menu["cola"])


def delete_category(menu):
    services.delete_category(category=Category.objects.get(name="빈 분류"))


@pytest.mark.parametrize(
    "change",
    [
        rename_category,
        reorder_categories,
        change_price,
        sell_out,
        reprice_by_import,
        delete_item,
        add_item,
        move_item,
        delete_category,
    ],
)
def test_any_menu_change_changes_the_etag(client, table, full_menu, change):
    first = client.get(MENU, headers=bearer(table))
    change(full_menu)
    response = client.get(MENU, headers={**bearer(table), "If-None-Match": first["ETag"]})
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert response.json() != first.json()


def test_menu_query_budget(client, table, full_menu, django_assert_max_num_queries):
    # Inside a test's transaction nothing is cached (menus/tests/test_menu_cache.py tests the
    # cache): one query authenticates the tablet, one reads the store's menu version and
    # reasons, four read the menu (categories, items, option groups, options).
    with django_assert_max_num_queries(6):
        etag = client.get(MENU, headers=bearer(table))["ETag"]
    with django_assert_max_num_queries(6):
        assert client.get(MENU, headers={**bearer(table), "If-None-Match": etag}).status_code == 304


# Option groups and staff-call reasons


@pytest.fixture
def stew_options(full_menu):
    """김치찌개 with 맵기 (exactly one) and 추가 (up to two, one sold out), created out of order."""
    stew = full_menu["stew"]
    extra = make_option_group(stew, name="추가", min_select=0, max_select=2, display_order=2)
    spice = make_option_group(stew, name="맵기", min_select=1, max_select=1, display_order=1)
    return {
        "extra": extra,
        "spice": spice,
        "hot": Option.objects.create(group=spice, name="매운맛", display_order=2),
        "mild": Option.objects.create(group=spice, name="순한맛", display_order=1),
        "cheese": Option.objects.create(group=extra, name="치즈", price_delta=1000, display_order=2),
        "egg": Option.objects.create(group=extra, name="계란", price_delta=500, display_order=1, is_available=False),
    }


def test_items_carry_their_option_groups_in_display_order(client, table, full_menu, stew_options):
    o = stew_options
    categories = client.get(MENU, headers=bearer(table)).json()["categories"]

    stew = categories[0]["items"][0]
    assert stew["option_groups"] == [
        {
            "id": o["spice"].id,
            "name": "맵기",
            "min_select": 1,
            "max_select": 1,
            "options": [
                {"id": o["mild"].id, "name": "순한맛", "price_delta": 0, "is_available": True},
                {"id": o["hot"].id, "name": "매운맛", "price_delta": 0, "is_available": True},
            ],
        },
        {
            "id": o["extra"].id,
            "name": "추가",
            "min_select": 0,
            "max_select": 2,
            "options": [
                {"id": o["egg"].id, "name": "계란", "price_delta": 500, "is_available": False},
                {"id": o["cheese"].id, "name": "치즈", "price_delta": 1000, "is_available": True},
            ],
        },
    ]
    assert all(item["option_groups"] == [] for item in categories[1]["items"])


def test_a_shared_group_shows_in_the_same_shape_on_each_item_in_each_items_order(
    client, table, full_menu, stew_options
):
    o, stew = stew_options, full_menu["stew"]
    rice = MenuItem.objects.get(name="콜라")
    # On 콜라 the shared 추가 comes first, on 김치찌개 second.
    o["extra"].items.add(rice, through_defaults={"display_order": 1})
    o["spice"].items.add(rice, through_defaults={"display_order": 5})

    items = {
        item["name"]: item
        for category in client.get(MENU, headers=bearer(table)).json()["categories"]
        for item in category["items"]
    }

    assert (
        set(items["김치찌개"])
        == set(items["콜라"])
        == {
            "id",
            "name",
            "price",
            "description",
            "image_url",
            "image_srcset",
            "is_available",
            "option_groups",
            "origin",
            "allergens",
        }
    )
    assert items["콜라"]["option_groups"] == items["김치찌개"]["option_groups"][::-1]
    assert [group["id"] for group in items[stew.name]["option_groups"]] == [o["spice"].id, o["extra"].id]


def test_another_stores_options_are_not_in_the_menu(client, table, menu, other_store):
    theirs = other_store.menu_items.get()
    group = make_option_group(theirs, name="곱빼기 여부")
    Option.objects.create(group=group, name="곱빼기", price_delta=2000)

    response = client.get(MENU, headers=bearer(table))

    assert "곱빼기" not in response.content.decode()


def test_the_staff_call_reasons_are_the_stores_own(client, table, store, full_menu, other_store):
    store.staff_call_reasons = ["물", "냅킨"]
    update_store(store=store, fields=["staff_call_reasons"])
    other_store.staff_call_reasons = ["다른 매장"]
    update_store(store=other_store, fields=["staff_call_reasons"])

    assert client.get(MENU, headers=bearer(table)).json()["staff_call_reasons"] == ["물", "냅킨"]


def _item_with_options(store, category, name):
    item = MenuItem.objects.create(store=store, category=category, name=name, price=5000)
    for number in range(2):
        group = make_option_group(item, name=f"그룹 {number}", max_select=2)
        for option in range(3):
            Option.objects.create(group=group, name=f"옵션 {option}", price_delta=500 * option)
    return item


def test_the_menu_takes_the_same_queries_for_1_or_20_items_with_options(
    client, store, table, django_assert_num_queries
):
    category = Category.objects.create(store=store, name="식사")
    _item_with_options(store, category, "메뉴 0")
    headers = bearer(table)
    # The tablet, the version and reasons, then categories, items, groups and options.
    with django_assert_num_queries(6):
        one = client.get(MENU, headers=headers).json()
    for number in range(1, 20):
        _item_with_options(store, category, f"메뉴 {number}")

    with django_assert_num_queries(6):
        twenty = client.get(MENU, headers=headers).json()

    assert len(one["categories"][0]["items"]) == 1
    items = twenty["categories"][0]["items"]
    assert len(items) == 20
    assert all([len(group["options"]) for group in item["option_groups"]] == [3, 3] for item in items)


def rename_option(o):
    o["cheese"].name = "모짜렐라 치즈"
    save_options(group=o["extra"], options=[o["cheese"]])


def reprice_option(o):
    o["cheese"].price_delta = 1500
    save_options(group=o["extra"], options=[o["cheese"]])


def sell_out_option(o):
    o["cheese"].is_available = False
    save_options(group=o["extra"], options=[o["cheese"]])


def sell_out_option_by_import(o):
    _import_cheese(o, price_delta=1000, is_available=False)


def reprice_option_by_import(o):
    _import_cheese(o, price_delta=900, is_available=True)


def _import_cheese(o, **cheese):
    stew = o["extra"].items.get()
    extra = {"name": "추가", "min_select": 0, "max_select": 2, "options": [{"name": "치즈", **cheese}]}
    row = {"category": stew.category.name, "name": stew.name, "price": stew.price, "option_groups": [extra]}
    services.import_menu(store=stew.store, rows=[{**row, "description": stew.description, "is_available": True}])


def reorder_options(o):
    o["cheese"].display_order = 0
    save_options(group=o["extra"], options=[o["cheese"]])


def add_option(o):
    save_options(group=o["extra"], options=[Option(group=o["extra"], name="햄", price_delta=2000)])


def delete_option(o):
    save_options(group=o["extra"], deleted=[o["cheese"]])


def change_group_limits(o):
    o["extra"].max_select = 1
    save_option_group(group=o["extra"])


def add_group(o):
    item = o["extra"].items.get()
    group = save_option_group(group=OptionGroup(store=item.store, name="곱빼기"))
    link_option_groups(store_id=item.store_id, links=[ItemOptionGroup(item=item, group=group)])


def detach_group(o):
    link_option_groups(store_id=o["extra"].store_id, deleted=list(o["extra"].item_links.all()))


def delete_group(o):
    delete_option_group(group=o["extra"])


def change_staff_call_reasons(o):
    store = o["extra"].store
    store.staff_call_reasons = ["물", "냅킨"]
    update_store(store=store, fields=["staff_call_reasons"])


@pytest.mark.parametrize(
    "change",
    [
        rename_option,
        reprice_option,
        sell_out_option,
        sell_out_option_by_import,
        reprice_option_by_import,
        reorder_options,
        add_option,
        delete_option,
        change_group_limits,
        add_group,
        detach_group,
        delete_group,
        change_staff_call_reasons,
    ],
)
def test_any_option_or_reason_change_changes_the_etag_and_the_menu(client, table, stew_options, change):
    first = client.get(MENU, headers=bearer(table))
    change(stew_options)

    response = client.get(MENU, headers={**bearer(table), "If-None-Match": first["ETag"]})

    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert response.json() != first.json()


def test_reasons_of_a_store_without_a_menu_change_its_etag_too(client, store, table):
    first = client.get(MENU, headers=bearer(table))
    assert first.json() == {
        "categories": [],
        "staff_call_reasons": ["물", "앞접시", "수저", "계산 요청", "기타"],
        "store_name": "알파 식당",
        "language": "ko",
        "staff_call_reason_labels": ["물", "앞접시", "수저", "계산 요청", "기타"],
        "origin_notice": "",
        "cart_reminder_chime": True,
        "ordering": {"open": True, "reason": None, "message": "", "reopens_at": None, "closes_at": None},
    }
    store.staff_call_reasons = ["물"]
    update_store(store=store, fields=["staff_call_reasons"])

    response = client.get(MENU, headers={**bearer(table), "If-None-Match": first["ETag"]})

    assert response.status_code == 200
    assert response.json()["staff_call_reasons"] == ["물"]
