"""The manager API for the menu: categories and menu items, with image upload."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from accounts.services import setup_table
from accounts.tokens import manager_tokens, table_tokens
from menus.images import MAX_IMAGE_BYTES
from menus.models import Category, MenuItem, Station
from orders.models import EventType, OrderEvent, OrderLine
from orders.services import place_order

API = "/api/v1/admin"


@pytest.fixture
def api(client, manager):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {manager_tokens(manager)['access']}"
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def meals(menu):
    return menu[0].category


def menu_events():
    return OrderEvent.objects.filter(type=EventType.MENU_UPDATED).count()


def send(api, method, url, body):
    return getattr(api, method)(url, body, content_type="application/json")


def multipart(api, method, url, fields):
    if method == "post":
        return api.post(url, fields)
    return getattr(api, method)(url, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT)


def error_of(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def png(name="photo.png", size=(8, 8), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def item_body(in_category, **fields):
    return {"category": in_category.id, "name": "비빔밥", "price": 11000, **fields}


def tablet_menu(table):
    response = Client().get("/api/v1/menu", headers={"Authorization": f"Bearer {table_tokens(table)['access']}"})
    return {item["name"]: item for category in response.json()["categories"] for item in category["items"]}


# Categories


def test_categories_list_in_display_order(api, store, other_store):
    Category.objects.create(store=store, name="음료", display_order=2)
    Category.objects.create(store=store, name="식사", display_order=1)
    body = api.get(f"{API}/categories").json()
    assert body["count"] == 2
    assert [(c["name"], c["display_order"]) for c in body["results"]] == [("식사", 1), ("음료", 2)]
    assert set(body["results"][0]) == {"id", "name", "display_order", "station_id", "translations"}


def test_create_category_announces_the_menu_change(api, store):
    response = send(api, "post", f"{API}/categories", {"name": "후식", "display_order": 4})
    assert response.status_code == 201
    category = Category.objects.get(store=store)
    # No station: its items go to the store's first.
    assert response.json() == {
        "id": category.id,
        "name": "후식",
        "display_order": 4,
        "station_id": None,
        "translations": {},
    }
    assert menu_events() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"name": "후식", "display_order": -1}, "display_order"),
    ],
)
def test_invalid_category_is_a_field_error(api, store, body, field):
    assert field in error_of(send(api, "post", f"{API}/categories", body), 400)["fields"]
    assert not Category.objects.exists()
    assert menu_events() == 0


def test_category_names_are_unique_per_store(api, store, meals, other_store):
    error = error_of(send(api, "post", f"{API}/categories", {"name": "식사"}), 400)
    assert set(error["fields"]) == {"name"}
    # The other store's "식사" is no obstacle to renaming, and the same name is fine for itself.
    drinks = Category.objects.create(store=store, name="음료")
    assert send(api, "patch", f"{API}/categories/{drinks.id}", {"name": "식사"}).status_code == 400
    assert send(api, "patch", f"{API}/categories/{meals.id}", {"name": "식사", "display_order": 9}).status_code == 200


def test_update_category(api, meals):
    assert api.get(f"{API}/categories/{meals.id}").json()["name"] == "식사"
    response = send(api, "patch", f"{API}/categories/{meals.id}", {"display_order": 7})
    assert response.json() == {
        "id": meals.id,
        "name": "식사",
        "display_order": 7,
        "station_id": None,
        "translations": {},
    }
    response = send(api, "put", f"{API}/categories/{meals.id}", {"name": "밥", "display_order": 3})
    assert response.status_code == 200
    meals.refresh_from_db()
    assert (meals.name, meals.display_order) == ("밥", 3)
    assert menu_events() == 2


def test_a_category_with_items_cannot_be_deleted(api, meals):
    assert error_of(api.delete(f"{API}/categories/{meals.id}"), 409)["code"] == "category_not_empty"
    assert Category.objects.filter(pk=meals.pk).exists()
    MenuItem.objects.filter(category=meals).delete()
    assert api.delete(f"{API}/categories/{meals.id}").status_code == 204
    assert not Category.objects.filter(pk=meals.pk).exists()
    assert menu_events() == 1


# Menu items


def test_menu_items_list_and_category_filter(api, store, menu, other_store):
    drinks = Category.objects.create(store=store, name="음료", display_order=2)
    cola = MenuItem.objects.create(store=store, category=drinks, name="콜라", price=2000)
    body = api.get(f"{API}/menu-items").json()
    assert body["count"] == 4
    stew = body["results"][0]
    assert stew == {
        "id": menu[0].id,
        "category": menu[0].category_id,
        "name": "김치찌개",
        "price": 9000,
        "description": "",
        "image_url": "",
        "image_srcset": "",
        "is_available": True,
        "display_order": 0,
        "station_id": None,
        "option_groups": [],
        "origin": "",
        "allergens": [],
        "translations": {},
    }
    assert [i["id"] for i in api.get(f"{API}/menu-items?category={drinks.id}").json()["results"]] == [cola.id]
    assert set(error_of(api.get(f"{API}/menu-items?category=drinks"), 400)["fields"]) == {"category"}


def test_create_menu_item_shows_on_the_tablet(api, store, meals):
    table = setup_table(store=store, number=1, password="1234")[0]
    body = item_body(meals, description="<img src=x onerror=alert(1)>", image_url="https://img.example.com/b.jpg")
    response = send(api, "post", f"{API}/menu-items", body)
    assert response.status_code == 201
    item = MenuItem.objects.get(name="비빔밥")
    assert response.json() == {
        "id": item.id,
        "category": meals.id,
        "name": "비빔밥",
        "price": 11000,
        "description": "<img src=x onerror=alert(1)>",
        "image_url": "https://img.example.com/b.jpg",
        "image_srcset": "",
        "is_available": True,
        "display_order": 0,
        "station_id": None,
        "option_groups": [],
        "origin": "",
        "allergens": [],
        "translations": {},
    }
    assert item.store == store
    assert menu_events() == 1
    assert tablet_menu(table)["비빔밥"]["price"] == 11000


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": 0}, "price"),
        ({"price": 10_000_001}, "price"),
        ({"price": "만원"}, "price"),
        ({"price": 1.5}, "price"),
        ({"name": ""}, "name"),
        ({"name": "김치찌개"}, "non_field_errors"),
        ({"image_url": "javascript:alert(1)"}, "image_url"),
        ({"image_url": "/media/../settings.py"}, "image_url"),
        ({"display_order": 2**40}, "display_order"),
        ({"category": 10**30}, "category"),
    ],
)
def test_invalid_menu_item_is_a_field_error_and_changes_nothing(api, meals, fields, field):
    before = list(MenuItem.objects.values())
    error = error_of(send(api, "post", f"{API}/menu-items", item_body(meals, **fields)), 400)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert list(MenuItem.objects.values()) == before
    assert menu_events() == 0


def test_price_bounds_are_accepted(api, meals):
    assert send(api, "post", f"{API}/menu-items", item_body(meals, name="싼", price=1)).status_code == 201
    assert send(api, "post", f"{API}/menu-items", item_body(meals, name="비싼", price=10_000_000)).status_code == 201


def test_another_stores_category_is_a_field_error(api, meals, other_store):
    foreign = other_store.categories.get()
    error = error_of(send(api, "post", f"{API}/menu-items", item_body(foreign)), 400)
    assert set(error["fields"]) == {"category"}
    stew = meals.items.first()
    assert send(api, "patch", f"{API}/menu-items/{stew.id}", {"category": foreign.id}).status_code == 400
    stew.refresh_from_db()
    assert stew.category == meals
    assert not MenuItem.objects.filter(category=foreign, store=meals.store).exists()


def test_sold_out_and_price_changes_reach_the_tablet(api, store, menu):
    table = setup_table(store=store, number=1, password="1234")[0]
    stew = menu[0]
    response = send(api, "patch", f"{API}/menu-items/{stew.id}", {"is_available": False, "price": 9500})
    assert response.status_code == 200
    assert (response.json()["is_available"], response.json()["price"]) == (False, 9500)
    assert menu_events() == 1
    shown = tablet_menu(table)["김치찌개"]
    assert (shown["is_available"], shown["price"]) == (False, 9500)


def test_put_replaces_the_item(api, menu):
    stew = menu[0]
    body = item_body(stew.category, name="김치찌개 정식", price=12000, description="", is_available=False)
    response = send(api, "put", f"{API}/menu-items/{stew.id}", body)
    assert response.status_code == 200
    stew.refresh_from_db()
    assert (stew.name, stew.price, stew.is_available) == ("김치찌개 정식", 12000, False)
    assert error_of(send(api, "put", f"{API}/menu-items/{stew.id}", {"name": "x"}), 400)["fields"].keys() >= {
        "category",
        "price",
    }


def test_deleting_an_item_keeps_past_orders(api, store, menu):
    table = setup_table(store=store, number=1, password="1234")[0]
    stew = menu[0]
    placed, _ = place_order(table=table, items=[{"menu_item_id": stew.id, "quantity": 2}])
    assert api.delete(f"{API}/menu-items/{stew.id}").status_code == 204
    assert not MenuItem.objects.filter(pk=stew.pk).exists()
    line = OrderLine.objects.get(order=placed)
    assert (line.name, line.unit_price, line.menu_item_id) == ("김치찌개", 9000, None)
    assert menu_events() == 1
    assert api.delete(f"{API}/menu-items/{stew.id}").status_code == 404


# Images


def test_upload_an_image(api, meals, _media):
    response = multipart(api, "post", f"{API}/menu-items", {**item_body(meals), "image": png("evil.html")})
    assert response.status_code == 201, response.content
    item = MenuItem.objects.get(name="비빔밥")
    # Named by its content, never by the client: an "evil.html" holding a PNG is stored as .png.
    assert item.image.name.startswith("menu/")
    assert item.image.name.endswith(".png")
    assert "evil" not in item.image.name
    assert (_media / item.image.name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.json()["image_url"] == item.image.url
    assert response.json()["image_url"].startswith("/media/menu/")


def test_multipart_update_with_an_image_replaces_the_external_url(api, menu):
    stew = menu[0]
    stew.image_url = "https://img.example.com/old.jpg"
    stew.save()
    jpeg = png("new.jpg", image_format="JPEG")
    response = multipart(api, "patch", f"{API}/menu-items/{stew.id}", {"image": jpeg, "is_available": "false"})
    assert response.status_code == 200, response.content
    stew.refresh_from_db()
    assert stew.image.name.endswith(".jpg")
    assert (stew.image_url, stew.is_available) == ("", False)


def test_image_url_round_trips_and_can_replace_or_remove_the_image(api, meals):
    created = multipart(api, "post", f"{API}/menu-items", {**item_body(meals), "image": png()}).json()
    url = f"{API}/menu-items/{created['id']}"
    # A client sending back what it read keeps the uploaded image.
    assert send(api, "put", url, {**created, "price": 12000}).json()["image_url"] == created["image_url"]
    item = MenuItem.objects.get(pk=created["id"])
    assert (item.price, bool(item.image)) == (12000, True)
    replaced = send(api, "patch", url, {"image_url": "https://img.example.com/b.jpg"}).json()
    assert replaced["image_url"] == "https://img.example.com/b.jpg"
    item.refresh_from_db()
    assert not item.image
    assert send(api, "patch", url, {"image_url": ""}).json()["image_url"] == ""


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("menu.png", b"<html><script>alert(1)</script></html>", content_type="image/png"),
        SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png"),
        SimpleUploadedFile("empty.png", b"", content_type="image/png"),
    ],
    ids=["html", "truncated", "empty"],
)
def test_a_file_that_is_not_an_image_is_refused(api, meals, upload):
    response = multipart(api, "post", f"{API}/menu-items", {**item_body(meals), "image": upload})
    assert set(error_of(response, 400)["fields"]) == {"image"}
    assert not MenuItem.objects.filter(name="비빔밥").exists()
    assert menu_events() == 0


def test_an_image_over_5_mb_is_refused(api, menu, _media):
    stew = menu[0]
    # A real image padded past the limit: the size alone refuses it.
    big = SimpleUploadedFile("big.png", png().read() + b"\0" * MAX_IMAGE_BYTES, content_type="image/png")
    response = multipart(api, "patch", f"{API}/menu-items/{stew.id}", {"image": big})
    error = error_of(response, 400)
    assert "5 MB" in error["fields"]["image"][0]
    stew.refresh_from_db()
    assert not stew.image
    assert not any(_media.rglob("*.png"))


def test_an_image_of_too_many_pixels_is_refused(api, meals, monkeypatch):
    monkeypatch.setattr("menus.images.MAX_IMAGE_PIXELS", 8 * 8 - 1)
    response = multipart(api, "post", f"{API}/menu-items", {**item_body(meals), "image": png(size=(8, 8))})
    assert "pixels" in error_of(response, 400)["fields"]["image"][0]
    assert not MenuItem.objects.filter(name="비빔밥").exists()


def test_multipart_create_without_is_available_is_available_as_with_json(api, meals):
    created = multipart(api, "post", f"{API}/menu-items", {**item_body(meals), "image": png()})
    assert created.status_code == 201, created.content
    assert created.json()["is_available"] is True
    assert MenuItem.objects.get(pk=created.json()["id"]).is_available is True


@pytest.mark.parametrize("method", ["put", "patch"])
def test_multipart_write_of_only_a_photo_keeps_availability(api, menu, method):
    stew = menu[0]
    assert stew.is_available
    fields = {"image": png()}
    if method == "put":
        fields |= {"category": stew.category_id, "name": stew.name, "price": stew.price}
    response = multipart(api, method, f"{API}/menu-items/{stew.id}", fields)
    assert response.status_code == 200, response.content
    stew.refresh_from_db()
    assert (stew.is_available, bool(stew.image)) == (True, True)
    url = f"{API}/menu-items/{stew.id}"
    sold_out = multipart(api, method, url, {**fields, "image": png(), "is_available": "false"})
    assert sold_out.json()["is_available"] is False
    assert multipart(api, method, url, {**fields, "image": png()}).json()["is_available"] is False


# Kitchen stations


def test_a_category_and_an_item_are_routed_to_a_station_of_the_store(api, store, menu, other_store):
    bar = Station.objects.create(store=store, name="주류", display_order=1)
    meals, stew = menu[0].category, menu[0]
    response = send(api, "patch", f"{API}/categories/{meals.id}", {"station_id": bar.id})
    assert (response.status_code, response.json()["station_id"]) == (200, bar.id)
    kitchen = Station.objects.get(store=store, name="주방")
    response = send(api, "patch", f"{API}/menu-items/{stew.id}", {"station_id": kitchen.id})
    assert (response.status_code, response.json()["station_id"]) == (200, kitchen.id)
    # The item's own station wins over its category's; null goes back to the category's.
    shown = {item["id"]: item["station_id"] for item in api.get(f"{API}/menu-items").json()["results"]}
    assert (shown[stew.id], shown[menu[1].id]) == (kitchen.id, None)
    assert send(api, "patch", f"{API}/menu-items/{stew.id}", {"station_id": None}).json()["station_id"] is None
    assert menu_events() == 3
    # Another store's station is no station of this one.
    foreign = Station.objects.get(store=other_store)
    for url in (f"{API}/categories/{meals.id}", f"{API}/menu-items/{stew.id}"):
        assert set(error_of(send(api, "patch", url, {"station_id": foreign.id}), 400)["fields"]) == {"station_id"}
    assert (Category.objects.get(pk=meals.pk).station, MenuItem.objects.get(pk=stew.pk).station) == (bar, None)
