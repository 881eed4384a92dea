"""POST /api/v1/auth/login: store identifier + username + password → 16-hour tokens."""

from datetime import timedelta

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.authentication import ManagerJWTAuthentication
from accounts.models import User
from accounts.tokens import table_tokens
from conftest import make_store

URL = "/api/v1/auth/login"


@pytest.fixture
def client():
    return APIClient()


def login(client, store_code="alpha", username="manager", password="s3cret-pass"):
    return client.post(URL, {"store_code": store_code, "username": username, "password": password}, format="json")


def test_login_returns_tokens_user_and_store(client, store):
    response = login(client)
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {"username": "manager"}
    assert body["store"] == {"code": "alpha", "name": "알파 식당"}
    access = AccessToken(body["access"])
    assert access["store_id"] == store.id
    assert timedelta(hours=15, minutes=59) < access.lifetime <= timedelta(hours=16)
    user = ManagerJWTAuthentication().get_user(access)
    assert user.store_id == store.id


def test_the_same_username_in_two_stores_logs_into_its_own_store(client, store):
    make_store(code="beta", name="베타 식당", username="manager", password="other-pass-9")
    assert login(client, "beta", "manager", "other-pass-9").json()["store"]["code"] == "beta"
    assert login(client, "alpha", "manager", "other-pass-9").status_code == 401
    assert login(client, "alpha").json()["store"]["code"] == "alpha"


@pytest.mark.parametrize(
    ("store_code", "username", "password"),
    [("alpha", "manager", "wrong"), ("nope", "manager", "s3cret-pass"), ("alpha", "nobody", "s3cret-pass")],
)
def test_wrong_credentials_are_401_with_one_message(client, store, store_code, username, password):
    response = login(client, store_code, username, password)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Store identifier, username or password is incorrect."


def test_missing_fields_are_400_with_field_errors(client, db):
    response = client.post(URL, {"username": "manager"}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"store_code", "password"}


def test_inactive_managers_and_platform_admins_cannot_get_store_tokens(client, store):
    User.objects.create_superuser(username="root", password="root-pass-123")
    assert login(client, "", "root", "root-pass-123").status_code == 400
    User.objects.filter(username="manager").update(is_active=False)
    assert login(client).status_code == 401


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_login_out_with_429(client, store):
    for _ in range(2):
        assert login(client, password="wrong").status_code == 401
    locked = login(client, password="wrong")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    # Locked even with the right password, until the cool-off passes.
    assert login(client).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_lockout_is_per_store_and_username(client, store):
    make_store(code="beta", name="베타 식당")
    for _ in range(3):
        login(client, password="wrong")
    assert login(client).status_code == 429
    assert login(client, "beta").status_code == 200


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_resets_the_failure_count(client, store):
    for _ in range(2):
        login(client, password="wrong")
    assert login(client).status_code == 200
    for _ in range(2):
        assert login(client, password="wrong").status_code == 401


def test_passwords_are_stored_with_bcrypt(store):
    assert store.users.get().password.startswith("bcrypt_sha256$")


def test_a_tablet_token_is_not_a_manager_token(table):
    access = AccessToken(table_tokens(table)["access"], verify=False)
    with pytest.raises(Exception, match="Tablet tokens cannot be used here"):
        ManagerJWTAuthentication().get_user(access)
