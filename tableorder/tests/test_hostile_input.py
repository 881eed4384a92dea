"""Hostile input the other suites leave out: header injection, token mix-ups on every
operation of the schema, CSRF on every cookie-authenticated write, disguised uploads, and
no secret in the logs.

Already covered elsewhere, and not repeated here: bad JSON bodies and body sizes
(test_request_bodies.py), another store's objects and tablet or no tokens on the manager API
(test_api_isolation.py), tokens on the streams (orders/tests/test_sse.py), tablet tokens
(accounts/tests/test_table_auth.py), login lockouts (accounts/tests/).
"""

import copy
import io
import json
import logging
import logging.config
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Table, User
from accounts.services import create_manager, create_store, setup_table
from accounts.tokens import TableAccessToken, manager_tokens, table_tokens
from kitchen.models import KitchenTicket
from menus.models import Category, MenuItem, Station
from orders import stream_access
from orders.models import Order, OrderEvent, StaffCall, TableSession
from orders.services import place_order
from orders.staff_calls import call_staff
from orders.tests.sse_client import ASGIStream, run

OTHER_KEY = "not-the-signing-key-but-just-as-long-0123456789"


def error_of(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


def snapshot():
    """Everything a write could change."""
    models = (Order, OrderEvent, TableSession, StaffCall, Category, MenuItem, Table, User, Station, KitchenTicket)
    return [list(model.objects.order_by("pk").values()) for model in models]


def every_header_value(response):
    return " ".join(f"{name}: {value}" for name, value in response.items())


@pytest.fixture
def floor(store, manager, table, menu):
    """The store with an order (and its kitchen ticket) and a waiting staff call at table 1."""
    order, _created = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    call, _created = call_staff(table=table, reason="물")
    return {
        "tables": table,
        "orders": order,
        "categories": menu[0].category,
        "menu-items": menu[0],
        "staff-calls": call,
        "stations": Station.objects.get(store=store),
        "kitchen": KitchenTicket.objects.get(order=order),  # /admin/kitchen/tickets/{id}/…
    }


# Token mix-ups, on every operation of the schema


def _signed_with_another_key(token_class, token):
    return jwt.encode(dict(token_class(token).payload), OTHER_KEY, algorithm="HS256")


def _unsigned(token_class, token):
    return jwt.encode(dict(token_class(token).payload), key=None, algorithm="none")


def _expired(token_class, token):
    expired = token_class(token)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    return str(expired)


def manager_credentials(manager, table):
    """{name: Authorization header} of everything that must not pass as a store manager."""
    access = manager_tokens(manager)["access"]
    deactivated = create_manager(store=manager.store, username="former", password="former-pass-123")
    deactivated_access = manager_tokens(deactivated)["access"]
    deactivated.is_active = False
    deactivated.save()
    changed = create_manager(store=manager.store, username="changed", password="changed-pass-123")
    changed_access = manager_tokens(changed)["access"]
    changed.set_password("changed-pass-456")
    changed.save()
    return {
        "tablet token": f"Bearer {table_tokens(table)['access']}",
        "manager refresh token": f"Bearer {manager_tokens(manager)['refresh']}",
        "expired": f"Bearer {_expired(AccessToken, access)}",
        "signed with another key": f"Bearer {_signed_with_another_key(AccessToken, access)}",
        "unsigned": f"Bearer {_unsigned(AccessToken, access)}",
        "password changed since": f"Bearer {changed_access}",
        "deactivated manager": f"Bearer {deactivated_access}",
        "stream ticket": f"Bearer {stream_access.issue_ticket(manager)}",
        "basic auth": "Basic bWFuYWdlcjpzM2NyZXQtcGFzcw==",
        "empty bearer": "Bearer ",
    }


def tablet_credentials(manager, table, store):
    """{name: Authorization header} of everything that must not pass as table 1's tablet."""
    access = table_tokens(table)["access"]
    reset = setup_table(store=store, number=2, password="1234")[0]
    reset_access = table_tokens(reset)["access"]
    setup_table(store=store, number=2, password="5678")
    return {
        "manager token": f"Bearer {manager_tokens(manager)['access']}",
        "tablet refresh token": f"Bearer {table_tokens(table)['refresh']}",
        "expired": f"Bearer {_expired(TableAccessToken, access)}",
        "signed with another key": f"Bearer {_signed_with_another_key(TableAccessToken, access)}",
        "unsigned": f"Bearer {_unsigned(TableAccessToken, access)}",
        "table password reset since": f"Bearer {reset_access}",
        "stream ticket": f"Bearer {stream_access.issue_ticket(table)}",
        "empty bearer": "Bearer ",
    }


def schema_operations(client, floor):
    """(method, url, security scheme names) of every token-protected operation but the streams."""
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        if path.endswith("/stream"):
            continue  # plain views with their own tests (orders/tests/test_sse.py)
        for method, operation in operations.items():
            schemes = {name for requirement in operation.get("security", ()) for name in requirement}
            if not schemes:
                continue
            url = path
            if "{id}" in path:
                resource = path.split("/")[4]
                url = path.replace("{id}", str(floor[resource].pk))
            yield method, url, schemes


def test_the_schema_gives_every_operation_its_tokens(client, floor):
    schemes = {frozenset(schemes) for _method, _url, schemes in schema_operations(client, floor)}
    assert schemes == {
        frozenset({"managerToken", "adminSession"}),
        frozenset({"tabletToken"}),
        frozenset({"managerOrTabletToken"}),
    }


def test_no_wrong_credential_passes_on_any_operation(client, store, manager, table, floor):
    """Each operation refuses every credential but its own: 401 or 403 with the error shape,
    and nothing changes. A stream ticket is no Bearer token, nor a token of one kind another."""
    as_manager = manager_credentials(manager, table)
    as_tablet = tablet_credentials(manager, table, store)
    before = snapshot()
    checked = 0
    for method, url, schemes in schema_operations(client, floor):
        wrong = []
        if "managerToken" in schemes or "managerOrTabletToken" in schemes:
            wrong += [(f"manager's {name}", value) for name, value in as_manager.items()]
        if "tabletToken" in schemes or "managerOrTabletToken" in schemes:
            wrong += [(f"tablet's {name}", value) for name, value in as_tablet.items()]
        if "managerOrTabletToken" in schemes:  # either token opens it
            wrong = [(name, value) for name, value in wrong if not name.endswith(("tablet token", "manager token"))]
        for name, authorization in wrong:
            response = client.generic(
                method.upper(),
                url,
                "{}",
                content_type="application/json",
                headers={"Authorization": authorization, "Idempotency-Key": "k"},
            )
            assert response.status_code in {401, 403}, (method, url, name, response.status_code, response.content)
            error_of(response, 401, 403)
            checked += 1
    assert checked > 200
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_ticket_is_only_a_ticket_and_only_ours(manager, table):
    """A token in `?ticket=`, or a value signed for something else, opens no stream."""
    foreign = signing.dumps({"scope": "store", "store": manager.store_id, "user": manager.id, "uv": 1}, salt="other")
    cases = [
        ("/api/v1/admin/stream", manager_tokens(manager)["access"]),
        ("/api/v1/orders/stream", table_tokens(table)["access"]),
        ("/api/v1/admin/stream", foreign),
        ("/api/v1/admin/stream", signing.dumps({"scope": "store"}, key=OTHER_KEY, salt=stream_access.TICKET_SALT)),
    ]

    async def scenario():
        for url, ticket in cases:
            async with ASGIStream(f"{url}?ticket={ticket}") as stream:
                assert stream.status == 401, (url, ticket)
                assert b'"ticket_invalid"' in await stream.body()

    run(scenario)


# CSRF on every cookie-authenticated write


def _write_routes():
    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and route.startswith("api/v1/admin/"):
                view = getattr(entry.callback, "cls", None)
                if view is not None and issubclass(view, APIView):
                    for method in ("post", "put", "patch", "delete"):
                        if hasattr(view, method):
                            yield pytest.param(entry, method, id=f"{method.upper()} /{route}")

    return list(walk(get_resolver().url_patterns))


@pytest.mark.parametrize(("entry", "method"), _write_routes())
def test_a_session_cookie_write_without_the_csrf_token_is_refused(floor, manager, entry, method):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/admin/login/")
    browser.force_login(manager)
    kwargs = {}
    if entry.pattern.converters:
        kwargs = {"pk": floor[str(entry.pattern).split("/")[1]].pk}
    url = reverse(entry.name, kwargs=kwargs)
    before = snapshot()
    response = browser.generic(method.upper(), url, "{}", content_type="application/json")
    assert error_of(response, 403)["code"] == "permission_denied"
    assert "CSRF" in response.json()["error"]["message"]
    assert snapshot() == before
    # The same request with the token gets past the check (whatever it then answers).
    token = browser.cookies["csrftoken"].value
    response = browser.generic(
        method.upper(), url, "{}", content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code != 403, response.content


def test_the_admin_refuses_a_form_without_the_csrf_token(store, manager, table, floor):
    browser = Client(enforce_csrf_checks=True)
    login = browser.post("/admin/login/", {"store_code": "alpha", "username": "manager", "password": "s3cret-pass"})
    assert login.status_code == 403
    browser.force_login(manager)
    before = snapshot()
    action = browser.post(
        reverse("admin:accounts_table_changelist"), {"action": "close_sessions", "_selected_action": [table.pk]}
    )
    assert action.status_code == 403
    assert snapshot() == before


def test_a_session_cookie_does_not_get_a_stream_ticket(floor, manager):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/admin/login/")
    browser.force_login(manager)
    token = browser.cookies["csrftoken"].value
    # The dashboard opens its stream with the cookie itself; a ticket is for Bearer clients.
    assert browser.post("/api/v1/stream-ticket", headers={"X-CSRFToken": token}).status_code == 401


# Header injection


@pytest.mark.parametrize(
    "key",
    ["k\r\nSet-Cookie: pwned=1", "k\nX-Injected: 1", "k\x00", "k\x7f", "k" * 101],
    ids=["crlf", "lf", "nul", "del", "too long"],
)
def test_a_hostile_idempotency_key_is_a_field_error_and_goes_nowhere(client, table, menu, key):
    before = snapshot()
    response = client.post(
        "/api/v1/orders",
        {"items": [{"menu_item_id": menu[0].id, "quantity": 1}]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {table_tokens(table)['access']}", "Idempotency-Key": key},
    )
    assert set(error_of(response, 400)["fields"]) == {"idempotency_key"}
    assert "pwned" not in every_header_value(response) and "Injected" not in every_header_value(response)
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_a_hostile_last_event_id_is_a_400_and_goes_nowhere(manager):
    token = manager_tokens(manager)["access"]
    injected = [
        ("/api/v1/admin/stream", {"last-event-id": "1\r\nSet-Cookie: pwned=1"}),
        ("/api/v1/admin/stream?last_event_id=1%0D%0ASet-Cookie:%20pwned=1", {}),
        ("/api/v1/admin/stream", {"last-event-id": "1" * 19}),
        ("/api/v1/admin/stream", {"last-event-id": "²"}),
    ]

    async def scenario():
        for url, headers in injected:
            async with ASGIStream(url, token=token, headers=headers) as stream:
                assert stream.status == 400, (url, headers)
                assert "pwned" not in json.dumps(stream.response_headers)
                assert b'"last_event_id"' in await stream.body()

    run(scenario)


@pytest.mark.parametrize(
    "next_page",
    [
        "/admin/\r\nSet-Cookie: pwned=1",
        "/admin/%0D%0ASet-Cookie:%20pwned=1",
        "//evil.example/",
        "https://evil.example/",
    ],
)
def test_the_login_redirect_stays_on_the_site_and_carries_no_header(client, store, next_page):
    response = client.post(
        f"/admin/login/?next={next_page}",
        {"store_code": "alpha", "username": "manager", "password": "s3cret-pass", "next": next_page},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\r" not in location and "\n" not in location
    assert "evil.example" not in location
    assert "pwned" not in response.cookies


@pytest.mark.parametrize("code", ['a"b', "a\r\nb", "a;b", "../a", "a b", "A"])
def test_a_store_code_that_could_break_a_header_or_a_path_is_refused(db, code):
    with pytest.raises(ValidationError):
        create_store(code=code, name="x", manager_username="manager", manager_password="s3cret-pass")


def test_the_menu_export_names_its_file_after_the_store_code_only(client, store, manager, menu):
    client.force_login(manager)
    response = client.get(reverse("admin:menus_menu_export"), {"format": "json", "store": "x\r\ny"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="menu-alpha.json"'


def test_links_are_built_for_this_host_not_a_forwarded_one(client, manager, store):
    for number in (1, 2):
        setup_table(store=store, number=number, password="1234")
    headers = {"Authorization": f"Bearer {manager_tokens(manager)['access']}", "X-Forwarded-Host": "evil.example"}
    body = client.get("/api/v1/admin/tables?page_size=1", headers=headers).json()
    assert body["next"].startswith("http://testserver/")
    response = client.get("/api/v1/admin/tables", headers={**headers, "Host": "evil.example"})
    assert response.status_code == 400


def image_of(image_format):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, image_format)
    return buffer.getvalue()


def upload(manager, item, file):
    client = Client()
    body = encode_multipart(BOUNDARY, {"image": file})
    return client.patch(
        f"/api/v1/admin/menu-items/{item.pk}",
        body,
        content_type=MULTIPART_CONTENT,
        headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"},
    )


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("menu.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("menu.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("menu.bmp", image_of("BMP")),
        ("menu.tiff", image_of("TIFF")),
        ("menu.ico", image_of("ICO")),
    ],
    ids=["svg", "svg named png", "bmp", "tiff", "ico"],
)
def test_pictures_browsers_would_not_show_as_images_are_refused(manager, menu, _media, name, content):
    item = menu[0]
    response = upload(manager, item, SimpleUploadedFile(name, content, content_type="image/png"))
    assert set(error_of(response, 400)["fields"]) == {"image"}
    item.refresh_from_db()
    assert not item.image
    assert not any(_media.rglob("*.*"))


@pytest.mark.parametrize(
    "name",
    ["../../settings.py", "menu.html", 'a\r\nContent-Type: text/html; x=".png', "..\\..\\x.png", "%2e%2e%2fx.png"],
)
def test_an_upload_is_stored_under_a_name_of_our_own(manager, menu, _media, name):
    """A picture with HTML after it (a polyglot) still stores as the picture, under a random
    name with its format's extension, inside the media folder."""
    item = menu[0]
    polyglot = image_of("GIF") + b"<html><script>alert(1)</script></html>"
    response = upload(manager, item, SimpleUploadedFile(name, polyglot, content_type="text/html"))
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    stored = item.image.name
    assert stored.startswith("menu/") and stored.endswith(".gif"), stored
    assert ".." not in stored and "\r" not in stored and "\n" not in stored and "html" not in stored
    assert [path.relative_to(_media).as_posix() for path in _media.rglob("*.gif")] == [stored]


def test_a_multipart_body_with_too_many_fields_is_a_400(manager, menu):
    fields = {f"f{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = Client().patch(
        f"/api/v1/admin/menu-items/{menu[0].pk}",
        encode_multipart(BOUNDARY, fields),
        content_type=MULTIPART_CONTENT,
        headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"},
    )
    assert error_of(response, 400)["code"] == "parse_error"


def test_a_number_of_thousands_of_digits_is_a_400(client, table, menu):
    body = '{"items": [{"menu_item_id": ' + "9" * 5000 + ', "quantity": 1}]}'
    response = client.post(
        "/api/v1/orders",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {table_tokens(table)['access']}", "Idempotency-Key": "k"},
    )
    assert error_of(response, 400)["code"] == "parse_error"
    assert not Order.objects.exists()


# No secret in the logs


@pytest.fixture
def captured_logs():
    """Every log line, as the project's logging config writes it, at DEBUG."""
    # Loading the ASGI application runs django.setup(), which configures logging afresh.
    import tableorder.asgi  # noqa: F401

    config = copy.deepcopy(settings.LOGGING)
    config["root"]["level"] = "DEBUG"
    logging.config.dictConfig(config)
    buffer = io.StringIO()
    handler = logging.getLogger().handlers[0]
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db(transaction=True)
def test_no_password_token_or_ticket_reaches_the_logs(captured_logs):
    store, _manager = create_store(
        code="logs", name="로그 식당", manager_username="manager", manager_password="Manager-Secret-4821"
    )
    setup_table(store=store, number=1, password="Table-Secret-9377")
    client = Client()
    secrets = ["Manager-Secret-4821", "Table-Secret-9377", "Wrong-Secret-5150"]

    def post(url, body, **headers):
        return client.post(url, body, content_type="application/json", headers=headers)

    table_login = post(
        "/api/v1/auth/table/login", {"store_code": "logs", "table_number": 1, "password": "Table-Secret-9377"}
    ).json()
    post("/api/v1/auth/table/login", {"store_code": "logs", "table_number": 1, "password": "Wrong-Secret-5150"})
    manager_login = post(
        "/api/v1/auth/login", {"store_code": "logs", "username": "manager", "password": "Manager-Secret-4821"}
    ).json()
    post("/api/v1/auth/login", {"store_code": "logs", "username": "manager", "password": "Wrong-Secret-5150"})
    refreshed = post("/api/v1/auth/table/refresh", {"refresh": table_login["refresh"]}).json()
    post("/api/v1/auth/table/refresh", {"refresh": table_login["refresh"] + "x"})
    Client().post("/admin/login/", {"store_code": "logs", "username": "manager", "password": "Manager-Secret-4821"})
    Client().post("/admin/login/", {"store_code": "logs", "username": "manager", "password": "Wrong-Secret-5150"})
    tickets = [
        post("/api/v1/stream-ticket", {}, Authorization=f"Bearer {token}").json()["ticket"]
        for token in (manager_login["access"], refreshed["access"])
    ]
    secrets += [table_login["access"], table_login["refresh"], manager_login["access"], manager_login["refresh"]]
    secrets += [refreshed["access"], refreshed["refresh"], *tickets]

    async def streams_with_tickets():
        for url, ticket, extra in [
            ("/api/v1/admin/stream", tickets[0], ""),
            ("/api/v1/orders/stream", tickets[1], ""),
            ("/api/v1/orders/stream", tickets[0], ""),  # the wrong stream: 401
            ("/api/v1/admin/stream", tickets[0], "&last_event_id=x"),  # a bad cursor: 400
        ]:
            async with ASGIStream(f"{url}?ticket={ticket}{extra}") as stream:
                if stream.status == 200:
                    await stream.events(1)
                else:
                    await stream.body()

    run(streams_with_tickets)
    logged = captured_logs.getvalue()
    assert "/api/v1/auth/login" in logged and "stream" in logged  # the requests were logged
    for secret in secrets:
        assert secret not in logged, f"{secret[:12]}… is in the logs:\n{logged}"
