"""The back office: Django's admin site with a store login, the live dashboard and the kitchen display."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import StoreAuthenticationForm


def _home_page(user) -> str:
    """Where a user of the back office starts: kitchen staff at the kitchen display, a store's
    manager at the live dashboard, a platform admin at the admin index."""
    if not getattr(user, "store_id", None):
        return "admin:index"
    return "admin:kitchen" if user.is_kitchen_staff else "admin:live"


class TableOrderAdminSite(admin.AdminSite):
    """Store managers log in with their store identifier and land on the live dashboard;
    kitchen staff land on the kitchen display, the only page of the site they use."""

    site_header = _("Table Order admin")
    site_title = _("Table Order admin")
    index_title = _("Store administration")
    login_form = StoreAuthenticationForm
    login_template = "admin/store_login.html"
    # The site's front page is the tablet's setup screen, of no use to a manager: "View site"
    # (worded "live orders") opens a manager's live dashboard instead, and is not shown to
    # anyone else (kitchen staff reach their display from the site's header, the index).
    site_url = None

    def get_urls(self):
        from tableorder.pages.dashboard import urlpatterns as dashboard
        from tableorder.pages.kitchen import urlpatterns as kitchen
        from tableorder.pages.reports import urlpatterns as reports

        pages = [
            path(str(page.pattern), self.admin_view(page.callback), name=page.name)
            for page in [*dashboard, *kitchen, *reports]
        ]
        return pages + super().get_urls()

    def login(self, request, extra_context=None):
        """Django's admin login; without another page asked for, a user lands on their home page."""
        response = super().login(request, extra_context)
        index = reverse("admin:index", current_app=self.name)
        asked_for = request.POST.get("next") or request.GET.get("next")
        if request.method == "POST" and isinstance(response, HttpResponseRedirect) and asked_for in (None, "", index):
            return HttpResponseRedirect(reverse(_home_page(request.user), current_app=self.name))
        return response

    def index(self, request, extra_context=None):
        """The admin index; kitchen staff have nothing on it and go to the kitchen display."""
        if request.user.is_kitchen_staff:
            return HttpResponseRedirect(reverse("admin:kitchen", current_app=self.name))
        return super().index(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        context["store"] = getattr(request.user, "store", None)
        if context["store"] is not None and not request.user.is_kitchen_staff:
            context["site_url"] = reverse("admin:live", current_app=self.name)
        return context
