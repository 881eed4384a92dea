"""Project-level views: the health check, and the API's error shape for the errors Django answers itself."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_safe
from rest_framework.exceptions import NotFound

from core.errors import error_response


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer, 503 otherwise (for the load balancer).

    Served by `core.middleware.HealthCheckMiddleware` whatever the Host header says.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    """handler404: under /api/ the API's error shape (a path like /api/v1/admin/orders/x
    matches no route, so no API view answers it), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(404, NotFound.default_code, NotFound.default_detail)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (e.g. a Host header not in ALLOWED_HOSTS): the error shape under /api/."""
    if request.path.startswith("/api/"):
        return error_response(400, "bad_request", _("Bad request."))
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the error shape under /api/, never a traceback; Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return error_response(500, "server_error", _("A server error occurred."))
    return defaults.server_error(request)
