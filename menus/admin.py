from django.contrib import admin

from menus.models import Category, MenuItem


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "display_order"]
    list_editable = ["display_order"]
    list_filter = ["store"]


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "price", "is_available", "display_order"]
    list_editable = ["price", "is_available", "display_order"]
    list_filter = ["store", "category", "is_available"]
    search_fields = ["name"]
