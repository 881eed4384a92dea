"""Project-level views: the health check."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    """200 when the app and its database answer, 503 otherwise (for the load balancer).

    Served by `tableorder.middleware.HealthCheckMiddleware` whatever the Host header says.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy", never a 500
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
