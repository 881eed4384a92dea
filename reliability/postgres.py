"""A private PostgreSQL server for fault tests: made in a temporary directory, stopped and removed after.

    with PrivatePostgres() as pg:
        url = pg.database_url("tableorder")
        pg.restart()

Fault tests stop and restart the database under load; they must never do that to a server
anyone else uses. This one is `initdb`'d as the `postgres` OS user (PostgreSQL refuses to
run as root) with trust authentication, listens on 127.0.0.1 on a free port with its unix
socket inside the directory, and is stopped (immediate mode) and deleted when the block
ends, also when it ends with an error.
"""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.server import free_port

BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin"), Path("/usr/lib/postgresql/17/bin")]
OS_USER = "postgres"


def postgres_bin():
    """The directory holding initdb and pg_ctl, or None when PostgreSQL's server tools are missing."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    for directory in [*candidates, *BIN_DIRS]:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


def unavailable_reason():
    """Why a private server cannot be made here, or None when it can."""
    if postgres_bin() is None:
        return "PostgreSQL's initdb/pg_ctl are not installed"
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        return f"no {OS_USER!r} OS user to run a private PostgreSQL server as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != OS_USER:
        return f"making a private PostgreSQL server needs root or the {OS_USER!r} user"
    return None


class PrivatePostgres:
    """One throwaway PostgreSQL server (see the module docstring)."""

    def __init__(self, *, port=None):
        self.bin = postgres_bin()
        self.port = port or free_port()
        self.root = None

    @property
    def data_dir(self):
        return self.root / "data"

    @property
    def log_path(self):
        return self.root / "postgres.log"

    def database_url(self, name):
        return f"postgres://{OS_USER}@127.0.0.1:{self.port}/{name}"

    def __enter__(self):
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.root = Path(tempfile.mkdtemp(prefix="tableorder-pg-"))
        try:
            user = pwd.getpwnam(OS_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_postgres(
                "initdb", "-D", self.data_dir, "-A", "trust", "-U", OS_USER, "--no-sync", "-E", "UTF8", "--locale=C"
            )
            self.start()
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, *exc):
        self._remove()

    def _as_postgres(self, program, *args, timeout=60):
        command = [str(self.bin / program), *(str(a) for a in args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        return subprocess.run(command, check=True, capture_output=True, text=True, timeout=timeout, cwd=self.root)

    def _server_options(self):
        # fsync off: a throwaway server's durability does not matter, and the disk is shared.
        return f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"

    def start(self):
        self._as_postgres(
            "pg_ctl", "-D", self.data_dir, "-l", self.log_path, "-w", "-t", "30", "-o", self._server_options(), "start"
        )

    def stop(self, mode="fast"):
        """Stop the server: `fast` rolls back open transactions and disconnects everyone."""
        self._as_postgres("pg_ctl", "-D", self.data_dir, "-w", "-t", "30", "-m", mode, "stop")

    def restart(self):
        """Stop (fast) and start again; returns (seconds down, the moment it accepted connections again)."""
        stopped = time.monotonic()
        self.stop()
        self.start()
        up = time.monotonic()
        return up - stopped, up

    def _remove(self):
        if self.root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
