"""OpenAPI description of the event streams (orders.sse), added to the generated schema,
and of the 429 answers of the tablet's limits (core.ratelimit)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from accounts.schema import ManagerTokenScheme, TabletTokenScheme

# The error shape, which core.schema.add_error_responses adds to the components.
ERROR_REF = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER_DESCRIPTION = "Seconds to wait before trying again."


def rate_limited(description):
    """A documented 429 with the error shape, for `extend_schema(responses=…)`."""
    return OpenApiResponse(response=ERROR_REF, description=description)


RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description=RETRY_AFTER_DESCRIPTION
)
STREAM_LIMIT_DESCRIPTION = (
    "`too_many_streams`: this tablet or manager has as many streams open on this server as it may "
    "(STREAMS_PER_TABLE, STREAMS_PER_MANAGER); nothing was opened."
)

STREAM_DESCRIPTION = (
    "Server-Sent Events (`text/event-stream`). Frames: `id: <event id>`, `event: <type>`, `data: <JSON>`. "
    "The stream opens with `retry:` and a `stream.open` event whose id is the current position and whose "
    "data is `last_event_id` and `session_id` (the table's open session, or null); a tablet's also carries "
    "`closed_session_id`, its table's last closed session (null before the first 이용 완료): a larger one "
    "than the tablet remembers means the guests it served have left. Then "
    "`order.created`, `order.updated` and `order.deleted` (with `deleted_by`), whose data carries the `order` "
    "(as the orders API shows it) and the `table` with its new `total` and `order_count`; `session.closed` "
    "(이용 완료), whose data carries the closed `session` (`id`, `closed_at`, its final `total` and "
    "`order_count`) and the `table`, now without a session; `staff_call.created` and "
    "`staff_call.acknowledged` with the `call` and the `table`; `session.moved` (이동·합석: `from_table`, "
    "`to_table`, `session_id` where the guests are now, `from_session_id`, `merged`, the moved `orders` and "
    "`calls`) and `order.moved` (the `order`, `from_table`, `to_table`), each once on the table left and once "
    "on the table reached, with that table's `table` state; the second also carries `from_table_state`, the "
    "first table's, so a dashboard updates both from it; the store-wide `menu.updated` with the new "
    "menu `version` (re-read the menu with its ETag), and `store.updated` when the store's settings change, with "
    "the new `ordering` state (as the menu carries it), `ordering_paused`, `pause_message`, `store_name` and "
    "`staff_call_reasons`. The store's stream also carries the kitchen's "
    "`ticket.created` and `ticket.updated` (data: the `ticket` as the kitchen tickets API shows it), "
    "`alert.raised` and `alert.resolved` (the `alert`) and `print.queued`; a kitchen staff user's stream "
    "carries only `ticket.*` and `alert.*`, and a tablet's none of them. A comment line every 15 s "
    "keeps idle connections open. Resume with `Last-Event-ID` (or `?last_event_id=`): every later event "
    "is replayed once, then the stream goes live. Browsers authenticate with `?ticket=` from "
    "`POST /api/v1/stream-ticket`; other clients may send the Bearer token."
)
STREAMS = {
    "/api/v1/admin/stream": ("admin_stream", "The store's events, for its managers.", ManagerTokenScheme.name),
    "/api/v1/orders/stream": (
        "orders_stream",
        "The events of the table's current session, and the store's menu changes.",
        TabletTokenScheme.name,
    ),
}


def add_streams(result, generator, request, public):
    """drf-spectacular postprocessing hook: the SSE streams, which are plain async Django views."""
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    for extension in (ManagerTokenScheme, TabletTokenScheme):
        schemes.setdefault(extension.name, extension(extension.target_class).get_security_definition(None))
    for path, (operation_id, summary, scheme) in STREAMS.items():
        result["paths"][path] = {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "description": STREAM_DESCRIPTION,
                "tags": ["streams"],
                "security": [{scheme: []}, {}],
                "parameters": [
                    {"name": "ticket", "in": "query", "schema": {"type": "string"}},
                    {"name": "last_event_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": {"description": summary, "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                    "429": {
                        "description": STREAM_LIMIT_DESCRIPTION,
                        "headers": {
                            "Retry-After": {"schema": {"type": "integer"}, "description": RETRY_AFTER_DESCRIPTION}
                        },
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                },
            }
        }
    return result
