"""Menu pictures in the browser: the tablet loads the display size its screen needs, never the
upload; the back office's item form previews the current image and a newly chosen one.

The test store's pictures are 480×360 JPEGs, so their display sizes are 400 and 480 px wide:
a menu card (at most 300 px wide on a tablet) takes the 400, the item dialog (560 px) the 480.
"""

import io
import re

import pytest
from PIL import Image
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


@pytest.mark.parametrize(("screen", "table"), [("page", 121), ("portrait_page", 122)], ids=["landscape", "portrait"])
def test_cards_and_the_item_dialog_load_a_display_size_not_the_upload(request, screen, table, app_server, screenshots):
    page = request.getfixturevalue(screen)
    app_server.run_in_app("add_table", table)
    media = []
    page.on("requestfinished", lambda req: "/media/" in req.url and media.append(req.url))

    set_up_tablet(page, table)

    card = loaded(page, "#menu-content img.item-image")
    assert SRCSET.fullmatch(card["srcset"]), card["srcset"]
    assert (card["sizes"], card["loading"]) == ("auto, 300px", "lazy")
    assert card["width"] <= 300
    assert card["current"].endswith("_400w.webp"), card["current"]
    widths = page.eval_on_selector_all("#menu-content img.item-image", "(imgs) => imgs.map((img) => img.width)")
    assert widths and max(widths) <= 300
    page.screenshot(path=screenshots / f"menu-images-{screen}.png")

    page.locator("#menu-content .item-card").first.click()
    expect(page.locator("#item-dialog")).to_be_visible()
    detail = loaded(page, "#item-dialog .detail-image")
    assert SRCSET.fullmatch(detail["srcset"])
    assert detail["current"].endswith("_480w.webp"), detail["current"]
    page.screenshot(path=screenshots / f"item-dialog-image-{screen}.png")

    assert media and all(url.endswith(".webp") for url in media), media


def test_the_item_form_previews_the_current_image_and_a_chosen_one(laptop_dashboard, screenshots):
    page = laptop_dashboard
    page.goto("/admin/menus/menuitem/")
    page.get_by_role("link", name="김치찌개", exact=True).click()

    current = loaded(page, "img.image-preview:not([data-preview-of])")
    assert current["current"].endswith("_400w.webp"), current["current"]
    chosen = page.locator("img[data-preview-of=id_image]")
    expect(chosen).to_be_hidden()
    picture = io.BytesIO()
    Image.new("RGB", (300, 200), "#2b6cb0").save(picture, "PNG")
    page.locator("#id_image").set_input_files(
        {"name": "new.png", "mimeType": "image/png", "buffer": picture.getvalue()}
    )

    expect(chosen).to_be_visible()
    assert loaded(page, "img[data-preview-of=id_image]")["current"].startswith("data:image/png;base64,")
    page.locator("#id_image").scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "menu-item-image-preview.png")
