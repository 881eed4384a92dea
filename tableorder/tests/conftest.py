"""Browser-test fixtures: the app under uvicorn, Debian's Chromium, a fresh tablet per test.

All browser tests share one app server and its database, so each test works on tables of
its own: the tablet tests on 1–12, 51–56, 111–117 and 121–122, the dashboard tests on 21–36,
41–47 and 71–103, the hostile-input tests (test_hostile_browser.py) on 61–66 of a store of
their own, the moves (test_move_browser.py) on 161–163, the languages (test_languages_browser.py)
on 191–194, the tablet's accessibility (test_tablet_a11y_browser.py) on 195–198, easy mode
(test_easy_mode_browser.py) on 201–202, the dashboard's and kitchen's accessibility
(test_board_a11y_browser.py) on 206–209.
"""

import pytest

from tableorder.tests.browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, AppServer

LANDSCAPE = {"width": 1280, "height": 800}
PORTRAIT = {"width": 800, "height": 1280}


@pytest.fixture(scope="session")
def app_server():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); .ci/run installs it")
    server = AppServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium(app_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(chromium, app_server, viewport):
    context = chromium.new_context(
        viewport=viewport, has_touch=True, locale="ko-KR", timezone_id="Asia/Seoul", base_url=app_server.url
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: "Content Security Policy" in message.text and errors.append(message.text))
    # A restaurant's Wi-Fi may have no internet: the page must load everything from the server.
    page.on("request", lambda request: request.url.startswith(app_server.url) or errors.append(request.url))
    return context, page, errors


def _checked_page(chromium, app_server, viewport):
    context, page, errors = _new_page(chromium, app_server, viewport)
    yield page
    context.close()
    assert not errors, f"script errors or requests off the server: {errors}"


@pytest.fixture
def page(chromium, app_server):
    """A fresh tablet (empty localStorage) in landscape; fails the test on any script error."""
    yield from _checked_page(chromium, app_server, LANDSCAPE)


@pytest.fixture
def portrait_page(chromium, app_server):
    yield from _checked_page(chromium, app_server, PORTRAIT)


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


LAPTOP = {"width": 1440, "height": 900}


def _manager_page(chromium, app_server, viewport, sound="소리 없이 보기"):
    """A manager signed in through the admin login form, on the live dashboard, who answered the
    first visit's sound question with the button `sound` (None: left unanswered)."""
    from tableorder.tests.browser import MANAGER, STORE_CODE

    for page in _checked_page(chromium, app_server, viewport):
        page.goto("/admin/login/")
        page.get_by_label("매장 식별자").fill(STORE_CODE)
        page.get_by_label("아이디").fill(MANAGER)
        page.get_by_label("비밀번호").fill("manager-pass-1")
        page.get_by_role("button", name="로그인").click()
        page.wait_for_url("**/admin/live/")
        if sound is not None:
            page.locator("#sound-dialog").get_by_role("button", name=sound).click()
        yield page


@pytest.fixture
def dashboard(chromium, app_server):
    """The live dashboard of the test store in a landscape tablet's browser (1280×800)."""
    yield from _manager_page(chromium, app_server, LANDSCAPE)


@pytest.fixture
def laptop_dashboard(chromium, app_server):
    """The live dashboard on a laptop (1440×900)."""
    yield from _manager_page(chromium, app_server, LAPTOP)


@pytest.fixture
def tablet_api(chromium, app_server):
    """HTTP as tablets do it, from a browser context of its own (no manager cookies)."""
    context = chromium.new_context(base_url=app_server.url)
    yield context.request
    context.close()


@pytest.fixture
def second_dashboard(chromium, app_server):
    """Another manager's dashboard of the same store, in a browser context of its own."""
    yield from _manager_page(chromium, app_server, LANDSCAPE)


@pytest.fixture
def first_visit_dashboard(chromium, app_server):
    """The live dashboard on a device that was never asked about the sound."""
    yield from _manager_page(chromium, app_server, LANDSCAPE, sound=None)


@pytest.fixture
def portrait_dashboard(chromium, app_server):
    """The live dashboard on a tablet held upright (800×1280), with the sound on."""
    yield from _manager_page(chromium, app_server, PORTRAIT, sound="알림음 켜기")
