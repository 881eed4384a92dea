"""The back office's printing API: printers and their agent tokens (managers), reprints and
open alerts (managers and kitchen staff), a table's printed bill (managers).

Objects come through `StoreScopedMixin`, so another store's are 404.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.models import Table
from accounts.permissions import IsKitchenStaff
from core.api import StoreScopedMixin, StoreScopedPrimaryKeyField, validated
from kitchen import printers
from kitchen.alerts import alert_dict, open_alerts
from kitchen.models import Alert, Printer
from kitchen.printing import print_bill, print_test_page, reprint_order
from menus.models import Station
from orders.models import Order
from orders.schema import ERROR_REF

TAGS = ["manager: printing"]


class PrinterSerializer(serializers.ModelSerializer):
    """A printer: `station_id` null makes it the counter printer; `connected` is whether its
    agent was heard from in the last 45 seconds."""

    station_id = StoreScopedPrimaryKeyField(
        source="station", queryset=Station.objects.all(), allow_null=True, required=False
    )
    has_token = serializers.SerializerMethodField()
    connected = serializers.SerializerMethodField()

    class Meta:
        model = Printer
        fields = ["id", "name", "station_id", "columns", "has_token", "connected", "last_seen_at"]
        read_only_fields = ["last_seen_at"]

    def get_has_token(self, printer: Printer) -> bool:
        return bool(printer.token_hash)

    def get_connected(self, printer: Printer) -> bool:
        return printers.is_connected(printer)

    def validate_name(self, value: str) -> str:
        others = Printer.objects.filter(store=self.context["request"].user.store, name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("This store already has a printer with this name."))
        return value


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField()


class QueuedJobSerializer(serializers.Serializer[Any]):
    job_id = serializers.IntegerField()


class ReprintSerializer(serializers.Serializer[Any]):
    jobs = serializers.IntegerField()


def conflict(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ERROR_REF, description=description)


@extend_schema(tags=TAGS)
class PrintersView(StoreScopedMixin, GenericAPIView):
    """The store's printers."""

    queryset = Printer.objects.all()
    serializer_class = PrinterSerializer

    @extend_schema(responses=PrinterSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: PrinterSerializer})
    def post(self, request):
        printer = Printer(store=request.user.store, **validated(self.get_serializer(data=request.data)))
        printer = printers.save_printer(printer=printer)
        return Response(self.get_serializer(printer).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class PrinterDetailView(StoreScopedMixin, GenericAPIView):
    queryset = Printer.objects.all()
    serializer_class = PrinterSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request, pk):
        printer = self.get_object()
        for field, value in validated(self.get_serializer(printer, data=request.data, partial=True)).items():
            setattr(printer, field, value)
        return Response(self.get_serializer(printers.save_printer(printer=printer)).data)

    @extend_schema(responses={204: OpenApiResponse(description=_("Deleted, with its waiting jobs."))})
    def delete(self, request, pk):
        printers.delete_printer(printer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class PrinterTokenView(StoreScopedMixin, GenericAPIView):
    """A new agent token for the printer, shown this once; the old one stops working."""

    queryset = Printer.objects.all()
    serializer_class = PrinterSerializer

    @extend_schema(request=None, responses={200: TokenSerializer})
    def post(self, request, pk):
        return Response({"token": printers.issue_token(printer=self.get_object())})


@extend_schema(tags=TAGS)
class PrinterRevokeTokenView(StoreScopedMixin, GenericAPIView):
    """The printer's agent token stops working (its agent is refused from its next heartbeat)."""

    queryset = Printer.objects.all()
    serializer_class = PrinterSerializer

    @extend_schema(request=None, responses={200: PrinterSerializer})
    def post(self, request, pk):
        return Response(self.get_serializer(printers.revoke_token(printer=self.get_object())).data)


@extend_schema(tags=TAGS)
class PrinterTestPrintView(StoreScopedMixin, GenericAPIView):
    """A test page on the printer; 409 `no_agent` when it has no agent token."""

    queryset = Printer.objects.select_related("store")
    serializer_class = PrinterSerializer

    @extend_schema(
        request=None,
        responses={200: QueuedJobSerializer, 409: conflict("`no_agent`: the printer has no agent token.")},
    )
    def post(self, request, pk):
        return Response({"job_id": print_test_page(printer=self.get_object()).id})


@extend_schema(tags=TAGS)
class ReprintOrderView(StoreScopedMixin, GenericAPIView):
    """재출력: the order's tickets again on every printer that printed them; 409 `no_printer` if none did."""

    permission_classes = [IsKitchenStaff]
    queryset = Order.objects.live().select_related("store")
    serializer_class = ReprintSerializer

    @extend_schema(
        request=None,
        responses={200: ReprintSerializer, 409: conflict("`no_printer`: no printer printed the order's tickets.")},
    )
    def post(self, request, pk):
        return Response({"jobs": len(reprint_order(order=self.get_object()))})


@extend_schema(tags=TAGS)
class PrintBillView(StoreScopedMixin, GenericAPIView):
    """The table's bill (계산서) on the counter printer; 409 `no_open_session` or `no_counter_printer`."""

    queryset = Table.objects.all()
    serializer_class = QueuedJobSerializer

    @extend_schema(
        request=None,
        responses={
            200: QueuedJobSerializer,
            409: conflict(
                "`no_open_session`: the table has no open session; "
                "`no_counter_printer`: no printer without a station has an agent token."
            ),
        },
    )
    def post(self, request, pk):
        return Response({"job_id": print_bill(table=self.get_object()).id})


class AlertPrinterSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AlertSerializer(serializers.Serializer[Any]):
    """An alert (its schema; the data is kitchen.alerts.alert_dict)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["job_late", "agent_offline", "printer_failed"])
    kind_label = serializers.CharField()
    printer = AlertPrinterSerializer()
    detail = serializers.CharField()
    order_id = serializers.IntegerField(allow_null=True)
    raised_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


@extend_schema(tags=TAGS)
class AlertsView(StoreScopedMixin, GenericAPIView):
    """The store's open alerts, newest first: a print job late, an agent offline, a printer refusing."""

    permission_classes = [IsKitchenStaff]
    queryset = Alert.objects.all()
    pagination_class = None

    @extend_schema(
        responses={200: inline_serializer("Alerts", {"results": AlertSerializer(many=True)})},
    )
    def get(self, request):
        return Response({"results": [alert_dict(alert) for alert in open_alerts(request.user.store.id)]})
