"""The menu's text in the guest languages (SPEC 3.10, 4.10).

A category, item, option group and option keep their Korean text in their own fields and the
other guest languages' text in `translations`:
`{"en": {"name": …, "description": …}, "zh-hans": {…}, "ja": {…}}`. Only the fields a model
translates (`TRANSLATED_FIELDS`), each at most as long as the Korean field; a blank text is no
translation and is dropped, as is a language left with none. The tablet reads a field in its
language where there is one, else the Korean text (`translated`), one field at a time.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.languages import STORE_LANGUAGE, TRANSLATED_LANGUAGES

# Model name → the fields it translates.
TRANSLATED_FIELDS: dict[str, tuple[str, ...]] = {
    "Category": ("name",),
    "MenuItem": ("name", "description", "origin"),
    "OptionGroup": ("name",),
    "Option": ("name",),
}


def field_limits(model: type[models.Model]) -> dict[str, int]:
    """The fields `model` translates → their Korean field's max length."""
    return {
        name: model._meta.get_field(name).max_length  # type: ignore[misc,union-attr]
        for name in TRANSLATED_FIELDS[model.__name__]
    }


def clean_translations(value: object, limits: Mapping[str, int]) -> dict[str, dict[str, str]]:
    """`value` as stored: known languages and fields only, texts stripped, blanks dropped, in
    the order of TRANSLATED_LANGUAGES. Raises ValidationError listing every problem."""
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError(_("Give the translations as an object keyed by language (en, zh-hans, ja)."))
    problems = []
    for language in value:
        if language not in TRANSLATED_LANGUAGES:
            problems.append(
                _("%(language)r is not a language of the menu (use %(languages)s).")
                % {"language": language, "languages": ", ".join(TRANSLATED_LANGUAGES)}
            )
    cleaned: dict[str, dict[str, str]] = {}
    for language in TRANSLATED_LANGUAGES:
        texts = value.get(language)
        if texts in (None, ""):
            continue
        if not isinstance(texts, Mapping):
            problems.append(_("%(language)s: give an object of texts by field.") % {"language": language})
            continue
        kept = {}
        for field, text in texts.items():
            if field not in limits:
                problems.append(
                    _("%(language)s: %(field)r is not translated here (only %(fields)s).")
                    % {"language": language, "field": field, "fields": ", ".join(limits)}
                )
            elif text is None:
                continue
            elif not isinstance(text, str) or "\x00" in text:
                problems.append(_("%(language)s: %(field)s must be text.") % {"language": language, "field": field})
            elif len(text.strip()) > limits[field]:
                problems.append(
                    _("%(language)s: %(field)s must be at most %(max)d characters (it has %(length)d).")
                    % {"language": language, "field": field, "max": limits[field], "length": len(text.strip())}
                )
            elif text.strip():
                kept[field] = text.strip()
        if kept:
            cleaned[language] = {field: kept[field] for field in limits if field in kept}
    if problems:
        raise ValidationError(problems)
    return cleaned


def clean_model_translations(obj: models.Model) -> None:
    """Model.clean(): the object's `translations` cleaned in place, or a ValidationError on the field."""
    try:
        obj.translations = clean_translations(obj.translations, field_limits(type(obj)))  # type: ignore[attr-defined]
    except ValidationError as error:
        raise ValidationError({"translations": error.messages}) from error


def translated(translations: Mapping[str, Mapping[str, str]], field: str, korean: str, language: str) -> str:
    """The `field`'s text in `language`, or the Korean text where it has none."""
    if language == STORE_LANGUAGE:
        return korean
    return (translations or {}).get(language, {}).get(field) or korean


def missing(translations: Mapping[str, Mapping[str, str]], field: str, language: str) -> bool:
    """Whether `field` has no text in `language`."""
    return not (translations or {}).get(language, {}).get(field)
