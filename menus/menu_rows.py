"""Menu rows from a file: each checked and normalised before an import writes anything."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.query_guard import is_unstorable
from menus.allergens import ordered_allergens
from menus.models import MAX_PRICE, MIN_PRICE, Category, MenuItem, Option, OptionGroup
from menus.translations import clean_translations, field_limits

TRUE_WORDS = {"true", "1", "yes", "y"}
FALSE_WORDS = {"false", "0", "no", "n"}
CATEGORY_NAME_MAX: int = Category._meta.get_field("name").max_length  # type: ignore[assignment]
ITEM_NAME_MAX: int = MenuItem._meta.get_field("name").max_length  # type: ignore[assignment]
DESCRIPTION_MAX: int = MenuItem._meta.get_field("description").max_length  # type: ignore[assignment]
IMAGE_URL_MAX: int = MenuItem._meta.get_field("image_url").max_length  # type: ignore[assignment]
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")
GROUP_NAME_MAX: int = OptionGroup._meta.get_field("name").max_length  # type: ignore[assignment]
OPTION_NAME_MAX: int = Option._meta.get_field("name").max_length  # type: ignore[assignment]
ORIGIN_MAX: int = MenuItem._meta.get_field("origin").max_length  # type: ignore[assignment]
# Translations in a hashable form, so rows compare and key dicts: ((language, field, text), …).
FrozenTranslations = tuple[tuple[str, str, str], ...]
# min_select and max_select are small integer columns.
MAX_CHOICES = 32767


def freeze(translations: Mapping[str, Mapping[str, str]]) -> FrozenTranslations:
    """Sorted, so that equal translations freeze alike whatever order a database keeps keys in."""
    return tuple(
        sorted((language, field, text) for language, texts in translations.items() for field, text in texts.items())
    )


def thaw(frozen: FrozenTranslations) -> dict[str, dict[str, str]]:
    translations: dict[str, dict[str, str]] = {}
    for language, field, text in frozen:
        translations.setdefault(language, {})[field] = text
    return translations


@dataclass(frozen=True)
class OptionRow:
    """`translations` None: the file gives none, and the option keeps its own."""

    name: str
    price_delta: int
    is_available: bool
    translations: FrozenTranslations | None = None


@dataclass(frozen=True)
class OptionGroupRow:
    """`translations` None: the file gives none, and the group keeps its own."""

    name: str
    min_select: int
    max_select: int
    options: tuple[OptionRow, ...]
    translations: FrozenTranslations | None = None


@dataclass(frozen=True)
class MenuRow:
    """One validated row. `image` is a stored file name, `image_url` an external URL;
    both None means "leave the item's image as it is". `option_groups` are the groups to add
    or update (JSON only; CSV rows have none). `origin`, `allergens`, `translations` and
    `category_translations` None leave the item's (the category's) as they are; translations
    replace the item's whole, or only the `translated_fields` (language, field) when given."""

    category: str
    name: str
    price: int
    description: str
    is_available: bool
    image: str | None
    image_url: str | None
    option_groups: tuple[OptionGroupRow, ...] = ()
    origin: str | None = None
    allergens: tuple[str, ...] | None = None
    translations: FrozenTranslations | None = None
    translated_fields: tuple[tuple[str, str], ...] | None = None
    category_translations: FrozenTranslations | None = None


def validate_menu_rows(rows: Iterable[Mapping[str, Any]]) -> list[MenuRow]:
    """MenuRows for `rows`, or a ValidationError listing every bad row ("row 3: …")."""
    errors: list[str]
    seen: dict[tuple[str, str], int]
    cleaned, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        problems: list[str] = []
        values: dict[str, Any] = {
            "category": _text(row.get("category"), "category", CATEGORY_NAME_MAX, problems, required=True),
            "name": _text(row.get("name"), "name", ITEM_NAME_MAX, problems, required=True),
            "price": _won(row.get("price"), "price", MIN_PRICE, problems),
            "description": _text(row.get("description"), "description", DESCRIPTION_MAX, problems),
            "is_available": _boolean(row.get("is_available"), problems),
        }
        values["image"], values["image_url"] = _image(row.get("image_url"), problems)
        values["option_groups"] = _option_groups(row.get("option_groups"), problems)
        if row.get("origin") is not None:
            values["origin"] = _text(row.get("origin"), "origin", ORIGIN_MAX, problems)
        values["allergens"] = _allergens(row.get("allergens"), problems)
        values["translations"] = _translations(row.get("translations"), MenuItem, "translations", problems)
        if values["translations"] is not None and row.get("translated_fields") is not None:
            values["translated_fields"] = tuple(tuple(pair) for pair in row["translated_fields"])
        values["category_translations"] = _translations(
            row.get("category_translations"), Category, "category translations", problems
        )
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


def _translations(value: object, model: type, label: str, problems: list[str]) -> FrozenTranslations | None:
    """A file's translations of a `model` object, frozen; None when it gives none."""
    if value is None:
        return None
    try:
        return freeze(clean_translations(value, field_limits(model)))
    except ValidationError as error:
        problems.extend(f"{label}: {message}" for message in error.messages)
        return None


