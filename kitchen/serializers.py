"""Kitchen shapes: stations for writing, ticket filters, tickets as the API shows them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kitchen.models import TicketStatus
from menus.models import Station
from menus.serializers import MAX_DISPLAY_ORDER


class StationSerializer(serializers.ModelSerializer):
    display_order = serializers.IntegerField(min_value=0, max_value=MAX_DISPLAY_ORDER, required=False)

    class Meta:
        model = Station
        fields = ["id", "name", "display_order"]

    def validate_name(self, value):
        others = Station.objects.filter(store=self.context["request"].user.store, name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("This store already has a station with this name."))
        return value


class TicketFilterSerializer(serializers.Serializer):
    station = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    status = serializers.ChoiceField(choices=TicketStatus.choices, required=False)


class TicketLineSerializer(serializers.Serializer):
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    options = serializers.ListField(child=serializers.CharField())


class TicketTableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class TicketStationSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class TicketSerializer(serializers.Serializer):
    """A kitchen ticket (its schema; the data is kitchen.selectors.ticket_dict)."""

    id = serializers.UUIDField()
    order_id = serializers.IntegerField()
    number = serializers.IntegerField()
    display_number = serializers.CharField()
    table = TicketTableSerializer()
    station = TicketStationSerializer()
    status = serializers.ChoiceField(choices=TicketStatus.choices)
    status_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField()
    lines = TicketLineSerializer(many=True)
