"""Menu rows from a file: each checked and normalised before an import writes anything."""

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from menus.models import MAX_PRICE, MIN_PRICE, Category, MenuItem

TRUE_WORDS = {"true", "1", "yes", "y"}
FALSE_WORDS = {"false", "0", "no", "n"}
CATEGORY_NAME_MAX = Category._meta.get_field("name").max_length
ITEM_NAME_MAX = MenuItem._meta.get_field("name").max_length
DESCRIPTION_MAX = MenuItem._meta.get_field("description").max_length
IMAGE_URL_MAX = MenuItem._meta.get_field("image_url").max_length
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


@dataclass(frozen=True)
class MenuRow:
    """One validated row. `image` is a stored file name, `image_url` an external URL;
    both None means "leave the item's image as it is"."""

    category: str
    name: str
    price: int
    description: str
    is_available: bool
    image: str | None
    image_url: str | None


def validate_menu_rows(rows):
    """MenuRows for `rows`, or a ValidationError listing every bad row ("row 3: …")."""
    cleaned, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        problems = []
        values = {
            "category": _text(row.get("category"), "category", CATEGORY_NAME_MAX, problems, required=True),
            "name": _text(row.get("name"), "name", ITEM_NAME_MAX, problems, required=True),
            "price": _price(row.get("price"), problems),
            "description": _text(row.get("description"), "description", DESCRIPTION_MAX, problems),
            "is_available": _boolean(row.get("is_available"), problems),
        }
        values["image"], values["image_url"] = _image(row.get("image_url"), problems)
        key = (values["category"], values["name"])
        if not problems and key in seen:
            problems.append(_("the same category and name as row %(row)d.") % {"row": seen[key]})
        errors.extend(_("row %(row)d: %(problem)s") % {"row": number, "problem": problem} for problem in problems)
        if not problems:
            seen[key] = number
            cleaned.append(MenuRow(**values))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _text(value, label, max_length, problems, *, required=False):
    # `label` is the column name as written in menu files, so it is not translated.
    text = "" if value is None else str(value).strip()
    if required and not text:
        problems.append(_("%(field)s is required.") % {"field": label})
    elif len(text) > max_length:
        problems.append(
            _("%(field)s must be at most %(max)d characters (it has %(length)d).")
            % {"field": label, "max": max_length, "length": len(text)}
        )
    return text


def _price(value, problems):
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and MIN_PRICE <= value <= MAX_PRICE:
        return value
    problems.append(
        _("price must be a whole number of won from %(min)s to %(max)s (got %(value)r).")
        % {"min": f"{MIN_PRICE:,}", "max": f"{MAX_PRICE:,}", "value": value}
    )
    return None


def _boolean(value, problems):
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return True
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    problems.append(_("is_available must be true or false (or 1 or 0), not %(value)r.") % {"value": value})
    return None


def _image(value, problems):
    """(stored file name, external URL) for an image_url cell; (None, None) when it is empty."""
    url = "" if value is None else str(value).strip()
    if not url:
        return None, None
    stored = stored_file_name(url)
    if stored:
        return stored, None
    if url.startswith("/"):
        problems.append(_("image_url %(url)s is not a stored file of this site.") % {"url": url})
        return None, None
    if len(url) > IMAGE_URL_MAX:
        problems.append(_("image_url must be at most %(max)d characters.") % {"max": IMAGE_URL_MAX})
        return None, None
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        problems.append(_("image_url must be an http(s) URL, a /media/ path of this site, or empty."))
        return None, None
    return None, url


def stored_file_name(url):
    """The storage name of an image this deployment serves at `url`, or None.

    An exported uploaded image comes back as its media URL; pointing the item at the same
    stored file keeps it an uploaded image instead of turning it into an external link.
    """
    parts = urlsplit(url)
    base = urlsplit(default_storage.url("") if parts.netloc else settings.MEDIA_URL)
    if parts.netloc != base.netloc or not base.path or not parts.path.startswith(base.path):
        return None
    name = unquote(parts.path[len(base.path) :])
    if not name.lower().endswith(IMAGE_SUFFIXES):
        return None
    try:
        return name if default_storage.exists(name) else None
    except SuspiciousFileOperation:
        return None
