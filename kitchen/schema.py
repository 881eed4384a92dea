"""OpenAPI description of the print agent's job stream (kitchen.agent_stream), a plain async
Django view that drf-spectacular does not see, added to the generated schema."""

from typing import Any

from kitchen.agent_stream import AgentTokenAuthentication, AgentTokenScheme

AGENT_STREAM_DESCRIPTION = (
    "Server-Sent Events (`text/event-stream`) of one printer's print jobs, for its print agent "
    "(`Authorization: Bearer <agent token>`). On connect every job of the printer not yet acknowledged as "
    "printed is sent, oldest first, then new ones as they are queued: `id: <job id>`, `event: print.job`, "
    "`data: {id, printer_id, kind: order|cancel|reprint|bill|test, created_at, data}` where `data` is the "
    "job's ESC/POS bytes in base64. A comment line every 15 s keeps the connection open and tells the "
    "server the agent is there. The agent acknowledges each job with `POST /api/v1/print-agent/jobs/{id}/ack`; "
    "a job sent again (a reconnect, a lost acknowledgement) must not be printed twice (the agent keeps a "
    "journal of printed ids). `Last-Event-ID` is accepted and changes nothing: every unprinted job comes again."
)


def add_agent_stream(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: `GET /api/v1/print-agent/stream`."""
    schemes = result.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes.setdefault(AgentTokenScheme.name, AgentTokenScheme(AgentTokenAuthentication).get_security_definition(None))
    summary = "A printer's print jobs, for its print agent."
    result["paths"]["/api/v1/print-agent/stream"] = {
        "get": {
            "operationId": "print_agent_stream",
            "summary": summary,
            "description": AGENT_STREAM_DESCRIPTION,
            "tags": ["print agent"],
            "security": [{AgentTokenScheme.name: []}],
            "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "integer"}}],
            "responses": {
                "200": {"description": summary, "content": {"text/event-stream": {"schema": {"type": "string"}}}},
                "401": {
                    "description": "No agent token, or one that was replaced or revoked.",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            },
        }
    }
    return result
