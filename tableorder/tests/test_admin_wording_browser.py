"""Every back-office page a store manager meets, read in Chromium as the manager reads it: the
demo store (seed_demo) after a little service, the demo manager (not a superuser) signed in.

The pages' visible text, with the button labels, placeholders and accessible names a screen
reader reads, must be Korean as a Korean product writes it: no English left over, no particle
guessed for a word the message does not know ("이/가", "(으)로"), amounts as `₩15,000`, one
spelling per term. Messages are read where they appear: after adding, changing and deleting,
after actions, on confirmation pages, in the history and the recent actions.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import STORE_CODE

pytestmark = pytest.mark.browser

# Open tablets follow a change of the store's settings within this (as menu changes).
LIVE_MS = 2_000

DEMO_STORE, DEMO_MANAGER, DEMO_PASSWORD = "demo", "manager", "demo1234"
# The demo's kitchen staff user, as the user list shows its name.
DEMO_KITCHEN = "kitchen"

PARTICLE_GUESS = re.compile(r"[이을은와과]/[가를는과와]|\((?:으|이|을|를|은|는|가|와|과)\)")
# A whole number of four digits or more with no thousands separator, other than a year ("2026년",
# "2026-12-07"), an order number ("#0042") or a clock time.
BARE_NUMBER = re.compile(r"(?<![\d#,.:/-])\d{4,}(?![\d년,.:/-])")
# Amounts read "₩15,000", never "15,000원".
WON_SUFFIX = re.compile(r"\d원")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z_]+")
# File formats, units (of the demo menu, of receipt paper), and what the manager typed or the store
# is called.
LATIN_ALLOWED = {
    "JSON",
    "CSV",
    "URL",
    "ID",
    "API",
    "NEW",
    "ml",
    "mm",
    DEMO_STORE,
    DEMO_MANAGER,
    DEMO_MANAGER.upper(),
    DEMO_KITCHEN,
}
# Data shown as it is, whatever the language: a menu file's CSV columns (import help), an image's
# file name, the password hash summary's algorithm, salt and checksum.
DATA = re.compile(
    r"category,name,price,description,image_url,is_available|\S+\.(?:jpe?g|png|gif|webp)\b"
    r"|bcrypt_sha256|(?:솔트|체크섬|해시): \S+"
)
ONE_SPELLING = {
    "대기 중": "대기중",
    "준비 중": "준비중",
    "요청 사항": "요청사항",
    "직원호출": "직원 호출",
    "이용완료": "이용 완료",
}
# The date drill-down's way back up names the year as a bare number ("‹ 2026").
YEAR_BACK_LINK = re.compile(r"‹ \d{4}\b")

VISIBLE_TEXT = """() => {
  const buttons = "input[type=submit], input[type=button]";
  const parts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll(`${buttons}, [placeholder], [aria-label], [title]`)) {
    if (el.closest("[hidden]")) continue;
    if (el.matches(buttons)) parts.push(el.value);
    for (const name of ["placeholder", "aria-label", "title"]) parts.push(el.getAttribute(name) || "");
  }
  return parts.join("\\n");
}"""


def wording_problems(text):
    """What in `text` a Korean product would not write, as short descriptions."""
    text = YEAR_BACK_LINK.sub("", DATA.sub("", text))
    problems = [f"particle guess: {match}" for match in PARTICLE_GUESS.findall(text)]
    problems += [f"number without separators: {match}" for match in BARE_NUMBER.findall(text)]
    problems += [f"won after the number: {match}" for match in WON_SUFFIX.findall(text)]
    problems += [f"English: {word}" for word in LATIN_WORD.findall(text) if word not in LATIN_ALLOWED]
    problems += [f"spelling: {wrong} (write {right})" for wrong, right in ONE_SPELLING.items() if wrong in text]
    return problems


class Reader:
    """Reads each page the manager lands on and keeps what is wrong with it, by page."""

    def __init__(self, page):
        self.page = page
        self.found = {}

    def read(self, what=None):
        text = self.page.evaluate(VISIBLE_TEXT)
        problems = wording_problems(text)
        if problems:
            self.found[what or self.page.url] = sorted(set(problems))
        return text

    def visit(self, url):
        self.page.goto(url)
        return self.read()

    def submit(self, button, what):
        """Click `button` and read the page it leads to."""
        with self.page.expect_navigation():
            button.click()
        return self.read(what)

    def links(self, selector):
        return self.page.eval_on_selector_all(selector, "els => [...new Set(els.map((el) => el.getAttribute('href')))]")


def test_the_wording_check_finds_what_the_issue_saw():
    seen = "2개의 메뉴이/가 변경되었습니다 · 카테고리 (으)로 · 47500 · DISPLAY NUMBER · 대기 중 · 15,000원"

    problems = wording_problems(seen)

    assert problems == [
        "particle guess: 이/가",
        "particle guess: (으)",
        "number without separators: 47500",
        "won after the number: 0원",
        "English: DISPLAY",
        "English: NUMBER",
        "spelling: 대기 중 (write 대기중)",
    ]
    assert wording_problems("#0042 · ₩47,500 · 2026년 12월 7일 21:12 · 2026-12-07 · 메뉴 2개를 변경했습니다.") == []


@pytest.fixture(scope="module")
def demo_store(app_server):
    app_server.manage("seed_demo")
    return app_server.run_in_app("demo_store_activity")


def _log_in(page, reader):
    page.goto("/admin/login/")
    reader.read()
    page.get_by_label("매장 식별자").fill(DEMO_STORE)
    page.get_by_label("아이디").fill(DEMO_MANAGER)
    page.get_by_label("비밀번호").fill("wrong-password")
    reader.submit(page.get_by_role("button", name="로그인"), "the login's error")
    page.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url("**/admin/live/")
    page.locator(".card").first.wait_for()
    reader.read()


def _walk_every_model(page, reader):
    """Each app page, list, add form, first object's page, its history and its delete page."""
    reader.visit("/admin/")
    lists = reader.links("#content-main a[href$='/'], #content-main a[href$='/add/']")
    assert any("/admin/orders/order/" in url for url in lists), lists
    for url in lists:
        reader.visit(url)
        if url.endswith("/add/") or url.count("/") <= 3:
            continue
        rows = reader.links("#result_list tbody th a, #result_list tbody td a[href*='/change/']")
        if not rows:
            continue
        reader.visit(rows[0])
        for extra in reader.links("a.historylink, a.deletelink"):
            reader.visit(extra)
    reader.visit("/admin/menus/menuitem/?q=찌개")
    reader.visit("/admin/menus/menuitem/?is_available__exact=1")
    reader.visit("/admin/orders/order/?deleted_at__isempty=0")
    reader.visit("/admin/password_change/")


