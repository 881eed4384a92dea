"""Permissions that also resolve `request.store`, once, for the views behind them."""

from rest_framework.permissions import BasePermission

from accounts.models import User


class IsStoreManager(BasePermission):
    """An active user of a store; sets `request.store` to that store."""

    def has_permission(self, request, view):
        user = request.user
        if not isinstance(user, User) or not user.is_active or user.store_id is None:
            return False
        request.store = user.store
        return True
