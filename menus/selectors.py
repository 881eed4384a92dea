"""Menu reads: the whole menu of a store, in the shape of GET /api/v1/menu."""

from typing import Any, TypedDict

from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer

from accounts.models import Store
from core.notices import NoticeCache
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup

# An item's option groups in the item's order, each with its options in display order (two
# queries: the item's links with their groups, then the groups' options).
OPTION_GROUPS: "list[str | Prefetch[Any, Any, Any]]" = [
    Prefetch("group_links", queryset=ItemOptionGroup.objects.select_related("group")),
    "group_links__group__options",
]


class OptionDict(TypedDict):
    id: int
    name: str
    price_delta: int
    is_available: bool


class OptionGroupDict(TypedDict):
    id: int
    name: str
    min_select: int
    max_select: int
    options: list[OptionDict]


class MenuItemDict(TypedDict):
    id: int
    name: str
    price: int
    description: str
    image_url: str
    image_srcset: str
    is_available: bool
    option_groups: list[OptionGroupDict]


class CategoryDict(TypedDict):
    id: int
    name: str
    items: list[MenuItemDict]


class MenuDict(TypedDict):
    categories: list[CategoryDict]


def store_menu(store: Store | int) -> MenuDict:
    """`{categories: [{id, name, items: [...]}]}` in display order, each item with its option
    groups; four queries however many items and options there are."""
    categories = Category.objects.filter(store=store).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.order_by("display_order", "id").prefetch_related(*OPTION_GROUPS))
    )
    return {
        "categories": [
            {"id": category.id, "name": category.name, "items": [menu_item_dict(item) for item in category.items.all()]}
            for category in categories
        ]
    }


# Store id → (menu version, the tablet's menu as the JSON body of GET /api/v1/menu). Dropped by
# the MENU notice every new version sends (accounts.services.bump_menu_version; core.notices).
tablet_menu_cache: NoticeCache[int, tuple[str, bytes]] = NoticeCache(max_entries=1000)


def tablet_menu(store: Store) -> tuple[str, bytes]:
    """(version, body): the store's menu version (`menu_version`) and the tablet's menu,
    `store_menu` with the store's `staff_call_reasons` and `store_name`, rendered as JSON bytes (what DRF's
    JSONRenderer renders). Kept in memory until the menu changes."""
    return tablet_menu_cache.get(store.pk, lambda: _read_tablet_menu(store.pk))


def _read_tablet_menu(store_id: int) -> tuple[str, bytes]:
    # The version first, the menu after it: a menu is never older than the version it is kept
    # under (a change committed in between makes it newer, and its notice drops the pair).
    counter, reasons, name = Store.objects.values_list("menu_version", "staff_call_reasons", "name").get(pk=store_id)
    menu = {**store_menu(store_id), "staff_call_reasons": reasons, "store_name": name}
    return _version_name(store_id, counter), JSONRenderer().render(menu)


def menu_item_dict(item: MenuItem) -> MenuItemDict:
    """An item as the menu shows it; its option groups must be prefetched (`OPTION_GROUPS`)."""
    return {
        "id": item.id,
        "name": item.name,
        "price": item.price,
        "description": item.description,
        "image_url": item.display_image_url,
        "image_srcset": item.image_srcset,
        "is_available": item.is_available,
        "option_groups": [option_group_dict(link.group) for link in item.group_links.all()],
    }


def option_group_dict(group: OptionGroup) -> OptionGroupDict:
    return {
        "id": group.id,
        "name": group.name,
        "min_select": group.min_select,
        "max_select": group.max_select,
        "options": [option_dict(option) for option in group.options.all()],
    }


def option_dict(option: Option) -> OptionDict:
    return {
        "id": option.id,
        "name": option.name,
        "price_delta": option.price_delta,
        "is_available": option.is_available,
    }


def menu_version(store: Store) -> str:
    """The store's tablet menu version, for ETags and `menu.updated` events: one query.

    A counter on the store that every menu write and every change of the store's settings
    (the staff-call reasons are part of the menu) moves forward, in the writer's transaction
    (`accounts.services.bump_menu_version`)."""
    return _version_name(store.pk, Store.objects.values_list("menu_version", flat=True).get(pk=store.pk))


def _version_name(store_id: int, counter: int) -> str:
    return f"{store_id}.{counter}"
