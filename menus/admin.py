from django.contrib import admin
from django.db import models

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
    # An image URL typed without a scheme is https (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
