"""The sales report's query and its answer's shape (the schema)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from orders.serializers import HISTORY_DAYS as DAYS
from reports.selectors import GROUPS, MAX_DAYS, DayRange


class SalesReportQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False,
        validators=DAYS,
        help_text=_("First day, inclusive (store time, YYYY-MM-DD); today if left out."),
    )
    date_to = serializers.DateField(
        required=False, validators=DAYS, help_text=_("Last day, inclusive (store time, YYYY-MM-DD); today if left out.")
    )
    group = serializers.ChoiceField(choices=GROUPS, default="day", help_text=_("How the rows are grouped."))
    format = serializers.ChoiceField(
        choices=["json", "csv"], default="json", help_text=_("`csv`: a CSV file (UTF-8 with BOM) for spreadsheets.")
    )

    def validate(self, attrs):
        today = timezone.localdate()
        first, last = attrs.get("date_from", today), attrs.get("date_to", today)
        if first > last:
            raise serializers.ValidationError({"date_to": [_("The last day cannot be before the first day.")]})
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"date_to": [_("A report covers at most %(days)d days.") % {"days": MAX_DAYS}]}
            )
        attrs["days"] = DayRange(first, last)
        return attrs


class SalesRowSerializer(serializers.Serializer):
    key = serializers.JSONField(
        help_text=_("The day (YYYY-MM-DD), the hour of the day (0–23), the item's name or the table's number.")
    )
    orders = serializers.IntegerField(help_text=_("Orders; by item, the orders naming the item."))
    quantity = serializers.IntegerField(required=False, help_text=_("By item only: the units sold."))
    amount = serializers.IntegerField(help_text=_("Won."))


class MinutesSerializer(serializers.Serializer):
    p50 = serializers.FloatField(allow_null=True)
    p90 = serializers.FloatField(allow_null=True)


class SalesTotalSerializer(serializers.Serializer):
    orders = serializers.IntegerField()
    sessions = serializers.IntegerField(help_text=_("Table sessions with an order in the range."))
    amount = serializers.IntegerField()
    average_per_session = serializers.IntegerField()
    deleted_orders = serializers.IntegerField()
    deleted_amount = serializers.IntegerField()
    minutes_to_complete = MinutesSerializer(help_text=_("Minutes from order to completed: median and 90th percentile."))


class SalesReportSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group = serializers.ChoiceField(choices=GROUPS)
    rows = SalesRowSerializer(many=True)
    total = SalesTotalSerializer()
