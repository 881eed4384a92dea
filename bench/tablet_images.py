"""The image bytes a tablet downloads on the demo menu's first load, in Chromium.

    python -m bench.tablet_images [--root CHECKOUT] [--photos]

Serves a checkout (this one, or `--root`, e.g. a worktree of an earlier commit) under uvicorn
with DEBUG on (Django serves the media) on a fresh SQLite database seeded by `seed_demo`,
then for each screen (portrait 800×1280, landscape 1280×800; device pixel ratio 1 and 2)
sets up a fresh tablet and adds up the bodies of the image responses: once the first screen
has loaded, and again after scrolling through the whole menu. `--photos` first gives every
demo item a 4032×3024 JPEG (about 1.8 MB, quality 92, as a phone takes them) through the checkout's own
`menus.services.save_menu_item`.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
SCREENS = {"portrait": {"width": 800, "height": 1280}, "landscape": {"width": 1280, "height": 800}}
PHOTOS = """
import io, random
from django.core.files.base import ContentFile
from PIL import Image, ImageFilter
from menus.models import MenuItem
from menus.services import save_menu_item
for item in MenuItem.objects.filter(store__code="demo").exclude(image=""):
    with item.image.open() as stored:
        drawing = Image.open(stored).convert("RGB")
    photo = drawing.resize((4032, 3024), Image.Resampling.BICUBIC)
    # Sensor noise, so the JPEG weighs what a phone's does.
    noise = Image.effect_noise((4032, 3024), 24).convert("RGB").filter(ImageFilter.GaussianBlur(0.6))
    photo = Image.blend(photo, noise, 0.18)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    item.image = ContentFile(buffer.getvalue(), name="photo.jpg")
    save_menu_item(item=item)
"""


def run(root, env, *args):
    subprocess.run([sys.executable, *args], cwd=root, env=env, check=True, capture_output=True)


def serve(root, workdir, photos):
    env = {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": "bench-only-secret-key-not-for-production",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "tableorder.settings",
    }
    run(root, env, "manage.py", "migrate", "--noinput")
    run(root, env, "manage.py", "seed_demo")
    if photos:
        run(root, env, "manage.py", "shell", "-c", PHOTOS)
    port = free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tableorder.asgi:application", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return server, f"http://127.0.0.1:{port}"


def wait_for(url, server, timeout=30):
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer")


def measure(browser, url, viewport, scale):
    """(first screen, whole menu): {bytes, requests, widest} of the image responses."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, has_touch=True, locale="ko-KR")
    page = context.new_page()
    images, pending = {}, set()

    def started(request):
        if request.resource_type == "image":
            pending.add(request.url)

    def finished(request):
        if request.resource_type == "image" and request.url in pending:
            pending.discard(request.url)
            response = request.response()
            images[request.url] = len(response.body()) if response and response.ok else 0

    def settle():
        # Until no image is loading and none has started for a second.
        quiet_since, count = time.monotonic(), -1
        while time.monotonic() - quiet_since < 1.0:
            page.wait_for_timeout(100)
            if pending or len(images) != count:
                quiet_since, count = time.monotonic(), len(images)

    page.on("request", started)
    page.on("requestfinished", finished)
    page.on("requestfailed", lambda request: pending.discard(request.url))
    page.goto(url)
    page.get_by_label("매장 식별자").fill("demo")
    page.get_by_label("테이블 번호").fill("1")
    page.get_by_label("테이블 비밀번호").fill("1234")
    page.get_by_role("button", name="설정 완료").click()
    page.locator("#menu-content .item").first.wait_for()
    settle()
    first = summary(images)
    for _ in range(60):
        at_end = page.evaluate(
            """() => { const view = document.querySelector('#menu-content').closest('.view');
                       view.scrollBy(0, view.clientHeight * 0.8);
                       return view.scrollTop + view.clientHeight >= view.scrollHeight - 2; }"""
        )
        page.wait_for_timeout(150)
        if at_end:
            break
    settle()
    whole = summary(images)
    context.close()
    return first, whole


def summary(images):
    return {"bytes": sum(images.values()), "requests": len(images), "kinds": sorted({_kind(url) for url in images})}


def _kind(url):
    name = url.rsplit("/", 1)[-1]
    return name.rsplit("_", 1)[-1] if name.endswith(".webp") else name.rsplit(".", 1)[-1]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.tablet_images", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--photos", action="store_true", help="give every demo item a 4032×3024 phone photo first")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="tableorder-images-") as tmp:
        server, url = serve(args.root.resolve(), Path(tmp), args.photos)
        try:
            wait_for(url, server)
            results = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
                )
                for name, viewport in SCREENS.items():
                    for scale in (1, 2):
                        first, whole = measure(browser, url, viewport, scale)
                        results[f"{name} ×{scale}"] = {"first screen": first, "whole menu": whole}
                        print(
                            f"{name:9} ×{scale}: first screen {first['bytes']:>10,} B in {first['requests']:>2} images"
                            f" {first['kinds']}; whole menu {whole['bytes']:>10,} B in {whole['requests']:>2}"
                        )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
