"""A NUL in a query string is a 400 on every admin changelist and on the API, not a 500."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib import admin
from django.urls import reverse

from accounts.tokens import manager_tokens
from core.query_guard import is_unstorable

HOSTILE_QUERIES = ["status__exact=%00", "q=%00", "o=1%00", "%00=1"]


def _changelists():
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(_changelists()))
def test_a_nul_in_any_changelist_filter_is_a_400(client, admin_client, manager, menu, url):
    client.force_login(manager)
    if client.get(url).status_code == 403:  # a superuser's page
        client = admin_client
    assert client.get(url).status_code == 200
    for query in HOSTILE_QUERIES:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (query, response.status_code)
        assert "NUL" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/admin/history", "/api/v1/admin/orders", "/api/v1/admin/menu-items"])
def test_a_nul_in_an_api_query_is_a_400_in_the_error_shape(client, manager, url):
    headers = {"Authorization": f"Bearer {manager_tokens(manager)['access']}"}
    response = client.get(f"{url}?table=%00", headers=headers)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "bad_request"


def test_unstorable_text():
    assert is_unstorable("a\x00b") and is_unstorable("\ud800") and is_unstorable("\udfff")
    assert not is_unstorable("김치찌개 😀 -반값- =1")


def test_a_nul_in_a_stream_query_is_a_400_on_the_async_path(async_client, manager):
    async def get():
        return await async_client.get("/api/v1/admin/stream?ticket=%00")

    response = async_to_sync(get)()
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
