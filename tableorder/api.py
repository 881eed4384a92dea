"""Shared DRF pieces: pagination shape, one JSON error shape, the request's store.

Every manager API view reads objects through `StoreScopedMixin.get_queryset()`, so another
store's object is a 404 everywhere; a request naming another store's object in a field
(a category id of a menu item) is a 400 through `StoreScopedPrimaryKeyField`.
"""

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tableorder.exceptions import Conflict
from tableorder.parsers import PayloadTooLarge


class Pagination(PageNumberPagination):
    """`{count, next, previous, results}`; clients may ask for up to 100 per page."""

    page_size_query_param = "page_size"
    max_page_size = 100


class ConflictError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"


class LockedOut(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("Too many failed login attempts. Please try again later.")
    default_code = "locked_out"


def _django_validation_detail(error):
    if hasattr(error, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in error.error_dict.items()}
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """Every error is `{"error": {"code", "message", "fields"?}}` with the right status."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, Conflict):
        exc = ConflictError(exc.message, exc.code)
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
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": "invalid", "message": str(_("Invalid input.")), "fields": detail}
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
        body = {"code": str(code), "message": str(message)}
    return Response({"error": body}, status=response.status_code, headers=_kept_headers(response))


def _kept_headers(response):
    return {k: v for k, v in response.items() if k in {"WWW-Authenticate", "Retry-After", "Allow"}}


class StoreScopedMixin:
    """For GenericAPIView subclasses: `queryset` narrowed to the request's store (set by IsStoreManager)."""

    def get_queryset(self):
        return super().get_queryset().filter(store=self.request.store)


def validated(serializer):
    """The serializer's validated data; invalid input is a 400 with field errors."""
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class StoreScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A primary key among the request's store's objects; any other id is "does not exist"."""

    def get_queryset(self):
        return super().get_queryset().filter(store=self.context["request"].store)
