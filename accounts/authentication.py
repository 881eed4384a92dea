"""DRF authentication: Bearer JWTs for managers and for table tablets, and the back office's
session for managers. Each returns only a principal that accounts.signin accepts, with its
store loaded: `request.user.store` is the request's store (core.api.StoreScopedMixin)."""

from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import Table, User
from accounts.signin import session_manager, signed_in_manager, signed_in_table
from accounts.tokens import TableAccessToken


class ManagerJWTAuthentication(JWTAuthentication):
    """A manager's token, while `signed_in_manager` holds for it."""

    # simplejwt types get_user's answer as a type variable that no argument binds, which an
    # override naming one class cannot match.
    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        if "table_id" in validated_token:
            raise InvalidToken({"detail": _("Tablet tokens cannot be used here."), "code": "token_not_valid"})
        manager = signed_in_manager(
            user_id=validated_token.get(api_settings.USER_ID_CLAIM),
            store_id=validated_token.get("store_id"),
            token_version=validated_token.get("uv"),
        )
        if manager is None:
            raise self.refusal(validated_token)
        return manager

    def refusal(self, validated_token: Token) -> AuthenticationFailed:
        """Why the token no longer holds, for the client: read again on this rare path only."""
        # Raises if the user is gone or inactive. An accounts.User, which simplejwt types as AbstractBaseUser.
        user: User = super().get_user(validated_token)  # type: ignore[assignment]
        if user.store_id is None or validated_token.get("store_id") != user.store_id:
            return InvalidToken({"detail": _("Token is not valid for a store."), "code": "token_not_valid"})
        return InvalidToken({"detail": _("Your password was changed: log in again."), "code": "token_revoked"})


class ManagerSessionAuthentication(SessionAuthentication):
    """The back office's session cookie (CSRF enforced on writes), for a manager of a store.

    Other session users (a platform admin) are not authenticated here, so they get a 401/403
    from the manager API rather than another store's data.
    """

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        result = super().authenticate(request)
        manager = None if result is None else session_manager(result[0])
        return None if manager is None else (manager, None)


def table_from_token(validated_token: Token) -> Table:
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
def _checked_table_access_token(raw_token: bytes) -> TableAccessToken:
    """The token, its signature and claims checked once per process and raw token: a tablet
    sends the same token with every request for hours, and the check costs ~70 µs, a tenth
    of a warm menu read. Only valid tokens are kept (a failed check raises); the caller checks
    expiry again at every use."""
    # simplejwt types the encoded token it takes as a Token.
    return TableAccessToken(raw_token)  # type: ignore[arg-type]


class TableJWTAuthentication(JWTAuthentication):
    """A tablet's access token; `request.user` is the Table."""

    def get_validated_token(self, raw_token: bytes) -> Token:
        try:
            token = _checked_table_access_token(raw_token)
            token.check_exp(current_time=aware_utcnow())
            return token
        except Exception as error:
            raise InvalidToken({"detail": _("Token is invalid or expired."), "code": "token_not_valid"}) from error

    def get_user(self, validated_token: Token) -> Table:  # type: ignore[override]  # as ManagerJWTAuthentication's
        return table_from_token(validated_token)
