"""A query string with a NUL or a lone surrogate is a 400, on every page and API.

PostgreSQL refuses NUL in text, so `?status__exact=%00` on an admin changelist (or any filter
that reaches a query) failed as a 500. Django reads the query string's bytes as UTF-8 with
replacement, so a surrogate arrives only through an ASGI server that passes one on; it is
refused the same way. Form fields are the forms' job: Django's and DRF's CharFields refuse
NUL (and DRF's lone surrogates) with a field error.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.utils.translation import gettext as _

from core.errors import error_response


def is_unstorable(text: str) -> bool:
    """Whether `text` has a character PostgreSQL cannot store: NUL or a lone UTF-16 surrogate."""
    return any(char == "\x00" or "\ud800" <= char <= "\udfff" for char in text)


class QueryStringGuardMiddleware:
    """Sync and async, so a stream (an async view) takes no extra thread hop for it."""

    async_capable = True
    sync_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self._acall(request)
        return refusal(request) or self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        return refusal(request) or await self.get_response(request)


def refusal(request: HttpRequest) -> HttpResponse | None:
    """A 400 for a query string with unstorable text (in the error shape under /api/), else None."""
    if not any(is_unstorable(key) or any(map(is_unstorable, values)) for key, values in request.GET.lists()):
        return None
    message = _("The address has a character that is not allowed (NUL or a lone surrogate).")
    if request.path.startswith("/api/"):
        return error_response(400, "bad_request", message)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
