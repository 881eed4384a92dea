"""A store's menu: categories in display order, each with its items."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Store
from menus.image_sizes import sizes_of, srcset

MIN_PRICE = 1
MAX_PRICE = 10_000_000


class Category(models.Model):
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=50)
    display_order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["display_order", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="category_name_unique_per_store")]

    def __str__(self):
        return self.name


class MenuItem(models.Model):
    """An item guests can order; `price` is whole won."""

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.CASCADE, related_name="menu_items")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("name"), max_length=100)
    price = models.PositiveBigIntegerField(
        _("price (won)"), validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)]
    )
    description = models.TextField(_("description"), blank=True, max_length=1000)
    image = models.ImageField(_("image"), upload_to="menu/%Y/%m/", blank=True)
    # {"<width>": stored name} of the image's display sizes (menus.image_sizes); made by menus.services.
    image_sizes = models.JSONField(_("image display sizes"), default=dict, blank=True, editable=False)
    image_url = models.URLField(_("external image URL"), blank=True, max_length=500)
    display_order = models.PositiveIntegerField(_("display order"), default=0)
    is_available = models.BooleanField(_("available"), default=True, help_text=_("Off means sold out."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
    """A choice a guest makes for an item, e.g. 맵기 (exactly one) or 추가 (up to two)."""

    item = models.ForeignKey(
        MenuItem, verbose_name=_("menu item"), on_delete=models.CASCADE, related_name="option_groups"
    )
    name = models.CharField(_("name"), max_length=50)
    min_select = models.PositiveSmallIntegerField(_("minimum choices"), default=0)
    max_select = models.PositiveSmallIntegerField(_("maximum choices"), default=1)
    display_order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        ordering = ["display_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="option_group_name_unique_per_item"),
            models.CheckConstraint(
                condition=Q(max_select__gte=1) & Q(min_select__lte=F("max_select")), name="option_group_select_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.max_select is not None and self.min_select is not None and self.min_select > self.max_select:
            raise ValidationError({"min_select": _("The minimum cannot be more than the maximum.")})


class Option(models.Model):
    """One choice of a group; `price_delta` (whole won, 0 or more) is added to the item's price."""

    group = models.ForeignKey(
        OptionGroup, verbose_name=_("option group"), on_delete=models.CASCADE, related_name="options"
    )
    name = models.CharField(_("name"), max_length=50)
    price_delta = models.PositiveBigIntegerField(
        _("extra price (won)"), default=0, validators=[MaxValueValidator(MAX_PRICE)]
    )
    is_available = models.BooleanField(_("available"), default=True, help_text=_("Off means sold out."))
    display_order = models.PositiveIntegerField(_("display order"), default=0)

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
