"""The tablet in four languages (SPEC 3.10): the page's language comes from its address only,
every word it shows is translated into English, Simplified Chinese and Japanese, and the
dashboard and the kitchen stay Korean whatever the request asks for."""

import ast
import json
import re

import pytest
from django.conf import settings
from django.utils import translation

from core.languages import TRANSLATED_LANGUAGES
from menus.allergens import ALLERGENS
from tableorder.pages.dashboard import DASHBOARD_STRINGS
from tableorder.pages.kitchen import KITCHEN_STRINGS
from tableorder.pages.tablet import TABLET_STRINGS

HANGUL = re.compile("[\uac00-\ud7a3]")
TEMPLATE = settings.BASE_DIR / "templates" / "tablet" / "index.html"
CATALOG_DIRS = {"en": "en", "zh-hans": "zh_Hans", "ja": "ja"}
# Messages written with signs alone in some languages ("{count}/{quantity}"): they may read the same.
LANGUAGE_NEUTRAL = {"{name} × {quantity}", "{count} of {quantity}", ", ", "{name}, {price}"}


@pytest.fixture(autouse=True)
def korean_store(settings):
    """The product's settings: Korean unless a page says otherwise."""
    settings.LANGUAGE_CODE = "ko-kr"


def json_script(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def html_lang(html):
    return re.search(r'<html lang="([^"]*)"', html).group(1)


def catalog(language):
    """{msgid: msgstr} of the language's catalog, its header left out."""
    path = settings.BASE_DIR / "locale" / CATALOG_DIRS[language] / "LC_MESSAGES" / "django.po"
    entries = {}
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            if line.startswith("msg"):
                current, _, text = line.partition(" ")
                fields[current] = ast.literal_eval(text)
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = fields.get("msgstr", "")
    return entries


def tablet_msgids():
    """Every message the tablet page shows: its template's, its script's strings and the allergens'."""
    template = TEMPLATE.read_text(encoding="utf-8")
    ids = re.findall(r'{%\s*translate\s+"([^"]*)"\s*%}', template)
    assert "blocktranslate" not in template
    ids += [msgid(text) for text in TABLET_STRINGS.values()]
    ids += [msgid(label) for _name, label in ALLERGENS]
    return list(dict.fromkeys(ids))


def msgid(lazy_text):
    """The English source of a gettext_lazy string."""
    return lazy_text._args[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?lang=en", "en"),
        ("?lang=zh-hans", "zh-Hans"),
        ("?lang=ja", "ja"),
        ("?lang=ko", "ko"),
        ("?lang=xx", "ko"),
        ("?lang=zh-hant", "ko"),
        ("?lang=EN", "ko"),
        ("?lang=", "ko"),
        ("", "ko"),
    ],
)
def test_the_page_language_comes_from_the_address_only(client, query, expected):
    # Neither the browser's language nor a language cookie chooses it.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(f"/{query}", headers={"Accept-Language": "ja,en;q=0.8"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html_lang(html) == expected
    assert response["Content-Language"] == expected
    assert not response.cookies
    assert 'id="lang-open" class="btn btn-lang"' in html
    # The language button names the page's language, the dialog offers the four in their own scripts.
    options = re.findall(
        r'<a class="lang-option" href="/\?lang=([\w-]+)" lang="([\w-]+)" hreflang="[\w-]+"([^>]*)>([^<]+)</a>', html
    )
    assert [(code, lang, name) for code, lang, _current, name in options] == [
        ("ko", "ko", "한국어"),
        ("en", "en", "English"),
        ("zh-hans", "zh-Hans", "简体中文"),
        ("ja", "ja", "日本語"),
    ]
    assert [lang for _code, lang, current, _name in options if "aria-current" in current] == [expected]


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_a_translated_page_shows_no_korean_but_the_language_button_and_the_allergen_keys(client, language):
    html = client.get(f"/?lang={language}").content.decode()
    strings = json_script(html, "tablet-strings")
    allergens = strings.pop("allergenNames")
    assert list(allergens) == [name for name, _label in ALLERGENS]
    assert not [label for label in allergens.values() if HANGUL.search(label)]
    assert not {key: text for key, text in strings.items() if HANGUL.search(text)}
    page = re.sub(r'<script id="tablet-strings" type="application/json">.*?</script>', "", html, flags=re.S)
    page = page.replace('lang="ko" hreflang="ko">한국어</a>', "")
    assert not HANGUL.findall(page), sorted(set(re.findall("[^<>]{0,30}[\uac00-\ud7a3]+[^<>]{0,30}", page)))


def test_a_korean_page_shows_korean_and_the_allergens_by_their_korean_names(client):
    strings = json_script(client.get("/").content.decode(), "tablet-strings")
    assert strings["tableLabel"] == "{number}번 테이블"
    assert strings["originNotice"] == "원산지 표시"
    assert strings["allergenNames"] == {name: name for name, _label in ALLERGENS}


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_tablet_message_is_in_the_language_catalog(language):
    entries = catalog(language)
    missing = [msgid for msgid in tablet_msgids() if not entries.get(msgid)]
    assert not missing
    if language != "en":
        untranslated = [msgid for msgid in tablet_msgids() if entries[msgid] == msgid and msgid not in LANGUAGE_NEUTRAL]
        assert not untranslated


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_page_strings_are_the_catalog_translations(client, language):
    strings = json_script(client.get(f"/?lang={language}").content.decode(), "tablet-strings")
    allergens = strings.pop("allergenNames")
    entries = catalog(language)
    english = {key: msgid(text) for key, text in TABLET_STRINGS.items()}
    english_allergens = {name: msgid(label) for name, label in ALLERGENS}
    assert strings == {key: entries[msgid] for key, msgid in english.items()}
    assert allergens == {name: entries[label] for name, label in english_allergens.items()}
    # Not the Korean page's words.
    korean = json_script(client.get("/").content.decode(), "tablet-strings")
    same = [key for key in strings if strings[key] == korean[key] and english[key] not in LANGUAGE_NEUTRAL]
    assert not same


def test_the_dashboard_and_the_kitchen_stay_korean(client, manager):
    client.force_login(manager, backend="accounts.backends.StoreUserBackend")
    with translation.override("ko"):
        dashboard = {key: str(text) for key, text in DASHBOARD_STRINGS.items()}
        kitchen = {key: str(text) for key, text in KITCHEN_STRINGS.items()}
    for path, element_id, korean in [
        ("/admin/live/", "dashboard-strings", dashboard),
        ("/admin/kitchen/", "kitchen-strings", kitchen),
    ]:
        response = client.get(f"{path}?lang=ja", headers={"Accept-Language": "ja"})
        assert response.status_code == 200
        html = response.content.decode()
        strings = json_script(html, element_id)
        assert {key: strings[key] for key in korean} == korean
        assert HANGUL.search(korean[next(iter(korean))]) or any(HANGUL.search(text) for text in korean.values())
        assert html_lang(html) == "ko"
