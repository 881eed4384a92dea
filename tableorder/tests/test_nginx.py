"""The production nginx configuration, run for real on loopback in front of the app.

deploy/nginx/tableorder.conf is used as written, with only its ports and directories
pointed at this test's (and its open-stream cap lowered to one a test can reach): event
streams must pass unbuffered and uncompressed, static files come from nginx itself,
everything else is proxied, and nginx refuses bursts and oversized bodies itself.

Limits count per client address. All of 127.0.0.0/8 is loopback, so each test that
exhausts a limit connects from an address of its own and the others keep their allowance.
"""

import asyncio
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from PIL import Image

from orders.tests.sse_client import HTTPStream
from tableorder.tests.browser import MANAGER, STORE_CODE, TABLE_PASSWORD, AppServer, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "tableorder.conf"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is missing (apt-get install -y nginx)")

# The production cap is far above what a test should open; the mechanism is the same.
STREAM_CAP = 3


def render_site(*, app_port, listen_port, static_root, media_root, logs):
    site = SITE.read_text()
    replacements = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{listen_port};",
        "listen [::]:80;": "",
        "/srv/tableorder/staticfiles/": f"{static_root}/",
        "/srv/tableorder/media/": f"{media_root}/",
        "limit_conn tableorder_streams 200;": f"limit_conn tableorder_streams {STREAM_CAP};",
        "/var/log/nginx/tableorder.access.log": str(logs / "access.log"),
        "/var/log/nginx/error.log": str(logs / "error.log"),
    }
    for old, new in replacements.items():
        assert old in site, f"{old!r} is no longer in {SITE.name}: update this test"
        site = site.replace(old, new)
    return site


class ProxiedURL(str):
    """nginx's base URL; `.access_log` is the file its access log goes to, `.logs` the
    directory of every log file it writes."""

    access_log: Path
    logs: Path


