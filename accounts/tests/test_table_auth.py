"""Tablet login, refresh and sign-out: the tokens a table's tablet lives on."""

import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from jwt.utils import base64url_encode
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.authentication import ManagerJWTAuthentication
from accounts.services import revoke_tablet, setup_table
from accounts.tokens import TableAccessToken, TableRefreshToken, manager_tokens, table_tokens
from core.api import LockedOut

LOGIN = "/api/v1/auth/table/login"
REFRESH = "/api/v1/auth/table/refresh"
MENU = "/api/v1/menu"


def table_login(client, store_code="alpha", table_number=1, password="1234"):
    body = {"store_code": store_code, "table_number": table_number, "password": password}
    return client.post(LOGIN, body, content_type="application/json")


def refresh(client, token):
    return client.post(REFRESH, {"refresh": token}, content_type="application/json")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def error_of(response):
    return response.json()["error"]


def test_login_returns_tokens_store_and_table(client, table):
    response = table_login(client)
    assert response.status_code == 200
    body = response.json()
    assert body["store"] == {"code": "alpha", "name": "알파 식당"}
    assert body["table"] == {"id": table.id, "number": 1}
    access = TableAccessToken(body["access"])
    assert (access["table_id"], access["store_id"], access["tv"]) == (table.id, table.store_id, table.token_version)
    assert TableRefreshToken(body["refresh"])["table_id"] == table.id
    assert client.get(MENU, headers=bearer(body["access"])).status_code == 200


@pytest.mark.parametrize(
    "credentials",
    [
        {"password": "wrong"},
        {"table_number": 2},
        {"store_code": "nowhere"},
        {"store_code": "beta"},
    ],
    ids=["bad password", "unknown table", "unknown store", "other store"],
)
def test_bad_credentials_are_401_with_one_message(client, table, other_store, credentials):
    response = table_login(client, **credentials)
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "authentication_failed",
        "message": "Store identifier, table number or table password is incorrect.",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_malformed_login_is_400_with_field_errors(client, table):
    response = client.post(LOGIN, {"store_code": "alpha", "table_number": "one"}, content_type="application/json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"table_number", "password"}


def test_failed_table_logins_lock_out_with_429(client, table):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert table_login(client, password="wrong").status_code == 401
    locked = table_login(client, password="wrong")
    assert locked.status_code == 429
    assert error_of(locked) == {"code": "locked_out", "message": str(LockedOut.default_detail)}
    # Locked means locked: even the right password is refused until the cool-off ends.
    assert table_login(client).status_code == 429
    assert table_login(client, table_number=2).status_code == 401


def test_successful_login_resets_the_failure_count(client, table):
    for _round in range(2):
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert table_login(client, password="wrong").status_code == 401
        assert table_login(client).status_code == 200


def test_refresh_gives_new_working_tokens(client, table):
    tokens = table_login(client).json()
    response = refresh(client, tokens["refresh"])
    assert response.status_code == 200
    body = response.json()
    assert body["table"] == {"id": table.id, "number": 1}
    assert body["store"]["code"] == "alpha"
    assert client.get(MENU, headers=bearer(body["access"])).status_code == 200
    assert refresh(client, body["refresh"]).status_code == 200


@pytest.mark.parametrize("sign_out", ["password reset", "revoke"])
def test_reset_or_revoke_signs_the_tablet_out(client, table, sign_out):
    tokens = table_tokens(table)
    if sign_out == "password reset":
        setup_table(store=table.store, number=1, password="5678")
    else:
        revoke_tablet(table=table)
    menu = client.get(MENU, headers=bearer(tokens["access"]))
    assert menu.status_code == 401
    assert error_of(menu)["code"] == "tablet_signed_out"
    renewed = refresh(client, tokens["refresh"])
    assert renewed.status_code == 401
    assert error_of(renewed)["code"] == "tablet_signed_out"
    if sign_out == "password reset":
        assert table_login(client, password="1234").status_code == 401
        assert table_login(client, password="5678").status_code == 200
    else:
        assert table_login(client).status_code == 200


def test_other_tables_keep_their_tokens_when_one_is_reset(client, store, table):
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    tokens = table_tokens(neighbour)
    setup_table(store=store, number=1, password="5678")
    assert client.get(MENU, headers=bearer(tokens["access"])).status_code == 200
    assert refresh(client, tokens["refresh"]).status_code == 200


def test_refresh_token_is_not_an_access_token_and_vice_versa(client, table):
    tokens = table_tokens(table)
    assert client.get(MENU, headers=bearer(tokens["refresh"])).status_code == 401
    response = refresh(client, tokens["access"])
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def test_manager_refresh_token_does_not_renew_a_tablet(client, manager):
    response = refresh(client, manager_tokens(manager)["refresh"])
    assert response.status_code == 401


def expired(token_class, table):
    token = token_class()
    for claim, value in {"table_id": table.id, "store_id": table.store_id, "tv": table.token_version}.items():
        token[claim] = value
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def test_expired_tokens_are_401(client, table):
    assert client.get(MENU, headers=bearer(expired(TableAccessToken, table))).status_code == 401
    response = refresh(client, expired(TableRefreshToken, table))
    assert response.status_code == 401
    assert error_of(response)["code"] == "token_not_valid"


def forged_with_other_key(table, token_type):
    claims = dict(TableAccessToken(table_tokens(table)["access"]).payload, token_type=token_type)
    return jwt.encode(claims, "not-the-signing-key-but-just-as-long-0123456789", algorithm="HS256")


def tampered(token, **claims):
    """The token's signature on a payload it was not issued for."""
    header, _payload, signature = token.split(".")
    payload = base64url_encode(
        json.dumps({**jwt.decode(token, options={"verify_signature": False}), **claims}).encode()
    ).decode()
    return f"{header}.{payload}.{signature}"


def test_forged_tokens_are_401(client, store, table):
    neighbour = setup_table(store=store, number=2, password="1234")[0]
    tokens = table_tokens(table)
    unsigned = jwt.encode(TableAccessToken(tokens["access"]).payload, key=None, algorithm="none")
    for token in [
        forged_with_other_key(table, "table_access"),
        tampered(tokens["access"], table_id=neighbour.id),
        unsigned,
        "not-a-token",
    ]:
        assert client.get(MENU, headers=bearer(token)).status_code == 401
    for token in [forged_with_other_key(table, "table_refresh"), tampered(tokens["refresh"], table_id=neighbour.id)]:
        assert refresh(client, token).status_code == 401


def test_tablet_token_is_not_a_manager_token(table, manager):
    authentication = ManagerJWTAuthentication()
    factory = APIRequestFactory()
    for token in table_tokens(table).values():
        request = factory.get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
        with pytest.raises(AuthenticationFailed):
            authentication.authenticate(request)
    request = factory.get("/", HTTP_AUTHORIZATION=f"Bearer {manager_tokens(manager)['access']}")
    user, _token = authentication.authenticate(request)
    assert user == manager


def test_manager_tokens_are_refused_by_tablet_endpoints(client, manager, table):
    tokens = manager_tokens(manager)
    assert client.get(MENU, headers=bearer(tokens["access"])).status_code == 401
    # Even one carrying a table's claims: its type is a manager's.
    disguised = RefreshToken.for_user(manager).access_token
    disguised["table_id"], disguised["store_id"], disguised["tv"] = table.id, table.store_id, table.token_version
    assert client.get(MENU, headers=bearer(str(disguised))).status_code == 401
