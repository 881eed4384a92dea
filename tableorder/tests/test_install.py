"""The web app manifests and the site's icon: public, of the right type, and what they say."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

APPS = [
    ("/manifest.webmanifest", "/", "/", "#ffffff"),
    ("/admin/live.webmanifest", "/admin/live/", "/admin/", "#417690"),
    ("/admin/kitchen.webmanifest", "/admin/kitchen/", "/admin/", "#1e2227"),
]


@pytest.mark.parametrize(("path", "start_url", "scope", "theme"), APPS)
def test_a_manifest_is_public_and_says_how_the_app_opens(client, db, path, start_url, scope, theme):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == start_url and manifest["scope"] == scope
    assert manifest["start_url"].startswith(manifest["scope"])
    assert manifest["display"] == "fullscreen" and manifest["display_override"] == ["fullscreen", "standalone"]
    assert manifest["orientation"] == "any"
    assert manifest["theme_color"] == theme
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["background_color"])
    assert manifest["name"] and manifest["short_name"] and len(str(manifest["short_name"])) <= 20
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(("path", "start_url", "scope", "theme"), APPS)
def test_a_manifest_names_icons_that_exist_at_their_sizes(client, db, path, start_url, scope, theme):
    icons = json.loads(client.get(path).content)["icons"]
    assert {(icon["sizes"], icon["purpose"]) for icon in icons} >= {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in icons:
        assert icon["src"].startswith("/static/shared/icons/")
        found = finders.find(icon["src"].removeprefix("/static/"))
        assert found, icon
        if icon["type"] == "image/png":
            with Image.open(found) as image:
                assert f"{image.width}x{image.height}" == icon["sizes"]
                assert image.format == "PNG"


def test_the_manifest_is_in_the_visitors_language(client, db):
    korean = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ko").content)
    assert korean["lang"] == "ko" and korean["name"] == "테이블오더"
    english = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert english["lang"] == "en" and english["name"] == "Table Order"


def test_a_manifest_takes_only_get(client, db):
    assert client.post("/manifest.webmanifest").status_code == 405


def test_the_favicon_is_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"


@pytest.mark.parametrize(
    ("page", "manifest"),
    [
        ("/", "/manifest.webmanifest"),
        ("/admin/live/", "/admin/live.webmanifest"),
        ("/admin/kitchen/", "/admin/kitchen.webmanifest"),
    ],
)
def test_each_app_page_links_its_manifest_and_icons(admin_client_for, page, manifest):
    html = admin_client_for(page).content.decode()
    assert f'<link rel="manifest" href="{manifest}">' in html
    assert '<meta name="theme-color"' in html
    assert '<link rel="apple-touch-icon" href="/static/shared/icons/apple-touch-icon.png">' in html
    assert '<link rel="icon" href="/static/shared/icons/icon.svg" type="image/svg+xml">' in html


@pytest.fixture
def admin_client_for(client, manager):
    client.force_login(manager)

    def get(path):
        response = client.get(path)
        assert response.status_code == 200
        return response

    return get


def test_the_policy_lets_pages_name_their_manifest_and_keeps_scripts_strict(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "manifest-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