def start_nginx(workdir, *, app_port, static_root, media_root):
    """nginx with the site on a free loopback port, its logs in `workdir`: (process, URL)."""
    port = free_port()
    (workdir / "site.conf").write_text(
        render_site(
            app_port=app_port,
            listen_port=port,
            static_root=static_root,
            media_root=media_root,
            logs=workdir,
        )
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
    url = ProxiedURL(f"http://127.0.0.1:{port}")
    url.access_log = workdir / "access.log"
    url.logs = workdir
    return nginx, url


def stop_nginx(nginx):
    nginx.terminate()
    nginx.wait(timeout=10)


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
        nginx, url = start_nginx(workdir, app_port=app.port, static_root=static_root, media_root=app.env["MEDIA_ROOT"])
        try:
            wait_for(f"{url}/healthz")
            yield url
        finally:
            stop_nginx(nginx)
    finally:
        app.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def app_stopped():
    """nginx's URL with no app behind it (a stopped or restarting app server)."""
    workdir = Path(tempfile.mkdtemp(prefix="tableorder-nginx-down-"))
    (workdir / "static").mkdir()
    (workdir / "media").mkdir()
    nginx, url = start_nginx(
        workdir, app_port=free_port(), static_root=workdir / "static", media_root=workdir / "media"
    )
    try:
        wait_for(f"{url}/static/missing.css", expect=404)
        yield url
    finally:
        stop_nginx(nginx)
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for(url, timeout=20, expect=200):
    """Until `url` answers with the status `expect`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == expect:
                    return
        except urllib.error.HTTPError as error:
            if error.code == expect:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} never answered {expect}")
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


def from_address(address, *, asynchronous=False):
    """A transport whose connections come from `address` (a loopback address of the test's own)."""
    return (httpx.AsyncHTTPTransport if asynchronous else httpx.HTTPTransport)(local_address=address)


def manager_token(client):
    body = {"store_code": STORE_CODE, "username": MANAGER, "password": "manager-pass-1"}
    return client.post("/api/v1/auth/login", json=body).json()["access"]


def test_a_burst_of_logins_from_one_address_is_refused_by_nginx(proxied):
    with httpx.Client(base_url=proxied, transport=from_address("127.0.0.2")) as client:
        # A made-up X-Forwarded-For does not make a client someone else.
        answers = [
            client.post("/api/v1/auth/login", json={}, headers={"x-forwarded-for": f"198.51.100.{n}"})
            for n in range(40)
        ]
        statuses = [answer.status_code for answer in answers]
        # The first ones reach the app (an empty login is its 400), then nginx steps in.
        assert statuses[:30] == [400] * 30, statuses
        refused = [answer for answer in answers if answer.status_code == 429]
        assert len(refused) >= 5, statuses
        assert refused[0].json()["error"]["code"] == "rate_limited"  # not the app's `locked_out`
        assert refused[0].headers["content-type"] == "application/json"
        assert int(refused[0].headers["retry-after"]) > 0
        # Every login shares the allowance: the tablet's and the back office's too.
        assert client.post("/api/v1/auth/table/login", json={}).status_code == 429
        assert client.post("/admin/login/", data={}).status_code == 429
        # The rest of the API has an allowance of its own.
        assert client.get("/api/v1/menu").status_code == 401
    # Another address logs in as usual.
    with httpx.Client(base_url=proxied, transport=from_address("127.0.0.3")) as client:
        assert client.post("/api/v1/auth/login", json={}).status_code == 400


def test_nginx_refuses_api_bodies_over_64_kb_before_the_app(proxied):
    padded = b'{"items": []' + b" " * 100_000 + b"}"
    refused = httpx.post(f"{proxied}/api/v1/orders", content=padded, headers={"content-type": "application/json"})
    assert refused.status_code == 413
    assert refused.json()["error"]["code"] == "too_large"
    # Under the limit, the body reaches the app (which wants a token first).
    fits = b'{"items": []' + b" " * 60_000 + b"}"
    answered = httpx.post(f"{proxied}/api/v1/orders", content=fits, headers={"content-type": "application/json"})
    assert answered.status_code == 401
    # Login bodies are held to the same 64 KB.
    assert httpx.post(f"{proxied}/admin/login/", content=padded).status_code == 413


@pytest.fixture(scope="module")
def five_mb_png():
    """A real PNG of about 4.9 MB (noise does not compress), under the app's 5 MB limit."""
    picture = Image.frombytes("RGB", (1700, 1000), os.urandom(1700 * 1000 * 3))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    data = buffer.getvalue()
    assert 4_500_000 < len(data) < 5 * 1024 * 1024
    return data


def test_a_5_mb_image_upload_passes_nginx_through_the_manager_api(proxied, five_mb_png):
    with httpx.Client(base_url=proxied, timeout=30) as client:
        headers = {"authorization": f"Bearer {manager_token(client)}"}
        category = client.get("/api/v1/admin/categories", headers=headers).json()["results"][0]["id"]
        fields = {"category": str(category), "name": "큰 사진 메뉴", "price": "9000"}
        files = {"image": ("photo.png", five_mb_png, "image/png")}
        created = client.post("/api/v1/admin/menu-items", data=fields, files=files, headers=headers)
        assert created.status_code == 201, created.text
        assert created.json()["image_url"].endswith(".png")
        # 6 MB is where nginx stops uploads too.
        files = {"image": ("photo.png", five_mb_png + b"\0" * 1_500_000, "image/png")}
        refused = client.post("/api/v1/admin/menu-items", data=fields, files=files, headers=headers)
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "too_large"


def hidden_inputs(page):
    """name → value of a page's hidden inputs (the CSRF token, the inline formsets' counts)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def test_a_5_mb_image_upload_passes_nginx_through_the_admin(proxied, five_mb_png):
    with httpx.Client(base_url=proxied, timeout=30) as client:
        category = client.get(
            "/api/v1/admin/categories", headers={"authorization": f"Bearer {manager_token(client)}"}
        ).json()["results"][0]["id"]
        login_page = client.get("/admin/login/").text
        login = {"store_code": STORE_CODE, "username": MANAGER, "password": "manager-pass-1"}
        assert client.post("/admin/login/", data={**hidden_inputs(login_page), **login}).status_code == 302
        add_url = "/admin/menus/menuitem/add/"
        form = {
            **hidden_inputs(client.get(add_url).text),
            "category": str(category),
            "name": "큰 사진",
            "price": "9000",
        }
        files = {"image": ("photo.png", five_mb_png, "image/png")}
        saved = client.post(add_url, data={**form, "is_available": "on"}, files=files)
        # The admin redirects to the list once it has saved the item with its image.
        assert saved.status_code == 302, saved.text[:2000]
        assert saved.headers["location"] == "/admin/menus/menuitem/"


def test_open_streams_per_address_are_capped_by_nginx(proxied):
    with httpx.Client(base_url=proxied) as client:
        headers = {"authorization": f"Bearer {manager_token(client)}"}

    async def scenario():
        transport = from_address("127.0.0.4", asynchronous=True)
        async with httpx.AsyncClient(
            base_url=proxied, transport=transport, timeout=httpx.Timeout(10, read=None)
        ) as client:
            streams = [client.stream("GET", "/api/v1/admin/stream", headers=headers) for _ in range(STREAM_CAP)]
            opened = [await stream.__aenter__() for stream in streams]
            assert [response.status_code for response in opened] == [200] * STREAM_CAP
            async with client.stream("GET", "/api/v1/admin/stream", headers=headers) as one_more:
                assert one_more.status_code == 429
                assert json.loads(await one_more.aread())["error"]["code"] == "rate_limited"
            # A closed stream frees its connection's place (once nginx has seen it close).
            await streams.pop().__aexit__(None, None, None)
            for _attempt in range(50):
                again = client.stream("GET", "/api/v1/admin/stream", headers=headers)
                if (await again.__aenter__()).status_code == 200:
                    break
                await again.__aexit__(None, None, None)
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the closed stream's place was never freed")
            for stream in [*streams, again]:
                await stream.__aexit__(None, None, None)

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, scenario()).result()


def test_the_apps_own_login_lockouts_answer_429_behind_nginx(proxied):
    """The second line: django-axes under the ASGI server, for every kind of login."""
    wrong = {"store_code": STORE_CODE, "username": "intruder", "password": "guess"}
    with httpx.Client(base_url=proxied, transport=from_address("127.0.0.5")) as client:
        answers = [client.post("/api/v1/auth/login", json=wrong).status_code for _ in range(4)]
        page = client.get("/admin/login/").text
        locked_page = client.post("/admin/login/", data={**hidden_inputs(page), **wrong})
        assert answers == [401] * 4
        assert locked_page.status_code == 429
        assert locked_page.headers["content-type"].startswith("text/html")
        locked_api = client.post("/api/v1/auth/login", json=wrong)
        assert locked_api.status_code == 429
        assert locked_api.json()["error"]["code"] == "locked_out"
        tablet = {"store_code": STORE_CODE, "table_number": 12, "password": "guess"}
        answers = [client.post("/api/v1/auth/table/login", json=tablet) for _ in range(5)]
        assert [answer.status_code for answer in answers] == [401] * 4 + [429]
        assert answers[-1].json()["error"]["code"] == "locked_out"


def test_the_access_log_leaves_out_query_strings_and_so_stream_tickets(proxied):
    with httpx.Client(base_url=proxied) as client:
        tablet = client.post(
            "/api/v1/auth/table/login", json={"store_code": STORE_CODE, "table_number": 12, "password": TABLE_PASSWORD}
        ).json()["access"]
        ticket = client.post("/api/v1/stream-ticket", headers={"authorization": f"Bearer {tablet}"}).json()["ticket"]
        # A bad Last-Event-ID makes the stream answer (400) at once, after nginx saw the ticket.
        refused = client.get("/api/v1/orders/stream", params={"ticket": ticket, "last_event_id": "x"})
    assert refused.status_code == 400
    deadline = time.monotonic() + 5
    while "/api/v1/orders/stream" not in proxied.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    logged = proxied.access_log.read_text()
    assert '"GET /api/v1/orders/stream HTTP/1.1" 400' in logged
    assert ticket not in logged and "ticket=" not in logged


# The app stopped behind nginx (a restart, a crash, a deploy): nginx answers itself.

API_PATHS = ["/api/v1/menu", "/api/v1/auth/login", "/api/v1/admin/menu-items/3", "/api/v1/orders/stream"]


@pytest.mark.parametrize("path", API_PATHS)
def test_the_api_answers_in_its_error_shape_when_the_app_is_down(app_stopped, path):
    response = httpx.get(f"{app_stopped}{path}")
    assert response.status_code == 502
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "service_unavailable",
            "message": "잠시 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해 주세요.",
        }
    }
    assert int(response.headers["retry-after"]) > 0


def test_pages_keep_nginx_s_own_page_when_the_app_is_down(app_stopped):
    for path in ["/", "/admin/", "/tablet/"]:
        response = httpx.get(f"{app_stopped}{path}")
        assert response.status_code == 502
        assert response.headers["content-type"] == "text/html"


def test_a_stream_ticket_reaches_no_log_when_the_app_is_down(app_stopped):
    ticket = secrets.token_urlsafe(48)
    for stream in ["/api/v1/orders/stream", "/api/v1/admin/stream"]:
        response = httpx.get(f"{app_stopped}{stream}", params={"ticket": ticket, "last_event_id": "7"})
        assert response.status_code == 502
    # Another request's failure is in the error log: the log is written, only not with tickets.
    assert httpx.get(f"{app_stopped}/api/v1/menu").status_code == 502
    deadline = time.monotonic() + 5
    while "/api/v1/admin/stream" not in app_stopped.access_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    logs = {path.name: path.read_text() for path in app_stopped.logs.glob("*.log")}
    assert set(logs) == {"access.log", "error.log"}
    assert "connect() failed" in logs["error.log"] and "/api/v1/menu" in logs["error.log"]
    assert '"GET /api/v1/orders/stream HTTP/1.1" 502' in logs["access.log"]
    assert '"GET /api/v1/admin/stream HTTP/1.1" 502' in logs["access.log"]
    for name, text in logs.items():
        assert ticket not in text, name
        assert "stream?ticket" not in text, name
