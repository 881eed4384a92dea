"""Order shapes for tablets and managers. Input serializers check shape only; the rules live in services."""

import re
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Table
from accounts.serializers import TableSerializer
from accounts.services import TABLE_PASSWORD_MIN_LENGTH
from core.api import StoreScopedPrimaryKeyField
from orders.models import AuditKind, DeleteReason, OrderStatus

# Menu item ids are 64-bit; a larger number is malformed, not merely unknown.
MAX_ID = 2**63 - 1


class OrderLineInputSerializer(serializers.Serializer):
    menu_item_id = serializers.IntegerField(max_value=MAX_ID, min_value=-MAX_ID)
    quantity = serializers.IntegerField(max_value=MAX_ID, min_value=-MAX_ID)
    option_ids = serializers.ListField(
        child=serializers.IntegerField(max_value=MAX_ID, min_value=-MAX_ID),
        required=False,
        help_text=_("The chosen options of this item's option groups; the server checks and prices them."),
    )


class OrderInputSerializer(serializers.Serializer):
    """`{items: [{menu_item_id, quantity, option_ids?}], note?}`; anything else a tablet sends
    (names, prices) is ignored."""

    items = OrderLineInputSerializer(many=True, allow_empty=True)
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("A request for the staff: at most 200 characters after trimming; empty means none."),
    )


LINE_FIELDS = ("menu_item_id", "quantity", "option_ids")


def plain_order_input(data):
    """OrderInputSerializer's validated data for a body it would take as it is, without running
    it (its fields are copied for each request: a large share of the objects an order request
    makes, which the garbage collector then has to find), or None for any other body, which the
    serializer validates and words the errors for.

    As it is: a JSON object whose `items` is a list of objects with whole-number `menu_item_id`
    and `quantity`, and `option_ids` (if given) a list of whole numbers, all within ±MAX_ID,
    and whose `note` (if given) is text without NUL or surrogate characters. Other keys are
    left out, as the serializer leaves them out.
    """
    if type(data) is not dict or type(data.get("items")) is not list:
        return None
    items = []
    for item in data["items"]:
        if type(item) is not dict or not (_is_id(item.get("menu_item_id")) and _is_id(item.get("quantity"))):
            return None
        if "option_ids" in item:
            option_ids = item["option_ids"]
            if type(option_ids) is not list or not all(_is_id(option_id) for option_id in option_ids):
                return None
        items.append({name: item[name] for name in LINE_FIELDS if name in item})
    validated = {"items": items}
    if "note" in data:
        note = data["note"]
        if type(note) is not str or "\x00" in note or _SURROGATE.search(note):
            return None
        validated["note"] = note
    return validated


def _is_id(value):
    return type(value) is int and -MAX_ID <= value <= MAX_ID


_SURROGATE = re.compile("[\ud800-\udfff]")


class OrderLineOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("The option's id when ordered; it may since have been deleted."))
    name = serializers.CharField()
    price_delta = serializers.IntegerField(help_text=_("Whole won, included in the line's unit_price."))


class OrderLineSerializer(serializers.Serializer):
    menu_item_id = serializers.IntegerField(allow_null=True, help_text=_("Null once the menu item is deleted."))
    name = serializers.CharField()
    unit_price = serializers.IntegerField(help_text=_("Whole won, as priced when ordered, options included."))
    quantity = serializers.IntegerField()
    line_total = serializers.IntegerField()
    options = OrderLineOptionSerializer(many=True, help_text=_("The chosen options, as they were when ordered."))


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
    note = serializers.CharField(help_text=_("The guest's request for the staff; empty when there is none."))
    acknowledged_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "When a manager first acted on the order (확인, a status change or a delete); "
            "null while it is new on the dashboards."
        ),
    )


class OrderAuditSerializer(serializers.Serializer):
    """One record of an order's audit trail (orders.models.OrderAudit)."""

    kind = serializers.ChoiceField(
        choices=AuditKind.choices,
        help_text=_(
            "`stepped_back`: a manager moved it back a step; `deleted`: a manager deleted it; "
            "`closed_unfinished`: its table was closed while it was not completed (its status stayed); "
            "`moved`: a manager moved it to another table (이동·합석)."
        ),
    )
    kind_label = serializers.CharField()
    from_status = serializers.ChoiceField(choices=OrderStatus.choices)
    to_status = serializers.ChoiceField(choices=OrderStatus.choices)
    reason = serializers.ChoiceField(
        choices=DeleteReason.choices, allow_blank=True, help_text=_("A deletion's reason; empty when none was given.")
    )
    reason_label = serializers.CharField()
    reason_text = serializers.CharField()
    from_table = serializers.IntegerField(allow_null=True, help_text=_("A move's table number before; else null."))
    to_table = serializers.IntegerField(allow_null=True, help_text=_("A move's table number after; else null."))
    by = serializers.CharField(allow_null=True, help_text=_("The username of the manager; null if unknown."))
    at = serializers.DateTimeField()


class ManagerOrderSerializer(OrderSerializer):
    """An order as a manager reads it by id: deleted ones too, with who deleted them and when."""

    deleted_at = serializers.DateTimeField(allow_null=True)
    deleted_by = serializers.CharField(allow_null=True, help_text=_("The username of the manager who deleted it."))
    audit = OrderAuditSerializer(
        many=True, help_text=_("Step backs, its deletion and its table's close, oldest first.")
    )


