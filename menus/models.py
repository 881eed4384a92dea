"""A store's menu: categories in display order, each with its items."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Store

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
    price = models.PositiveIntegerField(
        _("price (won)"), validators=[MinValueValidator(MIN_PRICE), MaxValueValidator(MAX_PRICE)]
    )
    description = models.TextField(_("description"), blank=True, max_length=1000)
    image = models.ImageField(_("image"), upload_to="menu/%Y/%m/", blank=True)
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