def _allergens(value: object, problems: list[str]) -> tuple[str, ...] | None:
    """An item's allergens (Korean names of menus.allergens) in the list's order; None when absent."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        problems.append(_("allergens must be a list of names."))
        return None
    try:
        return tuple(ordered_allergens([name.strip() for name in value]))
    except ValueError as error:
        problems.append(_("allergens: %(name)r is not on the list of allergens.") % {"name": error.args[0]})
        return None


def _text(value: object, label: str, max_length: int, problems: list[str], *, required: bool = False) -> str:
    # `label` is the column name as written in menu files, so it is not translated.
    text = "" if value is None else str(value).strip()
    if is_unstorable(text):
        problems.append(
            _("%(field)s has a character that is not allowed (NUL or a lone surrogate).") % {"field": label}
        )
    elif required and not text:
        problems.append(_("%(field)s is required.") % {"field": label})
    elif len(text) > max_length:
        problems.append(
            _("%(field)s must be at most %(max)d characters (it has %(length)d).")
            % {"field": label, "max": max_length, "length": len(text)}
        )
    return text


def _won(value: object, label: str, minimum: int, problems: list[str]) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_PRICE:
        return value
    problems.append(
        _("%(field)s must be a whole number of won from %(min)s to %(max)s (got %(value)r).")
        % {"field": label, "min": f"{minimum:,}", "max": f"{MAX_PRICE:,}", "value": value}
    )
    return None


def _count(value: object, label: str, minimum: int, problems: list[str]) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= MAX_CHOICES:
        return value
    problems.append(
        _("%(field)s must be a whole number from %(min)d to %(max)d (got %(value)r).")
        % {"field": label, "min": minimum, "max": MAX_CHOICES, "value": value}
    )
    return None


def _option_groups(value: object, problems: list[str]) -> tuple[OptionGroupRow, ...]:
    """OptionGroupRows of an item's `option_groups` (a JSON list; absent means none)."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(group, dict) for group in value):
        problems.append(_("option_groups must be a list of objects."))
        return ()
    first_of_name: dict[str, int]
    groups, first_of_name = [], {}
    for position, group in enumerate(value, start=1):
        group_problems: list[str] = []
        name = _text(group.get("name"), "name", GROUP_NAME_MAX, group_problems, required=True)
        # Absent limits take the model's defaults: choose at most one, none required.
        min_select = _count(group.get("min_select", 0), "min_select", 0, group_problems)
        max_select = _count(group.get("max_select", 1), "max_select", 1, group_problems)
        if min_select is not None and max_select is not None and min_select > max_select:
            group_problems.append(_("min_select cannot be more than max_select."))
        if name in first_of_name:
            group_problems.append(_("the same name as option group %(group)d.") % {"group": first_of_name[name]})
        options = _options(group.get("options"), group_problems)
        translations = _translations(group.get("translations"), OptionGroup, "translations", group_problems)
        problems.extend(
            _("option group %(group)d: %(problem)s") % {"group": position, "problem": problem}
            for problem in group_problems
        )
        if not group_problems:
            first_of_name[name] = position
            groups.append(OptionGroupRow(name, min_select, max_select, options, translations))  # type: ignore[arg-type]
    return tuple(groups)


def _options(value: object, problems: list[str]) -> tuple[OptionRow, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(option, dict) for option in value):
        problems.append(_("options must be a list of objects."))
        return ()
    first_of_name: dict[str, int]
    options, first_of_name = [], {}
    for position, option in enumerate(value, start=1):
        option_problems: list[str] = []
        name = _text(option.get("name"), "name", OPTION_NAME_MAX, option_problems, required=True)
        price_delta = _won(option.get("price_delta", 0), "price_delta", 0, option_problems)
        is_available = _boolean(option.get("is_available"), option_problems)
        translations = _translations(option.get("translations"), Option, "translations", option_problems)
        if name in first_of_name:
            option_problems.append(_("the same name as option %(option)d.") % {"option": first_of_name[name]})
        problems.extend(
            _("option %(option)d: %(problem)s") % {"option": position, "problem": problem}
            for problem in option_problems
        )
        if not option_problems:
            first_of_name[name] = position
            options.append(OptionRow(name, price_delta, is_available, translations))  # type: ignore[arg-type]
    return tuple(options)


def _boolean(value: object, problems: list[str]) -> bool | None:
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


def _image(value: object, problems: list[str]) -> tuple[str | None, str | None]:
    """(stored file name, external URL) for an image_url cell; (None, None) when it is empty."""
    url = "" if value is None else str(value).strip()
    if not url:
        return None, None
    if is_unstorable(url):
        problems.append(
            _("%(field)s has a character that is not allowed (NUL or a lone surrogate).") % {"field": "image_url"}
        )
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


def stored_file_name(url: str) -> str | None:
    """The storage name of an image this deployment serves at `url`, or None.

    An exported uploaded image comes back as its media URL; pointing the item at the same
    stored file keeps it an uploaded image instead of turning it into an external link.
    """
    parts = urlsplit(url)
    if parts.netloc:
        # Where the storage serves names: a name's URL less the name (S3 has no URL for "").
        served = urlsplit(default_storage.url("probe"))
        base_netloc, base_path = served.netloc, served.path.removesuffix("probe")
    else:
        base_netloc, base_path = "", urlsplit(settings.MEDIA_URL).path
    if parts.netloc != base_netloc or not base_path or not parts.path.startswith(base_path):
        return None
    name = unquote(parts.path[len(base_path) :])
    if not name.lower().endswith(IMAGE_SUFFIXES):
        return None
    try:
        return name if default_storage.exists(name) else None
    except SuspiciousFileOperation:
        return None