class HistoryOrderSerializer(OrderSerializer):
    session_closed_at = serializers.DateTimeField(help_text=_("When the order's table session ended (table closed)."))
    audit = OrderAuditSerializer(
        many=True,
        help_text=_(
            "Step backs, and `closed_unfinished` when the table was closed before the order was completed, "
            "oldest first."
        ),
    )


class SessionSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    total = serializers.IntegerField(help_text=_("Whole won of the session's live orders."))
    order_count = serializers.IntegerField()


class DashboardSessionSerializer(SessionSummarySerializer):
    latest_orders = OrderSerializer(
        many=True,
        help_text=_("The newest orders first: the three newest, and every older one still new (not acknowledged)."),
    )


class DashboardTableSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    session = DashboardSessionSerializer(allow_null=True, help_text=_("The open session; null when there is none."))


class TableCreateSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=2_147_483_647, label=_("table number"))
    password = serializers.CharField(
        min_length=TABLE_PASSWORD_MIN_LENGTH, max_length=128, write_only=True, trim_whitespace=False
    )


class TablePasswordSerializer(serializers.Serializer):
    password = serializers.CharField(
        min_length=TABLE_PASSWORD_MIN_LENGTH, max_length=128, write_only=True, trim_whitespace=False
    )


class TableStateSerializer(TableSerializer):
    session_id = serializers.IntegerField(allow_null=True)
    total = serializers.IntegerField()
    order_count = serializers.IntegerField()


class ClosedSessionSerializer(SessionSummarySerializer):
    closed_at = serializers.DateTimeField()
    unfinished_count = serializers.IntegerField(
        help_text=_("How many of its orders were not completed when it was closed (they keep their status).")
    )


class CloseSessionResponseSerializer(serializers.Serializer):
    session = ClosedSessionSerializer()
    table = TableStateSerializer()


class OrderStatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices,
        help_text=_("Any later status, or the one just before the current one (a step back, recorded for audit)."),
    )


class MoveTableInputSerializer(serializers.Serializer):
    """이동·합석: where a table's guests go."""

    to_table_id = StoreScopedPrimaryKeyField(queryset=Table.objects.all(), help_text=_("Another table of the store."))
    merge = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Join the guests already at that table (합석: one session, one bill); without it a table in use is a 409."
        ),
    )


class MoveOrderInputSerializer(serializers.Serializer):
    """Where one order goes."""

    to_table_id = StoreScopedPrimaryKeyField(
        queryset=Table.objects.all(),
        help_text=_("Another table of the store: the order joins its open session, or opens one."),
    )


class DeleteOrderInputSerializer(serializers.Serializer):
    """An optional body of a deletion; without one (or without `reason`) no reason is recorded."""

    reason = serializers.ChoiceField(choices=DeleteReason.choices, required=False)
    reason_text = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("At most 200 characters after trimming; required with `other`."),
    )


# Ids in a query parameter: ASCII digits (str.isdigit() also takes "²", which int() refuses),
# at most 18 of them, so every id fits a 64-bit column.
ID_LIST_PATTERN = r"^[0-9]{1,18}(,[0-9]{1,18})*$"


@extend_schema_field({"type": "string", "pattern": ID_LIST_PATTERN})
class IdListField(serializers.Field):
    """Ids from a query parameter given once per id or as a comma list (`?table=1&table=2,3`)."""

    default_error_messages = {"invalid": _("Give ids as whole numbers, e.g. 1,2,3.")}

    def get_value(self, dictionary):
        if self.field_name not in dictionary:
            return serializers.empty
        return ",".join(dictionary.getlist(self.field_name))

    def to_internal_value(self, data):
        if not re.fullmatch(ID_LIST_PATTERN, str(data)):
            self.fail("invalid")
        return [int(part) for part in data.split(",")]


class CurrentOrdersFilterSerializer(serializers.Serializer):
    table = IdListField(required=False, help_text=_("Table ids: repeat the parameter or separate with commas."))
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)


# Days whose start and end in the store's time zone are datetimes (9999-12-31 has no next day).
HISTORY_DAYS = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(9999, 12, 30))]


class HistoryFilterSerializer(serializers.Serializer):
    table = IdListField(required=False, help_text=_("Table ids: repeat the parameter or separate with commas."))
    date_from = serializers.DateField(
        required=False, validators=HISTORY_DAYS, help_text=_("First day, inclusive (store time, YYYY-MM-DD).")
    )
    date_to = serializers.DateField(
        required=False, validators=HISTORY_DAYS, help_text=_("Last day, inclusive (store time, YYYY-MM-DD).")
    )

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": _("The last day cannot be before the first day.")})
        return attrs


class StaffCallInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        trim_whitespace=False, help_text=_("One of the store's `staff_call_reasons` (in the menu response), as given.")
    )


class StaffCallSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    table = TableSerializer()
    session_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True, help_text=_("Null while the call is waiting."))


class StaffCallFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("open", _("waiting"))],
        required=False,
        help_text=_(
            "`open`: the waiting calls, oldest first. Without it: every call of the open sessions, newest first."
        ),
    )
    table = IdListField(required=False, help_text=_("Table ids: repeat the parameter or separate with commas."))
