"""Authentication backends: managers log in with store identifier + username + password,
tablets with store identifier + table number + table password."""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.http import HttpRequest

from accounts.models import Table, User


def axes_username(request: HttpRequest | None, credentials: Mapping[str, Any] | None) -> str | None:
    """The name django-axes counts failures under: the store code scopes the username.

    Axes' reset after a successful admin login passes only the username; the store code is
    then the login form's.
    """
    credentials = credentials or {}
    username = credentials.get("username")
    if username is None and credentials.get("table_number") is not None:
        username = f"table-{credentials['table_number']}"
    store_code = credentials.get("store_code")
    if store_code is None and request is not None and request.method == "POST":
        store_code = (request.POST.get("store_code") or "").strip().lower() or None
    return f"{store_code}:{username}" if store_code else username


class StoreUserBackend(ModelBackend):
    """Finds the user by (store, username); without a store code, a platform admin."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        store_code: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        users = User.objects.select_related("store")
        try:
            if store_code:
                user = users.get(store__code=store_code, username=username)
            else:
                user = users.get(store__isnull=True, username=username)
        except User.DoesNotExist:
            # Hash anyway so response time does not tell which usernames exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class TableBackend(BaseBackend):
    """Finds the table by (store, number) and checks the table password; returns the Table.

    The signature has no `username`, so `authenticate()` skips this backend for manager logins.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        store_code: str | None = None,
        table_number: int | None = None,
        password: str | None = None,
    ) -> Table | None:
        if store_code is None or table_number is None or password is None:
            return None
        table = Table.objects.select_related("store").filter(store__code=store_code, number=table_number).first()
        if table is None:
            # Hash anyway so response time does not tell which stores and tables exist.
            Table().set_password(password)
            return None
        return table if table.check_password(password) else None
