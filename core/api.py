"""Shared DRF pieces: pagination shape, one JSON error shape, the request's store.

Every manager API view reads objects through `StoreScopedMixin.get_queryset()`, so another
store's object is a 404 everywhere; a request naming another store's object in a field
(a category id of a menu item) is a 400 through `StoreScopedPrimaryKeyField`.
"""

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import error_body
from core.exceptions import Conflict, RateLimited
from core.parsers import PayloadTooLarge

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from rest_framework.generics import GenericAPIView
    from rest_framework.request import Request
    from rest_framework.views import APIView

    _GenericAPIView = GenericAPIView[Any]
    _PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField[Model]
else:
    _GenericAPIView = object
    _PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`; clients may ask for up to 100 per page.

    `page` and `page_size` are whole numbers from 1 (anything else is a 400, not DRF's silent
    default); a page past the last is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 100
    last_page_strings = ()

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: "Request", view: "APIView | None" = None
    ) -> list[Any] | None:
        errors = {
            name: [_("Give a whole number from 1.")]
            for name in (self.page_query_param, self.page_size_query_param)
            if name in request.query_params and not _is_page_number(request.query_params[name])
        }
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: "APIView") -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def _is_page_number(value: str) -> bool:
    return re.fullmatch(r"[0-9]{1,18}", value) is not None and int(value) >= 1


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed login attempts. Please try again later.")
    default_code = "locked_out"


class RateLimitedError(exceptions.APIException):
    """429 with `Retry-After`: DRF's handler sends `wait` as that header."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many requests. Please wait a moment and try again.")
    default_code = "rate_limited"

    def __init__(self, detail: "StrOrPromise | None" = None, code: str | None = None, wait: int | None = None) -> None:
        super().__init__(detail, code)
        self.wait = wait


def _django_validation_detail(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error is `{"error": {"code", "message", "fields"?}}` with the right status (and a
    Conflict's details beside them)."""
    details = exc.details if isinstance(exc, Conflict) else {}
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message, exc.code)
    elif isinstance(exc, RateLimited):
        exc = RateLimitedError(exc.message, exc.code, wait=exc.retry_after)
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django's limit on form fields (DATA_UPLOAD_MAX_MEMORY_SIZE), hit by a multipart body.
        exc = PayloadTooLarge()
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields or files."))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail: dict[str, Any] | list[Any] | str
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {field: list(_flat_messages(errors)) for field, errors in detail.items()}
        body = error_body("invalid", _("Invalid input."), fields=fields)
    else:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        detail = getattr(exc, "detail", str(exc))
        if isinstance(detail, dict):
            message = detail.get("detail", detail)
            code = codes.get("detail", "error") if isinstance(codes, dict) else codes
            # simplejwt puts the specific code (e.g. tablet_signed_out) beside the message.
            if "code" in detail:
                code = detail["code"]
        else:
            message, code = detail, codes
        body = error_body(code, message, **details)
    return Response(body, status=response.status_code, headers=_kept_headers(response))


def _flat_messages(errors: object, path: str = "") -> Iterator[str]:
    """A field's messages as strings: a nested serializer's (the lines of an order) come as
    `{line: {field: [messages]}}`, and are named by where they are, e.g. "1.quantity: …"."""
    if isinstance(errors, dict):
        children = [(f"{int(key) + 1}" if isinstance(key, int) else str(key), value) for key, value in errors.items()]
    elif isinstance(errors, list) and any(isinstance(error, dict | list) for error in errors):
        children = [(str(position), error) for position, error in enumerate(errors, start=1)]
    else:
        for message in errors if isinstance(errors, list) else [errors]:
            yield f"{path}: {message}" if path else str(message)
        return
    for name, value in children:
        yield from _flat_messages(value, f"{path}.{name}" if path else name)


def _kept_headers(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in {"WWW-Authenticate", "Retry-After", "Allow"}}


class StoreScopedMixin(_GenericAPIView):
    """For GenericAPIView subclasses: `queryset` narrowed to the request's store, its manager's
    (`request.user.store`, loaded by the manager authentications)."""

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().filter(store=self.request.user.store)  # type: ignore[union-attr]


def validated(serializer: serializers.BaseSerializer[Any]) -> Any:
    """The serializer's validated data; invalid input is a 400 with field errors."""
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StoreScopedPrimaryKeyField(_PrimaryKeyRelatedField):
    """A primary key among the request's store's objects; any other id is "does not exist"."""

    def get_queryset(self) -> QuerySet[Model]:
        return super().get_queryset().filter(store=self.context["request"].user.store)  # type: ignore[union-attr]
