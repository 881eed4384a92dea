"""The health check ahead of everything, request timing logs (one structured line per
request, streams excepted until they end), a 503 while the database is unreachable, and the
guest's language on the tablet's API."""

import logging
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from core.errors import error_response
from core.languages import GUEST_LANGUAGE_CODES, LANGUAGE_TAGS, accepted_language
from core.views import healthz

logger = logging.getLogger("tableorder.request")

_GetResponse = Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class SyncAndAsyncMiddleware:
    """A middleware for either stack: `_call` under WSGI, `_acall` under ASGI (uvicorn), as
    the `get_response` it wraps is."""

    async_capable = True
    sync_capable = True

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if iscoroutinefunction(self):
            return self._acall(request)  # type: ignore[attr-defined, no-any-return]
        return self._call(request)

    def _call(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError


class HealthCheckMiddleware(SyncAndAsyncMiddleware):
    """Answers GET/HEAD /healthz before the host check and the HTTPS redirect.

    A load balancer checks each instance by its address and deploy/deploy.sh by 127.0.0.1,
    neither of them in ALLOWED_HOSTS: Django would refuse both (400) before any view ran.
    First in MIDDLEWARE; every other request (and /healthz with another method) goes on
    through the usual checks. The answer is `core.views.healthz`'s own.
    """

    methods = {"GET", "HEAD"}

    def is_health_check(self, request: HttpRequest) -> bool:
        return request.path_info == "/healthz" and request.method in self.methods

    def _call(self, request: HttpRequest) -> HttpResponseBase:
        if self.is_health_check(request):
            return healthz(request)
        return self.get_response(request)  # type: ignore[return-value]

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.is_health_check(request):
            return await sync_to_async(healthz)(request)
        return await self.get_response(request)  # type: ignore[misc, no-any-return]


class RequestLogMiddleware(SyncAndAsyncMiddleware):
    def _call(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
        self._log(request, response, started)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        self._log(request, response, started)
        return response

    def _log(self, request: HttpRequest, response: HttpResponseBase, started: float) -> None:
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "streaming": response.streaming,
            },
        )


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """A view that could not reach the database answers 503 with the API's error shape.

    During a database restart or failover, connections fail (OperationalError) or the pool
    has none to give within DB_POOL_TIMEOUT; the change they carried rolled back, so the
    client may retry (an order with the same Idempotency-Key). Every view is covered: DRF
    re-raises what its handler does not know, and the stream views and the admin raise
    straight here. Logged as one line, without a traceback: it is an outage, not a bug.
    """

    retry_after_seconds = 2

    def process_exception(self, request: HttpRequest, exception: Exception) -> JsonResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exception)
        return error_response(
            503,
            "service_unavailable",
            _("The service is briefly unavailable. Please try again in a moment."),
            headers={"Retry-After": str(self.retry_after_seconds)},
        )


# What a tablet calls: its login, menu, orders, staff calls, bill and stream (the stream ticket
# is the tablet's and the Bearer-token clients' of the manager API). Never the manager's API
# (/api/v1/admin/…), the manager login or the back office's pages.
GUEST_API_PATHS = frozenset(
    {
        "/api/v1/auth/table/login",
        "/api/v1/auth/table/refresh",
        "/api/v1/menu",
        "/api/v1/orders",
        "/api/v1/orders/stream",
        "/api/v1/staff-calls",
        "/api/v1/bill",
        "/api/v1/stream-ticket",
    }
)


def guest_language(request: HttpRequest) -> str:
    """The guest's language for a request to the tablet's API: a `lang` parameter of ours (the
    menu's, as menus.api reads it), else the first of ours in Accept-Language, else the site's
    (settings.LANGUAGE_CODE: Korean), whatever a language cookie says."""
    if request.META.get("QUERY_STRING"):
        language = request.GET.get("lang", "").lower()
        if language in GUEST_LANGUAGE_CODES:
            return language
    accepted = accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE"))
    return accepted or translation.get_supported_language_variant(settings.LANGUAGE_CODE)


class GuestLanguageMiddleware(SyncAndAsyncMiddleware):
    """The tablet's API answers in the guest's language (SPEC 3.10); after LocaleMiddleware.

    The tablet sends its page's language in Accept-Language. settings.LANGUAGES is the back
    office's (Korean and English), so LocaleMiddleware would answer Japanese and Chinese
    guests in Korean: for the tablet's endpoints (GUEST_API_PATHS) this activates the guest's
    language (`guest_language`) while the request runs, and names it in `Content-Language`.
    Every other path keeps LocaleMiddleware's choice.
    """

    def _call(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in GUEST_API_PATHS:
            return self.get_response(request)  # type: ignore[return-value]
        language = request.LANGUAGE_CODE = guest_language(request)
        if language == translation.get_language():
            response: HttpResponseBase = self.get_response(request)  # type: ignore[assignment]
        else:
            with translation.override(language):
                response = self.get_response(request)  # type: ignore[assignment]
        response.headers["Content-Language"] = LANGUAGE_TAGS.get(language, language)
        return response

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info not in GUEST_API_PATHS:
            return await self.get_response(request)  # type: ignore[misc, no-any-return]
        language = request.LANGUAGE_CODE = guest_language(request)
        if language == translation.get_language():
            response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        else:
            with translation.override(language):
                response = await self.get_response(request)  # type: ignore[misc]
        response.headers["Content-Language"] = LANGUAGE_TAGS.get(language, language)
        return response
