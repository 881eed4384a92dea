"""seed_demo: a working demo restaurant, idempotent, and instant with --if-absent."""

import io

import pytest
from django.contrib.auth import authenticate
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command, load_command_class
from django.test import RequestFactory
from PIL import Image

from accounts.models import Store, Table, User
from accounts.tokens import table_tokens
from menus.management.commands.seed_demo import DEMO_MENU
from menus.models import Category, MenuItem, Option, OptionGroup
from menus.selectors import store_menu
from orders.services import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _development(settings, tmp_path):
    """seed_demo is a development command: DEBUG on, media in a temporary folder."""
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"


def counts():
    return {
        "stores": Store.objects.count(),
        "users": User.objects.count(),
        "tables": Table.objects.count(),
        "categories": Category.objects.count(),
        "items": MenuItem.objects.count(),
        "option groups": OptionGroup.objects.count(),
        "options": Option.objects.count(),
    }


def media_files(settings):
    return sorted(path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file())


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_outside_debug_it_refuses_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not any(counts().values())
    seed("--force")
    assert counts()["stores"] == 1


def test_the_demo_manager_can_use_the_back_office():
    seed()
    manager = User.objects.get(username="manager")
    assert manager.is_staff and not manager.is_superuser
    assert manager.has_perm("menus.change_menuitem") and manager.has_perm("orders.view_order")
    # Their own store's staff-call reasons, yes; stores themselves, no.
    assert manager.has_perm("accounts.change_store")
    assert not manager.has_perm("accounts.add_store") and not manager.has_perm("accounts.delete_store")


def test_seed_demo_builds_a_working_restaurant():
    seed()

    store = Store.objects.get(code="demo")
    assert store.name == "데모 식당"
    request = RequestFactory().post("/")
    manager = authenticate(request, store_code="demo", username="manager", password="demo1234")
    assert manager is not None and manager.store == store and manager.is_staff
    tables = list(store.tables.order_by("number"))
    assert [table.number for table in tables] == list(range(1, 13))
    assert all(table.check_password("1234") for table in tables)
    categories = list(Category.objects.filter(store=store))
    assert [category.name for category in categories] == ["메인 메뉴", "사이드", "음료", "주류", "디저트"]
    assert all(4 <= category.items.count() <= 6 for category in categories)
    items = MenuItem.objects.filter(store=store)
    assert items.filter(is_available=False).count() == 1
    assert all(item.description and 1000 <= item.price <= 50000 for item in items)


def test_the_demo_has_options_a_guest_can_order():
    seed()
    store = Store.objects.get(code="demo")
    items = {item["name"]: item for category in store_menu(store)["categories"] for item in category["items"]}

    spicy = [(group["name"], group["min_select"], group["max_select"]) for group in items["떡볶이"]["option_groups"]]
    assert spicy == [("맵기", 1, 1), ("추가", 0, 2)]
    assert [option["name"] for option in items["김치찌개"]["option_groups"][0]["options"]] == [
        "순한맛",
        "보통",
        "매운맛",
    ]
    extras = items["떡볶이"]["option_groups"][1]["options"]
    assert all(option["price_delta"] > 0 for option in extras)
    assert [option["name"] for option in extras if not option["is_available"]] == ["모둠 튀김"]
    assert "라면 사리" in [option["name"] for option in items["김치찌개"]["option_groups"][1]["options"]]
    # One 맵기 for the store, offered on both dishes.
    assert items["떡볶이"]["option_groups"][0] == items["김치찌개"]["option_groups"][0]
    assert OptionGroup.objects.filter(store=store, name="맵기").count() == 1

    hot = items["떡볶이"]["option_groups"][0]["options"][2]
    noodles, cheese = extras[:2]
    order, _created = place_order(
        table=store.tables.get(number=1),
        items=[
            {
                "menu_item_id": items["떡볶이"]["id"],
                "quantity": 1,
                "option_ids": [hot["id"], noodles["id"], cheese["id"]],
            }
        ],
    )
    assert order.total == 7000 + 1000 + 1000


def test_every_demo_item_has_a_generated_jpeg_in_storage():
    seed()

    for item in MenuItem.objects.filter(store__code="demo"):
        assert item.image.url.startswith("/media/menu/")
        with default_storage.open(item.image.name) as stored, Image.open(stored) as picture:
            assert (picture.format, picture.size) == ("JPEG", (480, 360))


def test_every_demo_image_has_its_display_sizes_and_a_rerun_makes_missing_ones():
    seed()

    items = MenuItem.objects.filter(store__code="demo")
    for item in items:
        # The drawings are 480 px wide: a 400 px size, and the picture itself as the widest.
        assert sorted(item.image_sizes, key=int) == ["400", "480"]
        with default_storage.open(item.image_sizes["400"]) as stored, Image.open(stored) as picture:
            assert (picture.format, picture.size) == ("WEBP", (400, 300))
    # A demo seeded before display sizes existed.
    items.update(image_sizes={})

    seed()

    assert all(sorted(item.image_sizes, key=int) == ["400", "480"] for item in items.all())


