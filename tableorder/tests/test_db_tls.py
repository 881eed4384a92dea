"""TLS to the database with verification (DB_SSLROOTCERT → sslmode verify-full), end to end.

A private PostgreSQL server with a certificate for "localhost" signed by a CA of this test:
the app connects over TLS when given that CA, and refuses a server whose certificate another
CA signed or whose name is not the host it connects to. Needs PostgreSQL's server programs
and openssl; the shared server is never touched.
"""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tableorder.tests.browser import free_port
from tableorder.tests.test_settings import PRODUCTION_ENV, evaluate, manage

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(
    not PG_BIN or not OPENSSL, reason="needs PostgreSQL's server programs (initdb, pg_ctl) and openssl"
)


def openssl(*args, cwd):
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}",
            "-keyout", f"{name}.key", "-out", f"{name}.crt", cwd=directory)  # fmt: skip
    return directory / f"{name}.crt"


@pytest.fixture(scope="module")
def tls_server():
    """(port, the CA that signed its certificate, another CA) of a private TLS-only server."""
    bindir = Path(PG_BIN[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="tableorder-tls-"))
    try:
        ca, other_ca = make_ca(root, "test-ca"), make_ca(root, "other-ca")
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "server.key", "-out", "server.csr", cwd=root)  # fmt: skip
        (root / "san.ext").write_text("subjectAltName=DNS:localhost\n")
        openssl("x509", "-req", "-in", "server.csr", "-CA", "test-ca.crt", "-CAkey", "test-ca.key",
                "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "server.crt", cwd=root)  # fmt: skip
        (root / "server.key").chmod(0o600)
        if as_postgres:
            shutil.chown(root, "postgres")
            for path in root.iterdir():
                shutil.chown(path, "postgres")
        subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(root / "data"), "-A", "trust",
                        "-U", "postgres", "--no-sync"], check=True, capture_output=True, timeout=120)  # fmt: skip
        # Only TLS connections are accepted, so a client that skipped TLS could not connect at all.
        (root / "data" / "pg_hba.conf").write_text(
            "hostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n"
        )
        port = free_port()
        options = (
            f"-p {port} -k {root} -c listen_addresses=localhost -c ssl=on -c fsync=off "
            f"-c ssl_cert_file={root}/server.crt -c ssl_key_file={root}/server.key"
        )
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"),
                        "-o", options, "-w", "start"], check=True, capture_output=True, timeout=60)  # fmt: skip
        try:
            yield port, ca, other_ca
        finally:
            subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                            "stop"], capture_output=True, timeout=60)  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)


def app_env(host, port, ca):
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"postgres://postgres@{host}:{port}/postgres",
        "DB_SSLROOTCERT": str(ca),
        "DB_POOL_TIMEOUT": "1",
    }


SSL_IN_USE = "connection.cursor().execute('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()').fetchone()"


def test_the_app_connects_over_tls_to_a_server_the_ca_vouches_for(tls_server):
    port, ca, _other = tls_server
    assert evaluate(SSL_IN_USE, app_env("localhost", port, ca)) == (True,)


@pytest.mark.parametrize(
    ("host", "which_ca", "reason"),
    [
        ("localhost", "other", "certificate verify failed"),
        ("127.0.0.1", "own", "does not match host name"),
    ],
)
def test_the_app_refuses_a_server_it_cannot_verify(tls_server, host, which_ca, reason):
    port, ca, other_ca = tls_server
    env = app_env(host, port, other_ca if which_ca == "other" else ca)
    result = manage("shell", "--no-imports", "-c", f"from django.db import connection\n{SSL_IN_USE}", env=env)
    assert result.returncode != 0
    assert reason in result.stderr, result.stderr
