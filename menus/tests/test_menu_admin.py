"""The menu admin: every change goes through menus.services and tells the tablets
(`menu.updated`); images are checked; the whole menu goes in and out as a file."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import User
from menus.images import MAX_IMAGE_BYTES
from menus.models import Category, MenuItem, Option, OptionGroup
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
        **_inline("option_groups", []),
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
    # The list shows the image's smallest display size (an 8 px picture has just one).
    assert f'<img src="{item.image.storage.url(item.image_sizes["8"])}"' in page


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


# Option groups and options, edited with their item


def _inline(prefix, rows, initial=0):
    """Inline formset fields: `rows` are dicts of one form's fields each."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


def _group_row(item, name="맵기", min_select="1", max_select="1", **fields):
    return {
        "item": str(item.pk),
        "id": "",
        "name": name,
        "min_select": min_select,
        "max_select": max_select,
        "display_order": "0",
        **fields,
    }


def test_option_groups_are_added_inline_on_the_item_page_and_tell_the_tablets(manager_client, store, menu):
    stew = menu[0]
    url = reverse("admin:menus_menuitem_change", args=[stew.pk])
    form = {
        **_item_form(stew.category, name="김치찌개", price="9000"),
        **_inline("option_groups", [_group_row(stew), _group_row(stew, "추가", "0", "2", display_order="1")]),
    }

    response = manager_client.post(url, form)

    assert response.status_code == 302
    assert list(stew.option_groups.values_list("name", "min_select", "max_select")) == [("맵기", 1, 1), ("추가", 0, 2)]
    # One announcement for the item, one for its groups.
    assert _menu_updates(store) == 2
    page = manager_client.get(url).content.decode()
    group = stew.option_groups.first()
    assert reverse("admin:menus_optiongroup_change", args=[group.pk]) in page


def test_a_group_that_allows_no_choice_is_a_field_error(manager_client, store, menu):
    stew = menu[0]
    form = {
        **_item_form(stew.category, name="김치찌개", price="9000"),
        **_inline("option_groups", [_group_row(stew, min_select="0", max_select="0")]),
    }

    response = manager_client.post(reverse("admin:menus_menuitem_change", args=[stew.pk]), form)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["max_select"]
    assert not OptionGroup.objects.exists()
    assert _menu_updates(store) == 0


def test_options_are_edited_on_the_groups_page_through_the_services(manager_client, store, menu):
    group = OptionGroup.objects.create(item=menu[0], name="추가", max_select=2)
    url = reverse("admin:menus_optiongroup_change", args=[group.pk])
    option_row = {"group": str(group.pk), "id": "", "is_available": "on", "display_order": "0"}
    form = {
        "name": "추가",
        "min_select": "0",
        "max_select": "2",
        "display_order": "0",
        **_inline(
            "options",
            [
                {**option_row, "name": "치즈", "price_delta": "1000"},
                {**option_row, "name": "계란", "price_delta": "500"},
            ],
        ),
    }

    response = manager_client.post(url, form)

    assert response.status_code == 302
    assert list(group.options.values_list("name", "price_delta")) == [("치즈", 1000), ("계란", 500)]
    assert _menu_updates(store) == 2
    page = manager_client.get(url).content.decode()
    # The group stays with its item.
    assert 'name="item"' not in page
    assert "김치찌개" in page


def test_a_new_group_can_only_belong_to_the_managers_own_items(manager_client, store, menu, other_store):
    foreign = other_store.menu_items.get()
    fields = {"name": "곱빼기", "min_select": "0", "max_select": "1", "display_order": "0", **_inline("options", [])}

    refused = manager_client.post(reverse("admin:menus_optiongroup_add"), {**fields, "item": str(foreign.pk)})
    accepted = manager_client.post(reverse("admin:menus_optiongroup_add"), {**fields, "item": str(menu[0].pk)})

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["item"]
    assert accepted.status_code == 302
    assert list(OptionGroup.objects.values_list("item_id", flat=True)) == [menu[0].pk]
    assert _menu_updates(other_store) == 0


def test_deleting_option_groups_tells_the_tablets_and_keeps_past_orders(manager_client, store, table, menu):
    group = OptionGroup.objects.create(item=menu[0], name="맵기", min_select=1)
    mild = Option.objects.create(group=group, name="순한맛")
    order = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1, "option_ids": [mild.id]}])[0]

    response = manager_client.post(
        reverse("admin:menus_optiongroup_changelist"),
        {"action": "delete_selected", "_selected_action": [str(group.pk)], "post": "yes"},
    )

    assert response.status_code == 302
    assert not OptionGroup.objects.exists() and not Option.objects.exists()
    assert OrderLine.objects.get(order=order).options == [{"id": mild.id, "name": "순한맛", "price_delta": 0}]
    assert _menu_updates(store) == 1


def test_inline_rows_cannot_reach_another_stores_groups_or_options(manager_client, store, menu, other_store):
    ours = OptionGroup.objects.create(item=menu[0], name="맵기")
    theirs = OptionGroup.objects.create(item=other_store.menu_items.get(), name="곱빼기 여부")
    their_option = Option.objects.create(group=theirs, name="곱빼기", price_delta=2000)
    item_form = {
        **_item_form(menu[0].category, name="김치찌개", price="9000"),
        **_inline("option_groups", [{**_group_row(menu[0], "가로챔"), "id": str(theirs.pk)}], initial=1),
    }
    group_form = {
        "name": "맵기",
        "min_select": "0",
        "max_select": "1",
        "display_order": "0",
        **_inline(
            "options",
            [
                {
                    "group": str(ours.pk),
                    "id": str(their_option.pk),
                    "name": "가로챔",
                    "price_delta": "1",
                    "display_order": "0",
                }
            ],
            initial=1,
        ),
    }

    manager_client.post(reverse("admin:menus_menuitem_change", args=[menu[0].pk]), item_form)
    manager_client.post(reverse("admin:menus_optiongroup_change", args=[ours.pk]), group_form)

    theirs.refresh_from_db()
    their_option.refresh_from_db()
    assert (theirs.item.store, theirs.name) == (other_store, "곱빼기 여부")
    assert (their_option.group_id, their_option.name, their_option.price_delta) == (theirs.pk, "곱빼기", 2000)
    assert _menu_updates(other_store) == 0
