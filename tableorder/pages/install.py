"""What makes the pages installable apps: their web app manifests and the site's icon.

The guest tablet app (scope `/`), the live dashboard and the kitchen display (scope `/admin/`)
each have a manifest, so a tablet can add them to its home screen and open them full screen in
the store's colour. A browser fetches a manifest without cookies, so these answer everyone: they
say nothing about any store.
"""

from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

MANIFEST_TYPE = "application/manifest+json"
# A manifest changes with a release: an hour in a cache is plenty.
MANIFEST_MAX_AGE = 3600

# The app and its start page, colours as in each page's CSS: the tablet's white top bar on its
# warm grey, the admin's blue header on white, the kitchen's dark board.
APPS: dict[str, dict[str, Any]] = {
    "tablet": {
        "name": _("Table Order"),
        "short_name": _("Table Order"),
        "start_url": "/",
        "scope": "/",
        "theme_color": "#ffffff",
        "background_color": "#f5f3f0",
    },
    "dashboard": {
        "name": _("Live orders"),
        "short_name": _("Live orders"),
        "start_url": "/admin/live/",
        "scope": "/admin/",
        "theme_color": "#417690",
        "background_color": "#ffffff",
    },
    "kitchen": {
        "name": pgettext_lazy("kitchen display", "Kitchen display"),
        "short_name": pgettext_lazy("kitchen display", "Kitchen display"),
        "start_url": "/admin/kitchen/",
        "scope": "/admin/",
        "theme_color": "#1e2227",
        "background_color": "#1e2227",
    },
}


def manifest_data(app: str) -> dict[str, Any]:
    """The web app manifest of `app` (a key of APPS), in the active language."""
    fields = APPS[app]
    return {
        "id": fields["start_url"],
        "name": str(fields["name"]),
        "short_name": str(fields["short_name"]),
        "lang": (get_language() or "ko").split("-")[0],
        "dir": "ltr",
        "start_url": fields["start_url"],
        "scope": fields["scope"],
        # Full screen where the browser can; else a window without the browser's bars.
        "display": "fullscreen",
        "display_override": ["fullscreen", "standalone"],
        "orientation": "any",
        "theme_color": fields["theme_color"],
        "background_color": fields["background_color"],
        "icons": [
            {"src": static("shared/icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("shared/icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("shared/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("shared/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
        ],
    }


@require_GET
def manifest(request: HttpRequest, app: str) -> HttpResponse:
    """`app`'s manifest as `application/manifest+json`."""
    if app not in APPS:
        raise Http404
    response = JsonResponse(manifest_data(app), content_type=MANIFEST_TYPE, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={MANIFEST_MAX_AGE}"
    response["Vary"] = "Accept-Language"
    return response


@cache
def _favicon() -> bytes:
    found = finders.find("shared/icons/favicon.ico")
    if not isinstance(found, str):
        raise Http404
    with open(found, "rb") as file:
        return file.read()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for whatever the page links."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
