"""Server-Sent Events: a store's order events for its managers, one table's for its tablet.

- `GET /api/v1/admin/stream`: every event of the manager's store.
- `GET /api/v1/orders/stream`: the events of one table's current session (after
  "이용 완료", the next guest's), for that table's tablet.
- `POST /api/v1/stream-ticket`: a 60-second ticket for `?ticket=`, because a browser's
  EventSource cannot send an Authorization header and a long-lived token must never sit
  in a URL.

Authentication: the admin stream takes the page's session cookie, a ticket or a Bearer
manager token; the tablet stream takes a ticket or a Bearer tablet token.

Each stream opens with `retry:` and a `stream.open` event whose `id` is the stream's cursor
(so a reconnect always has a Last-Event-ID) and whose data is `{last_event_id, session_id}`.
With `Last-Event-ID` (header, or `?last_event_id=` for a new EventSource) it first replays
the committed events after that id, then goes live; ids only grow, and an event already
sent is never sent again. A comment line every HEARTBEAT_SECONDS keeps proxies from closing
an idle stream. See orders/events.py for why `id > last id` is a safe cursor.
"""

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user
from django.core import signing
from django.db import DatabaseError, connection
from django.db.models import Max, Q
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import ManagerJWTAuthentication, TableJWTAuthentication
from accounts.models import Table, User
from accounts.permissions import IsStoreManager, IsTablet
from orders.events import StreamEnded, events_after, hub
from orders.models import EventType, OrderEvent, TableSession

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# How often an open stream checks that its tablet was not signed out (or its manager deactivated).
REVALIDATE_SECONDS = 60.0
REPLAY_BATCH = 500
RETRY_MILLISECONDS = 3000
TICKET_MAX_AGE_SECONDS = 60
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

    def still_valid(self):
        """Whether the credential still holds: not expired, the tablet not signed out, the
        manager still active and with the same password."""
        if self.expires_at is not None and timezone.now() >= self.expires_at:
            return False
        if self.table_id is not None:
            return Table.objects.filter(
                pk=self.table_id, store_id=self.store_id, token_version=self.token_version
            ).exists()
        return User.objects.filter(
            pk=self.user_id, store_id=self.store_id, is_active=True, token_version=self.token_version
        ).exists()


