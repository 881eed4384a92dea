"""The pages' Content-Security-Policy: scripts from our own files, inline ones only by nonce."""

import secrets

from django.http import HttpResponse

# Menu text is untrusted: even if markup slipped into a page, no script but ours could run.
# Images may come from external URLs (image_url) or S3, hence https: for img-src.
_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def new_nonce() -> str:
    """A fresh nonce for one response: its inline scripts carry it, the policy names it."""
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str) -> str:
    """The Content-Security-Policy header value that lets only scripts carrying `nonce` run inline."""
    return _POLICY.format(nonce=nonce)


def apply_policy(response: HttpResponse, nonce: str) -> HttpResponse:
    """Sets the policy for `nonce` on `response` and returns it."""
    response["Content-Security-Policy"] = content_security_policy(nonce)
    return response
