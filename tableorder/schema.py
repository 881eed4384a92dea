"""OpenAPI additions: the one error shape every endpoint answers with (tableorder.api)."""

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
            },
        }
    },
}
LOGIN_PATHS = {"/api/v1/auth/login", "/api/v1/auth/table/login", "/api/v1/auth/table/refresh"}
CONFLICTS = {("/api/v1/orders", "post"): "The idempotency key was already used with other items."}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the error responses of each operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            errors = {}
            if "requestBody" in operation:
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
            if (path, method) in CONFLICTS:
                errors["409"] = CONFLICTS[(path, method)]
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": body})
    return result
