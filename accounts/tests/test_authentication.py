"""A tablet's access token is checked (signature, claims) once per process, its expiry at every
request, and whether its tablet is still signed in at every request too."""

from datetime import timedelta

import jwt
import pytest
from rest_framework_simplejwt.utils import aware_utcnow

from accounts import authentication
from accounts.services import revoke_tablet
from accounts.tokens import table_tokens

MENU = "/api/v1/menu"


@pytest.fixture
def token(table):
    return table_tokens(table)["access"]


def get_menu(client, token):
    return client.get(MENU, headers={"Authorization": f"Bearer {token}"})


def test_a_token_is_checked_once_however_often_it_is_sent(client, token, monkeypatch):
    decodes = []
    decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *args, **kwargs: decodes.append(1) or decode(*args, **kwargs))
    for _ in range(3):
        assert get_menu(client, token).status_code == 200
    assert len(decodes) == 1


def test_a_checked_token_is_refused_once_it_has_expired(client, token, monkeypatch, settings):
    assert get_menu(client, token).status_code == 200
    later = aware_utcnow() + settings.TABLE_ACCESS_TOKEN_LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(authentication, "aware_utcnow", lambda: later)
    response = get_menu(client, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_a_checked_token_with_another_signature_is_refused(client, token):
    assert get_menu(client, token).status_code == 200
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert get_menu(client, forged).status_code == 401


def test_a_checked_token_of_a_signed_out_tablet_is_refused(client, token, table):
    assert get_menu(client, token).status_code == 200
    revoke_tablet(table=table)
    response = get_menu(client, token)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "tablet_signed_out"
