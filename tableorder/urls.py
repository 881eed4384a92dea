from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import healthz
from tableorder.pages.install import favicon, manifest
from tableorder.pages.tablet import tablet

handler400 = "core.views.bad_request"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"

api_v1 = [
    # First: a request keeps the routes tried before its own for as long as it lasts.
    path("", include("orders.stream_urls")),
    path("", include("accounts.urls")),
    path("", include("menus.urls")),
    path("", include("orders.urls")),
    path("", include("kitchen.urls")),
    path("", include("reports.urls")),
]

urlpatterns = [
    path("", tablet, name="tablet"),
    path("healthz", healthz, name="healthz"),
    # Public: browsers fetch manifests and the icon without cookies.
    path("manifest.webmanifest", manifest, {"app": "tablet"}, name="manifest-tablet"),
    path("admin/live.webmanifest", manifest, {"app": "dashboard"}, name="manifest-dashboard"),
    path("admin/kitchen.webmanifest", manifest, {"app": "kitchen"}, name="manifest-kitchen"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
