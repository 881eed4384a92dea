"""The product speaks Korean by default: API errors, validation messages, admin labels."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from menus.models import MenuItem
from orders.services import place_order


@pytest.fixture
def korean(settings):
    settings.LANGUAGE_CODE = "ko-kr"
    with translation.override("ko"):
        yield


def test_api_errors_are_korean_by_default(korean, store):
    response = APIClient().post(
        "/api/v1/auth/login", {"store_code": "alpha", "username": "manager", "password": "wrong"}, format="json"
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "매장 식별자, 아이디 또는 비밀번호가 올바르지 않습니다."


def test_a_browser_asking_for_english_gets_english(korean, store):
    response = APIClient().post(
        "/api/v1/auth/login",
        {"store_code": "alpha", "username": "manager", "password": "wrong"},
        format="json",
        headers={"accept-language": "en"},
    )
    assert response.json()["error"]["message"] == "Store identifier, username or password is incorrect."


def test_order_validation_messages_are_korean(korean, table, menu):
    menu[0].is_available = False
    menu[0].save()
    with pytest.raises(ValidationError) as error:
        place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    assert error.value.message_dict["items"] == ["1번째 항목: 김치찌개은(는) 품절입니다."]


def test_model_labels_are_korean(korean):
    assert str(MenuItem._meta.verbose_name) == "메뉴"
    assert str(MenuItem._meta.get_field("is_available").verbose_name) == "판매 중"
