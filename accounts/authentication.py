"""DRF authentication: Bearer JWTs for managers and for table tablets."""

from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import Table, User
from accounts.tokens import TableAccessToken


class ManagerJWTAuthentication(JWTAuthentication):
    """A manager's token: a user of a store, still in that store, still active."""

    def get_user(self, validated_token):
        if "table_id" in validated_token:
            raise InvalidToken({"detail": _("Tablet tokens cannot be used here."), "code": "token_not_valid"})
        user = super().get_user(validated_token)
        if user.store_id is None or validated_token.get("store_id") != user.store_id:
            raise InvalidToken({"detail": _("Token is not valid for a store."), "code": "token_not_valid"})
        if validated_token.get("uv") != user.token_version:
            raise InvalidToken({"detail": _("Your password was changed: log in again."), "code": "token_revoked"})
        return user


class ManagerSessionAuthentication(SessionAuthentication):
    """The back office's session cookie (CSRF enforced on writes), for a manager of a store.

    Other session users (a platform admin) are not authenticated here, so they get a 401/403
    from the manager API rather than another store's data.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not isinstance(result[0], User) or result[0].store_id is None:
            return None
        return result


def signed_in_table(*, table_id, store_id, token_version):
    """The table, if a tablet credential naming it (a token, a stream ticket, an open stream)
    still holds: the table is still in that store and its `token_version` unchanged, i.e.
    the tablet was not signed out since. Else None.

    The one check of "is this tablet still signed in"; `token_version` None never matches.
    """
    if token_version is None:
        return None
    tables = Table.objects.select_related("store")
    return tables.filter(pk=table_id, store_id=store_id, token_version=token_version).first()


def table_from_token(validated_token):
    """The table a tablet token names, if the token is still current; else InvalidToken."""
    table = signed_in_table(
        table_id=validated_token.get("table_id"),
        store_id=validated_token.get("store_id"),
        token_version=validated_token.get("tv"),
    )
    if table is None:
        raise InvalidToken({"detail": _("This tablet has been signed out."), "code": "tablet_signed_out"})
    return table


@lru_cache(maxsize=4096)
def _checked_table_access_token(raw_token):
    """The token, its signature and claims checked once per process and raw token: a tablet
    sends the same token with every request for hours, and the check costs ~70 µs, a tenth
    of a warm menu read. Only valid tokens are kept (a failed check raises); the caller checks
    expiry again at every use."""
    return TableAccessToken(raw_token)


class TableJWTAuthentication(JWTAuthentication):
    """A tablet's access token; `request.user` is the Table."""

    def get_validated_token(self, raw_token):
        try:
            token = _checked_table_access_token(raw_token)
            token.check_exp(current_time=aware_utcnow())
            return token
        except Exception as error:
            raise InvalidToken({"detail": _("Token is invalid or expired."), "code": "token_not_valid"}) from error

    def get_user(self, validated_token):
        return table_from_token(validated_token)