def test_seed_demo_twice_keeps_the_same_counts_and_files(settings):
    seed()
    before, files = counts(), media_files(settings)

    seed()

    assert counts() == before
    assert media_files(settings) == files
    assert before["items"] == sum(len(items) for items in DEMO_MENU.values())


def test_rerun_restores_the_demo_without_signing_out_good_tablets():
    seed()
    store = Store.objects.get(code="demo")
    MenuItem.objects.filter(store=store, name="김치찌개").update(price=1)
    Option.objects.filter(group__store=store, name="치즈").update(price_delta=1, is_available=False)
    Table.objects.filter(store=store, number=3).update(password="changed")
    store.users.filter(username="manager").update(password="changed")
    versions = dict(store.tables.values_list("number", "token_version"))

    seed()

    assert MenuItem.objects.get(store=store, name="김치찌개").price == 9000
    cheese = Option.objects.get(group__store=store, name="치즈")
    assert (cheese.price_delta, cheese.is_available) == (1000, True)
    table = store.tables.get(number=3)
    assert table.check_password("1234")
    assert table.token_version == versions[3] + 1
    assert {n: v for n, v in store.tables.values_list("number", "token_version") if n != 3} == {
        n: v for n, v in versions.items() if n != 3
    }
    assert authenticate(RequestFactory().post("/"), store_code="demo", username="manager", password="demo1234")


def test_rerun_redraws_images_whose_files_are_gone():
    seed()
    item = MenuItem.objects.get(store__code="demo", name="콜라")
    default_storage.delete(item.image.name)

    assert "1 images drawn" in seed()
    item.refresh_from_db()
    assert default_storage.exists(item.image.name)


def test_if_absent_creates_on_an_empty_database_and_then_does_nothing(settings):
    seed("--if-absent")
    MenuItem.objects.filter(name="김치찌개").update(price=1)
    before, files = counts(), media_files(settings)

    output = seed("--if-absent")

    assert "already exists; nothing to do" in output
    assert counts() == before
    assert media_files(settings) == files
    assert MenuItem.objects.get(name="김치찌개").price == 1


def test_help_renders():
    help_text = load_command_class("menus", "seed_demo").create_parser("manage.py", "seed_demo").format_help()

    assert "--if-absent" in help_text


def test_the_demo_menu_is_in_all_four_languages_with_origins_and_allergens(client):
    seed()
    store = Store.objects.get(code="demo")
    languages = ("en", "zh-hans", "ja")
    named = [
        *Category.objects.filter(store=store),
        *MenuItem.objects.filter(store=store),
        *OptionGroup.objects.filter(store=store),
        *Option.objects.filter(group__store=store),
    ]
    assert len(named) > 40
    for obj in named:
        for language in languages:
            assert obj.translations.get(language, {}).get("name"), (obj, language)
            assert obj.translations[language]["name"] != obj.name or language != "en", obj
    for item in MenuItem.objects.filter(store=store):
        assert all(item.translations[language].get("description") for language in languages), item
        if item.origin:
            assert all(item.translations[language].get("origin") for language in languages), item
        item.full_clean()  # the allergens are on the ministry's list, in its order
    stew = MenuItem.objects.get(store=store, name="김치찌개")
    assert stew.origin == "돼지고기: 국내산, 배추김치(배추: 국내산, 고춧가루: 중국산), 쌀: 국내산"
    assert stew.translations["en"]["name"] == "Kimchi Stew" and stew.translations["ja"]["name"] == "キムチチゲ"
    assert "돼지고기" in stew.allergens
    assert MenuItem.objects.filter(store=store).exclude(origin="").count() >= 10
    assert MenuItem.objects.filter(store=store).exclude(allergens=[]).count() >= 10
    assert "원산지" in store.origin_notice
    assert set(store.origin_notice_translations) == set(languages)
    assert all(
        len(text.splitlines()) == len(store.origin_notice.splitlines())
        for text in store.origin_notice_translations.values()
    )
    assert set(store.staff_call_reason_translations) == set(store.staff_call_reasons)
    for reason in store.staff_call_reasons:
        assert all(store.staff_call_reason_translations[reason].get(language) for language in languages)

    # The tablet reads it in every language; a rerun changes nothing.
    table = Table.objects.get(store=store, number=1)
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    japanese = client.get("/api/v1/menu?lang=ja", headers=headers).json()
    assert japanese["categories"][0]["name"] == "メインメニュー"
    assert japanese["staff_call_reason_labels"][0] == "お水"
    assert japanese["origin_notice"].startswith("原産地表示\n米：韓国産")
    version = Store.objects.get(pk=store.pk).menu_version
    seed()
    assert Store.objects.get(pk=store.pk).menu_version == version
