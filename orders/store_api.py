"""The manager API of the store's settings (매장 설정): its hours, staff-call reasons and
what else the tablet shows (the origin notice, the reasons' translations, the reminder's chime)."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from accounts.hours import MAX_PAUSE_MESSAGE_LENGTH
from accounts.models import MAX_STAFF_CALL_REASON_LENGTH, Store
from accounts.services import update_store_settings
from core.api import validated
from menus.api import OrderingSerializer
from orders.hours import store_settings

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def clock_field(help_text: "StrOrPromise") -> serializers.TimeField:
    """A time of day as "HH:MM", or null."""
    return serializers.TimeField(format="%H:%M", input_formats=["%H:%M"], allow_null=True, help_text=help_text)


class BreakTimeSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text=_("0 is Monday, 6 Sunday."))
    start = serializers.CharField(help_text=_('"HH:MM", Asia/Seoul.'))
    end = serializers.CharField(help_text=_('"HH:MM", after the start, the same day.'))


class StoreSettingsSerializer(serializers.Serializer):
    """What a PATCH may change; each field it leaves out keeps its value."""

    ordering_paused = serializers.BooleanField(help_text=_("Pause ordering now, until it is set false again."))
    pause_message = serializers.CharField(
        max_length=MAX_PAUSE_MESSAGE_LENGTH, allow_blank=True, help_text=_("Shown on the tablets while paused.")
    )
    break_times = BreakTimeSerializer(
        many=True,
        help_text=_("Breaks per weekday: no two of a day overlapping, at most three a day."),
    )
    last_order_time = clock_field(_('"HH:MM": no orders from then until the opening time; null for none.'))
    opening_time = clock_field(_('"HH:MM": ordering reopens then after the last order; null means 06:00.'))
    staff_call_reasons = serializers.ListField(
        child=serializers.CharField(max_length=MAX_STAFF_CALL_REASON_LENGTH),
        help_text=_("What guests can call staff for, in the order the tablet shows them (1–10)."),
    )
    staff_call_reason_translations = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, allow_null=True)),
        help_text=_(
            'What the tablet shows for each reason in a guest language: {"<Korean reason>": {"en": …, "zh-hans": …, '
            '"ja": …}}; keys are current reasons, a blank text is no translation (the Korean reason is shown).'
        ),
    )
    origin_notice = serializers.CharField(
        max_length=Store._meta.get_field("origin_notice").max_length,  # type: ignore[arg-type]
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("The origin notice (원산지 표시판) the tablet shows on its own page."),
    )
    origin_notice_translations = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, trim_whitespace=False),
        help_text=_(
            'The origin notice in the guest languages: {"en": …, "zh-hans": …, "ja": …}; a blank text is no '
            "translation (the Korean notice is shown)."
        ),
    )
    cart_reminder_chime = serializers.BooleanField(
        help_text=_("Whether the tablet's reminder of an unsent cart also plays a soft chime.")
    )


class StoreSettingsResponseSerializer(StoreSettingsSerializer):
    ordering = OrderingSerializer(read_only=True, help_text=_("Whether the store takes orders now."))


def settings_body(store: Store) -> dict:
    """The settings as the API shows them, with the ordering state now."""
    shown = StoreSettingsSerializer(store).data
    return {**shown, "ordering": store_settings(store)["ordering"]}


class StoreSettingsView(GenericAPIView):
    """The manager's own store: its hours (영업 설정) and staff-call reasons. A change is heard
    by every tablet and dashboard of the store as `store.updated`."""

    queryset = Store.objects.none()
    serializer_class = StoreSettingsSerializer

    @extend_schema(responses=StoreSettingsResponseSerializer)
    def get(self, request):
        return Response(settings_body(request.user.store))

    @extend_schema(request=StoreSettingsSerializer(partial=True), responses=StoreSettingsResponseSerializer)
    def patch(self, request):
        changes = validated(StoreSettingsSerializer(data=request.data, partial=True))
        store = request.user.store
        if "break_times" in changes:
            changes["break_times"] = [dict(entry) for entry in changes["break_times"]]
        if changes:
            update_store_settings(store=store, actor=request.user, **changes)
        return Response(settings_body(store))
