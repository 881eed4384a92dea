"""Display sizes of uploaded menu images: the picture upright, in sRGB, without its metadata
(EXIF, GPS, XMP), as WebP at most WIDTHS wide (never wider than the picture itself), so a
tablet loads the size its screen needs instead of the uploaded photo.

`MenuItem.image_sizes` holds them as `{"<width>": "<storage name>"}`; they are written through
the storage API next to the original, named after it (`menu/…/<name>_400w.webp`), so they
land wherever the original does (local disk or S3). `menus.services` makes them in the same
write that saves the item; `make_image_sizes` makes them for images stored before.
"""

import io
import re
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageCms, ImageOps

from menus.images import DECODE_ERRORS, invalid_image

WIDTHS = (400, 800)
# A tall picture stops at twice its width's height (WebP holds at most 16383 px a side).
MAX_ASPECT = 2
EXTENSION = "webp"
QUALITY = 80
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def render_sizes(file: IO[bytes]) -> dict[int, bytes]:
    """{width: WebP bytes} of the picture in `file`; ValidationError if it does not decode."""
    try:
        file.seek(0)
        with Image.open(file) as image:
            # A JPEG much larger than the largest size decodes at 1/2 to 1/8 of its size: less memory, faster.
            image.draft("RGB", (WIDTHS[-1], WIDTHS[-1]))
            picture = _srgb(ImageOps.exif_transpose(image), image.info.get("icc_profile"))
    except DECODE_ERRORS as error:
        raise invalid_image() from error
    finally:
        file.seek(0)
    sizes: dict[int, bytes] = {}
    for width in WIDTHS:
        scale = min(1, width / picture.width, MAX_ASPECT * width / picture.height)
        size = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
        if size[0] in sizes:
            continue
        resized = picture if scale == 1 else picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        # Nothing of the upload's metadata is passed on: no exif, xmp or icc_profile.
        resized.save(buffer, "WEBP", quality=QUALITY, method=6)
        sizes[size[0]] = buffer.getvalue()
    return sizes


def _srgb(picture: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """`picture` as RGB (RGBA if it has transparency), its colours converted from its own profile to sRGB."""
    transparent = picture.mode in {"RGBA", "LA", "PA"} or "transparency" in picture.info
    mode = "RGBA" if transparent else "RGB"
    if icc_profile and picture.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(picture, source, SRGB, outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken profile: the colours as they are.
    return picture.convert(mode)


def store_sizes(storage: Storage, name: str, sizes: dict[int, bytes]) -> dict[str, str]:
    """Write `sizes` of the stored image `name` through `storage`: {"<width>": stored name}."""
    stem = name.rsplit(".", 1)[0]
    return {
        str(width): storage.save(f"{stem}_{width}w.{EXTENSION}", ContentFile(data))
        for width, data in sorted(sizes.items())
    }


def sizes_of(name: str, sizes: dict[str, str]) -> bool:
    """Whether `sizes` were made from the stored image `name` (and not from an earlier one):
    each is named `<name less its extension>_<width>w.webp`, or with the suffix a storage adds
    to a name already taken (`…_400w_AbCd123.webp`)."""
    stem = re.escape(name.rsplit(".", 1)[0])
    return bool(name and sizes) and all(
        re.fullmatch(rf"{stem}_{re.escape(width)}w(_[A-Za-z0-9]+)?\.{EXTENSION}", stored)
        for width, stored in sizes.items()
    )


def srcset(storage: Storage, sizes: dict[str, str]) -> str:
    """`url 400w, url 800w`: an `<img srcset>` of the sizes, narrowest first."""
    return ", ".join(f"{storage.url(sizes[width])} {width}w" for width in sorted(sizes, key=int))
