"""Django code run in a fresh process whose database is unreachable: a real PostgreSQL
address where nothing listens (127.0.0.1, port 1), with a one-second pool timeout. It runs
the same whatever database the suite itself uses."""

import os
import subprocess
import sys

from django.conf import settings

UNREACHABLE_DATABASE_ENV = {
    "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    "DB_POOL_MIN": "0",
    "DB_POOL_TIMEOUT": "1",
    "DJANGO_SETTINGS_MODULE": "tableorder.settings",
    "ALLOWED_HOSTS": "localhost",
}


def run_without_database(code, **env):
    """Run the Python source `code` in a new process against the unreachable database; the
    CompletedProcess (text output). `env` adds or overrides environment variables."""
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **UNREACHABLE_DATABASE_ENV, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
