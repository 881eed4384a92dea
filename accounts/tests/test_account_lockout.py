"""Distributed guessing: an account is locked for every address after
AXES_ACCOUNT_FAILURE_LIMIT failures from any mix of addresses within the cool-off."""

import io

from axes.models import AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from accounts.tests.test_address_lockout import admin_login, assert_locked_out, manager_login, table_login

REFRESH = "/api/v1/auth/table/refresh"
MENU = "/api/v1/menu"


def addresses(count, prefix="192.0.2"):
    return [f"{prefix}.{n}" for n in range(1, count + 1)]


def fail_from_many_addresses(login, failures, **kwargs):
    """`failures` wrong passwords, one from each of as many addresses: no address reaches its
    own limit. Each is a failure (401; the admin page shows its form again, 200) until the one
    that reaches the account limit, which is answered as a lockout."""
    statuses = [login(address=address, password="0000", **kwargs).status_code for address in addresses(failures)]
    assert set(statuses[:-1]) <= {200, 401}
    return statuses[-1]


def test_the_account_limit_is_20(settings):
    assert settings.AXES_ACCOUNT_FAILURE_LIMIT == 20


def test_manager_guessed_from_many_addresses_is_locked(client, manager, settings):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    fail_from_many_addresses(lambda **kw: manager_login(client, **kw), limit - 1)
    # One failure short of the limit, the right password from a new address still signs in.
    assert manager_login(client, address="198.51.100.1").status_code == 200
    assert_locked_out(manager_login(client, address="198.51.100.2", password="wrong"))
    # At the limit, even the right password from yet another address is refused, like any lockout.
    assert_locked_out(manager_login(client, address="198.51.100.3"))
    assert_locked_out(manager_login(client, address="198.51.100.4", password="wrong"))


def test_seven_addresses_then_an_eighth_with_the_right_password(client, manager, settings):
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 7
    fail_from_many_addresses(lambda **kw: manager_login(client, **kw), 7)
    assert_locked_out(manager_login(client, address="198.51.100.8"))


def test_the_admin_login_page_is_locked_too(store, manager, settings):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    fail_from_many_addresses(lambda **kw: admin_login(Client(), **kw), limit)
    browser = Client()
    locked = admin_login(browser, address="198.51.100.9")
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert SESSION_KEY not in browser.session
    # Another manager of the store is not locked.
    store.users.create_user(username="other", password="an0ther-pass", store=store)
    other = Client()
    assert manager_login(other, username="other", password="an0ther-pass", address="198.51.100.9").status_code == 200


def test_a_table_guessed_from_many_addresses_is_locked(client, table, settings):
    limit = settings.AXES_ACCOUNT_FAILURE_LIMIT
    fail_from_many_addresses(lambda **kw: table_login(client, 1, **kw), limit)
    assert_locked_out(table_login(client, 1, address="198.51.100.1"))


def test_failures_mixed_over_addresses_within_their_own_limit_add_up(client, table, settings):
    per_address, per_account = settings.AXES_FAILURE_LIMIT - 1, settings.AXES_ACCOUNT_FAILURE_LIMIT
    tries = [address for address in addresses(per_account) for _attempt in range(per_address)][:per_account]
    for address in tries[:-1]:
        assert table_login(client, 1, address=address, password="0000").status_code == 401
    assert_locked_out(table_login(client, 1, address=tries[-1], password="0000"))
    assert_locked_out(table_login(client, 1, address="198.51.100.1"))


def test_a_signed_in_tablet_keeps_working_while_its_table_is_locked(client, table, settings):
    tokens = table_login(client, 1, address="198.51.100.1").json()
    fail_from_many_addresses(lambda **kw: table_login(client, 1, **kw), settings.AXES_ACCOUNT_FAILURE_LIMIT)
    assert_locked_out(table_login(client, 1, address="198.51.100.1"))
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    assert client.get(MENU, headers=headers).status_code == 200
    refreshed = client.post(REFRESH, {"refresh": tokens["refresh"]}, content_type="application/json")
    assert refreshed.status_code == 200


def test_the_lock_covers_only_that_account_and_lifts_with_axes_reset_username(client, manager, table, settings):
    fail_from_many_addresses(lambda **kw: table_login(client, 1, **kw), settings.AXES_ACCOUNT_FAILURE_LIMIT)
    assert_locked_out(table_login(client, 1, address="198.51.100.1"))
    assert manager_login(client, address="198.51.100.1").status_code == 200
    call_command("axes_reset_username", "alpha:table-1", stdout=io.StringIO())
    assert table_login(client, 1, address="198.51.100.1").status_code == 200


def test_failures_older_than_the_cool_off_no_longer_count(client, table, settings):
    fail_from_many_addresses(lambda **kw: table_login(client, 1, **kw), settings.AXES_ACCOUNT_FAILURE_LIMIT)
    assert_locked_out(table_login(client, 1, address="198.51.100.1"))
    long_ago = AccessFailureLog.objects.first().attempt_time - settings.AXES_COOLOFF_TIME
    AccessFailureLog.objects.update(attempt_time=long_ago)
    assert table_login(client, 1, address="198.51.100.1").status_code == 200


def test_the_same_username_in_another_store_is_another_account(client, manager, other_store, settings):
    fail_from_many_addresses(lambda **kw: manager_login(client, **kw), settings.AXES_ACCOUNT_FAILURE_LIMIT)
    body = {"store_code": "beta", "username": "manager", "password": "s3cret-pass"}
    response = client.post("/api/v1/auth/login", body, content_type="application/json", REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 200
