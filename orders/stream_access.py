"""Who may open an event stream, and what it may carry.

The admin stream takes the page's session cookie, a ticket or a Bearer manager token; the
tablet stream takes a ticket or a Bearer tablet token. A ticket (`POST /api/v1/stream-ticket`)
is a signed 60-second credential for `?ticket=`, because a browser's EventSource cannot send
an Authorization header and a long-lived token must never sit in a URL. What a stream may
carry is a `StreamAccess`, checked again while the stream is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, overload

from django.contrib.auth import get_user
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ManagerJWTAuthentication, TableJWTAuthentication
from accounts.models import Role, Table, User
from accounts.permissions import IsKitchenStaff, IsTablet
from accounts.signin import session_manager, signed_in_manager, signed_in_table
from core.errors import error_response

if TYPE_CHECKING:
    from django.http import HttpRequest, JsonResponse
    from rest_framework.request import Request
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.tokens import Token

TICKET_MAX_AGE_SECONDS = 60
# The module tickets were first made in; another salt would void the tickets out there.
TICKET_SALT = "orders.streams.ticket"
MANAGER_SCOPE = "store"
TABLET_SCOPE = "table"


@dataclass(frozen=True)
class StreamAccess:
    """What a stream may carry: the whole store (a manager) or one table (its tablet).

    `user_id` / `token_version` name the credential, so an open stream can be checked again;
    `expires_at` is when the login behind it ends (a session cookie's or a token's expiry).
    """

    store_id: int
    table_id: int | None = None
    user_id: int | None = None
    token_version: int | None = None
    expires_at: datetime | None = None
    # Kitchen staff's: only the kitchen's events (orders.models.KITCHEN_EVENTS).
    kitchen_only: bool = False

    def still_valid(self) -> bool:
        """Whether the credential still holds: not expired, the tablet not signed out, the
        manager still active and with the same password."""
        if self.expires_at is not None and timezone.now() >= self.expires_at:
            return False
        if self.table_id is not None:
            return (
                signed_in_table(table_id=self.table_id, store_id=self.store_id, token_version=self.token_version)
                is not None
            )
        return (
            signed_in_manager(user_id=self.user_id, store_id=self.store_id, token_version=self.token_version)
            is not None
        )


class StreamAuthError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JsonResponse:
        headers = {"WWW-Authenticate": 'Bearer realm="api"'} if self.status == 401 else None
        return error_response(self.status, self.code, self.message, headers=headers)


def _not_authenticated() -> StreamAuthError:
    return StreamAuthError(401, "not_authenticated", _("Authentication credentials were not provided."))


# Tickets


def issue_ticket(principal: Table | User) -> str:
    """A signed, short-lived ticket naming what one stream may carry, for `?ticket=`."""
    if isinstance(principal, Table):
        claims = {"scope": TABLET_SCOPE, "store": principal.store_id, "table": principal.id}
        claims["tv"] = principal.token_version
    else:
        claims = {"scope": MANAGER_SCOPE, "store": principal.store_id, "user": principal.id}
        claims["uv"] = principal.token_version
        if principal.role == Role.KITCHEN:
            claims["k"] = 1
    return signing.dumps(claims, salt=TICKET_SALT, compress=True)


def access_from_ticket(ticket: str, scope: str) -> StreamAccess:
    """The ticket's access if it is genuine, unexpired, for this stream and still current."""
    try:
        claims = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is invalid or has expired.")) from error
    if claims.get("scope") != scope:
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is not for this stream."))
    if scope == TABLET_SCOPE:
        access = StreamAccess(store_id=claims["store"], table_id=claims["table"], token_version=claims.get("tv"))
        if not access.still_valid():
            raise StreamAuthError(401, "tablet_signed_out", _("This tablet has been signed out."))
        return access
    access = StreamAccess(
        store_id=claims["store"],
        user_id=claims["user"],
        token_version=claims.get("uv"),
        kitchen_only=bool(claims.get("k")),
    )
    if not access.still_valid():
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is not valid any more."))
    return access


# Who may open a stream (sync: the views run these through sync_to_async)


