"""A store's menu: categories in display order, each with its items."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from core.money import won
from menus.allergens import ordered_allergens
from menus.image_sizes import sizes_of, srcset
from menus.translations import clean_model_translations

MIN_PRICE = 1
MAX_PRICE = 10_000_000
# Django's own range messages print the limit bare ("10000000"); amounts read as everywhere else.
PRICE_RANGE_MESSAGE = format_lazy(_("Enter a price from {min} to {max}."), min=won(MIN_PRICE), max=won(MAX_PRICE))
EXTRA_PRICE_MESSAGE = format_lazy(_("Enter at most {max}."), max=won(MAX_PRICE))


class Station(models.Model):
    """A kitchen station (주방, 주류/음료…) that makes some of the menu: each category goes to one
    (an item may go elsewhere), and the kitchen gets one ticket per order per station.

    A store always has one: a new store gets 주방 (`menus.stations`), and the last one cannot
    be deleted. A category without a station goes to the store's first.
    """

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="stations")
    name = models.CharField(_("name"), max_length=30)
    display_order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("kitchen station")
        verbose_name_plural = _("kitchen stations")
        ordering = ["display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="station_name_unique_per_store")]

    def __str__(self):
        return self.name

    def as_dict(self):
        return {"id": self.id, "name": self.name, "display_order": self.display_order}


class Category(models.Model):
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=50)
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    # {"en": {"name": …, "description": …}, "zh-hans": …, "ja": …}: the guest languages' text
    # where the store entered one (core.languages; menus.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("kitchen station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text=_("Where its items are made; empty means the first station."),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="category_name_unique_per_store")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.station_id and self.store_id and self.station.store_id != self.store_id:
            raise ValidationError({"station": _("The station belongs to another store.")})
        clean_model_translations(self)


class MenuItem(models.Model):
    """An item guests can order; `price` is whole won."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="menu_items")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("name"), max_length=100)
    price = models.PositiveBigIntegerField(
        _("price (won)"),
        validators=[
            MinValueValidator(MIN_PRICE, message=PRICE_RANGE_MESSAGE),
            MaxValueValidator(MAX_PRICE, message=PRICE_RANGE_MESSAGE),
        ],
    )
    description = models.TextField(_("description"), blank=True, max_length=1000)
    image = models.ImageField(_("image"), upload_to="menu/%Y/%m/", blank=True)
    # {"<width>": stored name} of the image's display sizes (menus.image_sizes); made by menus.services.
    image_sizes = models.JSONField(_("image display sizes"), default=dict, blank=True, editable=False)
    image_url = models.URLField(_("external image URL"), blank=True, max_length=500)
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    is_available = models.BooleanField(_("available"), default=True, help_text=_("Off means sold out."))
    station = models.ForeignKey(
        Station,
        verbose_name=_("kitchen station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        help_text=_("Empty means its category's station."),
    )
    # The country of origin the law asks the menu to show (SPEC 3.12), as the store writes it.
    origin = models.CharField(
        _("origin"),
        max_length=500,
        blank=True,
        help_text=_("e.g. 돼지고기: 국내산, 배추김치(배추: 국내산, 고춧가루: 중국산)"),
    )
    # Korean names from menus.allergens.ALLERGENS, in that list's order.
    allergens = models.JSONField(_("allergens"), default=list, blank=True)
    # {"en": {"name": …, "description": …}, "zh-hans": …, "ja": …}: the guest languages' text
    # where the store entered one (core.languages; menus.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    option_groups: "models.ManyToManyField[OptionGroup, ItemOptionGroup]" = models.ManyToManyField(
        "OptionGroup", verbose_name=_("option groups"), through="ItemOptionGroup", related_name="items", blank=True
    )

    class Meta:
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="menu_item_name_unique_per_category"),
            models.CheckConstraint(
                condition=Q(price__gte=MIN_PRICE) & Q(price__lte=MAX_PRICE), name="menu_item_price_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.category_id and self.store_id and self.category.store_id != self.store_id:
            raise ValidationError({"category": _("The category belongs to another store.")})
        if self.station_id and self.store_id and self.station.store_id != self.store_id:
            raise ValidationError({"station": _("The station belongs to another store.")})
        clean_model_translations(self)
        allergens = self.allergens
        try:
            if not isinstance(allergens, list) or not all(isinstance(name, str) for name in allergens):
                raise ValueError(allergens)
            self.allergens = ordered_allergens(allergens)
        except ValueError as error:
            raise ValidationError(
                {"allergens": _("%(name)r is not on the list of allergens.") % {"name": error.args[0]}}
            ) from error

    @property
    def display_image_url(self):
        """The uploaded image's URL if there is one, else the external URL, else ''."""
        if self.image:
            return self.image.url
        return self.image_url

    @property
    def image_srcset(self):
        """`url 400w, url 800w` of the uploaded image's display sizes; '' without them (or an external URL)."""
        if not (self.image and sizes_of(self.image.name, self.image_sizes)):
            return ""
        return srcset(self.image.storage, self.image_sizes)

    @property
    def thumbnail_url(self):
        """The smallest display size's URL if there is one, else `display_image_url`."""
        if self.image and sizes_of(self.image.name, self.image_sizes):
            return self.image.storage.url(self.image_sizes[min(self.image_sizes, key=int)])
        return self.display_image_url


class OptionGroup(models.Model):
    """A choice a guest makes, e.g. 맵기 (exactly one) or 추가 (up to two): one group of the
    store, offered on every item it is attached to (`ItemOptionGroup`)."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="option_groups")
    name = models.CharField(_("name"), max_length=50)
    min_select = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_select = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    # {"en": {"name": …, "description": …}, "zh-hans": …, "ja": …}: the guest languages' text
    # where the store entered one (core.languages; menus.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_select__gte=1) & Q(min_select__lte=F("max_select")), name="option_group_select_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.max_select is not None and self.min_select is not None and self.min_select > self.max_select:
            raise ValidationError({"min_select": _("The minimum cannot be more than the maximum.")})
        clean_model_translations(self)


class ItemOptionGroup(models.Model):
    """An option group offered on an item, in the item's own order of its groups."""

    item = models.ForeignKey(
        MenuItem, verbose_name=_("menu item"), on_delete=models.CASCADE, related_name="group_links"
    )
    group = models.ForeignKey(
        OptionGroup, verbose_name=_("option group"), on_delete=models.CASCADE, related_name="item_links"
    )
    display_order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("option group of an item")
        verbose_name_plural = _("option groups of the item")
        ordering = ["display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "group"], name="item_option_group_once")]

    def __str__(self):
        return f"{self.item} · {self.group}"

    def clean(self):
        if not (self.item_id and self.group_id):
            return
        if self.group.store_id != self.item.store_id:
            raise ValidationError({"group": _("The option group belongs to another store.")})
        # Guests choose by the group's name: two groups of one name on an item would read alike.
        same_name = ItemOptionGroup.objects.filter(item_id=self.item_id, group__name=self.group.name)
        if same_name.exclude(pk=self.pk).exclude(group_id=self.group_id).exists():
            raise ValidationError(
                {"group": _("This item already offers an option group named %(name)s.") % {"name": self.group.name}}
            )


class Option(models.Model):
    """One choice of a group; `price_delta` (whole won, 0 or more) is added to the item's price."""

    group = models.ForeignKey(
        OptionGroup, verbose_name=_("option group"), on_delete=models.CASCADE, related_name="options"
    )
    name = models.CharField(_("name"), max_length=50)
    price_delta = models.PositiveBigIntegerField(
        _("extra price (won)"), default=0, validators=[MaxValueValidator(MAX_PRICE, message=EXTRA_PRICE_MESSAGE)]
    )
    is_available = models.BooleanField(_("available"), default=True, help_text=_("Off means sold out."))
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    # {"en": {"name": …, "description": …}, "zh-hans": …, "ja": …}: the guest languages' text
    # where the store entered one (core.languages; menus.translations).
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="option_name_unique_per_group"),
            models.CheckConstraint(condition=Q(price_delta__lte=MAX_PRICE), name="option_price_delta_range"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        clean_model_translations(self)
