"""The guest's languages: the tablet's interface and the menu's content (SPEC 3.10).

Korean is the store's language: names are entered in Korean, orders keep the Korean names, and
the dashboard and the kitchen read Korean. The other three are the translations a store may
enter; a field with no translation shows the Korean text.
"""

from django.utils.translation import gettext_lazy as _

STORE_LANGUAGE = "ko"
# (code, the language's own name: the language button shows it as a guest would read it)
GUEST_LANGUAGES = [
    ("ko", "한국어"),
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("ja", "日本語"),
]
GUEST_LANGUAGE_CODES = tuple(code for code, _name in GUEST_LANGUAGES)
# The languages a store translates its menu into (every guest language but the store's).
TRANSLATED_LANGUAGES = tuple(code for code in GUEST_LANGUAGE_CODES if code != STORE_LANGUAGE)
TRANSLATED_LANGUAGE_NAMES = {"en": _("English"), "zh-hans": _("Simplified Chinese"), "ja": _("Japanese")}
# Each language's BCP 47 tag (the script subtag capitalised), for `Content-Language` and <html lang>.
LANGUAGE_TAGS = {"ko": "ko", "en": "en", "zh-hans": "zh-Hans", "ja": "ja"}

# Lowercase language tags a guest's browser may send for each of ours.
_ALIASES = {
    "ko": "ko",
    "ko-kr": "ko",
    "en": "en",
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh-hans": "zh-hans",
    "zh-hans-cn": "zh-hans",
    "ja": "ja",
    "ja-jp": "ja",
}


def guest_language(tag: str | None) -> str | None:
    """Our code for a language tag (`en-US` → `en`, `zh-CN` → `zh-hans`), or None for one we do
    not offer (Traditional Chinese included)."""
    if not tag:
        return None
    tag = tag.strip().lower().replace("_", "-")
    if tag in _ALIASES:
        return _ALIASES[tag]
    primary = tag.split("-", 1)[0]
    if primary == "zh":
        return None  # zh-TW, zh-HK, zh-Hant: not Simplified Chinese
    return _ALIASES.get(primary)


def language_from_accept(header: str | None) -> str:
    """The first of our languages in an `Accept-Language` header, by its q-values; Korean when none."""
    return accepted_language(header) or STORE_LANGUAGE


def accepted_language(header: str | None) -> str | None:
    """The first of our languages in an `Accept-Language` header, by its q-values; None when none."""
    choices = []
    for position, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = guest_language(tag)
        if code and quality > 0:
            choices.append((-quality, position, code))
    return min(choices)[2] if choices else None
