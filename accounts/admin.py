from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Store, Table, User


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]


@admin.register(User)
class StoreUserAdmin(UserAdmin):
    list_display = ["username", "store", "is_staff", "is_active"]
    list_filter = ["store", "is_staff", "is_active"]
    fieldsets = [(None, {"fields": ["store"]}), *UserAdmin.fieldsets]
    add_fieldsets = [(None, {"fields": ["store"]}), *UserAdmin.add_fieldsets]


@admin.register(Table)
class TableAdmin(admin.ModelAdmin):
    list_display = ["number", "store", "created_at"]
    list_filter = ["store"]
    exclude = ["password"]
