"""The pages' Content-Security-Policy: scripts from our own files, inline ones only by nonce.

The tablet and the live dashboard render inline scripts and set their policy with a nonce
(`apply_policy`). Every other page of the back office (Django's admin: login, lists, forms,
the sortable lists, autocomplete) runs only script files, and gets the same policy without a
nonce from `AdminPolicyMiddleware`.
"""

import secrets

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import NoReverseMatch, reverse
from django.utils.deprecation import MiddlewareMixin

# Menu text is untrusted: even if markup slipped into a page, no script but ours could run.
# Images may come from external URLs (image_url) or S3, hence https: for img-src; the item
# form previews a chosen file as a data: URL.
_POLICY = (
    "default-src 'self'; script-src {scripts}; style-src 'self'; "
    "img-src 'self' data: https:; connect-src 'self'; font-src 'self'; manifest-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_POLICY = _POLICY.format(scripts="'self'")
HEADER = "Content-Security-Policy"


def new_nonce() -> str:
    """A fresh nonce for one response: its inline scripts carry it, the policy names it."""
    return secrets.token_urlsafe(16)


def content_security_policy(nonce: str) -> str:
    """The Content-Security-Policy header value that lets only scripts carrying `nonce` run inline."""
    return _POLICY.format(scripts=f"'self' 'nonce-{nonce}'")


def apply_policy(response: HttpResponse, nonce: str) -> HttpResponse:
    """Sets the policy for `nonce` on `response` and returns it."""
    response[HEADER] = content_security_policy(nonce)
    return response


class AdminPolicyMiddleware(MiddlewareMixin):
    """`ADMIN_POLICY` on every back-office response that set no policy of its own."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if HEADER in response:
            return response
        try:
            admin_prefix = reverse("admin:index")
        except NoReverseMatch:  # a URLconf without the admin (tests of other views) has no admin pages
            return response
        if request.path.startswith(admin_prefix):
            response[HEADER] = ADMIN_POLICY
        return response
