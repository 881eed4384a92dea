"""OpenAPI description of the event streams (orders.streams), added to the generated schema."""

from accounts.schema import ManagerTokenScheme, TabletTokenScheme

STREAM_DESCRIPTION = (
    "Server-Sent Events (`text/event-stream`). Frames: `id: <event id>`, `event: <type>`, `data: <JSON>`. "
    "The stream opens with `retry:` and a `stream.open` event whose id is the current position; then "
    "`order.created`, `order.updated`, `order.deleted` and `session.closed`, whose data carries the order "
    "(as the orders API shows it) and the table's new `total` and `order_count`; `staff_call.created` and "
    "`staff_call.acknowledged` with the call and the table; and the store-wide `menu.updated` with the new "
    "menu `version` (re-read the menu with its ETag). A comment line every 15 s "
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
                    "200": {"description": summary, "content": {"text/event-stream": {"schema": {"type": "string"}}}}
                },
            }
        }
    return result
