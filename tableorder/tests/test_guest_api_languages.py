"""The tablet's API in the guest's language (SPEC 3.10): a tablet sends its page's language in
Accept-Language and the server's messages come back in it, with `Content-Language`, from the
catalogs of locale/en, zh_Hans and ja (and Django REST framework's own); without one of ours,
Korean. The manager's API and the back office stay as they were: Korean for Japanese or
Chinese browsers (settings.LANGUAGES is Korean and English)."""

import ast
import functools
import re
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient
from django.urls import URLResolver, get_resolver
from django.utils import translation
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination

from accounts.api import TableLoginView, TableRefreshView
from accounts.authentication import TableJWTAuthentication
from accounts.serializers import TableLoginSerializer, TableRefreshSerializer
from accounts.services import update_store_settings
from accounts.tokens import manager_tokens, table_tokens
from conftest import make_option_group
from core.languages import TRANSLATED_LANGUAGES
from core.middleware import GUEST_API_PATHS
from menus.api import MenuQuerySerializer
from orders.bill_api import BillQuerySerializer
from orders.serializers import OrderInputSerializer, OrderLineInputSerializer, StaffCallInputSerializer
from orders.sse import tablet_stream
from orders.stream_access import BearerManagerOrTablet
from tableorder.tests.test_tablet_languages import HANGUL, catalog

TAGS = {"ko": "ko", "en": "en", "zh-hans": "zh-Hans", "ja": "ja"}
# The guest's names of the test menu (its Korean names are the store's).
STEW = {"ko": "된장찌개", "en": "Soybean paste stew", "zh-hans": "大酱汤", "ja": "テンジャンチゲ"}
KIMCHI = {"ko": "김치찌개", "en": "Kimchi stew", "zh-hans": "泡菜汤", "ja": "キムチチゲ"}
SPICE = {"ko": "맵기", "en": "Spiciness", "zh-hans": "辣度", "ja": "辛さ"}

# Where the messages a tablet can be answered with are written: a module, and the functions and
# classes in it that a tablet's request runs (None: all of it). Schema text (help_text,
# description, label) is left out: the API's documentation is in English and Korean.
TABLET_CODE = {
    "accounts/api.py": {"TableLoginView", "TableRefreshView"},
    "accounts/authentication.py": {"table_from_token", "TableJWTAuthentication"},
    "core/api.py": None,
    "core/parsers.py": None,
    "core/views.py": None,
    "core/middleware.py": None,
    "orders/api.py": {"TableOrdersView"},
    "orders/pricing.py": None,
    "orders/services.py": {"place_order", "_replayed_order"},
    "orders/order_write.py": None,
    "orders/hours.py": {"closed_message"},
    "orders/staff_calls.py": {"call_staff"},
    "orders/staff_call_api.py": {"TableStaffCallsView"},
    "orders/bill_api.py": {"BillQuerySerializer", "TableBillView"},
    "menus/api.py": {"MenuQuerySerializer", "MenuView"},
    "orders/sse.py": None,
    "orders/stream_access.py": {"_not_authenticated", "access_from_ticket", "_bearer", "tablet_access"},
    "orders/stream_capacity.py": None,
}
GETTEXT = {"_", "gettext", "gettext_lazy"}
SCHEMA_TEXT = {"help_text", "description", "label"}
# The input a tablet sends, whose field errors Django REST framework words.
TABLET_SERIALIZERS = [
    TableLoginSerializer,
    TableRefreshSerializer,
    OrderInputSerializer,
    OrderLineInputSerializer,
    StaffCallInputSerializer,
    BillQuerySerializer,
    MenuQuerySerializer,
]
TABLET_EXCEPTIONS = [
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
    exceptions.NotFound,
    exceptions.MethodNotAllowed,
    exceptions.UnsupportedMediaType,
    exceptions.ParseError,
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[\w:]*\}")


@pytest.fixture(autouse=True)
def korean_site(settings):
    """The product's settings: Korean unless the request asks for one of the guest languages."""
    settings.LANGUAGE_CODE = "ko-kr"


@pytest.fixture
def tablet_menu(store, menu):
    """The store's menu with translated names: a stew that is sold out, and a kimchi stew whose
    spiciness must be chosen."""
    kimchi, stew, _rice = menu
    for item, names in ((kimchi, KIMCHI), (stew, STEW)):
        item.translations = {language: {"name": names[language]} for language in TRANSLATED_LANGUAGES}
    stew.is_available = False
    kimchi.save()
    stew.save()
    group = make_option_group(kimchi, name=SPICE["ko"], min_select=1, max_select=1)
    group.translations = {language: {"name": SPICE[language]} for language in TRANSLATED_LANGUAGES}
    group.save()
    option = group.options.create(name="보통", price_delta=0)
    return kimchi, stew, option


