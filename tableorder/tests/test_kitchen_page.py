"""The kitchen display at /admin/kitchen/: who gets it, where kitchen staff land, what the page's
script is told (its store's stations only), and under which policy."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role, User
from accounts.tokens import table_tokens
from menus.models import Station
from tableorder.pages.dashboard import DASHBOARD_STRINGS
from tableorder.pages.kitchen import ALERT_STRINGS, KITCHEN_STRINGS

BACKEND = "accounts.backends.StoreUserBackend"
KITCHEN = "/admin/kitchen/"
LIVE = "/admin/live/"
STATIC = Path(settings.BASE_DIR) / "static"


def signed_in(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def json_script(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def kitchen_staff(store, username="cook"):
    user = User(store=store, username=username, role=Role.KITCHEN, is_staff=True)
    user.set_password("kitchen-pass-1")
    user.save()
    return user


@pytest.fixture
def cook(store):
    return kitchen_staff(store)


def test_the_page_is_the_admin_url_named_kitchen():
    assert reverse("admin:kitchen") == KITCHEN


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(KITCHEN)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={KITCHEN}"


def test_a_tablet_token_does_not_open_the_page(client, table):
    response = client.get(KITCHEN, headers={"Authorization": f"Bearer {table_tokens(table)['access']}"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("who", ["manager", "cook"])
def test_managers_and_kitchen_staff_get_the_page_under_a_nonce_policy(client, store, manager, cook, who):
    response = signed_in(client, {"manager": manager, "cook": cook}[who]).get(KITCHEN)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "'unsafe-inline'" not in policy
    html = response.content.decode()
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        if "src=" in attributes:
            continue
        assert 'type="application/json"' in attributes or f'nonce="{nonce}"' in attributes, attributes
        assert body.strip().startswith("{"), body[:40]
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert re.search(r'<script type="module" src="[^"]*kitchen/app\.js"', html)
    assert 'id="logout-form"' in html
    # Only a manager is offered the live dashboard.
    assert (LIVE in html) is (who == "manager")


def test_kitchen_staff_land_on_the_display_and_are_refused_the_rest_of_the_back_office(client, store, cook):
    response = client.post(
        reverse("admin:login"),
        {"store_code": store.code, "username": "cook", "password": "kitchen-pass-1"},
    )
    assert response.status_code == 302
    assert response["Location"] == KITCHEN
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302
    assert index["Location"] == KITCHEN
    assert client.get(LIVE).status_code == 403


def test_a_manager_still_lands_on_the_live_dashboard(client, store, manager):
    response = client.post(
        reverse("admin:login"),
        {"store_code": store.code, "username": "manager", "password": "s3cret-pass"},
    )
    assert response["Location"] == LIVE
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(LIVE).status_code == 200


def test_the_config_has_the_store_stations_in_order_and_its_timers(client, store, manager, other_store):
    Station.objects.create(store=store, name="주류", display_order=5)
    Station.objects.create(store=store, name="튀김", display_order=2)
    Station.objects.create(store=other_store, name="다른 가게 주방", display_order=1)
    store.kitchen_amber_minutes, store.kitchen_red_minutes = 7, 15
    store.save()
    config = json_script(signed_in(client, manager).get(KITCHEN).content.decode(), "kitchen-config")
    ours = list(Station.objects.filter(store=store).order_by("display_order", "id").values_list("id", "name"))
    assert [(station["id"], station["name"]) for station in config["stations"]] == ours
    assert [name for _id, name in ours] == ["주방", "튀김", "주류"]
    assert (config["amberMinutes"], config["redMinutes"], config["recallMinutes"]) == (7, 15, 5)
    assert config["storeCode"] == store.code
    assert config["stream"] == "/api/v1/admin/stream"
    assert config["api"] == "/api/v1/admin/"


def test_another_stores_stations_never_reach_the_page(client, store, other_store):
    other_cook = kitchen_staff(other_store, "other-cook")
    Station.objects.create(store=store, name="알파 비밀 주방", display_order=3)
    html = signed_in(client, other_cook).get(KITCHEN).content.decode()
    config = json_script(html, "kitchen-config")
    assert {station["id"] for station in config["stations"]} == set(
        Station.objects.filter(store=other_store).values_list("id", flat=True)
    )
    assert "알파 비밀 주방" not in html
    assert store.name not in html


def test_a_station_name_with_markup_stays_text(client, store, manager):
    Station.objects.create(store=store, name="</script><script>alert(1)", display_order=1)
    html = signed_in(client, manager).get(KITCHEN).content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in html
    names = [station["name"] for station in json_script(html, "kitchen-config")["stations"]]
    assert "</script><script>alert(1)" in names


@pytest.mark.django_db
def test_a_platform_admin_gets_a_notice_and_no_script(client):
    root = User.objects.create_superuser(username="root", password="root-pass-123")
    response = signed_in(client, root).get(KITCHEN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "kitchen/app.js" not in html
    assert 'class="errornote"' in html


@pytest.mark.django_db
def test_staff_of_no_store_who_are_not_platform_admins_are_refused(client):
    stray = User.objects.create_user(username="stray", password="stray-pass-123", is_staff=True)
    assert signed_in(client, stray).get(KITCHEN).status_code == 403


def test_a_deactivated_cook_is_sent_to_the_login(client, cook):
    signed_in(client, cook)
    cook.is_active = False
    cook.save(update_fields=["is_active"])
    assert client.get(KITCHEN).status_code == 302


KITCHEN_JS = sorted((STATIC / "kitchen").glob("*.js"))
# The shared modules the display imports; each page's strings must hold the keys they use.
KITCHEN_SHARED = ["alerts.js", "api.js", "dom.js", "format.js", "snapshot.js", "stream.js", "wakelock.js"]


def script_keys(paths):
    return {key for path in paths for key in re.findall(r"\bt\(\"(\w+)\"", path.read_text())}


def test_every_string_the_scripts_show_is_a_translatable_kitchen_string():
    used = script_keys(KITCHEN_JS + [STATIC / "shared" / name for name in KITCHEN_SHARED])
    assert {"start", "finish", "recall", "handledElsewhere", "reprint", "networkError"} <= used
    assert used - KITCHEN_STRINGS.keys() == set()


def test_the_alert_banner_speaks_the_dashboard_and_the_kitchen_alike():
    used = script_keys([STATIC / "shared" / "alerts.js"])
    assert used and used <= ALERT_STRINGS.keys()
    assert ALERT_STRINGS.keys() <= DASHBOARD_STRINGS.keys()
    # Each kind of alert has its words (alerts.js builds the key from the kind).
    assert {"alert_job_late", "alert_agent_offline", "alert_printer_failed"} <= ALERT_STRINGS.keys()


def test_every_module_is_in_the_import_map_and_preloaded(client, manager):
    html = signed_in(client, manager).get(KITCHEN).content.decode()
    import_map = json.loads(re.search(r'<script type="importmap"[^>]*>(.*?)</script>', html, re.S).group(1))
    mapped = {name.rsplit("/", 2)[-2] + "/" + name.rsplit("/", 1)[-1] for name in import_map["imports"]}
    preloaded = {f"{name}.js" for name in re.findall(r'<link rel="modulepreload" href="[^"]*/(\w+/\w+)\.js"', html)}
    imported = {
        f"{folder or path.parent.name}/{name}"
        for path in KITCHEN_JS + [STATIC / "shared" / name for name in KITCHEN_SHARED]
        for folder, name in re.findall(r'from "\.\.?/(?:(\w+)/)?(\w+\.js)"', path.read_text())
    }
    modules = {f"kitchen/{path.name}" for path in KITCHEN_JS if path.name != "app.js"}
    assert imported <= modules | {f"shared/{name}" for name in KITCHEN_SHARED}
    assert mapped == preloaded == modules | {f"shared/{name}" for name in KITCHEN_SHARED}
