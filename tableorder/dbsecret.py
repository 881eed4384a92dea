"""Database credentials from AWS Secrets Manager, read as the process starts.

With `DATABASE_SECRET_ARN` set, settings.py takes the database user name and password from
that secret and everything else (host, port, database, options) from `DATABASE_URL`. The
secret is a JSON object with at least "username" and "password": the shape of the secret RDS
manages for its master user and of the app's secret in deploy/aws/tableorder.yaml. Every
process reads it when it starts, with the instance role's credentials, so a changed password
needs a restart and never a rewritten file.
"""

import json

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured

# A start fails within seconds when Secrets Manager cannot be reached; systemd starts it again.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})


def read_credentials(secret_id):
    """(username, password) from the secret `secret_id` (an ARN, or a name in the default region)."""
    client = boto3.client("secretsmanager", region_name=region_of(secret_id), config=CLIENT_CONFIG)
    try:
        secret = client.get_secret_value(SecretId=secret_id)
    except (BotoCoreError, ClientError) as error:
        raise ImproperlyConfigured(f"Cannot read the database secret {secret_id}: {error}") from error
    return parse_credentials(secret_id, secret.get("SecretString"))


def region_of(secret_id):
    """The region an ARN names (arn:aws:secretsmanager:REGION:…), or None for boto3's default."""
    parts = secret_id.split(":")
    if parts[0] != "arn" or len(parts) < 7:
        return None
    return parts[3] or None


def parse_credentials(secret_id, secret_string):
    """(username, password) from a secret's JSON text; the message of a bad one never shows its text."""
    try:
        values = json.loads(secret_string or "")
    except ValueError:
        values = None
    if not isinstance(values, dict) or not all(
        isinstance(values.get(key), str) and values[key] for key in ("username", "password")
    ):
        raise ImproperlyConfigured(
            f'The database secret {secret_id} must be a JSON object with non-empty "username" and "password".'
        )
    return values["username"], values["password"]
