"""The pages' policy: the exact header the tablet and the dashboard send, a new nonce each time."""

from django.http import HttpResponse

from core.csp import apply_policy, content_security_policy, new_nonce


def test_the_policy_names_the_nonce_and_allows_nothing_inline_else():
    assert content_security_policy("abc") == (
        "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self'; "
        "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def test_each_nonce_is_new():
    assert len({new_nonce() for _ in range(100)}) == 100


def test_apply_policy_sets_the_header_on_the_response():
    response = HttpResponse()
    assert apply_policy(response, "abc") is response
    assert response["Content-Security-Policy"] == content_security_policy("abc")
