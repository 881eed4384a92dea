"""The manager API's sales report: `GET /api/v1/admin/reports/sales`."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from core.api import StoreScopedMixin, validated
from orders.models import Order
from reports.csv_export import report_csv
from reports.selectors import sales_report
from reports.serializers import SalesReportQuerySerializer, SalesReportSerializer


class JSONAnswers(BaseContentNegotiation):
    """The view's answers (and errors) are JSON; `format=csv` is the view's own parameter, not
    DRF's renderer override (which would answer 404 for a format it has no renderer for)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0]


@extend_schema(tags=["manager: reports"])
class SalesReportView(StoreScopedMixin, GenericAPIView):
    """Sales of the manager's store over a range of days (Asia/Seoul), grouped by day, hour,
    item or table, with the range's totals; `format=csv` answers a CSV file of the rows."""

    # The orders it reads (the isolation matrix asks each route which objects it serves).
    queryset = Order.objects.all()
    serializer_class = SalesReportSerializer
    pagination_class = None
    content_negotiation_class = JSONAnswers

    @extend_schema(
        parameters=[SalesReportQuerySerializer],
        responses={
            (200, "application/json"): SalesReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, UTF-8 with BOM"),
        },
    )
    def get(self, request):
        query = validated(SalesReportQuerySerializer(data=request.query_params))
        report = sales_report(store=request.user.store, days=query["days"], group=query["group"])
        if query["format"] == "csv":
            return report_csv(report)
        return Response(report)