def _add_change_and_delete(page, reader):
    """A category added, changed and deleted; two more deleted at once; the messages of each."""
    page.goto("/admin/menus/category/add/")
    page.locator("#id_name").fill("계절 메뉴")
    assert "추가를 마쳤습니다" in reader.submit(
        page.get_by_role("button", name="저장 후 계속 고치기"), "the message after adding"
    )
    page.locator("#id_name").fill("여름 메뉴")
    assert "변경 내용을 저장했습니다" in reader.submit(
        page.get_by_role("button", name="저장", exact=True), "the message after changing"
    )
    for name in ("겨울 메뉴", "봄 메뉴"):
        page.goto("/admin/menus/category/add/")
        page.locator("#id_name").fill(name)
        reader.submit(page.get_by_role("button", name="저장", exact=True), f"the message after adding {name}")
    for name in ("여름 메뉴", "겨울 메뉴", "봄 메뉴"):
        page.get_by_role("row").filter(has_text=name).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("delete_selected")
    reader.submit(page.get_by_role("button", name="실행"), "the confirmation of deleting several")
    deleted = reader.submit(page.get_by_role("button", name="네, 삭제합니다"), "the message after deleting several")
    assert "카테고리 3개를 삭제했습니다" in deleted
    reader.submit(page.get_by_role("button", name="실행"), "the message when no action is chosen")


def _edit_in_the_list(page, reader):
    """A price out of range refused, then two prices changed in the menu list at once."""
    page.goto("/admin/menus/menuitem/")
    prices = page.locator("input[name$='-price']")
    before = [int(prices.nth(index).input_value()) for index in (0, 1)]
    prices.nth(0).fill("20000000")
    refused = reader.submit(page.locator("#changelist-form input[name=_save]"), "the list's price error")
    assert "₩10,000,000" in refused
    for index, price in enumerate(before):
        prices.nth(index).fill(str(price + 500))
    saved = reader.submit(page.locator("#changelist-form input[name=_save]"), "the message after editing the list")
    assert "메뉴 2개를 변경했습니다" in saved


