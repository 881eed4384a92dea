"""Order shapes for tablets. Input serializers check shape only; the rules live in services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.serializers import TableSerializer
from orders.models import OrderStatus

# Menu item ids are 64-bit; a larger number is malformed, not merely unknown.
MAX_ID = 2**63 - 1


class OrderLineInputSerializer(serializers.Serializer):
    menu_item_id = serializers.IntegerField(max_value=MAX_ID, min_value=-MAX_ID)
    quantity = serializers.IntegerField(max_value=MAX_ID, min_value=-MAX_ID)


class OrderInputSerializer(serializers.Serializer):
    """`{items: [{menu_item_id, quantity}]}`; anything else a tablet sends (names, prices) is ignored."""

    items = OrderLineInputSerializer(many=True, allow_empty=True)


class OrderLineSerializer(serializers.Serializer):
    menu_item_id = serializers.IntegerField(allow_null=True, help_text=_("Null once the menu item is deleted."))
    name = serializers.CharField()
    unit_price = serializers.IntegerField(help_text=_("Whole won, as priced when ordered."))
    quantity = serializers.IntegerField()
    line_total = serializers.IntegerField()


class OrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    display_number = serializers.CharField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField()
    created_at = serializers.DateTimeField()
    table = TableSerializer()
    session_id = serializers.IntegerField()
    items = OrderLineSerializer(many=True)
    total = serializers.IntegerField()
