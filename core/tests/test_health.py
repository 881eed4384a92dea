"""GET /healthz: 200 when the database answers, 503 when it does not."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.test import Client, override_settings

from core.tests.unreachable_database import run_without_database


def test_healthz_is_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down():
    # A real unreachable PostgreSQL server (nothing listens on port 1), in a fresh process.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', headers={'host': 'localhost'});"
        "print(r.status_code, r.content.decode())"
    )
    result = run_without_database(code)
    assert result.stdout.startswith("503 "), result.stderr[-2000:]
    assert '"database": "down"' in result.stdout


# A load balancer checks by the instance's address and deploy/deploy.sh by 127.0.0.1, neither
# of them the site's name: /healthz answers ahead of the host check and the HTTPS redirect.
PRODUCTION_HOSTS = override_settings(ALLOWED_HOSTS=["shop.example.com"], SECURE_SSL_REDIRECT=True)


@PRODUCTION_HOSTS
@pytest.mark.parametrize("host", ["10.0.3.17", "127.0.0.1", "shop.example.com"])
@pytest.mark.parametrize("method", ["get", "head"])
def test_healthz_answers_any_host_over_plain_http(db, host, method):
    response = getattr(Client(), method)("/healthz", headers={"host": host})
    assert response.status_code == 200
    if method == "get":
        assert response.json() == {"status": "ok", "database": "ok"}


@PRODUCTION_HOSTS
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/v1/menu", "/healthz/", "/healthzz"])
def test_other_paths_with_a_foreign_host_stay_400(db, path):
    assert Client().get(path, headers={"host": "10.0.3.17"}).status_code == 400


@PRODUCTION_HOSTS
def test_the_site_name_still_redirects_to_https_and_healthz_takes_only_get_and_head(db):
    response = Client().get("/admin/login/", headers={"host": "shop.example.com"})
    assert response.status_code == 301
    assert response["Location"] == "https://shop.example.com/admin/login/"
    assert Client().post("/healthz", headers={"host": "10.0.3.17"}).status_code == 400


def test_healthz_is_the_first_middleware():
    assert settings.MIDDLEWARE[0] == "core.middleware.HealthCheckMiddleware"


async def asgi_get(path, host):
    """(status, body) of one GET through Django's ASGI handler, with exactly this Host."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "server": (host, 80),
        "client": ("10.0.0.2", 40000),
    }
    requested = asyncio.Event()
    sent = []

    async def receive():
        if requested.is_set():
            await asyncio.Event().wait()  # the client never disconnects
        requested.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await ASGIHandler()(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return sent[0]["status"], body


@PRODUCTION_HOSTS
def test_healthz_answers_a_foreign_host_under_asgi(transactional_db):
    # Under ASGI each request runs its sync code in a thread of its own, with its own connection.
    assert async_to_sync(asgi_get)("/healthz", "10.0.3.17") == (200, b'{"status": "ok", "database": "ok"}')
    assert async_to_sync(asgi_get)("/api/v1/menu", "10.0.3.17")[0] == 400
