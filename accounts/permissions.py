"""Permissions that also resolve `request.store` (and `request.table`) once per request."""

from rest_framework.permissions import BasePermission

from accounts.models import Table, User


class IsStoreManager(BasePermission):
    """An active user of a store; sets `request.store` to that store."""

    def has_permission(self, request, view):
        user = request.user
        if not isinstance(user, User) or not user.is_active or user.store_id is None:
            return False
        request.store = user.store
        return True


class IsTablet(BasePermission):
    """A table's tablet; sets `request.table` and `request.store`."""

    def has_permission(self, request, view):
        if not isinstance(request.user, Table):
            return False
        request.table = request.user
        request.store = request.user.store
        return True
