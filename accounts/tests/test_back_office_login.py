"""/admin/login/: a store manager logs in with store identifier + username + password.

Also: the login ends 16 hours after it began, and a password change ends the manager's
other logins, API tokens and stream tickets.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import create_manager
from accounts.tokens import manager_tokens
from conftest import make_store
from orders.stream_access import StreamAccess, StreamAuthError, access_from_ticket, issue_ticket

LOGIN = "/admin/login/"


def admin_login(client, store_code="alpha", username="manager", password="s3cret-pass", **extra):
    return client.post(LOGIN, {"store_code": store_code, "username": username, "password": password, **extra})


def test_the_login_page_asks_for_the_store(client, db):
    page = client.get(LOGIN).content.decode()
    for name in ("store_code", "username", "password"):
        assert f'name="{name}"' in page


@pytest.mark.parametrize("next_page", ["", "/admin/"])
def test_a_manager_lands_on_the_live_dashboard(client, store, next_page):
    response = admin_login(client, next=next_page)
    assert response.status_code == 302
    assert response["Location"] == "/admin/live/"
    assert client.session[SESSION_KEY] == str(store.users.get().pk)


def test_an_explicit_next_page_is_kept(client, store):
    response = admin_login(client, next="/admin/menus/menuitem/")
    assert response["Location"] == "/admin/menus/menuitem/"


def test_the_store_code_decides_which_manager_logs_in(client, store):
    beta = make_store(code="beta", name="베타 식당", username="manager", password="other-pass-9")
    assert admin_login(client, store_code="beta", password="s3cret-pass").status_code == 200
    assert SESSION_KEY not in client.session
    assert admin_login(client, store_code="beta", password="other-pass-9").status_code == 302
    assert client.session[SESSION_KEY] == str(beta.users.get().pk)


@pytest.mark.parametrize(
    ("store_code", "username", "password"),
    [("alpha", "manager", "wrong"), ("nope", "manager", "s3cret-pass"), ("", "manager", "s3cret-pass")],
)
def test_wrong_credentials_show_one_message(client, store, store_code, username, password):
    response = admin_login(client, store_code, username, password)
    assert response.status_code == 200
    assert "Store identifier, username or password is incorrect." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_platform_admin_leaves_the_store_empty(client, db):
    User.objects.create_superuser(username="root", password="root-pass-123")
    response = admin_login(client, store_code="", username="root", password="root-pass-123")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_a_user_who_is_not_staff_cannot_log_in(client, store):
    store.users.update(is_staff=False)
    assert admin_login(client).status_code == 200
    assert SESSION_KEY not in client.session


def test_repeated_failures_lock_out_with_the_korean_message(client, store, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, password="wrong").status_code == 200
    locked = admin_login(client, password="wrong", HTTP_ACCEPT_LANGUAGE="ko")
    assert locked.status_code == 429
    # Locked even with the right password, until the cool-off ends.
    assert admin_login(client).status_code == 429
    assert SESSION_KEY not in client.session
    korean = admin_login(Client(headers={"accept-language": "ko"}))
    assert "로그인 실패 횟수 초과" in korean.content.decode()


def test_a_lockout_in_one_store_leaves_the_same_username_elsewhere_alone(client, store, settings):
    make_store(code="beta", name="베타 식당", username="manager", password="other-pass-9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, password="wrong")
    assert admin_login(client).status_code == 429
    assert admin_login(client, store_code="beta", password="other-pass-9").status_code == 302


def test_a_success_resets_the_failure_count(client, store, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, password="wrong")
    assert admin_login(client).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, password="wrong").status_code == 200
    assert admin_login(client).status_code == 302


def test_the_login_ends_16_hours_after_it_began_however_active(client, store):
    before = timezone.now()
    admin_login(client)
    ends = client.session.get_expiry_date()
    assert before + timedelta(hours=16) <= ends <= timezone.now() + timedelta(hours=16)
    # Activity that saves the session does not push the end back.
    session = client.session
    session["touched"] = True
    session.save()
    assert client.session.get_expiry_date() == ends
    assert client.get("/admin/").status_code == 200


def test_a_password_change_ends_tokens_tickets_and_other_logins(store):
    manager = store.users.get()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {manager_tokens(manager)['access']}")
    assert api.post("/api/v1/stream-ticket").status_code == 200
    ticket = issue_ticket(manager)
    other_browser = Client()
    admin_login(other_browser)
    assert other_browser.get("/admin/").status_code == 200
    access = access_from_ticket(ticket, "store")
    assert access.still_valid()

    manager.set_password("a-new-pass-42")
    manager.save()

    refused = api.post("/api/v1/stream-ticket")
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "token_revoked"
    with pytest.raises(StreamAuthError):
        access_from_ticket(ticket, "store")
    assert not access.still_valid(), "an open stream ends at its next check"
    assert other_browser.get("/admin/").status_code == 302
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {manager_tokens(manager)['access']}")
    assert fresh.post("/api/v1/stream-ticket").status_code == 200


def test_logging_in_does_not_revoke_anything(client, store):
    manager = store.users.get()
    version = manager.token_version
    admin_login(client)
    manager.refresh_from_db()
    assert manager.token_version == version


def test_a_stream_ends_when_its_login_expires(store):
    manager = store.users.get()
    access = StreamAccess(
        store_id=store.id,
        user_id=manager.id,
        token_version=manager.token_version,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    assert not access.still_valid()


def test_new_managers_are_staff_in_the_store_manager_group_and_nothing_more(store):
    manager = create_manager(store=store, username="second", password="another-pass-1")
    assert manager.is_staff and not manager.is_superuser
    assert [group.name for group in manager.groups.all()] == ["store manager"]
    assert manager.has_perm("menus.add_menuitem")
    assert not manager.has_perm("accounts.add_store")
    assert not manager.has_perm("orders.delete_order"), "orders are never hard-deleted"


def test_the_admin_index_links_to_the_live_dashboard(client, store):
    admin_login(client)
    assert 'href="/admin/live/"' in client.get("/admin/").content.decode()
