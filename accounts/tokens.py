"""JWTs that carry the store: 16-hour manager tokens and revocable tablet tokens.

A tablet token names its table and the table's `token_version`; a password reset or a
revoke bumps the version, so every token issued before stops working, refresh included.
A manager token carries the user's `token_version` the same way (claim `uv`): a password
change ends every token issued before it.
"""

from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

if TYPE_CHECKING:
    from accounts.models import Table, User


class TokenPair(TypedDict):
    access: str
    refresh: str


_T = TypeVar("_T", bound=Token)


def manager_tokens(user: "User") -> TokenPair:
    """Access and refresh tokens for a store manager, both carrying the store id and token version."""
    refresh = RefreshToken.for_user(user)
    refresh["store_id"] = user.store_id
    refresh["uv"] = user.token_version
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class TableRefreshToken(RefreshToken):
    token_type = "table_refresh"
    lifetime = settings.TABLE_REFRESH_TOKEN_LIFETIME


class TableAccessToken(AccessToken):
    token_type = "table_access"
    lifetime = settings.TABLE_ACCESS_TOKEN_LIFETIME


def _claim_table(token: _T, table: "Table") -> _T:
    token["table_id"] = table.id
    token["store_id"] = table.store_id
    token["tv"] = table.token_version
    return token


def table_tokens(table: "Table") -> TokenPair:
    """Access and refresh tokens that let one table's tablet do what a tablet does."""
    refresh = _claim_table(TableRefreshToken(), table)
    access = _claim_table(TableAccessToken(), table)
    return {"access": str(access), "refresh": str(refresh)}
