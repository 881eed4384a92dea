"""Database credentials read from Secrets Manager when a process starts (tableorder/dbsecret.py).

Against moto's server over HTTP, with the same boto3 calls the app makes on AWS.
"""

import json
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured

from tableorder.dbsecret import read_credentials, region_of
from tableorder.tests.aws import REGION, MotoServer
from tableorder.tests.test_settings import PRODUCTION_ENV, manage, production_settings


@pytest.fixture(scope="module")
def aws():
    with MotoServer() as server:
        yield server


@pytest.fixture
def secrets(aws, monkeypatch):
    for name, value in aws.env().items():
        monkeypatch.setenv(name, value)
    return aws.client("secretsmanager")


def new_secret(secrets, value):
    text = value if isinstance(value, str) else json.dumps(value)
    return secrets.create_secret(Name=f"tableorder/db-{uuid.uuid4().hex}", SecretString=text)["ARN"]


def test_the_user_and_password_come_from_the_secret(secrets):
    # RDS's own secrets carry more keys (engine, host, port, dbname): only the credentials are used.
    value = {"username": "tableorder_app", "password": "p@ss:/w%rd'\"", "engine": "postgres", "host": "elsewhere"}
    arn = new_secret(secrets, value)
    assert region_of(arn) == REGION
    assert read_credentials(arn) == ("tableorder_app", "p@ss:/w%rd'\"")


@pytest.mark.parametrize(
    "value",
    [
        "hunter2-not-json",
        '["hunter2-in-a-list"]',
        {"username": "tableorder_app"},
        {"username": "tableorder_app", "password": ""},
        {"username": ["tableorder_app"], "password": "hunter2-beside-a-list"},
    ],
)
def test_a_secret_without_a_user_and_password_stops_the_start_without_showing_it(secrets, value):
    arn = new_secret(secrets, value)
    with pytest.raises(ImproperlyConfigured, match='"username" and "password"') as error:
        read_credentials(arn)
    assert arn in str(error.value)
    assert "hunter2" not in str(error.value)


def test_a_secret_that_cannot_be_read_stops_the_start(secrets):
    arn = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:tableorder/gone-AbCdEf"
    with pytest.raises(ImproperlyConfigured, match=r"Cannot read the database secret .*tableorder/gone"):
        read_credentials(arn)


def test_the_region_comes_from_the_arn():
    assert region_of("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1a2b-Xy12") == "us-east-1"
    assert region_of("tableorder/app-db") is None


def test_each_start_reads_the_password_the_secret_holds_then(aws, secrets):
    arn = new_secret(secrets, {"username": "tableorder_app", "password": "first-password"})
    env = {
        **PRODUCTION_ENV,
        **aws.env(),
        # Where the database is comes from the URL; who connects, from the secret.
        "DATABASE_URL": "postgres://db.example.internal:5432/tableorder",
        "DATABASE_SECRET_ARN": arn,
    }

    def database():
        [databases] = production_settings("DATABASES", env=env)
        default = databases["default"]
        return [default[key] for key in ("USER", "PASSWORD", "HOST", "PORT", "NAME")]

    assert database() == ["tableorder_app", "first-password", "db.example.internal", 5432, "tableorder"]
    # A rotation changes the secret; the next start (a restart, a new worker) connects with it.
    secrets.put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": "tableorder_app", "password": "second-password"})
    )
    assert database()[:2] == ["tableorder_app", "second-password"]

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    result = manage("check", env={**env, "DATABASE_SECRET_ARN": arn + "-gone"})
    assert result.returncode != 0
    assert "Cannot read the database secret" in result.stderr
