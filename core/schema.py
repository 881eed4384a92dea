"""OpenAPI additions: the one error shape every endpoint answers with (core.api), and
the PATCH bodies that are validated whole."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.request import Request

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, machine-readable, e.g. `invalid`, `locked_out`."},
                "message": {"type": "string", "description": "For people, in the request's language."},
                "fields": {
                    "type": "object",
                    "description": "Only with `invalid` (400): messages per input field.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "reason": {
                    "type": "string",
                    "enum": ["paused", "break", "last_order"],
                    "description": "Only with `ordering_closed` (409): why the store takes no orders now.",
                },
                "reopens_at": {
                    "type": "string",
                    "format": "date-time",
                    "nullable": True,
                    "description": "Only with `ordering_closed` (409): when ordering reopens (null: when staff say).",
                },
            },
        }
    },
}
LOGIN_PATHS = {"/api/v1/auth/login", "/api/v1/auth/table/login", "/api/v1/auth/table/refresh"}
CONFLICTS = {
    ("/api/v1/orders", "post"): (
        "`ordering_closed`: the store takes no orders now (`reason`: paused, break or last_order; "
        "`reopens_at`); nothing was placed, and a retry with a key whose order was placed still gets it. "
        "`idempotency_key_reused`: the idempotency key was already used with other items. "
        "`idempotency_key_expired`: the key's order was deleted or its table session has ended; "
        "nothing was placed, send the order again with a new key."
    ),
    ("/api/v1/admin/tables", "post"): "`table_exists`: the table number is set up already; PATCH it to reset it.",
    ("/api/v1/admin/tables/{id}/close-session", "post"): "`no_open_session`: the table has no open session.",
    ("/api/v1/admin/orders/{id}", "patch"): (
        "`status_not_forward`: statuses only move forward. `session_closed`: the order's table session has ended."
    ),
    ("/api/v1/admin/orders/{id}", "delete"): "`session_closed`: the order's table session has ended.",
    ("/api/v1/admin/categories/{id}", "delete"): "`category_not_empty`: move or delete its menu items first.",
    ("/api/v1/admin/staff-calls/{id}/acknowledge", "post"): (
        "`session_closed`: the call's table session has ended, so it is no longer waiting."
    ),
}


def add_error_responses(
    result: dict[str, Any], generator: "SchemaGenerator", request: "Request | None", public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error responses of each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            errors: dict[str, str] = {}
            queries = [p["name"] for p in operation.get("parameters", ()) if p["in"] == "query"]
            if "requestBody" in operation or queries:
                errors["400"] = "Invalid input; `fields` names the problems. Nothing was changed."
            if path in LOGIN_PATHS:
                errors["401"] = "Wrong credentials, or a token that is expired or revoked."
                if path != "/api/v1/auth/table/refresh":
                    errors["429"] = "Too many failed logins: locked out for a while."
            elif operation.get("security"):
                errors["401"] = "Missing, expired, revoked or forged token."
                errors["403"] = "The token is not allowed here (e.g. a tablet token on a manager endpoint)."
            if "{" in path:
                errors["404"] = "Not found, or not this store's."
            elif "page" in queries:
                errors["404"] = "`page` is past the last page."
            if (path, method) in CONFLICTS:
                errors["409"] = CONFLICTS[(path, method)]
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": body})
    return result


# PATCH operations whose view validates the whole body: a status change, a password reset.
# drf-spectacular documents every field of a PATCH body as optional; these require theirs.
WHOLE_PATCH_BODIES = {"/api/v1/admin/orders/{id}", "/api/v1/admin/tables/{id}"}


def require_whole_patch_bodies(
    result: dict[str, Any], generator: "SchemaGenerator", request: "Request | None", public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the fields of WHOLE_PATCH_BODIES' bodies are required."""
    schemas = result["components"]["schemas"]
    for path in WHOLE_PATCH_BODIES:
        body = result["paths"][path]["patch"]["requestBody"]
        body["required"] = True
        for content in body["content"].values():
            component = schemas[content["schema"]["$ref"].rsplit("/", 1)[1]]
            component["required"] = list(component["properties"])
    return result
