"""The bill (계산서): the tablet's of its own table, a manager's of any table of the store;
`?split=N` adds the total split evenly among N people (orders.bills)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.authentication import TableJWTAuthentication
from accounts.models import Table
from accounts.permissions import IsTablet
from core.api import StoreScopedMixin, validated
from core.exceptions import Conflict
from orders.bills import SPLIT_MAX, SPLIT_MIN, no_bill, session_bill, with_split
from orders.schema import ERROR_REF
from orders.selectors import open_session


class BillQuerySerializer(serializers.Serializer[Any]):
    split = serializers.IntegerField(
        min_value=SPLIT_MIN,
        max_value=SPLIT_MAX,
        required=False,
        help_text=gettext_lazy("Split the total evenly among this many people (2–20)."),
    )


class BillLineSerializer(serializers.Serializer[Any]):
    menu_item_id = serializers.IntegerField(allow_null=True, help_text="Null once the item left the menu.")
    name = serializers.CharField()
    options = serializers.ListField(child=serializers.CharField())
    unit_price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    amount = serializers.IntegerField()


class BillSplitSerializer(serializers.Serializer[Any]):
    people = serializers.IntegerField()
    shares = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=(
            "Whole won, one per person: multiples of 100 except possibly the last, no two more than 100 apart, "
            "adding up to the total exactly; the larger ones first."
        ),
    )


class BillSerializer(serializers.Serializer[Any]):
    """A bill (its schema; the data is orders.bills.session_bill)."""

    session_id = serializers.IntegerField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    lines = BillLineSerializer(
        many=True, help_text="One per item, options and unit price; deleted orders count nowhere."
    )
    total = serializers.IntegerField()
    order_count = serializers.IntegerField()
    split = BillSplitSerializer(required=False, help_text="Only with `?split=N`.")


def people(request) -> int | None:
    return validated(BillQuerySerializer(data=request.query_params)).get("split")


class TableBillView(GenericAPIView):
    """The bill of the requesting table's current session."""

    authentication_classes = [TableJWTAuthentication]
    permission_classes = [IsTablet]
    serializer_class = BillSerializer
    pagination_class = None

    @extend_schema(
        parameters=[BillQuerySerializer],
        responses=BillSerializer,
        description=gettext_lazy(
            "With no open session (nothing ordered yet, or the guests have left) the bill is empty: "
            "`session_id` and `opened_at` null, no lines, a total of 0."
        ),
    )
    def get(self, request):
        count = people(request)
        session = open_session(request.user)
        return Response(with_split(session_bill(session) if session else no_bill(), count))


@extend_schema(tags=["manager: floor"])
class TableBillAdminView(StoreScopedMixin, GenericAPIView):
    """A table's bill (계산서); 409 `no_open_session` when the table has none."""

    queryset = Table.objects.all()
    serializer_class = BillSerializer

    @extend_schema(
        parameters=[BillQuerySerializer],
        responses={
            200: BillSerializer,
            409: OpenApiResponse(response=ERROR_REF, description="`no_open_session`: the table has no open session."),
        },
    )
    def get(self, request, pk):
        table = self.get_object()
        count = people(request)
        session = open_session(table)
        if session is None:
            raise Conflict(_("This table has no open session, so it has no bill."), "no_open_session")
        return Response(with_split(session_bill(session), count))
