"""Translations, origin and allergens in the back office: the per-language fields of the menu's
forms, the store's origin notice, reason translations and chime, and the 번역 누락 page."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, Store, User
from accounts.services import create_manager
from menus.models import MenuItem, Option, OptionGroup
from menus.tests.test_menu_admin import _group_form, _item_form, _option_row

MISSING = "admin:menus_missing_translations"


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_item_s_translations_origin_and_allergens_are_saved_from_the_form(manager_client, store, menu):
    form = _item_form(
        menu[0].category,
        description="고소한 나물 비빔밥",
        origin="쌀: 국내산, 쇠고기: 호주산",
        allergens=["쇠고기", "대두", "알류"],
        **{
            "name_en": "Bibimbap",
            "description_en": "Rice with greens",
            "name_zh-hans": "拌饭",
            "description_zh-hans": " ",
            "name_ja": "",
            "origin_ja": "米：韓国産",
        },
    )
    response = manager_client.post(reverse("admin:menus_menuitem_add"), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    item = MenuItem.objects.get(name="비빔밥")
    assert item.origin == "쌀: 국내산, 쇠고기: 호주산"
    assert item.allergens == ["알류", "대두", "쇠고기"]
    assert item.translations == {
        "en": {"name": "Bibimbap", "description": "Rice with greens"},
        "zh-hans": {"name": "拌饭"},
        "ja": {"origin": "米：韓国産"},
    }
    page = manager_client.get(reverse("admin:menus_menuitem_change", args=[item.pk])).content.decode()
    assert 'name="name_zh-hans"' in page and 'value="拌饭"' in page
    assert 'type="checkbox" name="allergens" value="쇠고기"' in page
    assert "Rice with greens</textarea>" in page


def test_the_translation_fields_are_in_a_fieldset_titled_번역(manager_client, menu):
    with translation.override("ko"):
        page = manager_client.get(reverse("admin:menus_menuitem_change", args=[menu[0].pk]), HTTP_ACCEPT_LANGUAGE="ko")
    text = page.content.decode()
    assert "번역" in text
    for name in ("name_en", "description_en", "origin_en", "name_zh-hans", "name_ja", "origin_ja"):
        assert f'name="{name}"' in text


def test_a_too_long_translation_is_a_field_error_and_nothing_changes(manager_client, store, menu):
    stew = menu[0]
    form = _item_form(stew.category, name="김치찌개", price="9000", name_en="x" * 101)
    response = manager_client.post(reverse("admin:menus_menuitem_change", args=[stew.pk]), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name_en"]
    stew.refresh_from_db()
    assert stew.translations == {}


def test_category_and_option_group_forms_save_their_translations(manager_client, store, menu):
    category = menu[0].category
    response = manager_client.post(
        reverse("admin:menus_category_change", args=[category.pk]),
        {"name": category.name, "name_en": "Meals", "name_ja": "食事", "name_zh-hans": ""},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.translations == {"en": {"name": "Meals"}, "ja": {"name": "食事"}}

    options = [_option_row(name="순한맛", price_delta="0", name_en="Mild", **{"name_zh-hans": "微辣"})]
    response = manager_client.post(
        reverse("admin:menus_optiongroup_add"), {**_group_form(options=options), "name_en": "Spiciness"}
    )
    assert response.status_code == 302
    group = OptionGroup.objects.get()
    assert group.translations == {"en": {"name": "Spiciness"}}
    assert group.options.get().translations == {"en": {"name": "Mild"}, "zh-hans": {"name": "微辣"}}
    page = manager_client.get(reverse("admin:menus_optiongroup_change", args=[group.pk])).content.decode()
    assert 'value="微辣"' in page


# The store's settings


def _store_form(client, store, **changes):
    form = {"code": store.code, "name": store.name, "staff_call_reasons": "\n".join(store.staff_call_reasons)}
    return client.post(reverse("admin:accounts_store_change", args=[store.pk]), {**form, **changes})


def test_the_store_form_sets_the_origin_notice_chime_and_reason_translations(manager_client, store):
    version = Store.objects.get(pk=store.pk).menu_version
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert "물 =" in page and 'name="origin_notice"' in page and 'name="cart_reminder_chime"' in page

    response = _store_form(
        manager_client,
        store,
        origin_notice="쌀: 국내산\n배추김치(배추: 국내산, 고춧가루: 중국산)",
        reason_translations_en="물 = Water\n앞접시 = Extra plate\n수저 =",
        reason_translations_zh_hans="물 = 水",
        reason_translations_ja="",
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.origin_notice == "쌀: 국내산\n배추김치(배추: 국내산, 고춧가루: 중국산)"
    assert store.cart_reminder_chime is False  # left unticked
    assert store.staff_call_reason_translations == {
        "물": {"en": "Water", "zh-hans": "水"},
        "앞접시": {"en": "Extra plate"},
    }
    assert store.menu_version > version
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert "물 = Water" in page
    with translation.override("ko"):
        assert LogEntry.objects.get().get_change_message() == (
            "변경한 항목: 원산지 표시판, 주문 안 한 장바구니 알림음 및 직원 호출 사유 번역."
        )


def test_the_store_form_sets_the_origin_notice_in_each_language(manager_client, store):
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert all(f'name="origin_notice_{name}"' in page for name in ("en", "zh_hans", "ja"))

    response = _store_form(
        manager_client,
        store,
        origin_notice="쌀: 국내산",
        origin_notice_en=" Rice: Korea ",
        origin_notice_zh_hans="",
        origin_notice_ja="米：韓国産",
    )

    assert response.status_code == 302
    store.refresh_from_db()
    assert store.origin_notice_translations == {"en": "Rice: Korea", "ja": "米：韓国産"}
    page = manager_client.get(reverse("admin:accounts_store_change", args=[store.pk])).content.decode()
    assert "米：韓国産</textarea>" in page
    with translation.override("ko"):
        assert LogEntry.objects.get().get_change_message() == (
            "변경한 항목: 원산지 표시판, 원산지 표시판 번역 및 주문 안 한 장바구니 알림음."
        )
    # Too long is an error on its textarea, nothing changed; a language left out of the form keeps its text.
    response = _store_form(manager_client, store, origin_notice_en="x" * 4001, origin_notice_ja="")
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"origin_notice_en"}
    response = _store_form(manager_client, store, origin_notice="쌀: 국내산", origin_notice_en="Rice: Korea (domestic)")
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.origin_notice_translations == {"en": "Rice: Korea (domestic)", "ja": "米：韓国産"}


def test_a_translation_of_no_reason_is_a_field_error(manager_client, store):
    response = _store_form(
        manager_client, store, reason_translations_en="물 = Water\n냅킨 = Napkins", cart_reminder_chime="on"
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason_translations_en"]
    response = _store_form(manager_client, store, reason_translations_ja="お水")
    assert response.context["adminform"].form.errors["reason_translations_ja"]
    store.refresh_from_db()
    assert store.staff_call_reason_translations == {}


def test_a_renamed_reason_drops_its_old_lines(manager_client, store):
    store.staff_call_reason_translations = {"물": {"en": "Water"}}
    store.save()
    response = _store_form(
        manager_client, store, staff_call_reasons="물 주세요\n기타", reason_translations_en="물 = Water\n기타 = Other"
    )
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.staff_call_reason_translations == {"기타": {"en": "Other"}}


# 번역 누락


def test_the_missing_translations_page_lists_what_each_language_lacks(manager_client, store, menu, other_store):
    stew, soup, rice = menu
    stew.translations = {"en": {"name": "Kimchi Stew"}, "ja": {"name": "キムチチゲ"}}
    stew.description = "얼큰한 찌개"
    stew.save()
    rice.translations = {lang: {"name": "밥"} for lang in ("en", "zh-hans", "ja")}
    rice.save()
    category = stew.category
    category.translations = {"en": {"name": "Meals"}}
    category.save()
    group = OptionGroup.objects.create(store=store, name="맵기", translations={"en": {"name": "Spice"}})
    Option.objects.create(group=group, name="순한맛", translations={"ja": {"name": "マイルド"}})
    theirs = other_store.menu_items.get()

    response = manager_client.get(reverse(MISSING))

    assert response.status_code == 200
    found = {entry["code"]: entry["missing"] for entry in response.context["languages"]}
    names = {code: [(m.name, tuple(m.fields)) for m in entries] for code, entries in found.items()}
    assert names["en"] == [
        ("식사 › 김치찌개", ("description",)),
        ("식사 › 된장찌개", ("name",)),
        ("맵기 › 순한맛", ("name",)),
    ]
    assert [name for name, _fields in names["ja"]] == ["식사", "식사 › 김치찌개", "식사 › 된장찌개", "맵기"]
    assert len(names["zh-hans"]) == 5  # all but 공기밥
    page = response.content.decode()
    assert reverse("admin:menus_menuitem_change", args=[soup.pk]) in page
    assert reverse("admin:menus_optiongroup_change", args=[group.pk]) in page
    assert reverse("admin:menus_category_change", args=[category.pk]) in page
    assert theirs.name not in page
    assert reverse("admin:menus_menuitem_change", args=[theirs.pk]) not in page


def test_the_page_is_linked_from_the_admin_home_and_the_menu_items(manager_client, menu):
    url = reverse(MISSING)
    assert url in manager_client.get(reverse("admin:index")).content.decode()
    assert url in manager_client.get(reverse("admin:menus_menuitem_changelist")).content.decode()


def test_a_platform_admin_chooses_the_store(client, store, menu, other_store):
    admin = User.objects.create_superuser(username="root", password="root-pass-1234")
    client.force_login(admin)
    assert client.get(reverse(MISSING)).context["languages"] == []
    theirs = other_store.menu_items.get()
    page = client.get(reverse(MISSING), {"store": other_store.pk}).content.decode()
    assert theirs.name in page and "김치찌개" not in page


def test_kitchen_staff_and_anonymous_users_do_not_get_the_page(client, store, menu):
    assert client.get(reverse(MISSING)).status_code == 302  # to the login
    cook = create_manager(store=store, username="cook", password="cook-pass-1234", role=Role.KITCHEN)
    client.force_login(cook)
    response = client.get(reverse(MISSING))
    assert response.status_code in (302, 403)
    assert "김치찌개" not in response.content.decode()
