"""The live dashboard page at /admin/live/: who gets it, for which store, under which policy."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from accounts.tokens import table_tokens
from conftest import make_store
from tableorder.pages.dashboard import DASHBOARD_STRINGS

BACKEND = "accounts.backends.StoreUserBackend"
LIVE = "/admin/live/"


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def json_script(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def test_the_page_is_the_admin_url_named_live():
    assert reverse("admin:live") == LIVE


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(LIVE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={LIVE}"


def test_a_tablet_token_does_not_open_the_page(client, table):
    access = table_tokens(table)["access"]
    response = client.get(LIVE, headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_manager_gets_the_page_under_a_nonce_policy(client, store, manager):
    response = signed_in(client, manager).get(LIVE)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    html = response.content.decode()
    # Every inline script is data (JSON) or the nonce'd import map; code comes from files.
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "src=" in attributes:
            continue
        assert 'type="application/json"' in attributes or f'nonce="{nonce}"' in attributes, attributes
        assert body.strip().startswith("{"), body[:40]
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert re.search(r'<script type="module" src="[^"]*dashboard/app\.js"', html)
    assert json_script(html, "dashboard-strings")["reconnecting"]
    # An admin page: the admin's header, a logout form with its CSRF token, the way to the menu.
    assert 'id="logout-form"' in html
    assert "csrfmiddlewaretoken" in html
    assert reverse("admin:app_list", kwargs={"app_label": "menus"}) in html


def test_each_response_has_a_new_nonce(client, manager):
    signed_in(client, manager)
    first, second = client.get(LIVE), client.get(LIVE)
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]


def test_a_manager_of_another_store_sees_only_that_store(client, store, other_store):
    other_manager = other_store.users.get()
    html = signed_in(client, other_manager).get(LIVE).content.decode()
    assert other_store.name in html
    assert store.name not in html
    config = json_script(html, "dashboard-config")
    assert config["storeCode"] == other_store.code
    assert config["stream"] == "/api/v1/admin/stream"
    assert config["statuses"] == {"pending": "Pending", "preparing": "Preparing", "completed": "Completed"}


@pytest.mark.django_db
def test_the_same_username_in_two_stores_gets_its_own_store(client):
    first = make_store(code="first", name="첫째 식당", username="kim")
    second = make_store(code="second", name="둘째 식당", username="kim")
    html = signed_in(client, second.users.get(username="kim")).get(LIVE).content.decode()
    assert json_script(html, "dashboard-config")["storeCode"] == "second"
    assert first.name not in html


@pytest.mark.django_db
def test_a_platform_admin_without_a_store_gets_a_notice_and_no_script(client):
    root = User.objects.create_superuser(username="root", password="root-pass-123")
    response = signed_in(client, root).get(LIVE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "dashboard/app.js" not in html
    assert 'class="errornote"' in html


def test_a_deactivated_manager_is_sent_to_the_login(client, manager):
    signed_in(client, manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert client.get(LIVE).status_code == 302


DASHBOARD_JS = sorted((Path(settings.BASE_DIR) / "static" / "dashboard").glob("*.js"))
SHARED_JS = sorted((Path(settings.BASE_DIR) / "static" / "shared").glob("*.js"))


def test_every_string_the_scripts_show_is_a_translatable_dashboard_string():
    used = {key for path in DASHBOARD_JS + SHARED_JS for key in re.findall(r"\bt\(\"(\w+)\"", path.read_text())}
    assert {"callsLabel", "callAck", "noteLabel", "optionPrice"} <= used
    assert used - DASHBOARD_STRINGS.keys() == set()


def test_every_module_is_in_the_import_map_and_preloaded(client, manager):
    """Each module is loaded by its hashed name (the import map) and fetched at once (preload)."""
    html = signed_in(client, manager).get(LIVE).content.decode()
    import_map = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S).group(1))
    mapped = {name.rsplit("/", 2)[-2] + "/" + name.rsplit("/", 1)[-1] for name in import_map["imports"]}
    preloaded = set(re.findall(r'<link rel="modulepreload" href="[^"]*/(\w+/\w+)\.js"', html))
    modules = {f"dashboard/{path.name}" for path in DASHBOARD_JS if path.name != "app.js"}
    modules |= {f"shared/{path.name}" for path in SHARED_JS}
    assert "dashboard/calls.js" in modules
    assert mapped == modules
    assert {f"{name}.js" for name in preloaded} == modules