def _order_actions(page, reader):
    """An order marked preparing, another one's delete asked and declined."""
    page.goto("/admin/orders/order/?deleted_at__isempty=1")
    rows = page.locator("#result_list tbody tr")
    rows.nth(0).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("mark_preparing")
    reader.submit(page.get_by_role("button", name="실행"), "the message after an order action")
    rows.nth(1).get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option("delete_orders")
    reader.submit(page.get_by_role("button", name="실행"), "the confirmation of deleting orders")


def _table_already_set_up(page, reader):
    page.goto("/admin/accounts/table/add/")
    page.get_by_label("테이블 번호").fill("1")
    page.get_by_label("테이블 비밀번호").fill("5678")
    refused = reader.submit(page.get_by_role("button", name="저장", exact=True), "the table page's error")
    assert "이미 설정된 테이블 번호입니다" in refused


def _store_information(page, reader, screenshots):
    reader.visit("/admin/accounts/store/")
    (own_store,) = reader.links("#result_list tbody th a")
    reader.visit(own_store)
    page.get_by_label("매장 이름").fill("")
    reader.submit(page.get_by_role("button", name="저장", exact=True), "the store page's error")
    page.get_by_label("매장 이름").fill("데모 한식당")
    reader.submit(page.get_by_role("button", name="저장 후 계속 고치기"), "the message after renaming the store")
    page.screenshot(path=screenshots / "admin-store-information.png", full_page=True)
    reader.submit(page.get_by_role("link", name="변경 기록", exact=True), "the store's history")


def test_every_page_a_manager_sees_reads_as_korean(page, demo_store, screenshots):
    assert STORE_CODE != DEMO_STORE
    reader = Reader(page)

    _log_in(page, reader)
    _walk_every_model(page, reader)
    _add_change_and_delete(page, reader)
    _edit_in_the_list(page, reader)
    _order_actions(page, reader)
    _table_already_set_up(page, reader)
    _store_information(page, reader, screenshots)
    for url, name in [("/admin/", "index"), ("/admin/orders/order/", "orders"), ("/admin/menus/menuitem/", "menu")]:
        reader.visit(url)
        page.screenshot(path=screenshots / f"admin-{name}.png", full_page=True)
    reader.submit(page.get_by_role("button", name="로그아웃"), "the page after logging out")

    assert reader.found == {}, "\n".join(f"{where}: {problems}" for where, problems in reader.found.items())


def test_a_renamed_store_shows_on_its_tablets_at_once_and_on_the_dashboard(page, chromium, app_server, demo_store):
    """The tablet keeps the name from its login; the menu brings the new one, live."""
    page.goto("/")
    page.get_by_label("매장 식별자").fill(DEMO_STORE)
    page.get_by_label("테이블 번호").fill("12")
    page.get_by_label("테이블 비밀번호").fill("1234")
    page.get_by_role("button", name="설정 완료").click()
    expect(page.locator("#menu-content .item").first).to_be_visible()
    manager = chromium.new_context(base_url=app_server.url, locale="ko-KR").new_page()
    manager.goto("/admin/login/")
    manager.get_by_label("매장 식별자").fill(DEMO_STORE)
    manager.get_by_label("아이디").fill(DEMO_MANAGER)
    manager.get_by_label("비밀번호").fill(DEMO_PASSWORD)
    manager.get_by_role("button", name="로그인").click()
    manager.wait_for_url("**/admin/live/")
    old_name = manager.locator(".dash-store").inner_text()
    expect(page.locator("#store-name")).to_have_text(old_name)
    new_name = f"{old_name} 본점"

    manager.goto("/admin/accounts/store/")
    manager.locator("#result_list tbody th a").click()
    manager.get_by_label("매장 이름").fill(new_name)
    manager.get_by_role("button", name="저장", exact=True).click()

    expect(manager.locator(".messagelist")).to_contain_text("변경 내용을 저장했습니다")
    expect(page.locator("#store-name")).to_have_text(new_name, timeout=LIVE_MS)
    page.reload()
    expect(page.locator("#store-name")).to_have_text(new_name)
    manager.goto("/admin/live/")
    expect(manager.locator(".dash-store")).to_have_text(new_name)
    manager.context.close()
