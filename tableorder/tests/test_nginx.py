"""The production nginx configuration, run for real on loopback in front of the app.

deploy/nginx/tableorder.conf is used as written, with only its ports and directories
pointed at this test's: event streams must pass unbuffered and uncompressed, static files
come from nginx itself, everything else is proxied.
"""

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from orders.tests.sse_client import HTTPStream
from tableorder.tests.browser import MANAGER, STORE_CODE, TABLE_PASSWORD, AppServer, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "tableorder.conf"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is missing (apt-get install -y nginx)")


def render_site(*, app_port, listen_port, static_root, media_root):
    site = SITE.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "listen [::]:80;": "",
        "/srv/tableorder/staticfiles/": f"{static_root}/",
        "/srv/tableorder/media/": f"{media_root}/",
    }
    for old, new in replacements.items():
        assert old in site, f"{old!r} is no longer in {SITE.name}: update this test"
        site = site.replace(old, new)
    return site


@pytest.fixture(scope="module")
def proxied():
    """(nginx URL, app server): the app under uvicorn with nginx in front, both on loopback."""
    app = AppServer().start()
    workdir = Path(tempfile.mkdtemp(prefix="tableorder-nginx-"))
    try:
        static_root = workdir / "static"
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=settings.BASE_DIR,
            env={**app.env, "STATIC_ROOT": str(static_root)},
            check=True,
            capture_output=True,
        )
        port = free_port()
        (workdir / "site.conf").write_text(
            render_site(app_port=app.port, listen_port=port, static_root=static_root, media_root=app.env["MEDIA_ROOT"])
        )
        (workdir / "nginx.conf").write_text(
            f"""
            user root;
            worker_processes 1;
            daemon off;
            pid {workdir}/nginx.pid;
            error_log {workdir}/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                access_log off;
                client_body_temp_path {workdir}/body;
                proxy_temp_path {workdir}/proxy;
                fastcgi_temp_path {workdir}/fastcgi;
                uwsgi_temp_path {workdir}/uwsgi;
                scgi_temp_path {workdir}/scgi;
                include {workdir}/site.conf;
            }}
            """
        )
        check = subprocess.run([NGINX, "-t", "-c", str(workdir / "nginx.conf")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen([NGINX, "-c", str(workdir / "nginx.conf")], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{url}/healthz")
            yield url
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
    finally:
        app.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for(url, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_requests_are_proxied_to_the_app(proxied):
    response = httpx.get(f"{proxied}/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_static_files_come_from_nginx_compressed_and_cacheable(proxied):
    response = httpx.get(f"{proxied}/static/tablet/tablet.css", headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "immutable" in response.headers["cache-control"]
    assert "uvicorn" not in response.headers.get("server", "")


def test_event_streams_pass_through_unbuffered_and_uncompressed(proxied):
    with httpx.Client(base_url=proxied) as client:
        manager = client.post(
            "/api/v1/auth/login",
            json={"store_code": STORE_CODE, "username": MANAGER, "password": "manager-pass-1"},
        ).json()["access"]
        tablet = client.post(
            "/api/v1/auth/table/login", json={"store_code": STORE_CODE, "table_number": 11, "password": TABLE_PASSWORD}
        ).json()["access"]
        item_id = client.get("/api/v1/menu", headers={"authorization": f"Bearer {tablet}"}).json()["categories"][0][
            "items"
        ][0]["id"]

    async def scenario():
        stream = HTTPStream(
            f"{proxied}/api/v1/admin/stream", token=manager, headers={"accept-encoding": "gzip, deflate"}
        )
        async with stream:
            assert stream.status == 200
            assert "content-encoding" not in stream.response.headers
            assert stream.response.headers["content-type"].startswith("text/event-stream")
            await stream.events(1)  # stream.open
            async with httpx.AsyncClient(base_url=proxied) as client:
                placed = await client.post(
                    "/api/v1/orders",
                    json={"items": [{"menu_item_id": item_id, "quantity": 2}]},
                    headers={"authorization": f"Bearer {tablet}", "idempotency-key": str(uuid.uuid4())},
                )
            assert placed.status_code == 201
            # A buffering proxy would hold the event back until its buffer fills.
            (event,) = await stream.events(1, timeout=3)
            assert event.event == "order.created"
            assert event.data["order"]["id"] == placed.json()["id"]

    # On a thread of its own: Playwright's sync API may already run an event loop on this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()
