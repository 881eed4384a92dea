from django.contrib import admin

from orders.models import Order, OrderEvent, OrderLine, TableSession


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    readonly_fields = ["menu_item", "name", "unit_price", "quantity"]
    can_delete = False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["display_number", "store", "table", "status", "total", "created_at", "deleted_at"]
    list_filter = ["store", "status"]
    inlines = [OrderLineInline]
    readonly_fields = ["store", "table", "session", "number", "total", "idempotency_key", "deleted_at", "deleted_by"]

    def has_add_permission(self, request):
        return False


@admin.register(TableSession)
class TableSessionAdmin(admin.ModelAdmin):
    list_display = ["table", "store", "opened_at", "closed_at"]
    list_filter = ["store"]

    def has_add_permission(self, request):
        return False


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["id", "store", "type", "table", "created_at"]
    list_filter = ["store", "type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
