"""Password spraying: one address that failed on AXES_ADDRESS_FAILURE_LIMIT distinct tables or
usernames (and has not signed in to them since) is locked out of every login, beside the
per-account limits. People behind one shared address who mistype and then sign in are not."""

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


def test_the_limits_are_5_per_account_and_address_and_10_accounts_per_address(settings):
    limits = (settings.AXES_FAILURE_LIMIT, settings.AXES_ADDRESS_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)
    assert limits == (5, 10, timedelta(minutes=15))


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


def test_people_behind_one_address_who_mistype_and_then_sign_in_do_not_add_up(client, tables, settings):
    # A carrier NAT or a store's Wi-Fi: every table's tablet fails up to the per-account limit
    # and then signs in, far more failures from the one address than it may fail on accounts.
    for table in tables:
        for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            assert table_login(client, table.number, password="0000").status_code == 401
        assert table_login(client, table.number).status_code == 200
    assert AccessFailureLog.objects.filter(ip_address=ATTACKER).count() > settings.AXES_ADDRESS_FAILURE_LIMIT
    assert manager_login(client).status_code == 200


def test_a_success_takes_its_account_out_of_the_address_count(client, tables, settings):
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for table in tables[: limit - 1]:
        assert table_login(client, table.number, password="0000").status_code == 401
    assert table_login(client, tables[0].number).status_code == 200
    # Table 1 signed in, so this leaves the address one account short of the limit...
    assert table_login(client, tables[limit - 1].number, password="0000").status_code == 401
    # ...and failing on the same accounts again does not add any.
    for table in tables[1:3]:
        assert table_login(client, table.number, password="0000").status_code == 401
    assert_locked_out(table_login(client, tables[limit].number, password="0000"))
    assert_locked_out(table_login(client, tables[0].number))


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
