"""The menu admin (SPEC 4.4): every change goes through menus.services and tells the
tablets (`menu.updated`); images are checked; the whole menu goes in and out as a file."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import User
from menus.images import MAX_IMAGE_BYTES
from menus.models import Category, MenuItem
from orders.models import EventType, OrderEvent, OrderLine
from orders.services import place_order


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _menu_updates(store):
    return OrderEvent.objects.filter(store=store, type=EventType.MENU_UPDATED).count()


def _png(name="dish.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _item_form(category, **fields):
    return {
        "category": str(category.pk),
        "name": "비빔밥",
        "price": "11000",
        "description": "",
        "image_url": "",
        "is_available": "on",
        **fields,
    }


def test_adding_an_item_stores_its_image_and_tells_the_tablets(manager_client, store, menu):
    response = manager_client.post(reverse("admin:menus_menuitem_add"), _item_form(menu[0].category, image=_png()))

    assert response.status_code == 302
    item = MenuItem.objects.get(name="비빔밥")
    assert item.store == store
    assert item.display_order == max(other.display_order for other in menu) + 1
    assert item.image.name.endswith(".png")
    assert default_storage.exists(item.image.name)
    assert _menu_updates(store) == 1
    page = manager_client.get(reverse("admin:menus_menuitem_changelist")).content.decode()
    assert f'<img src="{item.image.url}"' in page


def test_a_file_that_is_not_an_image_is_refused(manager_client, menu):
    fake = SimpleUploadedFile("dish.png", b"<script>alert(1)</script>", content_type="image/png")

    response = manager_client.post(reverse("admin:menus_menuitem_add"), _item_form(menu[0].category, image=fake))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["image"]
    assert not MenuItem.objects.filter(name="비빔밥").exists()


def test_an_image_over_5_mb_is_refused(manager_client, menu):
    image = _png()
    big = SimpleUploadedFile("big.png", image.read() + b"\0" * MAX_IMAGE_BYTES, content_type="image/png")

    response = manager_client.post(reverse("admin:menus_menuitem_add"), _item_form(menu[0].category, image=big))

    assert response.status_code == 200
    assert "larger than 5 MB" in str(response.context["adminform"].form.errors["image"])


def test_a_price_out_of_range_is_a_form_error(manager_client, menu):
    response = manager_client.post(reverse("admin:menus_menuitem_add"), _item_form(menu[0].category, price="0"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["price"]


def test_list_editing_price_and_sold_out_tells_the_tablets(manager_client, store, menu):
    item = menu[0]
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(item.pk),
        "form-0-price": "9500",
        "_save": "Save",
    }

    response = manager_client.post(reverse("admin:menus_menuitem_changelist"), form)

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.price == 9500
    assert not item.is_available
    assert _menu_updates(store) == 1


def test_dragging_reorders_within_the_store_and_tells_the_tablets(manager_client, store, menu):
    url = reverse("admin:menus_menuitem_sortable_update")
    moves = [[menu[2].pk, 0], [menu[0].pk, 1], [menu[1].pk, 2]]

    response = manager_client.post(url, json.dumps({"updatedItems": moves}), content_type="application/json")

    assert response.status_code == 200
    names = list(MenuItem.objects.filter(store=store).values_list("name", flat=True))
    assert names == ["공기밥", "김치찌개", "된장찌개"]
    assert _menu_updates(store) == 1, "one drag, one announcement"


def test_deleting_an_item_keeps_past_orders(manager_client, store, table, menu):
    order = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])[0]

    response = manager_client.post(reverse("admin:menus_menuitem_delete", args=[menu[0].pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not MenuItem.objects.filter(pk=menu[0].pk).exists()
    line = OrderLine.objects.get(order=order)
    assert (line.menu_item, line.name, line.unit_price, line.quantity) == (None, "김치찌개", 9000, 2)
    assert _menu_updates(store) == 1


def test_a_category_with_items_is_not_deleted(manager_client, menu):
    category = menu[0].category

    manager_client.post(reverse("admin:menus_category_delete", args=[category.pk]), {"post": "yes"})

    assert Category.objects.filter(pk=category.pk).exists()


def test_a_new_category_goes_last_and_tells_the_tablets(manager_client, store, menu):
    response = manager_client.post(reverse("admin:menus_category_add"), {"name": "음료"})

    assert response.status_code == 302
    assert list(Category.objects.filter(store=store).values_list("name", flat=True)) == ["식사", "음료"]
    assert _menu_updates(store) == 1


def test_a_category_name_is_unique_in_the_store_only(manager_client, menu, other_store):
    Category.objects.create(store=other_store, name="음료")

    assert manager_client.post(reverse("admin:menus_category_add"), {"name": "음료"}).status_code == 302
    again = manager_client.post(reverse("admin:menus_category_add"), {"name": "음료"})
    assert again.status_code == 200


def test_export_then_import_round_trip_through_the_admin(manager_client, store, menu, other_store):
    changelist = manager_client.get(reverse("admin:menus_menuitem_changelist")).content.decode()
    assert reverse("admin:menus_menu_import") in changelist
    assert f"{reverse('admin:menus_menu_export')}?format=csv" in changelist
    exported = manager_client.get(reverse("admin:menus_menu_export"), {"format": "csv"})
    assert exported["Content-Disposition"] == 'attachment; filename="menu-alpha.csv"'
    csv_text = exported.content.decode("utf-8-sig")
    assert "김치찌개" in csv_text
    assert "비빔밥" not in csv_text

    changed = csv_text.replace("김치찌개,9000", "김치찌개,9900") + "음료,사이다,2000,,,true\n"
    upload = SimpleUploadedFile("menu.csv", changed.encode("utf-8-sig"), content_type="text/csv")
    response = manager_client.post(reverse("admin:menus_menu_import"), {"file": upload}, follow=True)

    assert "1 new items, 1 updated" in response.content.decode()
    assert MenuItem.objects.get(store=store, name="김치찌개").price == 9900
    assert MenuItem.objects.get(store=store, name="사이다").category.name == "음료"
    assert not MenuItem.objects.filter(store=other_store, name="사이다").exists()
    assert _menu_updates(store) == 1
    exported_json = manager_client.get(reverse("admin:menus_menu_export"), {"format": "json"})
    names = [item["name"] for category in json.loads(exported_json.content)["categories"] for item in category["items"]]
    assert names == ["김치찌개", "된장찌개", "공기밥", "사이다"]


def test_a_bad_menu_file_changes_nothing_and_names_the_row(manager_client, store, menu):
    text = "category,name,price,description,image_url,is_available\n식사,김치찌개,9900,,,true\n식사,라면,0,,,true\n"
    upload = SimpleUploadedFile("menu.csv", text.encode(), content_type="text/csv")

    response = manager_client.post(reverse("admin:menus_menu_import"), {"file": upload})

    assert response.status_code == 200
    assert "row 2" in response.content.decode()
    assert MenuItem.objects.get(store=store, name="김치찌개").price == 9000


def test_a_platform_admin_chooses_the_store_to_export(client, store, menu, other_store):
    client.force_login(User.objects.create_superuser(username="root", password="root-pass-123"))

    page = client.get(reverse("admin:menus_menu_export"))
    exported = client.get(reverse("admin:menus_menu_export"), {"format": "json", "store_choice": other_store.pk})

    assert page.status_code == 200
    assert 'name="store_choice"' in page.content.decode()
    assert "비빔밥" in exported.content.decode()
    assert "김치찌개" not in exported.content.decode()


def test_a_category_that_gained_items_before_the_delete_is_kept_with_a_message(
    manager_client, store, menu, monkeypatch
):
    category = menu[0].category
    # The confirmation page was shown while the category was empty; items arrived since.
    monkeypatch.setattr("menus.admin.CategoryAdmin.get_deleted_objects", lambda *args: ([], {}, set(), []))

    response = manager_client.post(
        reverse("admin:menus_category_delete", args=[category.pk]), {"post": "yes"}, follow=True
    )

    assert response.status_code == 200
    assert "Move or delete this category&#x27;s items first." in response.content.decode()
    assert Category.objects.filter(pk=category.pk).exists()
