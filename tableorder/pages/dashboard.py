"""The live order dashboard, a page of the admin site at `/admin/live/`.

`tableorder.admin_site` mounts `urlpatterns` under `/admin/`, each view wrapped in
`admin_view`, so only signed-in staff reach it. The page is a shell: its script follows the
store's event stream and works through the manager API (`/api/v1/admin/…`) with the session
cookie.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.store_admin import user_store
from core.csp import apply_policy, new_nonce
from orders.models import STATUS_FLOW, DeleteReason
from tableorder.pages.kitchen import ALERT_STRINGS
from tableorder.pages.moves import MOVE_STRINGS
from tableorder.pages.ordering import ORDERING_STRINGS

# Strings the dashboard's JavaScript shows; `{name}` placeholders are filled in by the script.
DASHBOARD_STRINGS = {
    **ORDERING_STRINGS,
    "orderingOpen": _("Taking orders"),
    "orderingPausedState": _("Ordering paused"),
    "orderingPause": _("Pause ordering"),
    "orderingResume": _("Resume ordering"),
    "orderingSaving": _("Saving…"),
    "orderingFailed": _("Could not change ordering: {message}"),
    "tableLabel": _("No. {number}"),
    "tableTitle": _("Table {number}"),
    "orderCount": _("Orders: {count}"),
    "idle": _("Free table"),
    "noOrders": _("No orders"),
    "moreOrders": _("Show more orders ({count})"),
    "lineItem": _("{name} × {quantity}"),
    "quantity": _("× {quantity}"),
    "linesShort": _("{first} + {rest} more"),
    "new": _("NEW"),
    "newCount": _("New orders: {count}"),
    "newMore": _("+{count} more"),
    "pageTitle": _("({count}) {title}"),
    "ackOrder": _("Acknowledge"),
    "ackOrderLabel": _("Acknowledge order {number} of table {table}"),
    "since": _("Since {time}"),
    "connecting": _("Connecting…"),
    "live": _("Live"),
    "reconnecting": _("Reconnecting…"),
    "allTables": _("All tables"),
    "someTables": _("Tables: {count}"),
    "filterEmpty": _("No tables selected. Change the filter."),
    "noTables": _("No tables yet. Add tables in the admin."),
    "chimeOn": _("Chime on"),
    "chimeOff": _("Chime off"),
    "statusChanged": _("Order {number} changed to '{status}'."),
    "deleteConfirm": _("Delete order {number} ({total})? It leaves the table's total, and this cannot be undone."),
    "deleted": _("Deleted order {number}."),
    "history": _("Past orders"),
    "closeTable": _("Close table"),
    "delete": _("Delete"),
    "busyTables": _("In use {busy}/{all}"),
    "floorTotal": _("Total {total}"),
    "closeTitle": _("Close table {number}"),
    "closeConfirm": _("Close table {number}? Its orders ({count}, {total}) move to history and the table is cleared."),
    "closed": _("Closed table {number}."),
    "orderedAt": _("Ordered {time}"),
    "closedAt": _("Closed {time}"),
    "historyTitle": _("Table {number} history"),
    "historyAll": _("All tables' history"),
    "historyCount": _("Orders: {count}"),
    "historyEmpty": _("No orders ended in this period."),
    "badRange": _("The start date is after the end date."),
    "loadFailed": _("Could not load: {message}"),
    "networkError": _("Cannot reach the server. Check the network."),
    "serverError": _("Something went wrong on the server. Please try again in a moment."),
    "orderGone": _("This order was already deleted or has ended."),
    "optionPrice": _("{name} +{price}"),
    "noteLabel": _("Note"),
    "callsTitle": _("Staff calls: {count}"),
    "callsLabel": _("Staff call"),
    "callCount": _("Calls: {count}"),
    "callAck": _("Acknowledge"),
    "callAckLabel": _("Acknowledge table {number}'s call: {reason}"),
    "callAcked": _("Acknowledged table {number}'s call ({reason})."),
    "callGone": _("This call was already acknowledged or has ended."),
    "stepBack": _("Move back"),
    "stepBackLabel": _("Move back to '{status}'"),
    "stepBackTitle": _("Move the order back"),
    "stepBackConfirm": _("Move order {number} back from '{from}' to '{to}'? The change is recorded with your name."),
    "reasonRequired": _("Choose why the order is deleted."),
    "reasonTextRequired": _("Write the reason for 'Other'."),
    "unfinishedWarning": _(
        "{count} orders are not completed yet. They move to history as they are, marked as closed before completion."
    ),
    "closedUnfinished": _("Table closed while it was '{status}'"),
    "steppedBack": _("{time} {by}: moved back from '{from}' to '{to}'"),
    "printBill": _("Print bill"),
    "billPrinting": _("Printing table {number}'s bill."),
    # The bill dialog (static/dashboard/bill.js)
    "bill": _("Bill"),
    "billTitle": _("Table {number} bill"),
    "billMeta": _("Since {time} · {count} orders"),
    "billTotal": _("Total"),
    "billNoSplit": _("Don't split"),
    "billPeople": _("{count} people"),
    "billPerson": _("Person {number}"),
    "billPrintedAt": _("Printed {time}"),
    **ALERT_STRINGS,
    **MOVE_STRINGS,
    # Said by the screen reader's live region (static/dashboard/app.js)
    "announceOrder": _("New order {number} at table {table}"),
    "announceCall": _("Staff call at table {table}: {reason}"),
}


def _menu_admin_url() -> str:
    """The menu's admin pages; the admin index would send a store manager back here."""
    try:
        return reverse("admin:app_list", kwargs={"app_label": "menus"})
    except NoReverseMatch:
        return reverse("admin:index")


def live(request: HttpRequest) -> HttpResponse:
    """The dashboard page for the signed-in manager's store (a platform admin gets a notice;
    kitchen staff, who work the kitchen display only, a 403)."""
    if getattr(request.user, "is_kitchen_staff", False):
        raise PermissionDenied
    nonce = new_nonce()
    store = user_store(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Live orders"),
        # The grid needs the whole width; the admin's app sidebar stays on the admin pages.
        "is_nav_sidebar_enabled": False,
        "csp_nonce": nonce,
        "store": store,
        "menu_admin_url": _menu_admin_url(),
        "strings": {key: str(text) for key, text in DASHBOARD_STRINGS.items()},
        "delete_reasons": DeleteReason.choices,
        "config": {
            "storeCode": store.code if store else "",
            "api": "/api/v1/admin/",
            "stream": reverse("admin-stream"),
            "statuses": {status.value: str(status.label) for status in STATUS_FLOW},
            "loginUrl": f"{reverse('admin:login')}?next={reverse('admin:live')}",
        },
    }
    return apply_policy(TemplateResponse(request, "dashboard/live.html", context), nonce)


urlpatterns = [
    path("live/", live, name="live"),
]
