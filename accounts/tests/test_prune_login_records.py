"""The daily prune of django-axes' records (`manage.py prune_login_records`): what still counts
towards a lockout stays, older attempts and logs past LOGIN_RECORD_RETENTION_DAYS go."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

ADDRESS = "203.0.113.7"


def record(model, age, username="alpha:1", **fields):
    row = model.objects.create(
        user_agent="tablet", ip_address=ADDRESS, username=username, http_accept="*/*", path_info="/", **fields
    )
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - age)
    return row.pk


def attempt(age, username):
    return record(AccessAttempt, age, username=username, get_data="", post_data="", failures_since_start=1)


def prune(*args):
    out = io.StringIO()
    call_command("prune_login_records", *args, stdout=out)
    return out.getvalue()


def remaining(model):
    return set(model.objects.values_list("pk", flat=True))


def test_attempts_past_the_cool_off_and_logs_past_the_retention_are_deleted(db, settings):
    settings.LOGIN_RECORD_RETENTION_DAYS = 90
    cool_off = settings.AXES_COOLOFF_TIME
    recent_attempt = attempt(cool_off - timedelta(minutes=1), "alpha:1")
    attempt(cool_off + timedelta(minutes=1), "alpha:2")
    kept_failures = {record(AccessFailureLog, age) for age in (timedelta(minutes=1), timedelta(days=89))}
    record(AccessFailureLog, timedelta(days=91))
    kept_login = record(AccessLog, timedelta(days=89))
    record(AccessLog, timedelta(days=91))

    assert "Deleted 1 expired login attempt(s), and 1 failure and 1 login record(s) older than 90 day(s)." in prune()
    assert remaining(AccessAttempt) == {recent_attempt}
    assert remaining(AccessFailureLog) == kept_failures
    assert remaining(AccessLog) == {kept_login}

    assert "and 1 failure" in prune("--days", "1")
    assert len(remaining(AccessFailureLog)) == 1


def test_a_locked_out_account_stays_locked_out_after_the_prune(table, settings):
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 3

    def login(address=ADDRESS):
        body = {"store_code": "alpha", "table_number": 1, "password": "wrong"}
        return Client(REMOTE_ADDR=address).post("/api/v1/auth/table/login", body, content_type="application/json")

    assert [login(address=f"192.0.2.{n}").status_code for n in range(1, 4)] == [401, 401, 429]
    prune("--days", "1")
    assert login().status_code == 429


def test_the_retention_cannot_be_shorter_than_the_cool_off(db, settings):
    settings.AXES_COOLOFF_TIME = timedelta(days=2)
    with pytest.raises(CommandError, match="cool-off"):
        prune("--days", "1")
