"""Uploaded menu images: a real picture in a format browsers show (or an HEIC photo, which is
turned into a JPEG), at most MAX_IMAGE_BYTES and MAX_IMAGE_PIXELS (a small file can still
decode to a huge picture), and one that decodes to the end. What is stored is the picture
upright and without the camera's metadata (EXIF, GPS, XMP): the stored file is public.

Used by the manager API and the Django admin, so both accept exactly the same files.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

# Pillow opens HEIC/HEIF photos (iPhones take them by default) through libheif.
register_heif_opener()

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
# Pillow's format name → the file extension a stored image gets.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "HEIF": "jpg"}
# How each format is stored again, upright and without metadata: HEIC, which most browsers do
# not show, as a JPEG. A GIF is kept as it is (its frames would be lost; it carries no EXIF).
REENCODED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "HEIF": "JPEG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Errors Pillow's decoders raise for a damaged or unknown file.
DECODE_ERRORS = (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError)


def invalid_image() -> ValidationError:
    return ValidationError(_("Upload a valid image (JPEG, PNG, GIF, WebP or HEIC)."), code="invalid_image")


def too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The image has more than %(max)d million pixels.") % {"max": MAX_IMAGE_PIXELS // 1_000_000},
        code="too_many_pixels",
    )


def validate_image(file: UploadedFile) -> str:
    """Raise ValidationError unless `file` is a JPEG, PNG, GIF, WebP or HEIC image of at most
    5 MB whose pixels decode. Returns its Pillow format name. The client's file name is never trusted."""
    if file.size > MAX_IMAGE_BYTES:  # type: ignore[operator]
        raise ValidationError(
            _("The image is larger than %(max)d MB.") % {"max": MAX_IMAGE_BYTES // (1024 * 1024)}, code="too_large"
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            if image.format not in FORMATS:
                raise invalid_image()
            # The size is read from the header: a picture too large is refused before any pixel is decoded.
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise too_many_pixels()
            image_format = str(image.format)
            image.verify()
        file.seek(0)
        with Image.open(file) as image:
            # A JPEG decodes at an eighth of its size: enough to find a truncated or damaged file.
            image.draft(None, (image.width // 8 or 1, image.height // 8 or 1))
            image.load()
    # Pillow's own limit, far above ours, refuses a picture as it opens.
    except Image.DecompressionBombError as error:
        raise too_many_pixels() from error
    # verify() and load() report a damaged file with whatever error its decoder raises.
    except DECODE_ERRORS as error:
        raise invalid_image() from error
    finally:
        file.seek(0)
    return image_format


def clean_image(file: UploadedFile) -> UploadedFile:
    """`validate_image`, then name the file by its content: a random name with the right extension.

    A file called `photo.html` that holds a PNG is stored as `<random>.png`, so storage and
    browsers never treat an upload as anything but the picture it is. A JPEG, PNG or WebP is
    written again upright without its metadata (a phone's photo says where it was taken); an
    HEIC photo becomes such a JPEG, which every browser shows.
    """
    image_format = validate_image(file)
    name = f"{uuid.uuid4().hex}.{FORMATS[image_format]}"
    stored_format = REENCODED.get(image_format)
    if stored_format is None:
        file.name = name
        return file
    return SimpleUploadedFile(name, _reencoded(file, stored_format), content_type=CONTENT_TYPES[stored_format])


def _reencoded(file: UploadedFile, image_format: str) -> bytes:
    """The picture in `file`, upright, as `image_format`, with its colour profile and nothing
    else of its metadata."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            icc_profile = image.info.get("icc_profile")
            picture = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and picture.mode not in {"RGB", "L", "CMYK"}:
                picture = picture.convert("RGB")
            buffer = io.BytesIO()
            extra = {"quality": 90} if image_format in {"JPEG", "WEBP"} else {}
            picture.save(buffer, image_format, icc_profile=icc_profile, **extra)
    except DECODE_ERRORS as error:
        raise invalid_image() from error
    finally:
        file.seek(0)
    return buffer.getvalue()
