"""GET /healthz: 200 when the database answers, 503 when it does not."""

import os
import subprocess
import sys

from django.conf import settings


def test_healthz_is_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_down():
    # A real unreachable PostgreSQL server (nothing listens on port 1), in a fresh process.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', headers={'host': 'localhost'});"
        "print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DB_POOL_MIN": "0",
        "DB_POOL_TIMEOUT": "1",
        "DJANGO_SETTINGS_MODULE": "tableorder.settings",
        "ALLOWED_HOSTS": "localhost",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.startswith("503 "), result.stderr[-2000:]
    assert '"database": "down"' in result.stdout