class StreamAuthError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self):
        response = JsonResponse({"error": {"code": self.code, "message": self.message}}, status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response


def _not_authenticated():
    return StreamAuthError(401, "not_authenticated", _("Authentication credentials were not provided."))


# Tickets


def issue_ticket(principal):
    """A signed, short-lived ticket naming what one stream may carry, for `?ticket=`."""
    if isinstance(principal, Table):
        claims = {"scope": TABLET_SCOPE, "store": principal.store_id, "table": principal.id}
        claims["tv"] = principal.token_version
    else:
        claims = {"scope": MANAGER_SCOPE, "store": principal.store_id, "user": principal.id}
        claims["uv"] = principal.token_version
    return signing.dumps(claims, salt=TICKET_SALT, compress=True)


def _access_from_ticket(ticket, scope):
    """The ticket's access if it is genuine, unexpired, for this stream and still current."""
    try:
        claims = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is invalid or has expired.")) from error
    if claims.get("scope") != scope:
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is not for this stream."))
    if scope == TABLET_SCOPE:
        table = Table.objects.filter(pk=claims["table"], store_id=claims["store"], token_version=claims["tv"]).first()
        if table is None:
            raise StreamAuthError(401, "tablet_signed_out", _("This tablet has been signed out."))
        return StreamAccess(store_id=table.store_id, table_id=table.id, token_version=table.token_version)
    access = StreamAccess(store_id=claims["store"], user_id=claims["user"], token_version=claims.get("uv"))
    if not access.still_valid():
        raise StreamAuthError(401, "ticket_invalid", _("The stream ticket is not valid any more."))
    return access


# Who may open a stream (sync: runs through sync_to_async)


def _bearer(authentication, request):
    """(principal, its expiry) from the Authorization header, or (None, None)."""
    try:
        result = authentication.authenticate(request)
    except AuthenticationFailed as error:
        raise StreamAuthError(401, "token_not_valid", _("Token is invalid or expired.")) from error
    if not result:
        return None, None
    principal, token = result
    return principal, datetime.fromtimestamp(token["exp"], tz=UTC)


def manager_access(request):
    """A manager's stream: ticket, else Bearer token, else the session cookie."""
    ticket = request.GET.get("ticket")
    if ticket:
        return _access_from_ticket(ticket, MANAGER_SCOPE)
    if request.headers.get("Authorization"):
        user, expires_at = _bearer(ManagerJWTAuthentication(), request)
    else:
        user, expires_at = get_user(request), request.session.get_expiry_date()
    if user is None or not user.is_authenticated:
        raise _not_authenticated()
    if not isinstance(user, User) or not user.is_active or user.store_id is None:
        raise StreamAuthError(403, "permission_denied", _("Only a store's managers can follow its orders."))
    return StreamAccess(
        store_id=user.store_id, user_id=user.id, token_version=user.token_version, expires_at=expires_at
    )


def tablet_access(request):
    """A tablet's stream: ticket, else Bearer tablet token."""
    ticket = request.GET.get("ticket")
    if ticket:
        return _access_from_ticket(ticket, TABLET_SCOPE)
    table, _expires_at = (
        _bearer(TableJWTAuthentication(), request) if request.headers.get("Authorization") else (None, None)
    )
    if table is None:
        raise _not_authenticated()
    # Not bound to the access token's expiry: the tablet renews it, and revocation is checked.
    return StreamAccess(store_id=table.store_id, table_id=table.id, token_version=table.token_version)


def releasing_connection(function):
    """Run ORM work and give the connection back at once: a stream must not hold one for hours."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(wrapper)


# The stream


class SessionFilter:
    """A tablet sees its table's current session, then (after "이용 완료") only the next ones.

    Session ids grow, so "this session or a later one" is `session_id >= floor`.
    """

    def __init__(self, floor):
        self.floor = floor

    def admits(self, event):
        if event.table_id is None:
            return True  # store-wide (menu.updated)
        if event.session_id is None or event.session_id < self.floor:
            return False
        if event.type == EventType.SESSION_CLOSED:
            self.floor = event.session_id + 1
        return True


class AllEvents:
    floor = None

    def admits(self, event):
        return True


@dataclass
class StreamStart:
    cursor: int
    filter: SessionFilter | AllEvents
    session_id: int | None


def stream_start(access, last_event_id):
    """Where a stream starts: after `last_event_id` (never past the newest event), else now."""
    events = OrderEvent.objects.filter(store_id=access.store_id)
    if access.table_id is None:
        event_filter, session_id = AllEvents(), None
    else:
        events = events.filter(Q(table_id=access.table_id) | Q(table_id__isnull=True))
        sessions = TableSession.objects.filter(table_id=access.table_id)
        session_id = sessions.filter(closed_at__isnull=True).values_list("id", flat=True).first()
        # With no open session, the next guest's session is the first this tablet may see.
        # The floor never goes lower for a Last-Event-ID, which the client chooses: a tablet that
        # missed its own session's close learns it from `stream.open`'s different session_id.
        floor = session_id or (sessions.aggregate(last=Max("id"))["last"] or 0) + 1
        event_filter = SessionFilter(floor)
    newest = events.aggregate(newest=Max("id"))["newest"] or 0
    cursor = newest if last_event_id is None else min(last_event_id, newest)
    return StreamStart(cursor=cursor, filter=event_filter, session_id=session_id)


_stream_start = releasing_connection(stream_start)
_still_valid = releasing_connection(StreamAccess.still_valid)
_events_after = releasing_connection(events_after)


def _open_message(start):
    data = f'{{"last_event_id":{start.cursor},"session_id":{"null" if start.session_id is None else start.session_id}}}'
    return f"id: {start.cursor}\nevent: stream.open\ndata: {data}\n\n".encode()


async def event_stream(access, last_event_id):
    """The SSE body: replay after `last_event_id`, then live events, with heartbeats.

    Subscribes before reading the outbox, so an event committed meanwhile is either in the
    replay or in the subscription's queue (or both: ids at or below the cursor are skipped).
    """
    subscription = hub.subscribe(store_id=access.store_id, table_id=access.table_id)
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
        try:
            generation = await hub.ready()
        except TimeoutError:
            return
        start = await _stream_start(access, last_event_id)
        yield _open_message(start)
        cursor, event_filter = start.cursor, start.filter
        while True:
            batch = await _events_after(
                after_id=cursor,
                store_id=access.store_id,
                table_id=access.table_id,
                min_session_id=event_filter.floor,
                limit=REPLAY_BATCH,
            )
            for event in batch:
                cursor = event.id
                if event_filter.admits(event):
                    yield event.message
            if len(batch) == REPLAY_BATCH:
                continue
            subscription.advance(cursor)
            # A listener outage while we read: its catch-up could not know our cursor yet.
            if hub.generation == generation and hub.connected:
                break
            try:
                generation = await hub.ready()
            except TimeoutError:
                return
        checked = time.monotonic()
        while True:
            event = await subscription.get(HEARTBEAT_SECONDS)
            if time.monotonic() - checked >= REVALIDATE_SECONDS:
                # A revoked tablet must not keep hearing the next guests' orders.
                if not await _still_valid(access):
                    return
                checked = time.monotonic()
            if event is None:
                yield b": ping\n\n"
            elif event.id > cursor:
                cursor = event.id
                if event_filter.admits(event):
                    yield event.message
    except StreamEnded:
        return
    except DatabaseError as error:
        # The client reconnects after `retry` with its Last-Event-ID; nothing is lost.
        logger.warning("stream ended by a database error: %s", error)
        return
    finally:
        hub.unsubscribe(subscription)


def _last_event_id(request):
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id")
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        raise ValueError(raw)
    return int(raw)


async def _stream_response(request, resolve_access):
    try:
        last_event_id = _last_event_id(request)
    except ValueError:
        return JsonResponse(
            {
                "error": {
                    "code": "invalid",
                    "message": _("Invalid input."),
                    "fields": {"last_event_id": [_("Must be a non-negative event id.")]},
                }
            },
            status=400,
        )
    try:
        access = await releasing_connection(resolve_access)(request)
    except StreamAuthError as error:
        return error.response()
    response = StreamingHttpResponse(event_stream(access, last_event_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    # nginx would otherwise buffer the stream (it drops this header before the client).
    response["X-Accel-Buffering"] = "no"
    return response


@require_GET
async def admin_stream(request):
    """SSE of every order event of the manager's store."""
    return await _stream_response(request, manager_access)


@require_GET
async def tablet_stream(request):
    """SSE of the tablet's table: its current session's order events."""
    return await _stream_response(request, tablet_access)


# Tickets over the API


class BearerManagerOrTablet(BaseAuthentication):
    """A manager's or a tablet's Bearer token, whichever this one is."""

    def authenticate(self, request):
        try:
            return ManagerJWTAuthentication().authenticate(request)
        except AuthenticationFailed as manager_error:
            try:
                return TableJWTAuthentication().authenticate(request)
            except AuthenticationFailed as tablet_error:
                if _error_code(tablet_error) == "tablet_signed_out":
                    raise
                raise manager_error from tablet_error

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def _error_code(error):
    codes = error.get_codes()
    return codes.get("code") if isinstance(codes, dict) else codes


class StreamTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds")
    stream = serializers.CharField(help_text="the stream this ticket opens")


class StreamTicketView(APIView):
    """A 60-second ticket for the caller's stream (`?ticket=`), for EventSource clients."""

    authentication_classes = [BearerManagerOrTablet]
    permission_classes = [IsStoreManager | IsTablet]

    @extend_schema(request=None, responses=StreamTicketSerializer)
    def post(self, request):
        principal = request.user
        stream = reverse("tablet-stream" if isinstance(principal, Table) else "admin-stream")
        body = {"ticket": issue_ticket(principal), "expires_in": TICKET_MAX_AGE_SECONDS, "stream": stream}
        return Response(StreamTicketSerializer(body).data)
