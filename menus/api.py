"""The tablet's menu, served with an ETag so a refresh that finds nothing new is a 304."""

import zlib

from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from accounts.authentication import TableJWTAuthentication
from accounts.hours import ordering_state
from accounts.permissions import IsTablet
from menus.selectors import tablet_menu
from menus.serializers import IMAGE_SRCSET_HELP


class MenuOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price_delta = serializers.IntegerField(help_text=_("Whole won added to the item's price (0 or more)."))
    is_available = serializers.BooleanField(help_text=_("False means sold out."))


class MenuOptionGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    min_select = serializers.IntegerField(
        help_text=_("At least this many options; 1 or more makes the group required.")
    )
    max_select = serializers.IntegerField(help_text=_("At most this many options."))
    options = MenuOptionSerializer(many=True, help_text=_("In display order."))


class MenuItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    price = serializers.IntegerField(help_text=_("Whole won."))
    description = serializers.CharField()
    image_url = serializers.CharField(help_text=_("Absolute or root-relative URL; empty when there is no image."))
    image_srcset = serializers.CharField(help_text=IMAGE_SRCSET_HELP)
    is_available = serializers.BooleanField(help_text=_("False means sold out."))
    option_groups = MenuOptionGroupSerializer(many=True, help_text=_("In display order; empty when the item has none."))


class MenuCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    items = MenuItemSerializer(many=True)


class OrderingSerializer(serializers.Serializer):
    open = serializers.BooleanField(help_text=_("Whether the store takes orders now."))
    reason = serializers.ChoiceField(
        choices=["paused", "break", "last_order"],
        allow_null=True,
        help_text=_("Why it takes none: paused by staff, a break time, or past the last order; null while open."),
    )
    message = serializers.CharField(help_text=_("The staff's message while paused; empty otherwise."))
    reopens_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When ordering reopens; null while open or paused.")
    )
    closes_at = serializers.DateTimeField(
        allow_null=True, help_text=_("While open, the next scheduled closure (check again then); else null.")
    )


class MenuSerializer(serializers.Serializer):
    categories = MenuCategorySerializer(many=True)
    ordering = OrderingSerializer(help_text=_("Whether the store takes orders at the time of the request."))
    staff_call_reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("What guests can call staff for, in the order to show them.")
    )
    store_name = serializers.CharField(help_text=_("The store's name as its manager last set it."))


def _etag_matches(if_none_match, etag):
    if not if_none_match:
        return False
    candidates = parse_etags(if_none_match)
    return "*" in candidates or etag in (candidate.removeprefix("W/") for candidate in candidates)


class MenuView(APIView):
    """The table's store menu: categories and items in display order, sold-out items and
    options flagged, and the store's staff-call reasons."""

    authentication_classes = [TableJWTAuthentication]
    permission_classes = [IsTablet]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_("The ETag of the menu the tablet has; an unchanged menu answers 304."),
            ),
            OpenApiParameter(
                "ETag",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200, 304],
                description=_("The menu's version, to send back in If-None-Match."),
            ),
        ],
        responses={200: MenuSerializer, 304: OpenApiResponse(description=_("The menu has not changed."))},
    )
    def get(self, request):
        store = request.user.store
        version, body = tablet_menu(store)
        # Whether the store takes orders is of this moment (a break starts by the clock, writing
        # nothing): put in at each request from the table's copy of the store, and named in the ETag.
        ordering = JSONRenderer().render(ordering_state(store, timezone.now()))
        headers = {"ETag": f'"{version}.{zlib.crc32(ordering):08x}"', "Cache-Control": "private, no-cache"}
        # Plain Django responses: nothing for DRF to negotiate or render. The body was rendered
        # once per menu version (menus.selectors.tablet_menu), as JSONRenderer renders it.
        if _etag_matches(request.headers.get("If-None-Match"), headers["ETag"]):
            return HttpResponseNotModified(headers=headers)
        body = body[:-1] + b',"ordering":' + ordering + b"}"
        return HttpResponse(body, content_type="application/json", headers=headers)
