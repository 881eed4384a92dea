"""Menu reads: the whole menu of a store, in the shape of GET /api/v1/menu."""

import hashlib
from functools import lru_cache

from django.db.models import Count, Max, Prefetch, Q, Sum

from menus.models import Category, MenuItem


def store_menu(store):
    """`{categories: [{id, name, items: [...]}]}` in display order; two queries."""
    categories = Category.objects.filter(store=store).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.order_by("display_order", "id"))
    )
    return {
        "categories": [
            {"id": category.id, "name": category.name, "items": [menu_item_dict(item) for item in category.items.all()]}
            for category in categories
        ]
    }


def store_menu_at(store, version):
    """`store_menu` for the menu `version` (see `menu_version`), kept in memory per version.

    Menus change a few times a day and are read by every tablet every minute; a new version
    is a new key, so nothing stale is ever served. Callers must not modify the result.
    """
    return _menu_of_version(store.pk, version)


@lru_cache(maxsize=256)
def _menu_of_version(store_id, version):
    return store_menu(store_id)


def menu_item_dict(item):
    return {
        "id": item.id,
        "name": item.name,
        "price": item.price,
        "description": item.description,
        "image_url": item.display_image_url,
        "is_available": item.is_available,
    }


def menu_version(store):
    """A fingerprint of the store's menu for ETags: one query, no item rows read.

    Categories have no `updated_at`, so their own fields go in as they are; an item's
    `save()` bumps its `updated_at`, and counts and price sums also catch deletions and
    queryset `update()`s of availability or price (an `update()` of item text alone is missed).
    """
    rows = (
        Category.objects.filter(store=store)
        .annotate(
            item_count=Count("items"),
            available_count=Count("items", filter=Q(items__is_available=True)),
            price_sum=Sum("items__price"),
            items_updated_at=Max("items__updated_at"),
        )
        .values_list("id", "name", "display_order", "item_count", "available_count", "price_sum", "items_updated_at")
    )
    return hashlib.sha256(repr((store.pk, list(rows))).encode()).hexdigest()[:32]
