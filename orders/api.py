"""The tablet's orders: place one (idempotently) and list the current session's."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.authentication import TableJWTAuthentication
from accounts.permissions import IsTablet
from core.api import Pagination
from orders.schema import RETRY_AFTER, rate_limited
from orders.selectors import session_orders, table_session_ids
from orders.serializers import OrderInputSerializer, OrderSerializer, plain_order_input
from orders.services import place_order

IDEMPOTENCY_HEADER = "Idempotency-Key"


class TableOrdersPagination(Pagination):
    """A page of the session's orders, with the table's last closed session beside it."""

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["required"] = [*result.get("required", []), "closed_session_id"]
        result["properties"]["closed_session_id"] = {
            "type": "integer",
            "nullable": True,
            "description": (
                "The table's last closed session (null before the first 이용 완료), as `stream.open` "
                "carries it: a larger one than the tablet remembers means the guests it served have left."
            ),
        }
        return result


class TableOrdersSchema(AutoSchema):
    def get_paginated_name(self, serializer_name):
        # The managers' list pages the same orders without `closed_session_id`.
        return "PaginatedTableOrderList"


class TableOrdersView(GenericAPIView):
    """Orders of the requesting table's current session."""

    authentication_classes = [TableJWTAuthentication]
    permission_classes = [IsTablet]
    serializer_class = OrderSerializer
    pagination_class = TableOrdersPagination
    schema = TableOrdersSchema()

    def get_queryset(self):
        return session_orders(table_session_ids(self.request.user.id)["open"])

    @extend_schema(responses=OrderSerializer(many=True))
    def get(self, request):
        ids = table_session_ids(request.user.id)
        page = self.paginate_queryset(session_orders(ids["open"]))
        response = self.get_paginated_response([order.as_dict() for order in page])
        response.data["closed_session_id"] = ids["closed"]
        return response

    @extend_schema(
        request=OrderInputSerializer,
        responses={
            201: OrderSerializer,
            429: rate_limited(
                "`rate_limited`: this table placed TABLE_ORDER_LIMIT orders within TABLE_RATE_WINDOW_SECONDS; "
                "nothing was placed. A retry with an Idempotency-Key whose order was placed still gets that order."
            ),
        },
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description=gettext_lazy(
                    "A fresh key per order, reused on retries: a retry returns the first order; "
                    "the same key with other items, options or note is a 409 `idempotency_key_reused`; "
                    "after its order was deleted or its table session closed, a 409 `idempotency_key_expired`."
                ),
            ),
            OpenApiParameter(
                "Idempotent-Replayed",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                description=gettext_lazy("`true` when this is the order a previous request with the key placed."),
            ),
            RETRY_AFTER,
        ],
    )
    def post(self, request):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        validated = plain_order_input(request.data)
        if validated is None or not key:
            serializer = OrderInputSerializer(data=request.data)
            errors = {} if serializer.is_valid() else dict(serializer.errors)
            if not key:
                errors["idempotency_key"] = [_("The Idempotency-Key header is required.")]
            if errors:
                raise ValidationError(errors)
            validated = serializer.validated_data
        order, created = place_order(
            table=request.user,
            items=validated["items"],
            note=validated.get("note", ""),
            idempotency_key=key,
        )
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(order.as_dict(), status=status.HTTP_201_CREATED, headers=headers)
