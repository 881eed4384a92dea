"""The API's one error shape, `{"error": {"code", "message", ...}}`, built here for every answer.

`code` is stable and machine-readable (`invalid`, `not_authenticated`, `too_many_streams`…),
`message` is for people, in the request's language; `fields` (with `invalid`) names the bad
input. The DRF exception handler (core.api) and the views that answer without DRF (the
streams, Django's error handlers, the lockout and database-outage answers) all build it here.
"""

from collections.abc import Mapping
from typing import Any

from django.http import JsonResponse


def error_body(code: object, message: object, **extra: Any) -> dict[str, dict[str, Any]]:
    """The error shape's body: `extra` adds keys beside `code` and `message` (e.g. `fields`)."""
    return {"error": {"code": str(code), "message": str(message), **extra}}


def error_response(
    status: int, code: str, message: object, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> JsonResponse:
    """A JsonResponse with the error shape, for views that answer without DRF."""
    return JsonResponse(error_body(code, message, **extra), status=status, headers=headers)
