"""The client address django-axes counts failures under, behind our proxies."""

import runpy

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from uvicorn.middleware.proxy_headers import _TrustedHosts

from accounts.login import client_ip
from accounts.tests.test_address_lockout import assert_locked_out

PROXY = "127.0.0.1"
MANAGER_LOGIN = "/api/v1/auth/login"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.TRUSTED_PROXY_ADDRESSES = [PROXY]


def address_of(peer=PROXY, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=peer, **headers))


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", PROXY),
        (1, "9.9.9.9, 1.1.1.1", "1.1.1.1"),
        (2, "9.9.9.9, 1.1.1.1, 10.0.0.5", "1.1.1.1"),
        (2, "1.1.1.1, 10.0.0.5", "1.1.1.1"),
    ],
)
def test_forwarded_addresses_are_read_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert address_of(forwarded=forwarded) == expected


@pytest.mark.parametrize("forwarded", [None, "1.1.1.1", "9.9.9.9, 1.1.1.1, 10.0.0.5"])
def test_a_client_connecting_straight_to_the_app_cannot_pick_its_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_of(peer="203.0.113.9", forwarded=forwarded) == "203.0.113.9"


def test_forging_the_header_straight_to_the_app_does_not_escape_the_lockout(client, manager, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    body = {"store_code": "alpha", "username": "manager", "password": "wrong"}
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert client.post(MANAGER_LOGIN, body, content_type="application/json", **forged).status_code == 401
    forged = {"REMOTE_ADDR": "203.0.113.9", "HTTP_X_FORWARDED_FOR": "192.0.2.99"}
    assert_locked_out(client.post(MANAGER_LOGIN, body, content_type="application/json", **forged))


@pytest.mark.parametrize(("count", "forwarded"), [(1, None), (2, "1.1.1.1"), (3, "1.1.1.1, 10.0.0.5")])
def test_a_count_higher_than_the_proxies_seen_is_refused(settings, count, forwarded):
    settings.TRUSTED_PROXY_COUNT = count
    with pytest.raises(ImproperlyConfigured, match=f"TRUSTED_PROXY_COUNT is {count}, but a request from the proxy"):
        address_of(forwarded=forwarded)


def test_a_login_through_too_few_proxies_is_refused_in_the_error_shape(manager, settings, caplog):
    settings.TRUSTED_PROXY_COUNT = 2
    client = Client(raise_request_exception=False)
    body = {"store_code": "alpha", "username": "manager", "password": "s3cret-pass"}
    response = client.post(
        MANAGER_LOGIN, body, content_type="application/json", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "TRUSTED_PROXY_COUNT is 2" in caplog.text


def test_gunicorn_leaves_the_peer_address_to_the_app():
    config = runpy.run_path(str(django_settings.BASE_DIR / "deploy" / "gunicorn.conf.py"))
    assert config["forwarded_allow_ips"] == ""
    # What uvicorn's worker gets from it: no proxy trusted, so the peer stays in REMOTE_ADDR.
    assert PROXY not in _TrustedHosts([])
