"""The tablet's menu in a guest language, served with an ETag so a refresh that finds nothing
new is a 304."""

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
from core.api import validated
from core.languages import GUEST_LANGUAGE_CODES, language_from_accept
from menus.allergens import ALLERGEN_NAMES
from menus.selectors import tablet_menu
from menus.serializers import IMAGE_SRCSET_HELP

LANGUAGE_HELP = _("In the menu's language where the store entered a translation, else the Korean text.")


class MenuOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=LANGUAGE_HELP)
    price_delta = serializers.IntegerField(help_text=_("Whole won added to the item's price (0 or more)."))
    is_available = serializers.BooleanField(help_text=_("False means sold out."))


class MenuOptionGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=LANGUAGE_HELP)
    min_select = serializers.IntegerField(
        help_text=_("At least this many options; 1 or more makes the group required.")
    )
    max_select = serializers.IntegerField(help_text=_("At most this many options."))
    options = MenuOptionSerializer(many=True, help_text=_("In display order."))


class MenuItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=LANGUAGE_HELP)
    price = serializers.IntegerField(help_text=_("Whole won."))
    description = serializers.CharField(help_text=LANGUAGE_HELP)
    image_url = serializers.CharField(help_text=_("Absolute or root-relative URL; empty when there is no image."))
    image_srcset = serializers.CharField(help_text=IMAGE_SRCSET_HELP)
    is_available = serializers.BooleanField(help_text=_("False means sold out."))
    option_groups = MenuOptionGroupSerializer(many=True, help_text=_("In display order; empty when the item has none."))
    origin = serializers.CharField(
        help_text=_(
            "The country of origin of its ingredients (원산지), in the menu's language where translated; may be empty."
        )
    )
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=ALLERGEN_NAMES),
        help_text=_("Korean names from the Ministry of Food and Drug Safety's list, in that list's order."),
    )


class MenuCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text=LANGUAGE_HELP)
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
        child=serializers.CharField(),
        help_text=_("What guests can call staff for, in the order to show them, in Korean (what a staff call sends)."),
    )
    store_name = serializers.CharField(help_text=_("The store's name as its manager last set it."))
    language = serializers.ChoiceField(choices=GUEST_LANGUAGE_CODES, help_text=_("The language of the menu's text."))
    staff_call_reason_labels = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The staff-call reasons to show, in the menu's language (Korean where untranslated), same order."),
    )
    origin_notice = serializers.CharField(
        help_text=_(
            "The store's origin notice (원산지 표시판) in the menu's language (Korean where untranslated); "
            "may be empty."
        )
    )
    cart_reminder_chime = serializers.BooleanField(
        help_text=_("Whether the reminder of a cart never sent also plays a soft chime.")
    )


class MenuQuerySerializer(serializers.Serializer):
    lang = serializers.ChoiceField(
        choices=GUEST_LANGUAGE_CODES,
        required=False,
        help_text=_("The menu's language; without it, the first of ours in Accept-Language, else Korean."),
    )

    def to_internal_value(self, data):
        lang = data.get("lang")
        return super().to_internal_value({"lang": lang.lower()} if isinstance(lang, str) else {})


def _etag_matches(if_none_match, etag):
    if not if_none_match:
        return False
    candidates = parse_etags(if_none_match)
    return "*" in candidates or etag in (candidate.removeprefix("W/") for candidate in candidates)


class MenuView(APIView):
    """The table's store menu in a guest language (`lang`, else Accept-Language, else Korean):
    categories and items in display order, sold-out items and options flagged, each item's
    origin and allergens, and the store's staff-call reasons and origin notice."""

    authentication_classes = [TableJWTAuthentication]
    permission_classes = [IsTablet]

    @extend_schema(
        parameters=[
            MenuQuerySerializer,
            OpenApiParameter(
                "Accept-Language",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description=_("Chooses the menu's language when there is no lang parameter."),
            ),
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
                description=_("The menu's version in its language, to send back in If-None-Match."),
            ),
        ],
        responses={200: MenuSerializer, 304: OpenApiResponse(description=_("The menu has not changed."))},
    )
    def get(self, request):
        store = request.user.store
        # (If the parameter is given, it chooses; else the browser's languages, so the answer
        # varies with Accept-Language.)
        language = validated(MenuQuerySerializer(data=request.query_params)).get("lang")
        if language is None:
            language = language_from_accept(request.headers.get("Accept-Language"))
        version, body = tablet_menu(store, language)
        # Whether the store takes orders is of this moment (a break starts by the clock, writing
        # nothing): put in at each request from the table's copy of the store, and named in the ETag.
        ordering = JSONRenderer().render(ordering_state(store, timezone.now()))
        headers = {
            "ETag": f'"{version}.{language}.{zlib.crc32(ordering):08x}"',
            "Cache-Control": "private, no-cache",
            "Vary": "Accept-Language",
        }
        # Plain Django responses: nothing for DRF to negotiate or render. The body was rendered
        # once per menu version (menus.selectors.tablet_menu), as JSONRenderer renders it.
        if _etag_matches(request.headers.get("If-None-Match"), headers["ETag"]):
            return HttpResponseNotModified(headers=headers)
        body = body[:-1] + b',"ordering":' + ordering + b"}"
        return HttpResponse(body, content_type="application/json", headers=headers)
