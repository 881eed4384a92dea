"""Who may use a view, as booleans. The principal, and with it the request's store, comes
from authentication (accounts.authentication): `request.user.store`."""

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from accounts.models import Role, Table, User

if TYPE_CHECKING:  # DRF's views import this module (DEFAULT_PERMISSION_CLASSES)
    from rest_framework.request import Request
    from rest_framework.views import APIView


class IsStoreManager(BasePermission):
    """A signed-in manager of a store (the manager authentications return only a store's users;
    kitchen staff among them are refused)."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return isinstance(request.user, User) and request.user.role == Role.MANAGER


class IsKitchenStaff(BasePermission):
    """A signed-in user of a store who may work the kitchen display: its managers and its kitchen staff."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return isinstance(request.user, User)


class IsTablet(BasePermission):
    """A table's tablet: `request.user` is the Table."""

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return isinstance(request.user, Table)
