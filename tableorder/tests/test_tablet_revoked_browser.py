"""A tablet signed out while its stream is open (orders.hub ends the stream at once): it
reconnects, is refused, and shows the setup screen within seconds, not at the stream's next
periodic check a minute later. Tables 131–132 are this file's."""

import pytest
from playwright.sync_api import expect

from tableorder.tests.browser import TABLE_PASSWORD
from tableorder.tests.test_tablet_browser import set_up_tablet

pytestmark = pytest.mark.browser

# The stream's end, the client's first retry (1 s) and the refused ticket take about 2 s.
WITHIN_MS = 6_000


@pytest.mark.parametrize(
    ("number", "sign_out"),
    [(131, ("revoke_table", 131)), (132, ("reset_table_password", 132, "new-table-pass"))],
    ids=["revoke", "password reset"],
)
def test_a_tablet_signed_out_with_its_stream_open_goes_to_the_setup_screen(page, app_server, number, sign_out):
    app_server.run_in_app("add_table", number)
    with page.expect_response("**/api/v1/orders/stream?*") as stream:
        set_up_tablet(page, number, password=TABLE_PASSWORD)
    assert stream.value.status == 200
    app_server.run_in_app(*sign_out)
    expect(page.locator("#setup-screen")).to_be_visible(timeout=WITHIN_MS)
    expect(page.locator("#setup-error")).to_contain_text("설정이 해제되었습니다")