@functools.cache
def entries(language):
    return catalog(language)


def ours(language, msgid, **params):
    """A message of ours as the language's catalog has it (English: the msgid where it has none)."""
    if language == "ko":
        with translation.override("ko"):
            text = translation.gettext(msgid)
    else:
        text = entries(language).get(msgid) or (msgid if language == "en" else None)
    assert text, f"no {language} for {msgid!r}"
    return text % params if params else text


def drf(language, msgid, **params):
    """A message of Django REST framework's, as its catalogs (or ours, where they have none) word it."""
    with translation.override(language):
        return translation.gettext(msgid).format(**params)


def ask(client, table, manager, tablet_menu, language_headers):
    """The tablet's requests that fail, with `language_headers`: {name: response}."""

    def tablet(**extra):
        return {"Authorization": f"Bearer {table_tokens(table)['access']}", **language_headers, **extra}

    def login(password):
        body = {"store_code": "alpha", "table_number": 1, "password": password}
        return client.post("/api/v1/auth/table/login", body, content_type="application/json", headers=language_headers)

    kimchi, stew, option = tablet_menu
    answers = {
        "login": login("wrong"),
        "order": client.post(
            "/api/v1/orders",
            {"items": [{"menu_item_id": stew.id, "quantity": 1}, {"menu_item_id": kimchi.id, "quantity": 1}]},
            content_type="application/json",
            headers=tablet(**{"Idempotency-Key": "sold-out"}),
        ),
        "quantity": client.post(
            "/api/v1/orders",
            {"items": [{"menu_item_id": kimchi.id, "quantity": 100}]},
            content_type="application/json",
            headers=tablet(**{"Idempotency-Key": "too-many"}),
        ),
        "call": client.post(
            "/api/v1/staff-calls", {"reason": "없는 사유"}, content_type="application/json", headers=tablet()
        ),
        "bill": client.get("/api/v1/bill?split=1", headers=tablet()),
        "no_token": client.get("/api/v1/orders", headers=language_headers),
        "stream": client.get("/api/v1/orders/stream", headers=language_headers),
    }
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 2):
        login("wrong")
    answers["locked"] = login("wrong")
    update_store_settings(store=table.store, actor=manager, ordering_paused=True)
    answers["closed"] = client.post(
        "/api/v1/orders",
        {"items": [{"menu_item_id": kimchi.id, "quantity": 1, "option_ids": [option.id]}]},
        content_type="application/json",
        headers=tablet(**{"Idempotency-Key": "closed"}),
    )
    return answers


def expected(language):
    """{name: (status, code, message or {field: messages})} of `ask`'s answers in `language`."""
    kimchi_needs = ours(
        language,
        "choose at least %(min)d of %(group)s for %(name)s.",
        min=1,
        group=SPICE[language],
        name=KIMCHI[language],
    )
    return {
        "login": (
            401,
            "authentication_failed",
            ours(language, "Store identifier, table number or table password is incorrect."),
        ),
        "order": (
            400,
            "invalid",
            {
                "items": [
                    ours(language, "Line %(line)d: %(name)s is sold out.", line=1, name=STEW[language]),
                    ours(language, "Line %(line)d: %(problem)s", line=2, problem=kimchi_needs),
                ]
            },
        ),
        "quantity": (
            400,
            "invalid",
            {"items": [ours(language, "Line %(line)d: the quantity must be from 1 to %(max)d.", line=1, max=99)]},
        ),
        "call": (400, "invalid", {"reason": [ours(language, "Choose one of this store's call reasons.")]}),
        "bill": (
            400,
            "invalid",
            {"split": [drf(language, "Ensure this value is greater than or equal to {min_value}.", min_value=2)]},
        ),
        "no_token": (401, "not_authenticated", drf(language, "Authentication credentials were not provided.")),
        "stream": (401, "not_authenticated", drf(language, "Authentication credentials were not provided.")),
        "locked": (429, "locked_out", ours(language, "Too many failed login attempts. Please try again later.")),
        "closed": (409, "ordering_closed", ours(language, "Ordering is paused for now. Please ask the staff.")),
    }


def answered(response):
    """(status, code, the message, or the field errors of a 400)."""
    error = response.json()["error"]
    return response.status_code, error["code"], error.get("fields") or error["message"]


def texts(answer):
    _status, _code, said = answer
    return [said] if isinstance(said, str) else [text for messages in said.values() for text in messages]


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_a_tablet_hears_the_server_s_refusals_in_its_language(client, table, manager, tablet_menu, language):
    answers = ask(client, table, manager, tablet_menu, {"Accept-Language": language})
    wanted = expected(language)
    for name, response in answers.items():
        assert answered(response) == wanted[name], name
        assert response["Content-Language"] == TAGS[language], name
        assert not [text for text in texts(wanted[name]) if HANGUL.search(text)], name
    # Not the Korean words: the catalogs' own.
    korean = expected("ko")
    assert not [name for name in wanted if wanted[name] == korean[name]]


