"""Logins through django-axes, answering a lockout with 429 for API clients."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponseBase, JsonResponse
from django.shortcuts import render

from tableorder.api import LockedOut


def authenticate_or_lock(request, **credentials):
    """`authenticate()` with axes counting failures; raises LockedOut (429) when locked.

    DRF wraps the request, so AxesMiddleware never sees an API lockout: check here.
    """
    http_request = request._request
    user = authenticate(http_request, **credentials)
    if getattr(http_request, "axes_locked_out", False):
        raise LockedOut()
    if user is not None and settings.AXES_RESET_ON_SUCCESS:
        # Token logins never call login(), so axes' own reset on user_logged_in never runs;
        # reset here, with the store code that scopes the failures.
        public = {key: value for key, value in credentials.items() if key != "password"}
        AxesProxyHandler.get_implementation().reset_user_attempts(http_request, public)
    return user


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: our JSON error for the API, a page for people."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        # Under ASGI, axes 8.3.1's middleware passes the credentials dict in the response's place.
        if isinstance(original_response, HttpResponseBase) and original_response.status_code == status:
            return original_response
        return JsonResponse(
            {"error": {"code": LockedOut.default_code, "message": str(LockedOut.default_detail)}}, status=status
        )
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=status)


def client_ip(request):
    """The client's address: counted from the right of X-Forwarded-For past our own proxies.

    Entries further left are whatever the client sent and cannot be trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
