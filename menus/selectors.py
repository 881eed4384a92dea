"""Menu reads: the whole menu of a store, in the shape of GET /api/v1/menu."""

import hashlib
from functools import lru_cache

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery, Sum

from accounts.models import Store
from menus.models import Category, MenuItem, Option

# An item's option groups in display order, each with its options in display order (two queries).
OPTION_GROUPS = "option_groups__options"


def store_menu(store):
    """`{categories: [{id, name, items: [...]}]}` in display order, each item with its option
    groups; four queries however many items and options there are."""
    categories = Category.objects.filter(store=store).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.order_by("display_order", "id").prefetch_related(OPTION_GROUPS))
    )
    return {
        "categories": [
            {"id": category.id, "name": category.name, "items": [menu_item_dict(item) for item in category.items.all()]}
            for category in categories
        ]
    }


def tablet_menu_at(store, version):
    """The tablet's menu: `store_menu` and the store's `staff_call_reasons`, for the menu
    `version` (see `menu_version`), kept in memory per version.

    Menus change a few times a day and are read by every tablet every minute; a new version
    is a new key, so nothing stale is ever served. Callers must not modify the result.
    """
    return _tablet_menu_of_version(store.pk, version)


@lru_cache(maxsize=256)
def _tablet_menu_of_version(store_id, version):
    # Read after the version was taken, so a cached menu is never older than its version.
    reasons = Store.objects.values_list("staff_call_reasons", flat=True).get(pk=store_id)
    return {**store_menu(store_id), "staff_call_reasons": reasons}


def menu_item_dict(item):
    """An item as the menu shows it; its option groups must be prefetched (`OPTION_GROUPS`)."""
    return {
        "id": item.id,
        "name": item.name,
        "price": item.price,
        "description": item.description,
        "image_url": item.display_image_url,
        "is_available": item.is_available,
        "option_groups": [option_group_dict(group) for group in item.option_groups.all()],
    }


def option_group_dict(group):
    return {
        "id": group.id,
        "name": group.name,
        "min_select": group.min_select,
        "max_select": group.max_select,
        "options": [
            {
                "id": option.id,
                "name": option.name,
                "price_delta": option.price_delta,
                "is_available": option.is_available,
            }
            for option in group.options.all()
        ],
    }


def option_dict(option):
    return {
        "id": option.id,
        "name": option.name,
        "price_delta": option.price_delta,
        "is_available": option.is_available,
    }


def menu_version(store):
    """A fingerprint of the store's tablet menu for ETags: one query, no item or option rows read.

    Categories, option groups and options have no `updated_at`: categories go in with their
    own fields, and the services that write option groups and options bump their item's
    `updated_at`, as an item's `save()` does. Counts and sums also catch deletions and queryset
    `update()`s of availability or price, of items and options alike (an `update()` of text
    alone is missed). The store's staff-call reasons are part of the menu response, so of its version.
    """
    rows = (
        Store.objects.filter(pk=store.pk)
        .values_list("staff_call_reasons", "categories__id", "categories__name", "categories__display_order")
        .annotate(
            item_count=Count("categories__items"),
            available_count=Count("categories__items", filter=Q(categories__items__is_available=True)),
            price_sum=Sum("categories__items__price"),
            items_updated_at=Max("categories__items__updated_at"),
            option_count=_store_options(Count("pk")),
            available_option_count=_store_options(Count("pk", filter=Q(is_available=True))),
            price_delta_sum=_store_options(Sum("price_delta")),
        )
        .order_by("categories__id")
    )
    return hashlib.sha256(repr((store.pk, list(rows))).encode()).hexdigest()[:32]


def _store_options(aggregate):
    """`aggregate` over the options of the outer query's store, as a subquery."""
    return Subquery(
        Option.objects.filter(group__item__store=OuterRef("pk"))
        .order_by()
        .values("group__item__store")
        .annotate(value=aggregate)
        .values("value")
    )