@overload
def _bearer(
    authentication: ManagerJWTAuthentication, request: HttpRequest
) -> tuple[User, datetime] | tuple[None, None]: ...
@overload
def _bearer(
    authentication: TableJWTAuthentication, request: HttpRequest
) -> tuple[Table, datetime] | tuple[None, None]: ...
def _bearer(authentication: JWTAuthentication, request: HttpRequest) -> tuple[Any, datetime] | tuple[None, None]:
    """(principal, its expiry) from the Authorization header, or (None, None)."""
    try:
        # A Django request: the authentication reads only its Authorization header.
        result = authentication.authenticate(request)  # type: ignore[arg-type]
    except AuthenticationFailed as error:
        raise StreamAuthError(401, "token_not_valid", _("Token is invalid or expired.")) from error
    if not result:
        return None, None
    principal, token = result
    return principal, datetime.fromtimestamp(token["exp"], tz=UTC)


def manager_access(request: HttpRequest) -> StreamAccess:
    """A manager's (or kitchen staff's) stream: ticket, else Bearer token, else the session cookie."""
    ticket = request.GET.get("ticket")
    if ticket:
        return access_from_ticket(ticket, MANAGER_SCOPE)
    if request.headers.get("Authorization"):
        manager, expires_at = _bearer(ManagerJWTAuthentication(), request)
        if manager is None:
            raise _not_authenticated()
    else:
        user = get_user(request)
        if not user.is_authenticated:
            raise _not_authenticated()
        manager, expires_at = session_manager(user), request.session.get_expiry_date()
        if manager is None:
            raise StreamAuthError(403, "permission_denied", _("Only a store's managers can follow its orders."))
    # signed_in_manager answers only a user of a store: store_id is set.
    return StreamAccess(
        store_id=manager.store_id,  # type: ignore[arg-type]
        user_id=manager.id,
        token_version=manager.token_version,
        expires_at=expires_at,
        kitchen_only=manager.role == Role.KITCHEN,
    )


def tablet_access(request: HttpRequest) -> StreamAccess:
    """A tablet's stream: ticket, else Bearer tablet token."""
    ticket = request.GET.get("ticket")
    if ticket:
        return access_from_ticket(ticket, TABLET_SCOPE)
    table, _expires_at = (
        _bearer(TableJWTAuthentication(), request) if request.headers.get("Authorization") else (None, None)
    )
    if table is None:
        raise _not_authenticated()
    # Not bound to the access token's expiry: the tablet renews it, and revocation is checked.
    return StreamAccess(store_id=table.store_id, table_id=table.id, token_version=table.token_version)


# Tickets over the API


class BearerManagerOrTablet(BaseAuthentication):
    """A manager's or a tablet's Bearer token, whichever this one is."""

    def authenticate(self, request: Request) -> tuple[object, Token] | None:
        try:
            return ManagerJWTAuthentication().authenticate(request)
        except AuthenticationFailed as manager_error:
            try:
                return TableJWTAuthentication().authenticate(request)
            except AuthenticationFailed as tablet_error:
                if _error_code(tablet_error) == "tablet_signed_out":
                    raise
                raise manager_error from tablet_error

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def _error_code(error: AuthenticationFailed) -> object:
    codes = error.get_codes()
    return codes.get("code") if isinstance(codes, dict) else codes


class StreamTicketSerializer(serializers.Serializer[Any]):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds")
    stream = serializers.CharField(help_text="the stream this ticket opens")


class StreamTicketView(APIView):
    """A 60-second ticket for the caller's stream (`?ticket=`), for EventSource clients."""

    authentication_classes = [BearerManagerOrTablet]
    permission_classes = [IsKitchenStaff | IsTablet]

    @extend_schema(request=None, responses=StreamTicketSerializer)
    def post(self, request: Request) -> Response:
        # A manager or a table (permission_classes), which DRF types as a Django user.
        principal: User | Table = request.user  # type: ignore[assignment]
        stream = reverse("tablet-stream" if isinstance(principal, Table) else "admin-stream")
        body = {"ticket": issue_ticket(principal), "expires_in": TICKET_MAX_AGE_SECONDS, "stream": stream}
        return Response(StreamTicketSerializer(body).data)
