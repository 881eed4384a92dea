"""Uploaded menu images: a real picture in a format browsers show, at most MAX_IMAGE_BYTES
and MAX_IMAGE_PIXELS (a small file can still decode to a huge picture).

Used by the manager API and the Django admin, so both accept exactly the same files.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
# Pillow's format name → the file extension a stored image gets.
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def validate_image(file: UploadedFile) -> str:
    """Raise ValidationError unless `file` is a JPEG, PNG, GIF or WebP image of at most 5 MB.

    Returns the extension its content calls for. The name the client sent is never trusted.
    """
    if file.size > MAX_IMAGE_BYTES:  # type: ignore[operator]
        raise ValidationError(
            _("The image is larger than %(max)d MB.") % {"max": MAX_IMAGE_BYTES // (1024 * 1024)}, code="too_large"
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format, pixels = image.format, image.width * image.height
            image.verify()
    # verify() reports a damaged file with whatever error its decoder raises.
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(_("Upload a valid image (JPEG, PNG, GIF or WebP)."), code="invalid_image") from error
    finally:
        file.seek(0)
    if image_format not in FORMATS:
        raise ValidationError(_("Upload a valid image (JPEG, PNG, GIF or WebP)."), code="invalid_image")
    if pixels > MAX_IMAGE_PIXELS:
        raise ValidationError(
            _("The image has more than %(max)d million pixels.") % {"max": MAX_IMAGE_PIXELS // 1_000_000},
            code="too_many_pixels",
        )
    return FORMATS[image_format]


def clean_image(file: UploadedFile) -> UploadedFile:
    """`validate_image`, then name the file by its content: a random name with the right extension.

    A file called `photo.html` that holds a PNG is stored as `<random>.png`, so storage and
    browsers never treat an upload as anything but the picture it is.
    """
    file.name = f"{uuid.uuid4().hex}.{validate_image(file)}"
    return file
