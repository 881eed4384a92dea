"""Request body parsers (REST_FRAMEWORK DEFAULT_PARSER_CLASSES): a body that is malformed,
nested too deeply or too large is a 400 or a 413 with the error shape, never a 500.

DRF's own JSON and form parsers read the whole body whatever its size (Django only holds
`request.body` and form fields to DATA_UPLOAD_MAX_MEMORY_SIZE), and its JSON parser turns
only ValueError into a 400: a body 10,000 brackets deep raises RecursionError. Multipart
bodies go through Django's parser, which holds fields (not files) to the same limit and
raises RequestDataTooBig: `core.api.exception_handler` answers that with 413.
"""

import io
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

if TYPE_CHECKING:
    from django.http.request import _ImmutableQueryDict

# Far deeper than any body this API takes (an order: object → items → line → options → id),
# shallow enough that nothing after the parser can recurse out of stack on it.
MAX_JSON_DEPTH = 32


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def read_limited(stream: IO[bytes], parser_context: Mapping[str, Any] | None) -> bytes:
    """The body's bytes; PayloadTooLarge past DATA_UPLOAD_MAX_MEMORY_SIZE, read no further."""
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return stream.read()
    request = (parser_context or {}).get("request")
    if request is not None:
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
                raise PayloadTooLarge()
        except ValueError:
            pass
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise PayloadTooLarge()
    return body


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether lists and objects in `value` nest deeper than `limit` (without recursing)."""
    pending = [(value, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded in size and depth."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        body = read_limited(stream, parser_context)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            data = None
        else:
            if not nested_deeper_than(data, MAX_JSON_DEPTH):
                return data
        raise ParseError(_("JSON parse error - nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH})


class FormParser(parsers.FormParser):
    """DRF's form parser, bounded in size (Django's QueryDict bounds the number of fields)."""

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> "_ImmutableQueryDict":
        return super().parse(io.BytesIO(read_limited(stream, parser_context)), media_type, parser_context)
