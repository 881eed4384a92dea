"""The kitchen display, a page of the admin site at `/admin/kitchen/`.

Mounted by `tableorder.admin_site` like the live dashboard. Store managers and the store's
kitchen staff get it; kitchen staff get nothing else of the back office. The page is a shell:
its script follows the store's event stream and works the tickets through the kitchen API
(`/api/v1/admin/kitchen/…`) with the session cookie.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import pgettext_lazy

from accounts.store_admin import user_store
from core.csp import apply_policy, new_nonce
from kitchen.selectors import RECALL_WINDOW
from menus.models import Station

# Strings of the printer alerts' banner (static/shared/alerts.js), on the kitchen display and
# the live dashboard alike.
ALERT_STRINGS = {
    "alertsLabel": pgettext_lazy("printer alert", "Printer alerts"),
    "alert_job_late": pgettext_lazy("printer alert", "A ticket has not printed yet."),
    "alert_agent_offline": pgettext_lazy("printer alert", "The printer's connection program is offline."),
    "alert_printer_failed": pgettext_lazy("printer alert", "The printer does not print (check paper and cover)."),
    "alertPrinter": pgettext_lazy("printer alert", "Printer {name}"),
    "alertSince": pgettext_lazy("printer alert", "since {time}"),
    "reprint": pgettext_lazy("printer alert", "Reprint"),
    "reprintLabel": pgettext_lazy("printer alert", "Reprint the order of this alert on {name}"),
    "reprinted": pgettext_lazy("printer alert", "Sent to the printer again."),
}

# Strings the kitchen display's JavaScript shows; `{name}` placeholders are filled in by the script.
KITCHEN_STRINGS = {
    **ALERT_STRINGS,
    "allStations": pgettext_lazy("kitchen display", "All"),
    "tableNumber": pgettext_lazy("kitchen display", "{number}"),
    "tableWord": pgettext_lazy("kitchen display", "table"),
    "ticketLabel": pgettext_lazy("kitchen display", "Table {table}, order {number}: {status}"),
    "quantity": pgettext_lazy("kitchen display", "× {quantity}"),
    "noteLabel": pgettext_lazy("kitchen display", "Note"),
    "statusNew": pgettext_lazy("kitchen display", "New"),
    "statusCooking": pgettext_lazy("kitchen display", "Cooking"),
    "statusDone": pgettext_lazy("kitchen display", "Done"),
    "statusCancelled": pgettext_lazy("kitchen display", "Cancelled"),
    "amber": pgettext_lazy("kitchen display", "Taking long"),
    "red": pgettext_lazy("kitchen display", "Overdue"),
    "start": pgettext_lazy("kitchen display", "Start cooking"),
    "finish": pgettext_lazy("kitchen display", "Done"),
    "recall": pgettext_lazy("kitchen display", "Recall"),
    "recallLabel": pgettext_lazy("kitchen display", "Recall table {table}'s order {number}"),
    "doneAt": pgettext_lazy("kitchen display", "Done {time}"),
    "doneTitle": pgettext_lazy("kitchen display", "Done (recall within {minutes} min)"),
    "doneEmpty": pgettext_lazy("kitchen display", "Finished tickets stay here for a few minutes."),
    "allDayTitle": pgettext_lazy("kitchen display", "To cook"),
    "allDayEmpty": pgettext_lazy("kitchen display", "Nothing to cook."),
    "empty": pgettext_lazy("kitchen display", "No orders to cook. New orders appear here at once."),
    "recalled": pgettext_lazy("kitchen display", "Table {table}'s order {number} is cooking again."),
    "nothingToRecall": pgettext_lazy("kitchen display", "There is no finished ticket to recall."),
    "handledElsewhere": pgettext_lazy("kitchen display", "Table {table}, {number}: already handled on another screen."),
    "cancelledMeanwhile": pgettext_lazy("kitchen display", "Table {table}, {number}: the order was cancelled."),
    "recallExpired": pgettext_lazy(
        "kitchen display", "Too late to recall: a ticket can be recalled for {minutes} min."
    ),
    "connecting": pgettext_lazy("kitchen display", "Connecting…"),
    "live": pgettext_lazy("kitchen display", "Live"),
    "reconnecting": pgettext_lazy("kitchen display", "Reconnecting…"),
    "loadFailed": pgettext_lazy("kitchen display", "Could not load the tickets: {message}"),
    "networkError": pgettext_lazy("kitchen display", "Cannot reach the server. Check the network."),
    "serverError": pgettext_lazy("kitchen display", "Something went wrong on the server. Please try again."),
}


def kitchen(request: HttpRequest) -> HttpResponse:
    """The display for the signed-in manager's or kitchen staff's store; a platform admin gets a
    notice, any other staff user a 403."""
    store = user_store(request)
    if store is None and not request.user.is_superuser:
        raise PermissionDenied
    nonce = new_nonce()
    context = {
        **admin.site.each_context(request),
        "title": pgettext_lazy("kitchen display", "Kitchen display"),
        "is_nav_sidebar_enabled": False,
        "csp_nonce": nonce,
        "store": store,
    }
    if store is not None:
        context["strings"] = {key: str(text) for key, text in KITCHEN_STRINGS.items()}
        context["config"] = {
            "storeCode": store.code,
            "api": "/api/v1/admin/",
            "stream": reverse("admin-stream"),
            "stations": list(Station.objects.filter(store=store).values("id", "name")),
            "amberMinutes": store.kitchen_amber_minutes,
            "redMinutes": store.kitchen_red_minutes,
            "recallMinutes": int(RECALL_WINDOW.total_seconds() // 60),
            "loginUrl": f"{reverse('admin:login')}?next={reverse('admin:kitchen')}",
        }
    return apply_policy(TemplateResponse(request, "kitchen/display.html", context), nonce)


urlpatterns = [
    path("kitchen/", kitchen, name="kitchen"),
]
