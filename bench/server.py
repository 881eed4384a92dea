"""Start Table Order like production (gunicorn + uvicorn workers) for a benchmark or a test.

    with running_server(database_url=url, workers=2) as base_url:
        ...

The server listens on 127.0.0.1 only, on a free port, with its output in a log file; it is
stopped by its PID when the block ends. It runs under production's open-files limit, the
`LimitNOFILE` of deploy/systemd/tableorder.service (read from the unit, so the two cannot
drift), whatever limit the benchmark's own process raised itself to. `root` runs another
checkout of the project (a commit's worktree, for `python -m bench compare`) with this one's
benchmark code.
"""

import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "systemd" / "tableorder.service"
SEED_SCRIPT = Path(__file__).resolve().parent / "seed.py"
DEFAULT_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tableorder_bench")
# Runs bench/seed.py of this checkout inside the project at the working directory, whose
# apps and settings it imports (`python -m bench.seed` would find that project's bench/).
SEED_RUNNER = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"

# Production settings minus HTTPS, which a local benchmark cannot terminate.
BASE_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-not-for-production",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "tableorder.settings",
    # A benchmark is a few tables ordering back to back and one manager holding many streams:
    # the per-table and per-manager abuse limits would measure themselves, not the app.
    "TABLE_ORDER_LIMIT": "1000000",
    "TABLE_STAFF_CALL_LIMIT": "1000000",
    "STREAMS_PER_TABLE": "1000000",
    "STREAMS_PER_MANAGER": "1000000",
}


def production_open_files_limit(unit=UNIT):
    """The app server's open-files limit in production: `LimitNOFILE=` of its systemd unit."""
    for line in Path(unit).read_text().splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "LimitNOFILE":
            return int(value.strip())
    raise RuntimeError(f"{unit} sets no LimitNOFILE")


def limit_open_files(limit):
    """A preexec_fn: the child's soft and hard open-files limits both `limit`, as systemd sets them."""

    def apply():
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        ceiling = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, ceiling))

    return apply


class ServerURL(str):
    """The server's base URL, also naming the gunicorn master's PID and the log file."""

    pid: int
    log_path: Path

    def worker_pids(self):
        """PIDs of the master's worker processes (Linux /proc)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url, env=None):
    """The environment for manage.py and the server: BASE_ENV, then the caller's, then DATABASE_URL."""
    merged = {**os.environ, **BASE_ENV, **(env or {})}
    merged["DATABASE_URL"] = database_url
    merged.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return merged


def ensure_database(database_url, *, fresh=False):
    """Create the PostgreSQL database named by the URL if it does not exist yet (`fresh`: drop it first)."""
    import psycopg
    from psycopg import sql

    info = psycopg.conninfo.conninfo_to_dict(database_url)
    name = info.get("dbname")
    if not database_url.startswith(("postgres://", "postgresql://")) or not name:
        return
    with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _run_python(database_url, args, env, what, root=ROOT):
    result = subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env=server_env(database_url, env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage(database_url, *args, env=None, root=ROOT):
    """Run a manage.py command with the server's environment; returns its stdout."""
    return _run_python(database_url, ["manage.py", *args], env, f"manage.py {' '.join(args)}", root)


def _seed(database_url, args, env, root):
    output = _run_python(database_url, ["-c", SEED_RUNNER, str(SEED_SCRIPT), *args], env, "seeding", root)
    return json.loads(output.strip().splitlines()[-1])


def seed_store(database_url, *, code="bench", tables=20, env=None, root=ROOT):
    """(Re)create a store for a benchmark; returns what bench/seed.py prints (see there)."""
    return _seed(database_url, ["--code", code, "--tables", str(tables)], env, root)


def seed_stores(database_url, *, prefix, stores, tables, env=None, root=ROOT):
    """(Re)create `stores` stores with tokens for their manager and tables (bench/seed.py --stores)."""
    options = ["--code", prefix, "--tables", str(tables), "--stores", str(stores)]
    return _seed(database_url, options, env, root)["stores"]


def wait_until_healthy(base_url, process, *, timeout=30.0, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log_path}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server at {base_url} not healthy after {timeout:.0f} s; see {log_path}:\n{_tail(log_path)}")


def _tail(path, lines=30):
    if not path or not Path(path).exists():
        return ""
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


def stop(process, *, timeout=15.0):
    """SIGTERM the server by PID, then SIGKILL its process group if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def running_server(
    *,
    database_url=DEFAULT_DATABASE_URL,
    workers=2,
    port=None,
    env=None,
    migrate=True,
    log_path=None,
    root=ROOT,
    open_files=None,
):
    """Migrate, start gunicorn with deploy/gunicorn.conf.py on 127.0.0.1, yield its base URL, stop it.

    The server's open-files limit is `open_files`, by default production's
    (`production_open_files_limit`).

    The URL is a `ServerURL`: a str that also carries `.pid` (the master) and `.log_path`.

    `env` adds to (or overrides) the production-like environment; the server's output goes
    to `log_path` (a temporary file by default), whose tail is shown if it fails to start.
    `root` is the checkout to run (its code, migrations and deploy/gunicorn.conf.py).
    """
    root = Path(root)
    ensure_database(database_url)
    if migrate:
        manage(database_url, "migrate", "--noinput", env=env, root=root)
    port = port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    full_env = server_env(
        database_url, {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers), **(env or {})}
    )
    if log_path is None:
        log_path = Path(tempfile.gettempdir()) / f"tableorder-bench-server-{port}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(root / "deploy" / "gunicorn.conf.py")],
            cwd=root,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=limit_open_files(open_files or production_open_files_limit()),
        )
    try:
        wait_until_healthy(base_url, process, log_path=log_path)
        url = ServerURL(base_url)
        url.pid, url.log_path = process.pid, Path(log_path)
        yield url
    finally:
        stop(process)


async def tablet_tokens(client, seeded):
    """An access token for every seeded table, by the tablet login (`client`: httpx.AsyncClient)."""

    async def log_in(table):
        response = await client.post(
            "/api/v1/auth/table/login",
            json={
                "store_code": seeded["store_code"],
                "table_number": table["number"],
                "password": seeded["table_password"],
            },
        )
        response.raise_for_status()
        return response.json()["access"]

    return list(await asyncio.gather(*(log_in(table) for table in seeded["tables"])))
