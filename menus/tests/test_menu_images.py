"""Uploaded menu images: display sizes (WebP, 400 and 800 px wide, upright, no metadata) made
in the write that saves the item, served as a srcset; HEIC photos accepted as JPEG; bombs and
garbage refused with nothing stored; older images given their sizes by `make_image_sizes`."""

import io
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from PIL import Image

from accounts.models import Store
from accounts.tokens import manager_tokens, table_tokens
from menus.models import MenuItem
from menus.services import import_menu

API = "/api/v1/admin"
RED, BLUE = (255, 0, 0), (0, 0, 255)
ORIENTATION, MAKE, GPS_IFD = 0x0112, 0x010F, 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def api(manager):
    return Client(headers={"Authorization": f"Bearer {manager_tokens(manager)['access']}"})


@pytest.fixture
def tablet(table):
    return Client(headers={"Authorization": f"Bearer {table_tokens(table)['access']}"})


def photo(size=(1600, 1200), image_format="JPEG", **save_args):
    """A picture whose left half is red and right half blue."""
    picture = Image.new("RGB", size, RED)
    picture.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **save_args)
    return buffer.getvalue()


def camera_exif(orientation=1):
    """EXIF as a phone writes it: the orientation, the camera and where the photo was taken."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "TestCam"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (37.0, 33.0, 12.0), 3: "E", 4: (126.0, 58.0, 40.0)})
    return exif


def upload(api, item, content, name="photo.jpg"):
    body = encode_multipart(BOUNDARY, {"image": SimpleUploadedFile(name, content, content_type="image/jpeg")})
    return api.patch(f"{API}/menu-items/{item.pk}", body, content_type=MULTIPART_CONTENT)


def uploaded(api, item, content, name="photo.jpg"):
    response = upload(api, item, content, name)
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    return response.json()


def opened(name):
    with default_storage.open(name) as stored:
        data = stored.read()
    return data, Image.open(io.BytesIO(data))


def stored_files(media):
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def test_an_upload_gets_webp_display_sizes_400_and_800_wide(api, menu):
    item = menu[0]

    uploaded(api, item, photo((1600, 1200)))

    stem = item.image.name.rsplit(".", 1)[0]
    assert item.image_sizes == {"400": f"{stem}_400w.webp", "800": f"{stem}_800w.webp"}
    for width, name in item.image_sizes.items():
        _data, picture = opened(name)
        assert picture.format == "WEBP"
        assert picture.size == (int(width), int(width) * 3 // 4)
    # The original keeps its size.
    assert opened(item.image.name)[1].size == (1600, 1200)


def test_a_picture_narrower_than_a_size_is_never_enlarged(api, menu):
    item = menu[0]

    uploaded(api, item, photo((300, 200), "PNG"), "small.png")

    assert list(item.image_sizes) == ["300"]
    assert opened(item.image_sizes["300"])[1].size == (300, 200)


def test_the_sizes_are_upright_and_carry_no_metadata(api, menu):
    # Stored sideways: the camera says "rotate 90° clockwise to show" (EXIF orientation 6), so
    # the red left half of the stored pixels is the top of the photo.
    item = menu[0]
    original = photo((1600, 800), exif=camera_exif(orientation=6))
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)

    uploaded(api, item, original)

    for width, name in item.image_sizes.items():
        data, picture = opened(name)
        assert picture.size == (int(width), int(width) * 2)
        assert picture.convert("RGB").getpixel((picture.width // 2, 2))[:3] == pytest.approx(RED, abs=8)
        assert picture.convert("RGB").getpixel((picture.width // 2, picture.height - 3))[:3] == pytest.approx(
            BLUE, abs=8
        )
        assert not dict(picture.getexif())
        assert not {"exif", "xmp", "icc_profile"} & set(picture.info)
        assert b"EXIF" not in data and b"Exif" not in data and b"TestCam" not in data


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_the_stored_original_is_upright_and_carries_no_metadata(api, menu, image_format):
    # The uploaded file is public at image_url: a phone's photo must not tell where it was taken.
    item = menu[0]
    original = photo((1600, 800), image_format, exif=camera_exif(orientation=6).tobytes())
    assert b"TestCam" in original

    uploaded(api, item, original, f"photo.{image_format.lower()}")

    data, picture = opened(item.image.name)
    assert (picture.format, picture.size) == (image_format, (800, 1600))
    assert picture.convert("RGB").getpixel((400, 2)) == pytest.approx(RED, abs=8)
    assert b"TestCam" not in data and not dict(picture.getexif())
    assert "exif" not in picture.info


def test_a_heic_photo_is_stored_as_an_upright_jpeg_without_metadata_with_its_sizes(api, menu, tablet):
    item = menu[0]
    heic = photo((1200, 800), "HEIF", exif=camera_exif().tobytes())
    assert Image.open(io.BytesIO(heic)).format == "HEIF"

    body = uploaded(api, item, heic, "IMG_0001.HEIC")

    assert item.image.name.endswith(".jpg")
    data, original = opened(item.image.name)
    assert (original.format, original.size) == ("JPEG", (1200, 800))
    assert b"TestCam" not in data and not original.getexif().get_ifd(GPS_IFD)
    assert sorted(item.image_sizes) == ["400", "800"]
    assert opened(item.image_sizes["400"])[1].size == (400, 267)
    assert body["image_url"] == item.image.url


def truncated_jpeg():
    data = photo((1600, 1200), quality=95)
    return data[: len(data) // 2]


def png_header_only(width, height):
    """A PNG whose header claims width × height pixels: a few dozen bytes that would decode to gigabytes."""

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (png_header_only(20_000, 20_000), "The image has more than 50 million pixels."),
        (png_header_only(60_000, 60_000), "The image has more than 50 million pixels."),
        (truncated_jpeg(), "Upload a valid image (JPEG, PNG, GIF, WebP or HEIC)."),
        (b"GIF89a" + b"\xff" * 200, "Upload a valid image (JPEG, PNG, GIF, WebP or HEIC)."),
        (b"%PDF-1.7\n" + b"garbage " * 100, "Upload a valid image (JPEG, PNG, GIF, WebP or HEIC)."),
    ],
    ids=["20k x 20k png", "60k x 60k png", "truncated jpeg", "broken gif", "not an image"],
)
def test_a_bomb_or_garbage_is_refused_and_nothing_is_stored(api, menu, media, content, message):
    item = menu[0]
    before = api.get(f"{API}/menu-items/{item.pk}").json()

    response = upload(api, item, content)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"image": [message]}
    assert stored_files(media) == []
    assert api.get(f"{API}/menu-items/{item.pk}").json() == before


def test_the_menu_and_the_manager_api_carry_the_srcset(api, tablet, menu):
    item, external = menu[0], menu[1]
    external.image_url = "https://img.example.com/b.jpg"
    external.save()
    body = uploaded(api, item, photo((1600, 1200)))

    url = item.image.storage.url
    expected = f"{url(item.image_sizes['400'])} 400w, {url(item.image_sizes['800'])} 800w"
    assert expected.startswith("/media/menu/")
    assert body["image_srcset"] == expected
    menu_read = tablet.get("/api/v1/menu").json()
    items = {entry["name"]: entry for category in menu_read["categories"] for entry in category["items"]}
    assert (items[item.name]["image_url"], items[item.name]["image_srcset"]) == (item.image.url, expected)
    assert (items[external.name]["image_url"], items[external.name]["image_srcset"]) == (external.image_url, "")
    assert (items[menu[2].name]["image_url"], items[menu[2].name]["image_srcset"]) == ("", "")


def test_a_replaced_or_cleared_image_drops_its_sizes_from_the_menu(api, tablet, menu):
    item = menu[0]
    uploaded(api, item, photo((1600, 1200)))
    first = dict(item.image_sizes)

    uploaded(api, item, photo((1000, 1000)))
    assert item.image_sizes != first and item.image_sizes["400"].startswith(item.image.name.rsplit(".", 1)[0])
    response = api.patch(f"{API}/menu-items/{item.pk}", {"image_url": ""}, content_type="application/json")

    assert response.json()["image_srcset"] == ""
    item.refresh_from_db()
    assert item.image_sizes == {}
    # Like the originals, earlier sizes stay in storage for tablets still showing the old menu.
    assert all(default_storage.exists(name) for name in first.values())


def test_the_admin_form_previews_the_current_image(client, manager, menu):
    client.force_login(manager)
    item = menu[0]
    form = {
        "category": str(item.category_id),
        "name": item.name,
        "price": str(item.price),
        "description": "",
        "image_url": "",
        "is_available": "on",
        "group_links-TOTAL_FORMS": "0",
        "group_links-INITIAL_FORMS": "0",
        "group_links-MIN_NUM_FORMS": "0",
        "group_links-MAX_NUM_FORMS": "1000",
        "image": SimpleUploadedFile("dish.jpg", photo((1600, 1200)), content_type="image/jpeg"),
    }
    change = reverse("admin:menus_menuitem_change", args=[item.pk])
    assert client.post(change, form).status_code == 302
    item.refresh_from_db()

    page = client.get(change).content.decode()

    small = item.image.storage.url(item.image_sizes["400"])
    assert f'<img class="image-preview" src="{small}" alt="The current image" width="240">' in page
    assert 'data-preview-of="id_image"' in page and "backoffice/image_preview.js" in page
    # The list shows the small size too, not the upload.
    assert f'<img src="{small}"' in client.get(reverse("admin:menus_menuitem_changelist")).content.decode()


def test_make_image_sizes_gives_images_stored_before_their_sizes_once(store, menu, tablet):
    item = menu[0]
    item.image.save("old.jpg", ContentFile(photo((1600, 1200), exif=camera_exif(orientation=3))), save=True)
    broken = menu[1]
    broken.image.save("broken.jpg", ContentFile(b"not a picture"), save=True)
    version = Store.objects.get(pk=store.pk).menu_version
    out = io.StringIO()

    call_command("make_image_sizes", stdout=out)

    item.refresh_from_db()
    assert sorted(item.image_sizes) == ["400", "800"]
    # Orientation 3: upside down, so the red half is on the right.
    picture = opened(item.image_sizes["400"])[1].convert("RGB")
    assert picture.getpixel((picture.width - 3, 10)) == pytest.approx(RED, abs=8)
    assert Store.objects.get(pk=store.pk).menu_version > version
    assert "1 images given display sizes" in out.getvalue() and "1 did not decode" in out.getvalue()
    menu_item = tablet.get("/api/v1/menu").json()["categories"][0]["items"][0]
    assert menu_item["image_srcset"].endswith("_800w.webp 800w")

    files = sorted(default_storage.listdir("menu")[1] + default_storage.listdir("")[1])
    out = io.StringIO()
    call_command("make_image_sizes", stdout=out)

    assert "0 images given display sizes" in out.getvalue()
    assert sorted(default_storage.listdir("menu")[1] + default_storage.listdir("")[1]) == files


def test_an_import_that_points_at_a_stored_image_shares_its_sizes(api, store, other_store, menu, media):
    uploaded(api, menu[0], photo((1600, 1200)))
    files = stored_files(media)
    row = {"category": "식사", "name": "복사", "price": 1000, "image_url": menu[0].image.url}

    import_menu(store=other_store, rows=[row])

    copy = MenuItem.objects.get(store=other_store, name="복사")
    assert (copy.image.name, copy.image_sizes) == (menu[0].image.name, menu[0].image_sizes)
    assert stored_files(media) == files
