"""The kitchen's API: stations (managers), tickets and their steps (managers and kitchen staff).

Objects come through `StoreScopedMixin`, so another store's are 404.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.permissions import IsKitchenStaff
from core.api import StoreScopedMixin, validated
from kitchen.models import KitchenTicket
from kitchen.selectors import display_tickets, ticket_dict
from kitchen.serializers import StationSerializer, TicketFilterSerializer, TicketSerializer
from kitchen.services import finish_ticket, recall_ticket, start_ticket
from menus.models import Station
from menus.stations import delete_station, save_station

TAGS = ["manager: kitchen"]


@extend_schema(tags=TAGS)
class StationsView(StoreScopedMixin, GenericAPIView):
    """The store's kitchen stations in display order."""

    queryset = Station.objects.all()
    serializer_class = StationSerializer

    @extend_schema(responses=StationSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(responses={201: StationSerializer})
    def post(self, request):
        station = Station(store=request.user.store, **validated(self.get_serializer(data=request.data)))
        return Response(self.get_serializer(save_station(station=station)).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class StationDetailView(StoreScopedMixin, GenericAPIView):
    queryset = Station.objects.all()
    serializer_class = StationSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request, pk):
        station = self.get_object()
        for field, value in validated(self.get_serializer(station, data=request.data, partial=True)).items():
            setattr(station, field, value)
        return Response(self.get_serializer(save_station(station=station)).data)

    @extend_schema(responses={204: OpenApiResponse(description=_("Deleted."))})
    def delete(self, request, pk):
        delete_station(station=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=TAGS)
class TicketsView(StoreScopedMixin, GenericAPIView):
    """The kitchen display's tickets in arrival order: open ones, and those finished or cancelled
    in the last few minutes (`status` for one status at any age; `station` for one station)."""

    permission_classes = [IsKitchenStaff]
    queryset = KitchenTicket.objects.all()
    serializer_class = TicketSerializer

    @extend_schema(parameters=[TicketFilterSerializer], responses=TicketSerializer(many=True))
    def get(self, request):
        filters = validated(TicketFilterSerializer(data=request.query_params))
        tickets = display_tickets(
            request.user.store.id, station_id=filters.get("station"), status=filters.get("status")
        )
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response([ticket_dict(ticket) for ticket in page])


class TicketStepView(StoreScopedMixin, GenericAPIView):
    permission_classes = [IsKitchenStaff]
    queryset = KitchenTicket.objects.all()
    serializer_class = TicketSerializer
    step = staticmethod(start_ticket)

    @extend_schema(tags=TAGS, request=None, responses={200: TicketSerializer})
    def post(self, request, pk):
        ticket = self.step(ticket=self.get_object(), actor=request.user)
        return Response(ticket_dict(ticket))


class StartTicketView(TicketStepView):
    """조리 시작: new → cooking (the order becomes 준비중); 409 unless new."""

    step = staticmethod(start_ticket)


class FinishTicketView(TicketStepView):
    """완료: → done (the order is 완료 once all its tickets are); 409 if already done or cancelled."""

    step = staticmethod(finish_ticket)


class RecallTicketView(TicketStepView):
    """되돌리기: done → cooking within a few minutes of its finish; 409 otherwise."""

    step = staticmethod(recall_ticket)