@pytest.mark.parametrize("headers", [{}, {"Accept-Language": "ko"}, {"Accept-Language": "fr-FR,zh-TW;q=0.8"}])
def test_without_a_guest_language_the_tablet_hears_korean(client, table, manager, tablet_menu, headers):
    answers = ask(client, table, manager, tablet_menu, headers)
    wanted = expected("ko")
    for name, response in answers.items():
        assert answered(response) == wanted[name], name
        assert response["Content-Language"] == "ko", name
        assert all(HANGUL.search(text) for text in texts(wanted[name])), name


def test_a_browser_s_languages_choose_by_their_order_and_weight(client, table, menu):
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}"}
    for accept, language in [
        ("fr, ja;q=0.5, zh-CN;q=0.9", "zh-hans"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("ja-JP", "ja"),
        ("ko-KR, ja", "ko"),
    ]:
        response = client.post(
            "/api/v1/staff-calls",
            {"reason": "?"},
            content_type="application/json",
            headers={**headers, "Accept-Language": accept},
        )
        assert response["Content-Language"] == TAGS[language]
        assert response.json()["error"]["fields"]["reason"] == [
            ours(language, "Choose one of this store's call reasons.")
        ]


def test_under_asgi_too(table):
    """The middleware's async path (uvicorn): the stream view is async, the others sync."""
    client = AsyncClient()
    chinese = {"Accept-Language": "zh-CN"}
    stream = async_to_sync(client.get)("/api/v1/orders/stream", headers=chinese)
    assert stream.status_code == 401
    assert stream["Content-Language"] == "zh-Hans"
    assert stream.json()["error"]["message"] == drf("zh-hans", "Authentication credentials were not provided.")
    call = async_to_sync(client.post)(
        "/api/v1/staff-calls",
        {"reason": "?"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {table_tokens(table)['access']}", **chinese},
    )
    assert call["Content-Language"] == "zh-Hans"
    assert call.json()["error"]["fields"]["reason"] == [ours("zh-hans", "Choose one of this store's call reasons.")]
    admin = async_to_sync(client.get)("/api/v1/admin/stream", headers=chinese)
    assert admin.status_code == 401
    assert admin["Content-Language"] == "ko"
    assert admin.json()["error"]["message"] == drf("ko", "Authentication credentials were not provided.")


@pytest.mark.parametrize(
    ("query", "accept", "language"),
    [
        ("", "ja", "ja"),
        ("?lang=zh-hans", "ja", "zh-hans"),
        ("?lang=EN", "ja", "en"),
        ("?lang=ko", "ja", "ko"),
        ("", "", "ko"),
        ("?lang=ja", "", "ja"),
    ],
)
def test_the_menu_s_language_and_its_messages_language_agree(client, table, tablet_menu, query, accept, language):
    headers = {"Authorization": f"Bearer {table_tokens(table)['access']}", "Accept-Language": accept}
    response = client.get(f"/api/v1/menu{query}", headers=headers)
    assert response.status_code == 200
    assert response.json()["language"] == language
    assert response["Content-Language"] == TAGS[language]
    assert response.json()["categories"][0]["items"][0]["name"] == KIMCHI[language]
    # A wrong `lang` is refused in the Accept-Language's language.
    refused = client.get("/api/v1/menu?lang=xx", headers={**headers, "Accept-Language": "ja"})
    assert refused.status_code == 400
    assert refused["Content-Language"] == "ja"
    assert refused.json()["error"]["fields"]["lang"] == [drf("ja", '"{input}" is not a valid choice.', input="xx")]


def test_the_manager_s_api_and_the_back_office_stay_korean_for_a_japanese_browser(client, table, manager):
    ja = {"Accept-Language": "ja,zh-CN;q=0.9"}
    manager_headers = {"Authorization": f"Bearer {manager_tokens(manager)['access']}", **ja}
    page = client.get("/api/v1/admin/orders?page=0", headers=manager_headers)
    assert page.status_code == 400
    assert page["Content-Language"] == "ko"
    assert page.json()["error"]["fields"]["page"] == [ours("ko", "Give a whole number from 1.")]
    unauthenticated = client.get("/api/v1/admin/tables", headers=ja)
    assert unauthenticated.status_code == 401
    assert unauthenticated["Content-Language"] == "ko"
    assert unauthenticated.json()["error"]["message"] == drf("ko", "Authentication credentials were not provided.")
    body = {"store_code": "alpha", "username": "manager", "password": "wrong"}
    login = client.post("/api/v1/auth/login", body, content_type="application/json", headers=ja)
    assert login.status_code == 401
    assert login.json()["error"]["message"] == ours("ko", "Store identifier, username or password is incorrect.")
    client.force_login(manager, backend="accounts.backends.StoreUserBackend")
    live = client.get("/admin/live/", headers=ja)
    assert live.status_code == 200
    assert live["Content-Language"] == "ko"
    assert '<html lang="ko"' in live.content.decode()
    # An English browser's back office is English, as before.
    english = client.get("/api/v1/admin/orders?page=0", headers={**manager_headers, "Accept-Language": "en"})
    assert english["Content-Language"] == "en"
    assert english.json()["error"]["fields"]["page"] == ["Give a whole number from 1."]


def api_routes(patterns=None, prefix="/"):
    """(path, view) of every route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def is_tablets(view):
    cls = getattr(view, "cls", None)
    authentication = getattr(cls, "authentication_classes", ())
    return (
        view is tablet_stream
        or cls in (TableLoginView, TableRefreshView)
        or TableJWTAuthentication in authentication
        or BearerManagerOrTablet in authentication
    )


def test_the_guest_s_paths_are_the_routes_a_tablet_calls():
    tablets = {path for path, view in api_routes() if is_tablets(view)}
    assert tablets == GUEST_API_PATHS
    assert not [path for path in GUEST_API_PATHS if path.startswith(("/api/v1/admin/", "/api/v1/auth/login"))]


def gettext_msgids(path, names):
    """The messages of gettext calls in `names` of the module at `path` (all of it for None),
    schema text left out."""
    tree = ast.parse((Path(settings.BASE_DIR) / path).read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    roots = [node for node in tree.body if names is None or getattr(node, "name", None) in names]
    assert names is None or {root.name for root in roots} == names, path
    for root in roots:
        for node in ast.walk(root):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT):
                continue
            parent = parents[node]
            if isinstance(parent, ast.keyword) and parent.arg in SCHEMA_TEXT:
                continue
            yield node.args[0].value


def tablet_msgids():
    ids = [msgid for path, names in TABLET_CODE.items() for msgid in gettext_msgids(path, names)]
    return list(dict.fromkeys(ids))


def test_the_tablet_s_code_has_the_messages_this_test_knows():
    ids = tablet_msgids()
    assert len(ids) > 40
    assert "Line %(line)d: %(name)s is sold out." in ids
    assert "Ordering is paused for now. Please ask the staff." in ids
    assert "The chosen options of this item's option groups; the server checks and prices them." not in ids


@pytest.mark.parametrize("language", ["zh-hans", "ja"])
def test_every_message_a_tablet_can_get_from_us_is_translated(language):
    catalog_entries = entries(language)
    # (Ours that are the framework's too are in its catalogs: the test below checks them.)
    ids = [msgid for msgid in tablet_msgids() if msgid not in drf_messages()]
    missing = [msgid for msgid in ids if not catalog_entries.get(msgid)]
    assert not missing
    wrong = [
        msgid
        for msgid in ids
        if catalog_entries[msgid] == msgid
        or HANGUL.search(catalog_entries[msgid])
        or sorted(PLACEHOLDER.findall(catalog_entries[msgid])) != sorted(PLACEHOLDER.findall(msgid))
    ]
    assert not wrong


def drf_messages():
    """The messages of Django REST framework's a tablet's request can be answered with."""
    messages = [exception.default_detail for exception in TABLET_EXCEPTIONS]
    messages.append(PageNumberPagination.invalid_page_message)
    for serializer_class in TABLET_SERIALIZERS:
        serializer = serializer_class()
        messages += serializer.error_messages.values()
        fields = list(serializer.fields.values())
        while fields:
            field = fields.pop()
            messages += field.error_messages.values()
            messages += [validator.message for validator in field.validators if hasattr(validator, "message")]
            if hasattr(field, "child"):
                fields.append(field.child)
    # Lazy messages (DRF's validators format theirs lazily: their source is `format_string`).
    sources = [getattr(message, "format_string", message) for message in messages]
    return sorted({source._args[0] for source in sources if hasattr(source, "_args")})


@pytest.mark.parametrize("language", ["zh-hans", "ja"])
def test_the_framework_s_messages_a_tablet_can_get_are_translated(language):
    messages = drf_messages()
    assert "This field is required." in messages
    assert "Ensure this value is greater than or equal to {min_value}." in messages
    with translation.override(language):
        said = {message: translation.gettext(message) for message in messages}
    assert not [message for message, text in said.items() if text == message or HANGUL.search(text)]
