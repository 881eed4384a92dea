"""The menu in the guest languages (SPEC 3.10, 3.12, 4.10): GET /api/v1/menu in a language with
the Korean text where a field has no translation, per language in the cache and the ETag;
translations, origin and allergens written by managers and checked; orders keep Korean names."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Store
from accounts.services import setup_table, update_store_settings
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_menu, make_store
from core.tests.listening import notices_settled, running_listener
from menus import menu_files, selectors, services
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.selectors import menu_version, store_menu
from menus.services import import_menu
from menus.tests.test_menu_import_export import without_ids
from menus.translations import clean_translations, translated
from orders.models import EventType, OrderEvent, OrderLine

MENU = "/api/v1/menu"
ADMIN = "/api/v1/admin"
STORE = "/api/v1/admin/store"


def bearer(table):
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


def manager_api(client, manager):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


@pytest.fixture
def translated_menu(store):
    """김치찌개 in English (name and description), Chinese (name only) and Japanese (name and
    origin); 맵기 with 순한맛 translated into English only; a category translated into English."""
    stews = services.save_category(
        category=Category(store=store, name="찌개", translations={"en": {"name": "Stews"}}, display_order=1)
    )
    stew = services.save_menu_item(
        item=MenuItem(
            store=store,
            category=stews,
            name="김치찌개",
            price=9000,
            description="얼큰한 찌개",
            origin="돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)",
            allergens=["대두", "돼지고기", "밀"],
            translations={
                "en": {"name": "Kimchi Stew", "description": "A spicy stew"},
                "zh-hans": {"name": "泡菜汤"},
                "ja": {"name": "キムチチゲ", "origin": "豚肉：韓国産"},
            },
        )
    )
    spice = services.save_option_group(
        group=OptionGroup(store=store, name="맵기", min_select=1, max_select=1, translations={"en": {"name": "Spice"}})
    )
    services.link_option_groups(store_id=store.pk, links=[ItemOptionGroup(item=stew, group=spice)])
    mild = Option(group=spice, name="순한맛", translations={"en": {"name": "Mild"}})
    services.save_options(group=spice, options=[mild, Option(group=spice, name="매운맛", display_order=1)])
    update_store_settings(
        store=store,
        actor=None,
        origin_notice="쌀: 국내산\n돼지고기: 국내산",
        origin_notice_translations={"en": "Rice: Korea\nPork: Korea", "ja": "米：韓国産\n豚肉：韓国産"},
        staff_call_reason_translations={"물": {"en": "Water", "ja": "お水"}, "계산 요청": {"zh-hans": "买单"}},
        cart_reminder_chime=False,
    )
    return {"stews": stews, "stew": stew, "spice": spice, "mild": mild}


def read(client, table, query="", **headers):
    """GET the menu; `headers` by their names in snake case (accept_language=…)."""
    named = {name.replace("_", "-").title(): value for name, value in headers.items()}
    return client.get(MENU + query, headers={**bearer(table), **named})


def first_item(body):
    return body["categories"][0]["items"][0]


# The store's origin notice in each language of `translated_menu` (Chinese has none: the Korean).
NOTICES = {
    "ko": "쌀: 국내산\n돼지고기: 국내산",
    "en": "Rice: Korea\nPork: Korea",
    "zh-hans": "쌀: 국내산\n돼지고기: 국내산",
    "ja": "米：韓国産\n豚肉：韓国産",
}


# The tablet's menu in a language


@pytest.mark.parametrize(
    ("language", "category", "name", "description", "origin", "group", "options", "labels"),
    [
        (
            "ko",
            "찌개",
            "김치찌개",
            "얼큰한 찌개",
            "돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)",
            "맵기",
            ["순한맛", "매운맛"],
            ["물", "앞접시", "수저", "계산 요청", "기타"],
        ),
        (
            "en",
            "Stews",
            "Kimchi Stew",
            "A spicy stew",
            "돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)",
            "Spice",
            ["Mild", "매운맛"],
            ["Water", "앞접시", "수저", "계산 요청", "기타"],
        ),
        (
            "zh-hans",
            "찌개",
            "泡菜汤",
            "얼큰한 찌개",
            "돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)",
            "맵기",
            ["순한맛", "매운맛"],
            ["물", "앞접시", "수저", "买单", "기타"],
        ),
        (
            "ja",
            "찌개",
            "キムチチゲ",
            "얼큰한 찌개",
            "豚肉：韓国産",
            "맵기",
            ["순한맛", "매운맛"],
            ["お水", "앞접시", "수저", "계산 요청", "기타"],
        ),
    ],
)
def test_each_field_is_in_the_language_where_translated_else_korean(
    client, table, translated_menu, language, category, name, description, origin, group, options, labels
):
    body = read(client, table, f"?lang={language}").json()

    assert body["language"] == language
    assert body["categories"][0]["name"] == category
    item = first_item(body)
    assert (item["name"], item["description"], item["origin"]) == (name, description, origin)
    assert item["allergens"] == ["대두", "밀", "돼지고기"]  # the ministry's order
    assert item["price"] == 9000
    assert item["option_groups"][0]["name"] == group
    assert [option["name"] for option in item["option_groups"][0]["options"]] == options
    # The tablet sends the Korean reason and shows the label.
    assert body["staff_call_reasons"] == ["물", "앞접시", "수저", "계산 요청", "기타"]
    assert body["staff_call_reason_labels"] == labels
    assert body["origin_notice"] == NOTICES[language]
    assert body["cart_reminder_chime"] is False
    assert "translations" not in str(body)


@pytest.mark.parametrize(
    ("accept", "language"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9", "zh-hans"),
        ("ja-JP", "ja"),
        ("zh-TW", "ko"),
        ("fr-FR, en;q=0.5", "en"),
        ("", "ko"),
    ],
)
def test_without_lang_the_accept_language_chooses(client, table, translated_menu, accept, language):
    response = read(client, table, accept_language=accept) if accept else read(client, table)
    assert response.status_code == 200
    assert response.json()["language"] == language
    assert "Accept-Language" in response["Vary"]


def test_lang_wins_over_accept_language_in_any_letter_case(client, table, translated_menu):
    response = read(client, table, "?lang=zh-Hans", accept_language="ja")
    assert response.json()["language"] == "zh-hans"
    assert first_item(response.json())["name"] == "泡菜汤"


@pytest.mark.parametrize("lang", ["fr", "zh-hant", "", "en-US", "ko,en"])
def test_an_unknown_lang_is_a_400_on_lang(client, table, translated_menu, lang):
    response = read(client, table, f"?lang={lang}")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"lang"}


def test_the_etag_names_the_language_and_a_304_needs_the_same_language(client, table, translated_menu):
    etags = {language: read(client, table, f"?lang={language}")["ETag"] for language in ("ko", "en", "zh-hans", "ja")}
    assert len(set(etags.values())) == 4
    assert all(f".{language}." in etag for language, etag in etags.items())

    same = read(client, table, "?lang=en", if_none_match=etags["en"])
    other = read(client, table, "?lang=ja", if_none_match=etags["en"])
    assert same.status_code == 304
    assert other.status_code == 200 and first_item(other.json())["name"] == "キムチチゲ"


def test_a_translation_change_is_a_new_version_in_every_language(client, table, translated_menu):
    before = {language: read(client, table, f"?lang={language}")["ETag"] for language in ("ko", "en", "ja")}
    stew = translated_menu["stew"]
    stew.translations = {**stew.translations, "en": {"name": "Kimchi Jjigae"}}
    services.save_menu_item(item=stew)

    for language, etag in before.items():
        response = read(client, table, f"?lang={language}", if_none_match=etag)
        assert response.status_code == 200
    assert first_item(read(client, table, "?lang=en").json())["name"] == "Kimchi Jjigae"
    assert first_item(read(client, table, "?lang=en").json())["description"] == "얼큰한 찌개"


def test_a_change_of_the_notice_s_translations_is_a_new_version_in_every_language(client, table, translated_menu):
    store = Store.objects.get(pk=translated_menu["stew"].store_id)
    before = {language: read(client, table, f"?lang={language}")["ETag"] for language in NOTICES}

    update_store_settings(store=store, actor=None, origin_notice_translations={"zh-hans": "大米：韩国产", "ja": " "})

    for language, etag in before.items():
        assert read(client, table, f"?lang={language}", if_none_match=etag).status_code == 200
    notices = {language: read(client, table, f"?lang={language}").json()["origin_notice"] for language in NOTICES}
    assert notices == {**NOTICES, "en": NOTICES["ko"], "zh-hans": "大米：韩国产", "ja": NOTICES["ko"]}
    store.refresh_from_db()
    assert store.origin_notice_translations == {"zh-hans": "大米：韩国产"}


def test_another_store_s_tablet_sees_none_of_it(client, translated_menu, other_store):
    other_table = setup_table(store=other_store, number=1, password="1234")[0]
    body = read(client, other_table, "?lang=en").json()
    assert "Kimchi" not in str(body) and "Water" not in str(body)
    assert body["origin_notice"] == "" and body["cart_reminder_chime"] is True
    assert read(client, other_table, "?lang=ja").json()["origin_notice"] == ""
    assert body["staff_call_reason_labels"] == body["staff_call_reasons"]


def test_an_order_after_an_english_menu_keeps_the_korean_names(client, table, translated_menu):
    item = first_item(read(client, table, "?lang=en").json())
    assert item["name"] == "Kimchi Stew"
    option = item["option_groups"][0]["options"][0]
    response = client.post(
        "/api/v1/orders",
        {"items": [{"menu_item_id": item["id"], "quantity": 1, "option_ids": [option["id"]]}]},
        content_type="application/json",
        headers={**bearer(table), "Idempotency-Key": "english-1"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["name"] == "김치찌개"
    assert response.json()["items"][0]["options"][0]["name"] == "순한맛"
    assert OrderLine.objects.get().name == "김치찌개"


@pytest.mark.django_db(transaction=True)
def test_a_warm_menu_makes_no_query_in_any_language(client, store, table):
    selectors.tablet_menu_cache.clear()
    make_menu(store)
    try:
        with running_listener():
            notices_settled()
            for language in ("ko", "en", "zh-hans", "ja"):
                read(client, table, f"?lang={language}")
                with CaptureQueriesContext(connection) as queries:
                    warm = read(client, table, f"?lang={language}")
                    accepted = read(client, table, accept_language=language)
                assert len(queries) == 0, [query["sql"] for query in queries]
                assert warm.status_code == accepted.status_code == 200
                assert warm.content == accepted.content
                assert warm.json()["language"] == language
            # One change drops every language of the store.
            stew = MenuItem.objects.get(name="김치찌개")
            stew.translations = {"ja": {"name": "キムチチゲ"}}
            services.save_menu_item(item=stew)
            notices_settled()
            assert len(selectors.tablet_menu_cache) == 0
            # So does a change of the origin notice's translations.
            assert read(client, table, "?lang=ja").json()["origin_notice"] == ""
            update_store_settings(
                store=store, actor=None, origin_notice="쌀: 국내산", origin_notice_translations={"ja": "米：韓国産"}
            )
            notices_settled()
            assert len(selectors.tablet_menu_cache) == 0
            assert read(client, table, "?lang=ja").json()["origin_notice"] == "米：韓国産"
    finally:
        selectors.tablet_menu_cache.clear()


# Checking translations and allergens


def test_translations_are_cleaned_blanks_dropped():
    limits = {"name": 5, "description": 10}
    assert clean_translations(
        {"ja": {"name": " 寿司 ", "description": ""}, "en": {"name": "  "}, "zh-hans": None}, limits
    ) == {"ja": {"name": "寿司"}}
    assert translated({"en": {"name": "Rice"}}, "name", "공기밥", "en") == "Rice"
    assert translated({"en": {"name": "Rice"}}, "description", "밥", "en") == "밥"
    assert translated({"en": {"name": "Rice"}}, "name", "공기밥", "ko") == "공기밥"


@pytest.mark.parametrize(
    "value",
    [
        {"fr": {"name": "Riz"}},
        {"ko": {"name": "밥"}},
        {"en": {"origin": "Korea"}},
        {"en": {"name": "x" * 51}},
        {"en": "Rice"},
        {"en": {"name": 3}},
        ["en"],
    ],
)
def test_a_bad_category_translation_is_a_field_error(store, value):
    category = Category(store=store, name="식사", translations=value)
    with pytest.raises(ValidationError) as error:
        category.full_clean()
    assert set(error.value.message_dict) == {"translations"}


def test_item_allergens_are_checked_and_put_in_the_official_order(store):
    category = Category.objects.create(store=store, name="식사")
    item = MenuItem(store=store, category=category, name="만두", price=5000, allergens=["돼지고기", "밀", "밀"])
    item.full_clean()
    assert item.allergens == ["밀", "돼지고기"]
    item.allergens = ["밀", "글루텐"]
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert set(error.value.message_dict) == {"allergens"}


# The manager API


def test_managers_write_and_read_item_translations_origin_and_allergens(client, manager, store, table):
    api = manager_api(client, manager)
    category = api.post(
        f"{ADMIN}/categories",
        {"name": "식사", "translations": {"en": {"name": "Meals"}, "ja": {"name": " "}}},
        content_type="application/json",
    )
    assert category.status_code == 201, category.content
    assert category.json()["translations"] == {"en": {"name": "Meals"}}
    created = api.post(
        f"{ADMIN}/menu-items",
        {
            "category": category.json()["id"],
            "name": "제육볶음",
            "price": 12000,
            "origin": "돼지고기: 국내산",
            "allergens": ["돼지고기", "대두", "밀"],
            "translations": {"en": {"name": "Spicy Stir-fried Pork", "origin": "Pork: Korea"}},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["origin"] == "돼지고기: 국내산"
    assert body["allergens"] == ["대두", "밀", "돼지고기"]
    assert body["translations"] == {"en": {"name": "Spicy Stir-fried Pork", "origin": "Pork: Korea"}}

    patched = api.patch(
        f"{ADMIN}/menu-items/{body['id']}",
        {"translations": {"ja": {"name": "チェユクポックム"}}, "allergens": []},
        content_type="application/json",
    )
    assert patched.json()["translations"] == {"ja": {"name": "チェユクポックム"}}
    assert patched.json()["allergens"] == []
    assert api.get(f"{ADMIN}/menu-items/{body['id']}").json()["origin"] == "돼지고기: 국내산"
    english = first_item(client.get(MENU + "?lang=en", headers=bearer(table)).json())
    assert english["name"] == "제육볶음" and english["origin"] == "돼지고기: 국내산"
    japanese = client.get(MENU + "?lang=ja", headers=bearer(table)).json()
    assert first_item(japanese)["name"] == "チェユクポックム"
    assert japanese["categories"][0]["name"] == "식사"


def test_item_translations_in_a_multipart_body_are_json_text(client, manager, menu):
    api = manager_api(client, manager)
    stew = menu[0]
    response = api.post(
        f"{ADMIN}/menu-items",
        {
            "category": stew.category_id,
            "name": "순두부찌개",
            "price": 9000,
            "allergens": ["대두", "조개류"],
            "translations": '{"en": {"name": "Soft Tofu Stew"}}',
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["translations"] == {"en": {"name": "Soft Tofu Stew"}}
    assert response.json()["allergens"] == ["대두", "조개류"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"translations": {"de": {"name": "Eintopf"}}}, "translations"),
        ({"translations": {"en": {"price": "9"}}}, "translations"),
        ({"translations": {"en": {"name": "x" * 101}}}, "translations"),
        ({"translations": "{not json"}, "translations"),
        ({"allergens": ["글루텐"]}, "allergens"),
        ({"allergens": "밀"}, "allergens"),
        ({"origin": "x" * 501}, "origin"),
    ],
)
def test_bad_item_translations_origin_or_allergens_are_a_400_and_change_nothing(client, manager, menu, body, field):
    api = manager_api(client, manager)
    stew = menu[0]
    version = Store.objects.get(pk=stew.store_id).menu_version
    response = api.patch(f"{ADMIN}/menu-items/{stew.id}", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {field}
    stew.refresh_from_db()
    assert (stew.translations, stew.allergens, stew.origin) == ({}, [], "")
    assert Store.objects.get(pk=stew.store_id).menu_version == version


def test_a_bad_category_translation_through_the_api_changes_nothing(client, manager, menu):
    api = manager_api(client, manager)
    category = menu[0].category
    response = api.patch(
        f"{ADMIN}/categories/{category.id}",
        {"translations": {"en": {"description": "x"}}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"translations"}
    category.refresh_from_db()
    assert category.translations == {}


def test_option_groups_show_their_translations_to_managers(client, manager, translated_menu):
    api = manager_api(client, manager)
    stew = api.get(f"{ADMIN}/menu-items/{translated_menu['stew'].id}").json()
    group = stew["option_groups"][0]
    assert group["translations"] == {"en": {"name": "Spice"}}
    assert group["options"][0]["translations"] == {"en": {"name": "Mild"}}


def test_another_store_s_manager_cannot_read_or_write_these(client, translated_menu, other_store):
    other_manager = other_store.users.get()
    api = manager_api(client, other_manager)
    stew = translated_menu["stew"]
    assert api.get(f"{ADMIN}/menu-items/{stew.id}").status_code == 404
    response = api.patch(
        f"{ADMIN}/menu-items/{stew.id}", {"translations": {"en": {"name": "Hacked"}}}, content_type="application/json"
    )
    assert response.status_code == 404
    stew.refresh_from_db()
    assert stew.translations["en"]["name"] == "Kimchi Stew"
    assert "Kimchi" not in api.get(f"{ADMIN}/menu-items").content.decode()
    assert "Water" not in api.get(STORE).content.decode()


# The store's settings


def test_managers_set_the_origin_notice_reason_translations_and_chime(client, manager, store, table):
    api = manager_api(client, manager)
    shown = api.get(STORE).json()
    assert (
        shown["origin_notice"],
        shown["origin_notice_translations"],
        shown["staff_call_reason_translations"],
        shown["cart_reminder_chime"],
    ) == ("", {}, {}, True)
    etag = client.get(MENU + "?lang=en", headers=bearer(table))["ETag"]
    response = api.patch(
        STORE,
        {
            "origin_notice": "쌀: 국내산",
            "origin_notice_translations": {"en": " Rice: Korea ", "zh-hans": "", "ja": None},
            "staff_call_reason_translations": {"물": {"en": "Water", "ja": " "}, "수저": {"zh-hans": "餐具"}},
            "cart_reminder_chime": False,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["origin_notice"] == "쌀: 국내산"
    assert body["origin_notice_translations"] == {"en": "Rice: Korea"}
    assert api.get(STORE).json()["origin_notice_translations"] == {"en": "Rice: Korea"}
    assert body["staff_call_reason_translations"] == {"물": {"en": "Water"}, "수저": {"zh-hans": "餐具"}}
    assert body["cart_reminder_chime"] is False
    # They are in the menu: a new version.
    menu = client.get(MENU + "?lang=en", headers={**bearer(table), "If-None-Match": etag})
    assert menu.status_code == 200
    assert menu.json()["staff_call_reason_labels"][0] == "Water"
    assert menu.json()["origin_notice"] == "Rice: Korea"
    assert client.get(MENU + "?lang=ja", headers=bearer(table)).json()["origin_notice"] == "쌀: 국내산"

    # Renaming the reasons takes the translations of the ones gone with them.
    api.patch(STORE, {"staff_call_reasons": ["물", "기타"]}, content_type="application/json")
    store.refresh_from_db()
    assert store.staff_call_reason_translations == {"물": {"en": "Water"}}


def test_store_updated_carries_what_the_tablet_shows(client, manager, store):
    api = manager_api(client, manager)
    api.patch(
        STORE,
        {
            "cart_reminder_chime": False,
            "staff_call_reason_translations": {"물": {"en": "Water"}},
            "origin_notice_translations": {"ja": "米：韓国産"},
        },
        content_type="application/json",
    )
    payload = OrderEvent.objects.filter(type=EventType.STORE_UPDATED).latest("id").payload
    assert payload["cart_reminder_chime"] is False
    assert payload["staff_call_reason_translations"] == {"물": {"en": "Water"}}
    assert payload["origin_notice"] == ""
    assert payload["origin_notice_translations"] == {"ja": "米：韓国産"}


@pytest.mark.parametrize(
    "body",
    [
        {"staff_call_reason_translations": {"없는 이유": {"en": "Nothing"}}},
        {"staff_call_reason_translations": {"물": {"fr": "Eau"}}},
        {"staff_call_reason_translations": {"물": {"en": "x" * 31}}},
        {"staff_call_reason_translations": {"물": "Water"}},
        {"staff_call_reason_translations": ["물"]},
        {"origin_notice": "x" * 4001},
        {"origin_notice_translations": {"fr": "Riz: Corée"}},
        {"origin_notice_translations": {"en": "x" * 4001}},
        {"origin_notice_translations": {"en": ["Rice: Korea"]}},
        {"origin_notice_translations": {"en": "Rice\x00"}},
        {"origin_notice_translations": ["en"]},
        {"origin_notice_translations": "Rice: Korea"},
        {"cart_reminder_chime": "maybe"},
    ],
)
def test_bad_store_settings_are_a_400_and_change_nothing(client, manager, store, body):
    api = manager_api(client, manager)
    version = Store.objects.get(pk=store.pk).menu_version
    response = api.patch(STORE, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == set(body)
    fresh = Store.objects.get(pk=store.pk)
    assert (fresh.staff_call_reason_translations, fresh.origin_notice, fresh.cart_reminder_chime) == ({}, "", True)
    assert fresh.origin_notice_translations == {}
    assert fresh.menu_version == version


# Menu files


def menu_without_ids(store):
    return without_ids(store_menu(store))


def test_a_json_export_imported_elsewhere_keeps_translations_origin_and_allergens(translated_menu, tmp_path):
    store = translated_menu["stew"].store
    path = tmp_path / "menu.json"
    call_command("export_menu", store.code, str(path))
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert exported["categories"][0]["translations"] == {"en": {"name": "Stews"}}
    stew = exported["categories"][0]["items"][0]
    assert stew["origin"] == "돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)"
    assert stew["allergens"] == ["대두", "밀", "돼지고기"]
    assert stew["translations"]["zh-hans"] == {"name": "泡菜汤"}
    target = make_store(code="copy", name="복사 식당")

    call_command("import_menu", target.code, str(path))

    assert menu_without_ids(target) == menu_without_ids(store)
    version = menu_version(target)
    call_command("import_menu", target.code, str(path))
    assert menu_version(target) == version  # the same file again changes nothing


def test_a_csv_export_imported_elsewhere_keeps_the_items_translations_origin_and_allergens(translated_menu, tmp_path):
    store = translated_menu["stew"].store
    path = tmp_path / "menu.csv"
    call_command("export_menu", store.code, str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0]["name_en"] == "Kimchi Stew" and rows[0]["description_en"] == "A spicy stew"
    assert rows[0]["name_zh-hans"] == "泡菜汤" and rows[0]["description_zh-hans"] == ""
    assert rows[0]["origin_ja"] == "豚肉：韓国産"
    assert rows[0]["allergens"] == "대두, 밀, 돼지고기"
    target = make_store(code="copy", name="복사 식당")

    call_command("import_menu", target.code, str(path))

    def items(of):
        return [
            {key: item[key] for key in ("name", "price", "description", "origin", "allergens", "translations")}
            for category in menu_without_ids(of)["categories"]
            for item in category["items"]
        ]

    assert items(target) == items(store)
    version = menu_version(target)
    call_command("import_menu", target.code, str(path))
    assert menu_version(target) == version


def test_a_csv_sets_only_the_translation_columns_it_has(translated_menu):
    store = translated_menu["stew"].store
    text = "category,name,price,description,image_url,is_available,name_en,name_ja,allergens\n"
    text += "찌개,김치찌개,9000,얼큰한 찌개,,true,Kimchi Jjigae,,대두|밀\n".replace("대두|밀", '"밀,대두"')

    import_menu(store=store, rows=menu_files.parse_csv(text))

    stew = MenuItem.objects.get(pk=translated_menu["stew"].pk)
    assert stew.translations == {
        "en": {"name": "Kimchi Jjigae", "description": "A spicy stew"},
        "zh-hans": {"name": "泡菜汤"},
        "ja": {"origin": "豚肉：韓国産"},
    }
    assert stew.allergens == ["대두", "밀"]
    assert stew.origin == "돼지고기: 국내산, 김치(배추: 국내산, 고춧가루: 중국산)"  # no origin column: kept


@pytest.mark.parametrize(
    ("fmt", "document", "message"),
    [
        (
            "csv",
            "category,name,price,description,image_url,is_available,allergens\n식사,만두,5000,,,true,글루텐\n",
            "글루텐",
        ),
        (
            "csv",
            "category,name,price,description,image_url,is_available,name_fr\n식사,만두,5000,,,true,Raviolis\n",
            "name_fr",
        ),
        ("json", {"allergens": ["밀", "글루텐"]}, "글루텐"),
        ("json", {"allergens": "밀"}, "allergens must be a list"),
        ("json", {"translations": {"fr": {"name": "Raviolis"}}}, "'fr' is not a language of the menu"),
        ("json", {"translations": {"en": {"price": "1"}}}, "'price' is not translated here"),
        ("json", {"origin": "x" * 501}, "origin must be at most 500"),
        ("json", {"option_groups": [{"name": "맵기", "translations": {"de": {"name": "Schärfe"}}}]}, "'de'"),
    ],
)
def test_a_bad_allergen_or_language_in_a_file_is_an_error_that_changes_nothing(store, menu, fmt, document, message):
    if fmt == "json":
        item = {"name": "만두", "price": 5000, **document}
        text = json.dumps({"categories": [{"name": "식사", "items": [{"name": "공기밥", "price": 1000}, item]}]})
    else:
        text = document
    version = menu_version(store)
    with pytest.raises(ValidationError) as error:
        import_menu(store=store, rows=menu_files.parse_menu(text, fmt))
    assert message in " ".join(error.value.messages)
    assert menu_version(store) == version
    assert not MenuItem.objects.filter(name="만두").exists()
    assert MenuItem.objects.get(name="공기밥").price == 1000


def test_a_json_category_s_translations_update_an_existing_category(store, menu):
    text = json.dumps(
        {
            "categories": [
                {"name": "식사", "translations": {"ja": {"name": "食事"}}, "items": [{"name": "공기밥", "price": 1000}]}
            ]
        }
    )
    import_menu(store=store, rows=menu_files.parse_json(text))
    assert Category.objects.get(store=store, name="식사").translations == {"ja": {"name": "食事"}}
