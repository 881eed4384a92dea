"""Store isolation of the whole admin, generated from the admin site's registry so that a
newly registered model or admin URL is checked without anyone remembering to.

As a manager of store A, every page of store B's objects is a 403 or 404, lists and forms
show none of B's rows, autocomplete offers none, and no POST changes anything of B.
A tablet's token opens nothing: the admin sends it to the login page.
"""

import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import models
from django.urls import reverse

from accounts.models import Store
from accounts.services import setup_table
from accounts.store_admin import has_store_field, limit_to_store
from accounts.tokens import table_tokens
from conftest import make_option_group, make_store
from kitchen.alerts import raise_alert
from kitchen.models import AlertKind, Printer
from kitchen.printers import issue_token
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from orders.models import OrderLine
from orders.services import delete_order, place_order
from orders.staff_calls import call_staff

B_NAMES = [
    "베타 식당",
    "베타전용분류",
    "베타전용메뉴",
    "베타전용옵션그룹",
    "베타전용옵션",
    "베타전용프린터",
    "베타전용경보",
    "베타전용번역",
    "베타전용원산지",
    "베타전용호출",
]


def _model_admins():
    return sorted(admin.site._registry.items(), key=lambda entry: entry[0]._meta.label)


def _object_urls():
    """Every named admin URL that takes an object id (change, delete, history, password…)."""
    for model, model_admin in _model_admins():
        for pattern in model_admin.urls:
            if pattern.name and pattern.pattern.converters:
                yield pytest.param(model, pattern.name, id=pattern.name)


def _plain_urls():
    """Every named admin URL of a model that takes no id (changelist, add, import…)."""
    for model, model_admin in _model_admins():
        for pattern in model_admin.urls:
            if pattern.name and not pattern.pattern.converters:
                yield pytest.param(model, pattern.name, id=pattern.name)


def _changelists():
    for model, _model_admin in _model_admins():
        name = f"{model._meta.app_label}_{model._meta.model_name}_changelist"
        yield pytest.param(model, name, id=name)


def _related_fields():
    """Every relation whose target admin can search: the autocomplete view answers for each."""
    for model, _model_admin in _model_admins():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and (field.many_to_one or field.many_to_many)):
                continue
            target_admin = admin.site._registry.get(field.related_model)
            if target_admin is not None and target_admin.search_fields:
                yield pytest.param(model, field.name, id=f"{model._meta.label}.{field.name}")


def _store_rows(model, store):
    """`store`'s rows of `model`; for platform models (groups, login records), every row."""
    lookup = getattr(admin.site._registry.get(model), "store_lookup", None)
    if model is not Store and lookup is None and not has_store_field(model):
        return model._default_manager.all()
    return limit_to_store(model._default_manager.all(), store, lookup)


def _snapshot(store):
    """Everything of `store` (and of the platform) in every admin-registered model and
    order lines, as values."""
    snapshot = {}
    for model in [*admin.site._registry, OrderLine]:
        rows = _store_rows(model, store).order_by("pk").values()
        snapshot[model._meta.label] = [
            {key: value for key, value in row.items() if not isinstance(value, models.Model)} for row in rows
        ]
    return snapshot


