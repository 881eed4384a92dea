"""The tablet loads the display size of each picture that its screen needs, never the upload.

The test store's pictures are 480×360 JPEGs, so their display sizes are 400 and 480 px wide:
a menu card (at most 300 px wide on a tablet) takes the 400, the item dialog (560 px) the 480.
"""

import re

import pytest
from playwright.sync_api import expect

from tableorder.tests.test_tablet_browser import set_up_tablet

pytestmark = pytest.mark.browser

SRCSET = re.compile(r"/media/menu/\S+_400w\.webp 400w, /media/menu/\S+_480w\.webp 480w")


def loaded(page, selector):
    """The first `selector` image once it has loaded: {srcset, sizes, loading, current, width}."""
    page.wait_for_function(
        "(selector) => { const img = document.querySelector(selector); return img?.complete && img.naturalWidth > 0; }",
        arg=selector,
    )
    return page.evaluate(
        """(selector) => { const img = document.querySelector(selector);
            return { srcset: img.getAttribute('srcset'), sizes: img.getAttribute('sizes'), loading: img.loading,
                     current: img.currentSrc, width: img.getBoundingClientRect().width }; }""",
        selector,
    )


@pytest.mark.parametrize(("screen", "table"), [("page", 71), ("portrait_page", 72)], ids=["landscape", "portrait"])
def test_cards_and_the_item_dialog_load_a_display_size_not_the_upload(request, screen, table, app_server, screenshots):
    page = request.getfixturevalue(screen)
    app_server.run_in_app("add_table", table)
    media = []
    page.on("requestfinished", lambda req: "/media/" in req.url and media.append(req.url))

    set_up_tablet(page, table)

    card = loaded(page, "#menu-content .item-image")
    assert SRCSET.fullmatch(card["srcset"]), card["srcset"]
    assert (card["sizes"], card["loading"]) == ("auto, 300px", "lazy")
    assert card["width"] <= 300
    assert card["current"].endswith("_400w.webp"), card["current"]
    widths = page.eval_on_selector_all("#menu-content .item-image", "(imgs) => imgs.map((img) => img.width)")
    assert widths and max(widths) <= 300
    page.screenshot(path=screenshots / f"menu-images-{screen}.png")

    page.locator("#menu-content .item-card").first.click()
    expect(page.locator("#item-dialog")).to_be_visible()
    detail = loaded(page, "#item-dialog .detail-image")
    assert SRCSET.fullmatch(detail["srcset"])
    assert detail["current"].endswith("_480w.webp"), detail["current"]
    page.screenshot(path=screenshots / f"item-dialog-image-{screen}.png")

    assert media and all(url.endswith(".webp") for url in media), media
