"""deploy/: the open-files limits of the app server and nginx, sized for the same streams.

An open event stream holds one descriptor in its app worker and two in nginx (the client's
connection and the one to the app). The app takes streams up to its LimitNOFILE less
STREAM_FD_RESERVE and refuses more with a 503 (orders.stream_capacity); nginx must be able to
hold every stream the app takes, or a stream is dropped by nginx instead of refused by the app.
"""

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from bench.fanout import parse_args as fanout_args
from bench.server import production_open_files_limit

DEPLOY = Path(settings.BASE_DIR) / "deploy"
MAIN_SNIPPET = DEPLOY / "nginx" / "tableorder-main.conf"
DEPLOY_SH = DEPLOY / "deploy.sh"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")


def env_example():
    lines = (DEPLOY / "env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def app_streams_per_worker():
    return production_open_files_limit() - int(env_example()["STREAM_FD_RESERVE"])


def nginx_worker_connections():
    (value,) = re.findall(r"^NGINX_WORKER_CONNECTIONS=(\d+)$", DEPLOY_SH.read_text(), re.MULTILINE)
    return int(value)


def nginx_rlimit():
    (value,) = re.findall(r"^worker_rlimit_nofile (\d+);$", MAIN_SNIPPET.read_text(), re.MULTILINE)
    return int(value)


def test_the_app_server_has_an_open_files_limit_and_a_worker_holds_the_streams_it_is_sized_for():
    # The benchmark's fan-out, which meets its targets at this many streams on one worker.
    sized_for = fanout_args([]).streams
    assert production_open_files_limit() == 16384
    assert int(env_example()["STREAM_FD_RESERVE"]) == settings.STREAM_FD_RESERVE
    assert app_streams_per_worker() >= sized_for


def test_nginx_holds_every_stream_the_app_workers_take():
    app_streams = int(env_example()["WEB_CONCURRENCY"]) * app_streams_per_worker()
    # Conservatively on one nginx worker: connections are not spread evenly between them.
    assert nginx_worker_connections() >= 2 * app_streams
    assert nginx_rlimit() >= 2 * nginx_worker_connections()


def test_deploy_sh_installs_the_main_context_snippet_and_sets_worker_connections():
    script = DEPLOY_SH.read_text()
    assert 'deploy/nginx/tableorder-main.conf" /etc/nginx/modules-enabled/' in script
    if not DEBIAN_NGINX_CONF.exists():
        pytest.skip("Debian's nginx.conf is missing (apt-get install -y nginx)")
    assert "include /etc/nginx/modules-enabled/*.conf;" in DEBIAN_NGINX_CONF.read_text()
    (edit,) = [line for line in script.splitlines() if line.startswith("sed ") and "/etc/nginx/nginx.conf" in line]
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / "nginx.conf"
        copy.write_text(DEBIAN_NGINX_CONF.read_text())
        subprocess.run(
            [
                "bash",
                "-c",
                f"NGINX_WORKER_CONNECTIONS={nginx_worker_connections()}\n"
                + edit.replace("/etc/nginx/nginx.conf", str(copy)),
            ],
            check=True,
        )
        assert re.findall(r"^\s*worker_connections (\d+);$", copy.read_text(), re.MULTILINE) == [
            str(nginx_worker_connections())
        ]


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is missing (apt-get install -y nginx)")
def test_nginx_accepts_the_limits_in_the_main_context():
    with tempfile.TemporaryDirectory() as workdir:
        conf = Path(workdir) / "nginx.conf"
        conf.write_text(
            f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log;\ninclude {MAIN_SNIPPET};\n"
            f"events {{ worker_connections {nginx_worker_connections()}; }}\nhttp {{ access_log off; }}\n"
        )
        check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
