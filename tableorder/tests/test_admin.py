"""Every model is in the Django admin and its pages open for a platform admin."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from orders.services import place_order


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser(username="root", password="root-pass-123"))
    return client


def test_every_project_model_is_registered():
    registered = {model._meta.label for model in admin.site._registry}
    assert {
        "accounts.Store",
        "accounts.User",
        "accounts.Table",
        "menus.Category",
        "menus.MenuItem",
        "orders.TableSession",
        "orders.Order",
        "orders.OrderEvent",
    } <= registered


def test_changelists_and_change_pages_open(admin_client, table, menu):
    order, _ = place_order(table=table, items=[{"menu_item_id": menu[0].id, "quantity": 2}])
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in {"accounts", "menus", "orders"}:
            continue
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        instance = model.objects.first()
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])
        assert admin_client.get(change).status_code == 200, change
    page = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "김치찌개" in page
