"""The product speaks Korean by default: API errors, validation messages, admin labels, pages.

Messages are written in English in the code; `locale/ko` holds the Korean for every one.
"""

import ast
import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from menus.models import MenuItem
from orders.models import OrderStatus
from orders.services import place_order

KOREAN_CATALOG = settings.BASE_DIR / "locale" / "ko" / "LC_MESSAGES" / "django.po"
HANGUL = re.compile("[\uac00-\ud7a3]")


def catalog_entries():
    """(msgid, msgstr, flags) of each entry of the Korean catalog, its header left out."""
    for block in KOREAN_CATALOG.read_text(encoding="utf-8").strip().split("\n\n")[1:]:
        fields, flags, current = {"msgid": "", "msgstr": ""}, "", None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("msg"):
                current, _, text = line.partition(" ")
                # A plural entry's one Korean form (nplurals=1) is its msgstr.
                current = current.replace("msgstr[0]", "msgstr")
                fields[current] = fields.get(current, "") + ast.literal_eval(text)
            elif line.startswith('"'):
                fields[current] += ast.literal_eval(line)
        yield fields["msgid"], fields["msgstr"], flags


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
    assert error.value.message_dict["items"] == ["1번째 항목: 김치찌개 메뉴는 품절입니다."]


def test_model_labels_are_korean(korean):
    assert str(MenuItem._meta.verbose_name) == "메뉴"
    assert str(MenuItem._meta.get_field("is_available").verbose_name) == "판매 중"


def test_every_message_has_its_korean():
    entries = list(catalog_entries())
    assert entries
    assert [msgid for msgid, msgstr, flags in entries if not msgstr or "fuzzy" in flags] == []
    assert "#~" not in KOREAN_CATALOG.read_text(encoding="utf-8"), "no obsolete entries"


def test_messages_are_written_in_english():
    # Korean may appear only as data a message quotes in parentheses (the demo store's names).
    korean = [msgid for msgid, _, _ in catalog_entries() if HANGUL.search(re.sub(r"\([^)]*\)", "", msgid))]
    assert korean == []


def page_strings(html, element_id):
    return json.loads(re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html).group(1))


def test_the_pages_and_order_statuses_are_korean(korean, client, manager):
    tablet = client.get("/").content.decode()
    assert "<title>테이블오더</title>" in tablet
    strings = page_strings(tablet, "tablet-strings")
    assert (strings["added"], strings["orderWithTotal"]) == ("{name} 담았습니다", "{total} 주문하기")
    client.force_login(manager, backend="accounts.backends.StoreUserBackend")
    dashboard = client.get("/admin/live/").content.decode()
    assert "<title>실시간 주문 현황 · " in dashboard
    assert page_strings(dashboard, "dashboard-strings")["closeTable"] == "이용 완료"
    assert [str(status.label) for status in OrderStatus] == ["대기중", "준비중", "완료"]