@pytest.fixture
def store_b(db):
    store = make_store(code="beta", name="베타 식당")
    category = Category.objects.create(
        store=store, name="베타전용분류", display_order=1, translations={"en": {"name": "베타전용번역 분류"}}
    )
    item = MenuItem.objects.create(
        store=store,
        category=category,
        name="베타전용메뉴",
        price=7000,
        display_order=1,
        description="베타전용 설명",
        origin="베타전용원산지: 국내산",
        allergens=["밀"],
        translations={"ja": {"name": "베타전용번역 메뉴"}},
    )
    group = make_option_group(item, name="베타전용옵션그룹", max_select=2)
    Option.objects.create(group=group, name="베타전용옵션", price_delta=500)
    store.origin_notice = "베타전용원산지"
    store.origin_notice_translations = {"ja": "베타전용번역 원산지"}
    store.staff_call_reason_translations = {"물": {"en": "베타전용호출"}}
    store.save()
    table = setup_table(store=store, number=7, password="7777")[0]
    printer = Printer.objects.create(store=store, name="베타전용프린터", station=store.stations.get())
    issue_token(printer=printer)
    raise_alert(printer=printer, kind=AlertKind.PRINTER_FAILED, detail="베타전용경보")
    place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 1}])
    cancelled, _created = place_order(table=table, items=[{"menu_item_id": item.id, "quantity": 2}])
    delete_order(order=cancelled, actor=None, reason="other", reason_text="베타전용사유")
    call_staff(table=table, reason="물")
    login = {"username": "beta:manager", "ip_address": "10.0.0.9", "user_agent": "x", "http_accept": "*/*"}
    AccessAttempt.objects.create(**login, path_info="/admin/login/", failures_since_start=1)
    AccessLog.objects.create(**login, path_info="/admin/login/")
    AccessFailureLog.objects.create(**login, path_info="/admin/login/")
    return store


@pytest.fixture
def manager_a(client, manager, menu, table):
    place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 1}])
    call_staff(table=table, reason="물")
    client.force_login(manager)
    return client


def _b_object(model, store_b):
    obj = _store_rows(model, store_b).first()
    assert obj is not None, f"store B needs a {model._meta.label} for the matrix"
    return obj


def _object_url(model, name, obj):
    model_admin = admin.site._registry[model]
    (pattern,) = [pattern for pattern in model_admin.urls if pattern.name == name]
    return reverse(f"admin:{name}", kwargs=dict.fromkeys(pattern.pattern.converters, obj.pk))


@pytest.mark.parametrize(("model", "name"), list(_object_urls()))
def test_another_stores_object_pages_are_not_found(manager_a, store_b, model, name):
    url = _object_url(model, name, _b_object(model, store_b))
    before = _snapshot(store_b)

    assert manager_a.get(url).status_code in (403, 404), url
    response = manager_a.post(
        url, {"name": "바뀜", "post": "yes", "password1": "new-pass-9876", "password2": "new-pass-9876"}
    )

    assert response.status_code in (403, 404), url
    assert _snapshot(store_b) == before


@pytest.mark.parametrize(("model", "name"), list(_plain_urls()))
def test_lists_and_forms_show_nothing_of_another_store(manager_a, store_b, model, name):
    response = manager_a.get(reverse(f"admin:{name}"))

    assert response.status_code in (200, 403, 405), name
    page = response.content.decode()
    for b_name in B_NAMES:
        assert b_name not in page
    for obj in _store_rows(model, store_b):
        assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]) not in page


def test_the_changelist_shows_the_managers_own_rows(manager_a, store):
    page = manager_a.get(reverse("admin:menus_menuitem_changelist")).content.decode()

    assert "김치찌개" in page
    assert all(name not in page for name in B_NAMES)


@pytest.mark.parametrize(("model", "field_name"), list(_related_fields()))
def test_autocomplete_offers_nothing_of_another_store(manager_a, store_b, model, field_name):
    target = model._meta.get_field(field_name).related_model
    b_ids = {str(pk) for pk in _store_rows(target, store_b).values_list("pk", flat=True)}
    assert b_ids, f"store B needs a {target._meta.label}"
    query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name}

    response = manager_a.get(reverse("admin:autocomplete"), {**query, "term": ""})

    assert response.status_code in (200, 403, 404)
    if response.status_code == 200:
        assert not {result["id"] for result in response.json()["results"]} & b_ids


def test_the_category_autocomplete_offers_the_managers_own(manager_a, menu):
    query = {"app_label": "menus", "model_name": "menuitem", "field_name": "category", "term": ""}

    response = manager_a.get(reverse("admin:autocomplete"), query)

    assert [result["text"] for result in response.json()["results"]] == ["식사"]


