"""The health check ahead of everything, request timing logs (one structured line per
request, streams excepted until they end), and a 503 while the database is unreachable."""

import logging
import time
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _

from core.errors import error_response
from core.views import healthz

logger = logging.getLogger("tableorder.request")

_GetResponse = Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]


class HealthCheckMiddleware:
    """Answers GET/HEAD /healthz before the host check and the HTTPS redirect.

    A load balancer checks each instance by its address and deploy/deploy.sh by 127.0.0.1,
    neither of them in ALLOWED_HOSTS: Django would refuse both (400) before any view ran.
    First in MIDDLEWARE; every other request (and /healthz with another method) goes on
    through the usual checks. The answer is `core.views.healthz`'s own.
    """

    async_capable = True
    sync_capable = True
    methods = {"GET", "HEAD"}

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def is_health_check(self, request: HttpRequest) -> bool:
        return request.path_info == "/healthz" and request.method in self.methods

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if iscoroutinefunction(self):
            return self._acall(request)  # type: ignore[attr-defined, no-any-return]
        if self.is_health_check(request):
            return healthz(request)
        return self.get_response(request)

    async def _acall(self, request: HttpRequest) -> HttpResponseBase:
        if self.is_health_check(request):
            return await sync_to_async(healthz)(request)
        return await self.get_response(request)  # type: ignore[misc, no-any-return]


class RequestLogMiddleware:
    async_capable = True
    sync_capable = True

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if iscoroutinefunction(self):
            return self._acall(request)  # type: ignore[attr-defined, no-any-return]
        started = time.perf_counter()
        response = self.get_response(request)
        self._log(request, response, started)  # type: ignore[arg-type]
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
