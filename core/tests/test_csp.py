"""The pages' policy: the exact header the tablet and the dashboard send, a new nonce each time."""

from django.http import HttpResponse

from core.csp import apply_policy, content_security_policy, new_nonce


def test_the_policy_names_the_nonce_and_allows_nothing_inline_else():
    assert content_security_policy("abc") == (
        "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self'; "
        "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def test_each_nonce_is_new():
    assert len({new_nonce() for _ in range(100)}) == 100


def test_apply_policy_sets_the_header_on_the_response():
    response = HttpResponse()
    assert apply_policy(response, "abc") is response
    assert response["Content-Security-Policy"] == content_security_policy("abc")


def test_every_admin_page_gets_the_policy_without_a_nonce(client, manager):
    from core.csp import ADMIN_POLICY

    assert "nonce" not in ADMIN_POLICY and "script-src 'self';" in ADMIN_POLICY
    assert client.get("/admin/login/")["Content-Security-Policy"] == ADMIN_POLICY
    client.force_login(manager)
    for url in ("/admin/", "/admin/menus/menuitem/", "/admin/orders/order/", "/admin/nowhere/"):
        assert client.get(url)["Content-Security-Policy"] == ADMIN_POLICY, url
    # The live dashboard keeps its own, with the nonce of its inline scripts.
    dashboard = client.get("/admin/live/")["Content-Security-Policy"]
    assert "'nonce-" in dashboard and dashboard != ADMIN_POLICY


def test_the_api_gets_no_page_policy(client):
    assert "Content-Security-Policy" not in client.get("/api/v1/menu")
