"""The ASGI request path (core/runtime/handler.py): a request to a sync view takes one thread hop
and answers exactly as Django's WSGI handler does; the event streams keep Django's async path."""

import asyncio
import json
import threading
import uuid

import pytest
from django.core.signals import request_finished, request_started
from django.http import FileResponse, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from accounts.tokens import table_tokens
from core.listener import listener
from core.runtime.handler import ASGIHandler, view_kind


def asgi_request(application, method, url, *, headers=None, body=b""):
    """(status, headers as a dict of lower-case names, body) of one request to `application`."""
    path_info, _, query = url.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path_info,
        "raw_path": path_info.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", str(len(body)).encode())]
        + [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages = []
    request_sent = False

    async def receive():
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()

    async def send(message):
        messages.append(message)

    async def run():
        await asyncio.wait_for(application(scope, receive, send), 10)

    asyncio.run(run())
    start = messages[0]
    return (
        start["status"],
        {name.decode().lower(): value.decode() for name, value in start["headers"]},
        b"".join(message.get("body", b"") for message in messages[1:]),
    )


@pytest.fixture
def hops(monkeypatch):
    """A list with an entry each time a thread hands a result back to the event loop: one per
    round trip between the loop and a thread, whatever the executor."""
    hops = []
    call_soon_threadsafe = asyncio.BaseEventLoop.call_soon_threadsafe

    def counting(self, callback, *args, **kwargs):
        hops.append(callback)
        return call_soon_threadsafe(self, callback, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "call_soon_threadsafe", counting)
    return hops


@pytest.fixture
def tablet(transactional_db, table):
    """A tablet's Authorization header; committed, so that the request threads' own database
    connections see its table."""
    return {"Authorization": f"Bearer {table_tokens(table)['access']}"}


def test_a_menu_read_makes_one_round_trip_to_a_thread(tablet, hops):
    application = ASGIHandler()
    status, _headers, _body = asgi_request(application, "GET", "/api/v1/menu", headers=tablet)
    assert status == 200
    # Under Django's handler: 19 (request_started, middleware methods, the view, the close).
    # On PostgreSQL the first request on a loop also has it start the listener, without waiting.
    assert len([hop for hop in hops if hop != listener.start]) == 1


def test_every_sync_part_of_a_request_runs_on_one_thread_off_the_event_loop(tablet):
    threads = {}

    def started(**kwargs):
        threads["request_started"] = threading.get_ident()

    def finished(**kwargs):
        threads["request_finished"] = threading.get_ident()

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        assert asgi_request(ASGIHandler(), "GET", "/api/v1/menu", headers=tablet)[0] == 200
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert threads.keys() == {"request_started", "request_finished"}
    assert len(set(threads.values())) == 1
    assert threading.get_ident() not in threads.values()


def tablet_requests(menu, headers):
    """(method, url, headers, body) of what a tablet asks, errors included."""
    order = json.dumps({"items": [{"menu_item_id": menu[0].id, "quantity": 2}]})
    key = {"Idempotency-Key": uuid.uuid4().hex}
    return [
        ("GET", "/api/v1/menu", headers, ""),
        ("GET", "/api/v1/menu", {}, ""),
        ("GET", "/api/v1/menu", {"Authorization": "Bearer not-a-token"}, ""),
        ("POST", "/api/v1/orders", {**headers, **key}, order),
        ("POST", "/api/v1/orders", {**headers, **key}, order),
        ("POST", "/api/v1/orders", headers, "{"),
        ("GET", "/api/v1/orders?page=x", headers, ""),
        ("GET", "/api/v1/no-such-thing", headers, ""),
        ("DELETE", "/api/v1/menu", headers, ""),
        ("GET", "/admin/login/", {}, ""),
    ]


def test_answers_are_those_of_the_wsgi_handler(tablet, menu):
    """Status, headers and body of each request through the ASGI handler equal those of the
    WSGI handler for the same request (a new order's id, number and time aside)."""
    application = ASGIHandler()
    requests = tablet_requests(menu, tablet)
    json_body = {"Content-Type": "application/json"}
    through_asgi = [
        asgi_request(application, method, url, headers={**headers, **json_body}, body=body.encode())
        for method, url, headers, body in requests
    ]
    # Then through Django's WSGI handler, the order under a key of its own: placed, then replayed.
    client = Client()
    for (method, url, headers, body), (status, asgi_headers, asgi_body) in zip(requests, through_asgi, strict=True):
        if method == "POST" and "Idempotency-Key" in headers:
            headers = {**headers, "Idempotency-Key": uuid.uuid5(uuid.NAMESPACE_URL, headers["Idempotency-Key"]).hex}
        answer = client.generic(method, url, body, content_type="application/json", headers=headers)
        where = (method, url)
        assert status == answer.status_code, where
        wsgi_headers = {name.lower(): value for name, value in answer.items()}
        # Cookies: a header of the ASGI message, the test client's `cookies` under WSGI.
        assert asgi_headers.keys() - {"set-cookie"} == wsgi_headers.keys(), where
        assert asgi_headers.get("set-cookie", "").split("=")[0] == ",".join(answer.cookies), where
        # Expires (of a page never to be cached) is the second it was made; an order's length
        # depends on its number and time.
        for name in wsgi_headers.keys() - {"content-length", "expires"}:
            assert asgi_headers[name] == wsgi_headers[name], (*where, name)
        if status == 201:
            placed = {"id", "number", "display_number", "created_at"}
            asgi_order, wsgi_order = json.loads(asgi_body), answer.json()
            assert asgi_order.keys() == wsgi_order.keys()
            assert {k: v for k, v in asgi_order.items() if k not in placed} == {
                k: v for k, v in wsgi_order.items() if k not in placed
            }
        elif url != "/admin/login/":  # the login page carries a fresh CSRF token each time
            assert asgi_body == answer.content, where


def test_the_event_streams_open_on_their_own_threads_and_nothing_takes_djangos_async_path():
    def scope(path_info):
        return {"type": "http", "path": path_info, "root_path": ""}

    for path_info in ("/api/v1/admin/stream", "/api/v1/orders/stream"):
        assert view_kind(scope(path_info)) == "stream", path_info
    for path_info in ("/api/v1/menu", "/api/v1/orders", "/healthz", "/admin/", "/", "/no-such-page"):
        assert view_kind(scope(path_info)) == "sync", path_info


def a_sync_view(request):
    return HttpResponse(b"sync")


def a_file_view(request):
    return FileResponse(open(__file__, "rb"))


async def an_async_view(request):
    return HttpResponse(f"async on the loop: {threading.current_thread() is threading.main_thread()}")


urlpatterns = [
    path("sync", a_sync_view),
    path("file", a_file_view),
    path("async", an_async_view),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_sync_views_file_response_is_sent_whole(db, hops):
    with open(__file__, "rb") as source:
        assert asgi_request(ASGIHandler(), "GET", "/file")[::2] == (200, source.read())


@override_settings(ROOT_URLCONF=__name__)
def test_an_async_view_runs_on_the_event_loop(db):
    application = ASGIHandler()
    assert asgi_request(application, "GET", "/async")[::2] == (200, b"async on the loop: True")
    assert asgi_request(application, "GET", "/sync")[::2] == (200, b"sync")