@pytest.mark.parametrize(("model", "name"), list(_changelists()))
def test_actions_on_another_stores_rows_change_nothing(rf, manager, manager_a, store_b, model, name):
    request = rf.get("/")
    request.user = manager
    actions = admin.site._registry[model].get_actions(request)
    ids = [str(pk) for pk in _store_rows(model, store_b).values_list("pk", flat=True)]
    before = _snapshot(store_b)

    for action in actions:
        manager_a.post(reverse(f"admin:{name}"), {"action": action, "_selected_action": ids, "post": "yes"})

    assert _snapshot(store_b) == before


def test_list_editing_cannot_reach_another_stores_item(manager_a, store_b):
    item = MenuItem.objects.get(store=store_b)
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(item.pk),
        "form-0-price": "1",
        "_save": "Save",
    }

    manager_a.post(reverse("admin:menus_menuitem_changelist"), form)

    item.refresh_from_db()
    assert item.price == 7000
    assert item.is_available


def test_the_item_page_offers_only_the_managers_own_option_groups(manager_a, store_b, menu):
    ours = make_option_group(menu[1], name="맵기")

    for url in (reverse("admin:menus_menuitem_add"), reverse("admin:menus_menuitem_change", args=[menu[0].pk])):
        page = manager_a.get(url)
        (links,) = [
            formset for formset in page.context["inline_admin_formsets"] if formset.opts.model is ItemOptionGroup
        ]
        offered = links.formset.empty_form.fields["group"].queryset

        assert list(offered) == [ours]
        assert "베타전용옵션그룹" not in page.content.decode()


@pytest.mark.parametrize("model", [Category, MenuItem])
def test_reordering_cannot_reach_another_stores_rows(manager_a, store_b, model):
    obj = model.objects.get(store=store_b)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_sortable_update")

    response = manager_a.post(url, json.dumps({"updatedItems": [[obj.pk, 42]]}), content_type="application/json")

    assert response.status_code == 400
    obj.refresh_from_db()
    assert obj.display_order == 1


@pytest.mark.parametrize(("model", "name"), [*_plain_urls(), *_object_urls()])
def test_a_tablet_token_opens_no_admin_page(client, table, store_b, model, name):
    has_id = any(pattern.name == name and pattern.pattern.converters for pattern in admin.site._registry[model].urls)
    url = _object_url(model, name, _b_object(model, store_b)) if has_id else reverse(f"admin:{name}")

    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {table_tokens(table)['access']}")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def _page_urls():
    """The admin site's own pages (the live dashboard, the kitchen display, the sales report)."""
    names = [getattr(p, "name", None) for p in admin.site.get_urls()]
    names = [name for name in names if name in {"live", "kitchen", "reports"}]
    assert sorted(names) == ["kitchen", "live", "reports"]
    return names


@pytest.mark.parametrize("name", _page_urls())
def test_the_admins_own_pages_show_nothing_of_another_store(manager_a, store_b, name):
    before = _snapshot(store_b)
    response = manager_a.get(reverse(f"admin:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "베타" not in html
    assert _snapshot(store_b) == before


def test_the_missing_translations_page_lists_only_the_managers_store(manager_a, store_b):
    html = manager_a.get(reverse("admin:menus_missing_translations")).content.decode()

    assert "김치찌개" in html
    assert "베타" not in html
    for model in (Category, MenuItem, OptionGroup):
        for obj in _store_rows(model, store_b):
            assert reverse(f"admin:menus_{model._meta.model_name}_change", args=[obj.pk]) not in html


def test_the_sales_report_counts_only_the_managers_store(manager_a, store_b):
    html = manager_a.get(reverse("admin:reports")).content.decode()
    assert 'id="total-orders">1<' in html
    assert 'id="total-deleted">0 orders' in html
