"""Tables, sessions, orders and staff calls in the back office.

Order state and staff calls change only through their services (`orders.services`,
`orders.staff_calls`; actions below): the store lock is taken and the event reaches every
screen. Order, line, session and call pages are read-only.
Tables are in `orders.table_admin`, imported here so that the admin finds them.
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, Sum
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from accounts.store_admin import StoreScopedAdmin, StoreScopedInline
from core.exceptions import Conflict
from core.money import won
from orders.audit import deletion_reason
from orders.models import (
    AuditKind,
    DeleteReason,
    Order,
    OrderAudit,
    OrderEvent,
    OrderLine,
    OrderStatus,
    StaffCall,
    TableSession,
)
from orders.services import change_order_status, close_session, delete_order
from orders.staff_calls import acknowledge_staff_call
from orders.table_admin import CLOSE_SESSION_LABEL, run_each


class ReadOnlyInline(StoreScopedInline, admin.TabularInline):
    """Rows shown with their order, never written from its page."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    store_lookup = "order__store"
    fields = ["name", "chosen_options", "unit_price_won", "quantity", "menu_item"]
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description=_("unit price"))
    def unit_price_won(self, line):
        return won(line.unit_price)

    @admin.display(description=_("options"))
    def chosen_options(self, line):
        return ", ".join(
            f"{option['name']} (+{won(option['price_delta'])})" if option["price_delta"] else option["name"]
            for option in line.options
        )


class OrderAuditInline(ReadOnlyInline):
    """An order's step backs, its deletion with the reason, and its table closed before it was completed."""

    model = OrderAudit
    fields = ["at", "kind", "from_status", "to_status", "reason", "reason_text", "actor"]
    readonly_fields = fields  # type: ignore[assignment]


class ReadOnlyAdmin(StoreScopedAdmin):
    """A page to look at: changes go through the actions, which call the services.

    `has_change_permission` stays Django's for the list (it gates the actions); an object's
    own page is read-only.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["display_number", "table", "status", "total_won", "created_at", "deletion"]
    list_filter = ["status", "table", ("deleted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["table", "deleted_by", "store"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]
    inlines = [OrderLineInline, OrderAuditInline]
    fields = ["store", "display_number", "table", "session", "status", "total_won", "note", "created_at", "deletion"]
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["mark_preparing", "mark_completed", "delete_orders"]

    def get_queryset(self, request):
        deletions = OrderAudit.objects.filter(kind=AuditKind.DELETED)
        return super().get_queryset(request).prefetch_related(Prefetch("audits", deletions, to_attr="deletions"))

    @admin.display(description=_("order number"), ordering="number")
    def display_number(self, order):
        return order.display_number

    @admin.display(description=_("Total"), ordering="total")
    def total_won(self, order):
        return won(order.total)

    @admin.display(description=_("Deleted"))
    def deletion(self, order):
        if order.deleted_at is None:
            return "-"
        deleted = _("Deleted by %(user)s at %(time)s") % {
            "user": order.deleted_by.get_username() if order.deleted_by else "-",
            "time": localize(localtime(order.deleted_at)),
        }
        record = order.deletions[0] if order.deletions else None
        if record is None or not record.reason:
            return deleted
        reason = " · ".join(part for part in (record.get_reason_display(), record.reason_text) if part)
        return f"{deleted} ({reason})"

    @admin.action(description=_("Mark as preparing"), permissions=["change"])
    def mark_preparing(self, request, queryset):
        run_each(self, request, queryset, lambda order: change_order_status(order=order, status=OrderStatus.PREPARING))

    @admin.action(description=_("Mark as completed"), permissions=["change"])
    def mark_completed(self, request, queryset):
        run_each(self, request, queryset, lambda order: change_order_status(order=order, status=OrderStatus.COMPLETED))

    @admin.action(description=_("Delete order"), permissions=["change"])
    def delete_orders(self, request, queryset):
        """Asks first, with the reason (Django's own confirmation pattern), then deletes through the service."""
        errors = []
        if request.POST.get("post") == "yes":
            try:
                reason, text = deletion_reason(request.POST.get("reason", ""), request.POST.get("reason_text", ""))
            except ValidationError as error:
                errors = error.messages
            else:
                run_each(
                    self,
                    request,
                    queryset,
                    lambda order: delete_order(order=order, actor=request.user, reason=reason, reason_text=text),
                )
                return None
        return TemplateResponse(
            request,
            "admin/orders/order/delete_selected_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Delete order"),
                "opts": self.model._meta,
                "orders": queryset.select_related("table"),
                "reasons": DeleteReason.choices,
                "chosen_reason": request.POST.get("reason", ""),
                "reason_text": request.POST.get("reason_text", ""),
                "errors": errors,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "media": self.media,
            },
        )


