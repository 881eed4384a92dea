"""Servers that tests start as child processes: waiting until one answers, and stopping it;
the app itself as production serves it, on this test run's database."""

import contextlib
import subprocess
import time
import urllib.request

from django.conf import settings

from bench.server import running_server


def wait_until_answering(process, url, *, what, timeout=30, log=lambda: ""):
    """Return once `url` answers 2xx; RuntimeError (with `log()`) if `process` exits first
    or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer within {timeout} s:\n{log()}")


def stop(process):
    """Terminate `process`, kill it if it has not ended within 10 s, and reap it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def suite_database_url():
    """The URL of the database these tests run on (pytest-django's test database)."""
    db = settings.DATABASES["default"]
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@contextlib.contextmanager
def app_server(log_path, env=None, open_files=None):
    """The app as production serves it (bench.server.running_server: gunicorn, one uvicorn
    worker with a listener of its own) in a process of its own, on this test run's database
    (PostgreSQL; tests commit with `transactional_db` for it to see) and with its signing keys;
    yields its base URL. `env` adds to the server's environment; `open_files` is its open-files
    limit (production's by default, bench.server.running_server). It stops without the
    reload's handover (STREAM_HANDOVER_SECONDS, deploy/gunicorn.conf.py) unless `env` sets one."""
    env = {
        "SECRET_KEY": settings.SECRET_KEY,
        "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
        "STREAM_HANDOVER_SECONDS": "0",
        **(env or {}),
    }
    with running_server(
        database_url=suite_database_url(), workers=1, env=env, migrate=False, log_path=log_path, open_files=open_files
    ) as url:
        yield url


def warmed(http, path):
    """GET `path` from an app_server (`http`: an httpx client) once the server's listener is
    up (its first request starts it), so that the answer is kept in memory."""
    http.get(path)
    time.sleep(0.5)
    return http.get(path)
