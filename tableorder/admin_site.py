"""The back office: Django's admin site with a store login and the live dashboard."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import StoreAuthenticationForm


class TableOrderAdminSite(admin.AdminSite):
    """Store managers log in with their store identifier and land on the live dashboard."""

    site_header = _("Table Order admin")
    site_title = _("Table Order admin")
    index_title = _("Store administration")
    login_form = StoreAuthenticationForm
    login_template = "admin/store_login.html"
    # The site's front page is the tablet's setup screen, of no use to a manager: "View site"
    # opens a store manager's live dashboard instead, and is not shown to anyone else.
    site_url = None

    def get_urls(self):
        from tableorder.pages.dashboard import urlpatterns as dashboard

        pages = [path(str(page.pattern), self.admin_view(page.callback), name=page.name) for page in dashboard]
        return pages + super().get_urls()

    def login(self, request, extra_context=None):
        """Django's admin login; without another page asked for, a manager lands on the dashboard."""
        response = super().login(request, extra_context)
        index = reverse("admin:index", current_app=self.name)
        asked_for = request.POST.get("next") or request.GET.get("next")
        if request.method == "POST" and isinstance(response, HttpResponseRedirect) and asked_for in (None, "", index):
            page = "admin:live" if getattr(request.user, "store_id", None) else "admin:index"
            return HttpResponseRedirect(reverse(page, current_app=self.name))
        return response

    def each_context(self, request):
        context = super().each_context(request)
        context["store"] = getattr(request.user, "store", None)
        if context["store"] is not None:
            context["site_url"] = reverse("admin:live", current_app=self.name)
        return context