@admin.register(TableSession)
class TableSessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "table", "opened_at", "closed_at", "closed_by", "session_total", "moved_to"]
    list_filter = ["table", ("closed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["table", "closed_by", "store", "moved_to__table"]
    ordering = ["-opened_at"]
    fields = ["store", "table", "opened_at", "closed_at", "closed_by", "moved_to"]
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["close_sessions"]

    def get_queryset(self, request):
        live_total = Coalesce(Sum("orders__total", filter=Q(orders__deleted_at__isnull=True)), 0)
        return super().get_queryset(request).annotate(live_total=live_total)

    @admin.display(description=_("Total"), ordering="live_total")
    def session_total(self, session):
        return won(session.live_total)

    @admin.action(description=CLOSE_SESSION_LABEL, permissions=["change"])
    def close_sessions(self, request, queryset):
        def close(session):
            if not session.is_open:
                raise Conflict(_("This session has already ended."), "session_closed")
            close_session(table=session.table, actor=request.user)

        run_each(self, request, queryset, close)


@admin.register(OrderAudit)
class OrderAuditAdmin(ReadOnlyAdmin):
    """The store's order corrections, newest first: step backs, deletions with their reasons,
    orders whose table was closed before they were completed, and moves to another table."""

    columns = [
        "order",
        "table",
        "kind",
        "from_status",
        "to_status",
        "reason",
        "reason_text",
        "from_table",
        "to_table",
        "actor",
    ]
    list_display = ["at", *columns]
    list_filter = ["kind", "reason"]
    list_select_related = ["order__table", "actor", "store", "from_table", "to_table"]
    ordering = ["-at", "-id"]
    date_hierarchy = "at"
    fields = ["store", *columns, "at"]
    readonly_fields = fields  # type: ignore[assignment]

    @admin.display(description=_("table"), ordering="order__table__number")
    def table(self, record):
        return record.order.table


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    """The outbox, for platform admins looking into a problem."""

    list_display = ["id", "store", "type", "table", "created_at"]
    list_filter = ["store", "type"]
    readonly_fields = ["store", "table", "session", "type", "payload", "created_at"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffCall)
class StaffCallAdmin(ReadOnlyAdmin):
    """The store's staff calls, newest first; "확인" acknowledges through the service, so every
    dashboard and the tablet hear it."""

    list_display = ["table", "reason", "created_at", "state", "acknowledged_at", "acknowledged_by"]
    list_filter = ["table", "reason", ("acknowledged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["table", "session", "acknowledged_by", "store"]
    ordering = ["-created_at", "-id"]
    fields = ["store", "table", "session", "reason", "created_at", "state", "acknowledged_at", "acknowledged_by"]
    readonly_fields = fields  # type: ignore[assignment]
    actions = ["acknowledge_calls"]

    @admin.display(description=_("State"))
    def state(self, call):
        if call.acknowledged_at is not None:
            return _("Acknowledged")
        return _("Waiting") if call.session.is_open else _("Ended (table closed)")

    @admin.action(description=_("Acknowledge selected calls"), permissions=["change"])
    def acknowledge_calls(self, request, queryset):
        run_each(self, request, queryset, lambda call: acknowledge_staff_call(call=call, actor=request.user))
