"""Hostile request bodies: malformed, deeply nested or oversized JSON is a 400 or a 413 with
the error shape, before or after login, and changes nothing."""

import io
import json
import os

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image

from accounts.tokens import manager_tokens, table_tokens
from menus import menu_files
from menus.images import MAX_IMAGE_BYTES
from menus.models import MenuItem
from orders.models import Order, OrderEvent, TableSession

DEEP = 10_000


def nested_lists(depth):
    return "[" * depth + "]" * depth


def nested_objects(depth):
    return '{"a":' * depth + "1" + "}" * depth


def too_large():
    """Valid JSON one byte over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    padding = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1 - len('{"note": ""}')
    return '{"note": "' + "x" * padding + '"}'


BAD_BODIES = {
    "lists 10,000 deep": (nested_lists(DEEP), 400, "parse_error"),
    "objects 10,000 deep": (nested_objects(DEEP), 400, "parse_error"),
    "unclosed lists 10,000 deep": ("[" * DEEP, 400, "parse_error"),
    "a field 100 deep": ('{"store_code": ' + nested_lists(100) + "}", 400, "parse_error"),
    "truncated": ('{"store_code": "alpha", ', 400, "parse_error"),
    "not UTF-8": (b'{"store_code": "\xff\xfe"}', 400, "parse_error"),
    "NaN": ('{"table_number": NaN}', 400, "parse_error"),
    "over DATA_UPLOAD_MAX_MEMORY_SIZE": (too_large(), 413, "too_large"),
}


@pytest.fixture
def endpoints(manager, table, menu):
    """(method, path, headers, what must stay as it was) for an anonymous, a tablet and a manager call."""
    stew = menu[0]

    def unchanged_item():
        stew.refresh_from_db()
        return (stew.name, stew.price, stew.is_available) == ("김치찌개", 9000, True)

    def nothing_ordered():
        return not (Order.objects.exists() or TableSession.objects.exists() or OrderEvent.objects.exists())

    return {
        "manager login": ("post", "/api/v1/auth/login", {}, lambda: not AccessAttempt.objects.exists()),
        "table login": ("post", "/api/v1/auth/table/login", {}, lambda: not AccessAttempt.objects.exists()),
        "tablet order": (
            "post",
            "/api/v1/orders",
            {"Authorization": f"Bearer {table_tokens(table)['access']}", "Idempotency-Key": "key-1"},
            nothing_ordered,
        ),
        "manager item update": (
            "patch",
            f"/api/v1/admin/menu-items/{stew.id}",
            {"Authorization": f"Bearer {manager_tokens(manager)['access']}"},
            lambda: unchanged_item() and not OrderEvent.objects.exists(),
        ),
    }


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("endpoint", ["manager login", "table login", "tablet order", "manager item update"])
def test_a_bad_json_body_is_a_4xx_with_the_error_shape_and_changes_nothing(client, endpoints, endpoint, body):
    content, status, code = body
    method, path, headers, unchanged = endpoints[endpoint]
    response = getattr(client, method)(path, content, content_type="application/json", headers=headers)
    assert response.status_code == status, response.content[:500]
    error = response.json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert unchanged()


@pytest.mark.parametrize("endpoint", ["manager login", "tablet order", "manager item update"])
def test_an_oversized_form_body_is_a_413_with_the_error_shape(client, endpoints, endpoint):
    method, path, headers, unchanged = endpoints[endpoint]
    body = "note=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = getattr(client, method)(path, body, content_type="application/x-www-form-urlencoded", headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert unchanged()


def test_an_oversized_multipart_field_is_a_413_and_an_image_over_2_5_mb_still_uploads(client, endpoints, _media):
    _method, path, headers, unchanged = endpoints["manager item update"]
    fields = {"description": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    response = client.patch(path, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT, headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert unchanged()

    # Files are not held to DATA_UPLOAD_MAX_MEMORY_SIZE: a photo of about 3 MB goes through.
    buffer = io.BytesIO()
    Image.frombytes("RGB", (1024, 1024), os.urandom(3 * 1024 * 1024)).save(buffer, "PNG")
    photo = buffer.getvalue()
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < len(photo) < MAX_IMAGE_BYTES
    upload = SimpleUploadedFile("photo.png", photo, content_type="image/png")
    fields = {"image": upload, "description": "사진"}
    response = client.patch(path, encode_multipart(BOUNDARY, fields), content_type=MULTIPART_CONTENT, headers=headers)
    assert response.status_code == 200, response.content[:500]
    item = MenuItem.objects.get(pk=path.rsplit("/", 1)[1])
    assert item.description == "사진"
    assert item.image.size == len(photo)


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    "content",
    [nested_lists(DEEP), nested_objects(DEEP), "[" * DEEP, '{"updatedItems": ' + nested_lists(DEEP) + "}", "{"],
    ids=["lists", "objects", "unclosed", "nested items", "truncated"],
)
def test_the_admin_reorder_endpoint_answers_bad_json_with_400(client, manager, menu, content):
    client.force_login(manager)
    url = reverse("admin:menus_menuitem_sortable_update")
    before = list(MenuItem.objects.order_by("pk").values_list("display_order", flat=True))
    response = client.post(url, content, content_type="application/json")
    assert response.status_code == 400
    assert list(MenuItem.objects.order_by("pk").values_list("display_order", flat=True)) == before
    assert not OrderEvent.objects.exists()


def test_a_menu_file_nested_too_deeply_is_a_validation_error():
    for text in (nested_lists(DEEP), json.dumps({"categories": []})[:-1] + "[" * DEEP):
        with pytest.raises(ValidationError):
            menu_files.parse_json(text)
