"""The kitchen in the back office: stations (drag to reorder), printers with their agent tokens,
and read-only lists of alerts and kitchen tickets.

Writes go through the services (`menus.stations`, `kitchen.printers`, `kitchen.printing`), so
they are validated under the store lock and screens hear what they must.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Max
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.store_admin import StoreScopedAdmin
from core.exceptions import Conflict
from kitchen import printers
from kitchen.models import Alert, KitchenTicket, Printer
from kitchen.printing import print_test_page
from menus.admin import MenuAdmin
from menus.models import Station
from menus.stations import delete_station, save_station


@admin.register(Station)
class StationAdmin(MenuAdmin):
    """Drag to reorder, like the menu; the store's last station cannot be deleted."""

    list_display = ["display_order", "name"]
    fields = ["store", "name"]
    search_fields = ["name"]

    def next_display_order(self, station):
        last = Station.objects.filter(store=station.store).aggregate(last=Max("display_order"))["last"]
        return (last or 0) + 1

    def save_object(self, station):
        save_station(station=station)

    def delete_object(self, station):
        delete_station(station=station)

    def response_action(self, request, queryset):
        try:
            return super().response_action(request, queryset)
        except Conflict as error:
            self.message_user(request, error.message, messages.ERROR)
            return redirect(reverse("admin:menus_station_changelist"))


@admin.register(Printer)
class PrinterAdmin(StoreScopedAdmin):
    list_display = ["name", "station", "columns", "has_token", "connected", "last_seen_at"]
    list_filter = ["station"]
    fields = ["store", "name", "station", "columns", "token_issued_at", "last_seen_at"]
    readonly_fields = ["token_issued_at", "last_seen_at"]
    list_select_related = ["station"]
    search_fields = ["name"]
    actions = ["issue_token", "revoke_token", "test_print"]

    @admin.display(description=_("agent token"), boolean=True)
    def has_token(self, printer):
        return bool(printer.token_hash)

    @admin.display(description=_("connected"), boolean=True)
    def connected(self, printer):
        return printers.is_connected(printer)

    def save_model(self, request, obj, form, change):
        self.bind_store(request, obj)
        printers.save_printer(printer=obj)

    def delete_model(self, request, obj):
        printers.delete_printer(printer=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for printer in queryset:
                printers.delete_printer(printer=printer)

    @admin.action(description=_("Issue a new agent token (the old one stops working)"), permissions=["change"])
    def issue_token(self, request, queryset):
        selected = list(queryset.select_related("store"))
        if len(selected) != 1:
            self.message_user(request, _("Choose one printer to issue a token for."), messages.WARNING)
            return None
        (printer,) = selected
        token = printers.issue_token(printer=printer)
        return TemplateResponse(
            request,
            "admin/kitchen/printer/token.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Agent token for %(printer)s") % {"printer": printer.name},
                "opts": self.model._meta,
                "printer": printer,
                "token": token,
                "server": request.build_absolute_uri("/").rstrip("/"),
            },
        )

    @admin.action(description=_("Revoke the agent token"), permissions=["change"])
    def revoke_token(self, request, queryset):
        count = 0
        for printer in queryset:
            printers.revoke_token(printer=printer)
            count += 1
        message = ngettext(
            "Revoked the token of %(count)d printer.", "Revoked the tokens of %(count)d printers.", count
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Print a test page"), permissions=["change"])
    def test_print(self, request, queryset):
        for printer in queryset.select_related("store"):
            try:
                print_test_page(printer=printer)
            except Conflict as error:
                self.message_user(request, f"{printer.name}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(printer)s: test page sent.") % {"printer": printer.name})


class ReadOnlyAdmin(StoreScopedAdmin):
    """Shown, never written here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "printer", "kind", "detail", "order", "resolved_at"]
    list_filter = ["kind", ("resolved_at", admin.EmptyFieldListFilter), "printer"]
    list_select_related = ["printer", "order"]
    fields = ["store", "printer", "kind", "detail", "order", "raised_at", "resolved_at"]


@admin.register(KitchenTicket)
class KitchenTicketAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "order", "station_name", "status", "started_at", "done_at", "cancelled_at"]
    list_filter = ["status", "station"]
    list_select_related = ["order"]
    fields = ["store", "order", "station_name", "status", "ticket_lines", "note"]
    fields += ["created_at", "started_at", "done_at", "cancelled_at"]
    readonly_fields = ["ticket_lines"]
    date_hierarchy = "created_at"

    @admin.display(description=_("lines ordered"))
    def ticket_lines(self, ticket):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} × {}{}</li>",
                (
                    (line["name"], line["quantity"], f" ({', '.join(line['options'])})" if line["options"] else "")
                    for line in ticket.lines
                ),
            ),
        )
