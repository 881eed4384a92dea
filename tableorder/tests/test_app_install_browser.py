"""The tablet app and the back office's screens install to a home screen: Chromium itself, asked
over the DevTools protocol, finds their manifests valid and has no reason not to install them."""

import tempfile

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import CHROMIUM, CHROMIUM_ARGS, MANAGER, STORE_CODE
from tableorder.tests.test_tablet_browser import set_up_tablet

pytestmark = pytest.mark.browser


@pytest.fixture
def profile_page(chromium, app_server):
    """A page of a browser with a profile on disk: an incognito context (Playwright's usual) never
    installs anything, so Chromium would give only that reason."""
    with tempfile.TemporaryDirectory(prefix="tableorder-profile-") as profile:
        context = chromium.browser_type.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=app_server.url,
            locale="ko-KR",
            viewport={"width": 1280, "height": 800},
        )
        context.set_default_timeout(10_000)
        errors = []
        page = context.pages[0] if context.pages else context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
        try:
            yield page
        finally:
            context.close()
        assert not errors, errors


def installability(page):
    """(installability errors, manifest parse errors, the parsed manifest) as Chromium sees the page."""
    cdp = page.context.new_cdp_session(page)
    try:
        manifest = cdp.send("Page.getAppManifest")
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    finally:
        cdp.detach()
    return errors, manifest["errors"], manifest


def expect_installable(page, manifest_path, start_url, scope, screenshots=None):
    errors, parse_errors, manifest = installability(page)
    assert parse_errors == [], parse_errors
    assert errors == [], errors
    assert manifest["url"].endswith(manifest_path)
    parsed = manifest.get("manifest") or {}
    if parsed:
        assert parsed.get("startUrl", "").endswith(start_url), parsed
        assert parsed.get("scope", "").endswith(scope), parsed
        assert parsed.get("display") in ("fullscreen", "kFullscreen"), parsed


def test_the_tablet_app_is_installable(profile_page, app_server):
    page = profile_page
    app_server.run_in_app("add_table", 131)
    set_up_tablet(page, 131)
    expect_installable(page, "/manifest.webmanifest", "/", "/")
    # Its icon answers, and so does the one browsers ask for by themselves.
    for path in ("/favicon.ico", page.locator("link[rel=icon]").get_attribute("href")):
        response = page.request.get(path)
        assert response.status == 200 and response.headers["content-type"].startswith("image/")
    expect(page.locator("meta[name=theme-color]")).to_have_attribute("content", "#ffffff")


def test_the_live_dashboard_and_the_kitchen_display_are_installable(profile_page):
    dashboard = profile_page
    dashboard.goto("/admin/login/")
    dashboard.get_by_label("매장 식별자").fill(STORE_CODE)
    dashboard.get_by_label("아이디").fill(MANAGER)
    dashboard.get_by_label("비밀번호").fill("manager-pass-1")
    dashboard.get_by_role("button", name="로그인").click()
    dashboard.wait_for_url("**/admin/live/")
    expect_installable(dashboard, "/admin/live.webmanifest", "/admin/live/", "/admin/")
    expect(dashboard.locator("meta[name=theme-color]")).to_have_attribute("content", "#417690")
    dashboard.goto("/admin/kitchen/")
    expect(dashboard.locator("#kds")).to_be_visible()
    expect_installable(dashboard, "/admin/kitchen.webmanifest", "/admin/kitchen/", "/admin/")
