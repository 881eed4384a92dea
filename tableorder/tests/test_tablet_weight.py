"""The tablet page's first load: small, and nothing from outside the server."""

import gzip
import posixpath
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings

FIRST_LOAD_BUDGET = 60 * 1024
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
# Rendering without a collectstatic manifest: unhashed names, same bytes.
PLAIN_STATIC = override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)


def first_load(client):
    """(html bytes, {static path: bytes}) of everything the page asks for before any API call."""
    with PLAIN_STATIC:
        response = client.get("/")
    assert response.status_code == 200
    html = response.content
    paths = sorted(set(re.findall(r'"/static/([^"]+\.(?:js|css))"', html.decode())))
    files = {}
    for path in paths:
        found = finders.find(path)
        assert found, f"{path} is referenced by the page but missing"
        with open(found, "rb") as file:
            files[path] = file.read()
    return html, files


def gzipped_size(data):
    return len(gzip.compress(data, compresslevel=9))


def test_first_load_is_within_the_budget(client):
    html, files = first_load(client)
    assert {"tablet/app.js", "tablet/tablet.css"} <= files.keys()
    sizes = {"/": gzipped_size(html)} | {path: gzipped_size(data) for path, data in files.items()}
    total = sum(sizes.values())
    print(f"tablet first load, gzip -9: {total} bytes ({total / 1024:.1f} KB): {sizes}")
    assert total <= FIRST_LOAD_BUDGET, sizes


def test_every_module_the_app_imports_is_preloaded_and_mapped_to_its_hashed_name(client):
    html, files = first_load(client)
    imported = set()
    for path, data in files.items():
        if path.endswith(".js"):
            imported |= {
                posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
                for name in re.findall(r'from "(\.\.?/[\w/-]+\.js)"', data.decode())
            }
    assert imported, "app.js imports its modules"
    page = html.decode()
    for path in imported:
        assert f'"/static/{path}": "/static/{path}"' in page, f"{path} missing from the import map"
        assert f'<link rel="modulepreload" href="/static/{path}">' in page


@pytest.mark.parametrize("kind", ["html", "css", "js"])
def test_the_page_loads_nothing_from_outside_the_server(client, kind):
    html, files = first_load(client)
    texts = [html.decode()] if kind == "html" else [d.decode() for p, d in files.items() if p.endswith(f".{kind}")]
    assert texts
    for text in texts:
        text = text.replace(SVG_NAMESPACE, "")
        assert not re.search(r"(https?:)?//[\w.-]+\.[a-z]{2,}", text), "an absolute URL outside the server"
        assert "@import" not in text
