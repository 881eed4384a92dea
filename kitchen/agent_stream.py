"""The print agent's side of the server: its job stream and its acknowledgements.

- `GET /api/v1/print-agent/stream` (`Authorization: Bearer <agent token>`): `retry:`, then every
  job of the token's printer not yet acknowledged as printed, oldest first, then new ones as
  they are written; `: ping` every HEARTBEAT_SECONDS. Each job is `id: <job id>`, `event:
  print.job`, `data: {id, printer_id, kind, created_at, data: base64 ESC/POS}`. A reconnect
  gets every unprinted job again (`Last-Event-ID` is accepted but cannot narrow that): the
  agent's journal is what keeps a job from printing twice.
- `POST /api/v1/print-agent/jobs/<id>/ack`: `{"result": "printed"}` or `{"result": "failed",
  "error": "…"}` → 200 (again for a job already printed); 404 for another printer's job.

The stream wakes on its store's events that may carry jobs (orders.hub), and reads the
printer's pending jobs again at every heartbeat in case a wake-up was missed; each heartbeat
also records the agent as seen, and ends the stream once its token was revoked or replaced.
Like orders.sse, it holds no thread or database connection while idle. A printer may have
STREAMS_PER_PRINTER streams open per process; one more is a 429.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.errors import error_response
from core.ratelimit import spread
from kitchen import printers
from kitchen.alerts import watcher
from kitchen.models import JobStatus, Printer, PrintJob
from kitchen.printing import acknowledge, unsent_frames
from orders.hub import StreamEnded, hub
from orders.models import EventType
from orders.sse import RETRY_MILLISECONDS, releasing_connection, retry_frame, stream_slots
from orders.stream_capacity import server_busy, stream_capacity

if TYPE_CHECKING:
    from django.http import HttpRequest, JsonResponse
    from rest_framework.request import Request

    from core.ratelimit import Slot

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
STREAMS_PER_PRINTER = 2
# Events whose transaction may have written jobs: an order (its tickets' jobs), a deleted
# order (cancel jobs, with its tickets' ticket.updated), and jobs written on their own.
WAKE_EVENTS = frozenset({EventType.ORDER_CREATED, EventType.TICKET_UPDATED, EventType.PRINT_QUEUED})
MAX_JOB_ID = 2**63 - 1


def bearer_token(header: str) -> str | None:
    scheme, _space, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _agent(token: str) -> Printer | None:
    """The token's printer, recorded as seen; None for a wrong or revoked token."""
    printer = printers.printer_for_token(token)
    if printer is not None:
        printers.seen(printer_id=printer.pk, token_digest=printer.token_hash)
    return printer


_agent_async = releasing_connection(_agent)
_seen = releasing_connection(printers.seen)
_unsent_frames = releasing_connection(unsent_frames)


async def job_stream(printer: Printer, slot: Slot) -> AsyncIterator[bytes]:
    """The SSE body of one agent's stream; gives `slot` back when it ends.

    Subscribes before the first read, so a job committed meanwhile is in that read or wakes a
    later one."""
    subscription = hub.subscribe(store_id=printer.store_id)
    watcher.start()
    digest = printer.token_hash
    try:
        yield retry_frame(spread(RETRY_MILLISECONDS))
        try:
            generation = await hub.ready()
        except TimeoutError:
            return
        frames, sent = await _unsent_frames(printer=printer, sent=set())
        beat = time.monotonic()
        while True:
            for frame in frames:
                yield frame
            event = await subscription.get(max(0.0, beat + HEARTBEAT_SECONDS - time.monotonic()))
            wake = False
            # A burst of events (a busy store) is one read.
            while event is not None:
                wake = wake or event.type in WAKE_EVENTS
                event = await subscription.get(0)
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                if not await _seen(printer_id=printer.pk, token_digest=digest):
                    return  # the token was revoked or replaced: the agent hears 401 when it reconnects
                yield b": ping\n\n"
                beat, wake = time.monotonic(), True
            if hub.generation != generation:
                # The listener reconnected: a wake-up may have been lost meanwhile.
                generation, wake = hub.generation, True
            frames = []
            if wake:
                frames, sent = await _unsent_frames(printer=printer, sent=sent)
    except StreamEnded:
        return
    except DatabaseError as error:
        # The agent reconnects after `retry` and gets every unprinted job again.
        logger.warning("print agent stream ended by a database error: %s", error)
        return
    finally:
        hub.unsubscribe(subscription)
        slot.release()


def _not_authenticated() -> JsonResponse:
    return error_response(
        401,
        "not_authenticated",
        _("Give the printer's agent token: Authorization: Bearer <token>. A revoked token no longer works."),
        headers={"WWW-Authenticate": 'Bearer realm="print-agent"'},
    )


@require_GET
async def agent_stream(request: HttpRequest) -> JsonResponse | StreamingHttpResponse:
    """SSE of the print jobs of the agent token's printer."""
    token = bearer_token(request.headers.get("Authorization", ""))
    printer = await _agent_async(token) if token else None
    if printer is None:
        return _not_authenticated()
    slot = stream_slots.take(("printer", printer.pk), STREAMS_PER_PRINTER)
    if slot is None:
        message = _("Too many streams are open for this printer. Run one print agent per printer.")
        return error_response(429, "too_many_streams", message, headers={"Retry-After": str(int(HEARTBEAT_SECONDS))})
    if not stream_capacity.admit(slot):
        return server_busy()
    response = StreamingHttpResponse(job_stream(printer, slot), content_type="text/event-stream")
    # A client gone before the body's first chunk never runs the stream's `finally`.
    weakref.finalize(response, slot.release)
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"
    return response


class AgentTokenAuthentication(BaseAuthentication):
    """A print agent's Bearer token: the request's user is its Printer."""

    def authenticate(self, request: Request) -> tuple[Printer, None] | None:
        token = bearer_token(get_authorization_header(request).decode("latin-1"))
        if token is None:
            return None
        printer = printers.printer_for_token(token)
        if printer is None:
            raise exceptions.AuthenticationFailed(
                _("The agent token is wrong or was revoked."), code="agent_token_invalid"
            )
        return printer, None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="print-agent"'


class AgentTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kitchen.agent_stream.AgentTokenAuthentication"
    name = "printAgentToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme = build_bearer_security_scheme_object(header_name="HTTP_AUTHORIZATION", token_prefix="Bearer")
        return {**scheme, "description": "A printer's agent token from POST /api/v1/admin/printers/{id}/token."}


class IsPrintAgent(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Printer)


class AckSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=["printed", "failed"])
    error = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class AckView(APIView):
    """The agent's word on one job of its printer: printed (done; repeating it is harmless) or
    failed (the job stays pending and the kitchen is alerted)."""

    authentication_classes = [AgentTokenAuthentication]
    permission_classes = [IsPrintAgent]

    @extend_schema(
        tags=["print agent"],
        request=AckSerializer,
        responses={
            200: inline_serializer(
                "PrintJobAck", {"id": serializers.IntegerField(), "status": serializers.CharField()}
            ),
            404: OpenApiResponse(description=gettext_lazy("Not a job of this printer.")),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        body = validated(AckSerializer(data=request.data))
        printer: Printer = request.user  # type: ignore[assignment]
        if pk > MAX_JOB_ID:
            raise exceptions.NotFound
        try:
            job = acknowledge(printer=printer, job_id=pk, result=body["result"], error=body["error"])
        except PrintJob.DoesNotExist as error:
            raise exceptions.NotFound from error
        return Response({"id": job.id, "status": JobStatus(job.status).value})
