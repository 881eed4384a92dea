"""Menu shapes for managers. They check shape and the store of what they name; rules live in services."""

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from core.api import StoreScopedPrimaryKeyField
from core.languages import TRANSLATED_LANGUAGES
from menus.allergens import ALLERGEN_NAMES
from menus.images import clean_image
from menus.models import Category, MenuItem, Option, OptionGroup, Station
from menus.selectors import OPTION_GROUPS
from menus.translations import clean_translations, field_limits

IMAGE_SRCSET_HELP = _(
    "The uploaded image's display sizes as an <img> srcset: 'URL 400w, URL 800w' (WebP, at most 400 and 800 px "
    "wide); empty for an external image_url or no image."
)
# The column is a 32-bit integer on PostgreSQL.
MAX_DISPLAY_ORDER = 2_147_483_647


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            language: {"type": "object", "additionalProperties": {"type": "string"}}
            for language in TRANSLATED_LANGUAGES
        },
        "additionalProperties": False,
    }
)
class TranslationsField(serializers.JSONField):
    """`translations` of a model: `{"en": {"name": …}, "zh-hans": …, "ja": …}` checked by
    menus.translations (a multipart body sends it as JSON text). The stored value, blanks dropped."""

    def __init__(self, model, **kwargs):
        self.limits = field_limits(model)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _(
                    "Text in the guest languages ({languages}) of the fields {fields}; "
                    "a blank or missing one shows the Korean."
                ),
                languages=", ".join(TRANSLATED_LANGUAGES),
                fields=", ".join(self.limits),
            ),
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError:
                self.fail("invalid")
        try:
            return clean_translations(data, self.limits)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


def allergens_field():
    return serializers.ListField(
        child=serializers.ChoiceField(choices=ALLERGEN_NAMES),
        required=False,
        help_text=_("Korean names from the Ministry of Food and Drug Safety's list; stored in that list's order."),
    )


def station_field(help_text):
    """`station_id`: one of the store's kitchen stations, or null."""
    return StoreScopedPrimaryKeyField(
        source="station", queryset=Station.objects.all(), allow_null=True, required=False, help_text=help_text
    )


class ManagerCategorySerializer(serializers.ModelSerializer):
    display_order = serializers.IntegerField(min_value=0, max_value=MAX_DISPLAY_ORDER, required=False)
    station_id = station_field(_("The kitchen station that makes its items; null means the store's first station."))
    translations = TranslationsField(Category)

    class Meta:
        model = Category
        fields = ["id", "name", "display_order", "station_id", "translations"]

    def validate_name(self, value):
        others = Category.objects.filter(store=self.context["request"].user.store, name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("This store already has a category with this name."))
        return value


class ManagerOptionSerializer(serializers.ModelSerializer):
    translations = TranslationsField(Option)

    class Meta:
        model = Option
        fields = ["id", "name", "price_delta", "is_available", "translations"]


class ManagerOptionGroupSerializer(serializers.ModelSerializer):
    options = ManagerOptionSerializer(many=True, help_text=_("In display order."))
    translations = TranslationsField(OptionGroup)

    class Meta:
        model = OptionGroup
        fields = ["id", "name", "min_select", "max_select", "options", "translations"]


class ManagerItemOptionGroupSerializer(ManagerOptionGroupSerializer):
    """An item's option group, read through the item's link to it (in the item's order)."""

    def to_representation(self, instance):
        return super().to_representation(instance.group)


class ManagerMenuItemListSerializer(serializers.ListSerializer):
    """A page of items reads their option groups and options in two queries, not two per item."""

    def to_representation(self, data):
        items = list(data.all() if isinstance(data, QuerySet) else data)
        prefetch_related_objects(items, *OPTION_GROUPS)
        return super().to_representation(items)


class ManagerMenuItemSerializer(serializers.ModelSerializer):
    """A menu item as managers read it; `image_url` is the image shown, uploaded or external.
    Option groups are read-only here: managers edit them in the admin, with their item."""

    image_url = serializers.CharField(
        source="display_image_url",
        help_text=_("The uploaded image's URL if there is one, else the external URL, else empty."),
    )
    image_srcset = serializers.CharField(read_only=True, help_text=IMAGE_SRCSET_HELP)
    station_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Its kitchen station; null means its category's.")
    )
    option_groups = ManagerItemOptionGroupSerializer(
        source="group_links",
        many=True,
        read_only=True,
        help_text=_("In display order; empty when the item has none."),
    )
    allergens = allergens_field()
    translations = TranslationsField(MenuItem)

    class Meta:
        model = MenuItem
        fields = [
            "id",
            "category",
            "name",
            "price",
            "description",
            "image_url",
            "image_srcset",
            "is_available",
            "display_order",
            "station_id",
            "option_groups",
            "origin",
            "allergens",
            "translations",
        ]
        list_serializer_class = ManagerMenuItemListSerializer


class OmittableBooleanField(serializers.BooleanField):
    """A boolean that a form body may leave out like a JSON one: DRF reads a missing boolean in a
    multipart or form body as false (an unticked checkbox); this reads it as absent, so a create
    gets the model's default and an update (PUT or PATCH) leaves the value as it is."""

    default_empty_html = empty


class ManagerMenuItemWriteSerializer(serializers.ModelSerializer):
    """A menu item as managers write it, as JSON or multipart with an `image` file."""

    category = StoreScopedPrimaryKeyField(queryset=Category.objects.all())
    display_order = serializers.IntegerField(min_value=0, max_value=MAX_DISPLAY_ORDER, required=False)
    station_id = station_field(_("The kitchen station that makes it; null means its category's station."))
    image = serializers.FileField(
        required=False,
        write_only=True,
        help_text=_(
            "A JPEG, PNG, GIF, WebP or HEIC image of at most 5 MB and 50 million pixels (multipart only); it "
            "replaces image_url. An HEIC photo is stored as a JPEG; display sizes 400 and 800 px wide are made."
        ),
    )
    is_available = OmittableBooleanField(
        required=False, help_text=_("Left out, a new item is available and an edited one keeps its value.")
    )
    image_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MenuItem._meta.get_field("image_url").max_length,  # type: ignore[arg-type]
        help_text=_(
            "An external http(s) image URL; empty removes the image. Sending the item's current image_url "
            "back keeps its image."
        ),
    )
    allergens = allergens_field()
    translations = TranslationsField(MenuItem)

    class Meta:
        model = MenuItem
        fields = [
            "category",
            "name",
            "price",
            "description",
            "image_url",
            "image",
            "is_available",
            "display_order",
            "station_id",
            "origin",
            "allergens",
            "translations",
        ]

    def validate_image(self, file):
        return clean_image(file)

    def validate_image_url(self, value):
        if value and not (self.instance is not None and value == self.instance.display_image_url):
            URLValidator(schemes=["http", "https"])(value)
        return value

    def apply(self, item):
        """Copy the validated fields onto `item`; an upload or a new URL replaces the image."""
        data = dict(self.validated_data)
        image, image_url = data.pop("image", None), data.pop("image_url", None)
        for field, value in data.items():
            setattr(item, field, value)
        if image is not None:
            item.image, item.image_url = image, ""
        elif image_url is not None and image_url != item.display_image_url:
            item.image, item.image_url = "", image_url
        return item


class MenuItemFilterSerializer(serializers.Serializer):
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
