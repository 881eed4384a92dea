"""Password spraying: one address trying every table or username of a store is locked out
after AXES_ADDRESS_FAILURE_LIMIT failures, whoever it tried, beside the per-account limit."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from accounts.services import setup_table
from core.api import LockedOut

TABLE_LOGIN = "/api/v1/auth/table/login"
MANAGER_LOGIN = "/api/v1/auth/login"
ADMIN_LOGIN = "/admin/login/"
ATTACKER = "203.0.113.7"
NEIGHBOUR = "198.51.100.20"


def table_login(client, table_number, password="1234", address=ATTACKER):
    body = {"store_code": "alpha", "table_number": table_number, "password": password}
    return client.post(TABLE_LOGIN, body, content_type="application/json", REMOTE_ADDR=address)


def manager_login(client, username="manager", password="s3cret-pass", address=ATTACKER):
    body = {"store_code": "alpha", "username": username, "password": password}
    return client.post(MANAGER_LOGIN, body, content_type="application/json", REMOTE_ADDR=address)


def admin_login(client, username="manager", password="s3cret-pass", address=ATTACKER):
    body = {"store_code": "alpha", "username": username, "password": password}
    return client.post(ADMIN_LOGIN, body, REMOTE_ADDR=address)


def assert_locked_out(response):
    assert response.status_code == 429
    assert response.json()["error"] == {"code": "locked_out", "message": str(LockedOut.default_detail)}


@pytest.fixture
def tables(store, settings):
    """One table more than the address may fail on, all with the password 1234."""
    count = settings.AXES_ADDRESS_FAILURE_LIMIT + 1
    return [setup_table(store=store, number=n, password="1234")[0] for n in range(1, count + 1)]


def test_the_limits_are_5_per_account_and_30_per_address(settings):
    limits = (settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)
    assert limits == (5, 30, timedelta(minutes=15))


def test_one_wrong_password_on_every_table_locks_the_address_out(client, tables, settings):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for table in tables[: limit - 1]:
        assert table_login(client, table.number, password="0000").status_code == 401
    # The failure that reaches the limit is answered like a per-account lockout.
    assert_locked_out(table_login(client, tables[limit - 1].number, password="0000"))
    # Then the address is locked out of every login, whatever the password.
    assert_locked_out(table_login(client, tables[limit].number))
    assert_locked_out(manager_login(client))
    # Another address is not.
    assert table_login(client, tables[limit].number, address=NEIGHBOUR).status_code == 200
    assert manager_login(client, address=NEIGHBOUR).status_code == 200


def test_trying_usernames_counts_too_and_locks_the_admin_page(client, store, settings):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for attempt in range(limit - 1):
        if attempt % 2:
            assert admin_login(client, username=f"user{attempt}", password="wrong").status_code == 200
        else:
            assert manager_login(client, username=f"user{attempt}", password="wrong").status_code == 401
    locked = admin_login(client, username="someone", password="wrong")
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.content.decode()
    assert admin_login(client).status_code == 429
    assert SESSION_KEY not in client.session
    assert admin_login(Client(), address=NEIGHBOUR).status_code == 302


def test_the_per_account_limit_still_locks_at_5(client, tables, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert table_login(client, 1, password="0000").status_code == 401
    assert_locked_out(table_login(client, 1, password="0000"))
    assert_locked_out(table_login(client, 1))
    # Far below the address limit: the same address still logs into other tables.
    assert table_login(client, 2).status_code == 200


def test_a_success_resets_the_account_but_not_the_address(client, tables, settings):
    per_account, per_address = settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT
    failures = 0
    while failures + per_account - 1 < per_address:
        for _attempt in range(per_account - 1):
            assert table_login(client, 1, password="0000").status_code == 401
            failures += 1
        # The success resets table 1's count, so its next failures are answered 401 again...
        assert table_login(client, 1).status_code == 200
    # ...but every failure still counts against the address within the cool-off.
    for _attempt in range(per_address - failures - 1):
        assert table_login(client, 1, password="0000").status_code == 401
    assert_locked_out(table_login(client, 1, password="0000"))
    assert_locked_out(table_login(client, 2))


def test_failures_older_than_the_cool_off_no_longer_count(client, tables, settings):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for table in tables[:limit]:
        table_login(client, table.number, password="0000")
    assert_locked_out(table_login(client, tables[limit].number))
    long_ago = AccessFailureLog.objects.first().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessFailureLog.objects.update(attempt_time=long_ago)
    AccessAttempt.objects.update(attempt_time=long_ago)
    assert table_login(client, tables[limit].number).status_code == 200


def test_axes_reset_ip_lifts_the_address_lock(client, tables, settings):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for table in tables[:limit]:
        table_login(client, table.number, password="0000")
    assert_locked_out(table_login(client, tables[limit].number))
    call_command("axes_reset_ip", NEIGHBOUR, stdout=io.StringIO())
    assert_locked_out(table_login(client, tables[limit].number))
    call_command("axes_reset_ip", ATTACKER, stdout=io.StringIO())
    assert table_login(client, tables[limit].number).status_code == 200
