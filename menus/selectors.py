"""Menu reads: the whole menu of a store with its translations (what a menu file holds), and
the tablet's menu in one guest language (GET /api/v1/menu)."""

from typing import Any, TypedDict

from django.db.models import Prefetch
from rest_framework.renderers import JSONRenderer

from accounts.models import Store
from core.languages import GUEST_LANGUAGE_CODES
from core.notices import NoticeCache
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.translations import translated

Translations = dict[str, dict[str, str]]

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
    translations: Translations


class OptionGroupDict(TypedDict):
    id: int
    name: str
    min_select: int
    max_select: int
    options: list[OptionDict]
    translations: Translations


class MenuItemDict(TypedDict):
    id: int
    name: str
    price: int
    description: str
    image_url: str
    image_srcset: str
    is_available: bool
    option_groups: list[OptionGroupDict]
    origin: str
    allergens: list[str]
    translations: Translations


class CategoryDict(TypedDict):
    id: int
    name: str
    items: list[MenuItemDict]
    translations: Translations


class MenuDict(TypedDict):
    categories: list[CategoryDict]


def store_menu(store: Store | int) -> MenuDict:
    """`{categories: [{id, name, items: [...], translations}]}` in display order, each item
    with its option groups, origin, allergens and translations (menus.translations), the
    Korean text in the fields; four queries however many items and options there are."""
    categories = Category.objects.filter(store=store).prefetch_related(
        Prefetch("items", queryset=MenuItem.objects.order_by("display_order", "id").prefetch_related(*OPTION_GROUPS))
    )
    return {
        "categories": [
            {
                "id": category.id,
                "name": category.name,
                "items": [menu_item_dict(item) for item in category.items.all()],
                "translations": category.translations,
            }
            for category in categories
        ]
    }


# (store id, language) → (menu version, the tablet's menu in that language as the JSON body of
# GET /api/v1/menu). A MENU notice (accounts.services.bump_menu_version; core.notices) drops
# every language of its store (`forget_store`).
tablet_menu_cache: NoticeCache[tuple[int, str], tuple[str, bytes]] = NoticeCache(max_entries=4000)


def forget_store(store_id: int) -> None:
    """The MENU notice's callback: drop the store's menu in every language."""
    for language in GUEST_LANGUAGE_CODES:
        tablet_menu_cache.forget((store_id, language))


def tablet_menu(store: Store, language: str) -> tuple[str, bytes]:
    """(version, body): the store's menu version (`menu_version`) and the tablet's menu in
    `language` (`localized_menu` of `store_menu`, with the store's settings the tablet shows),
    rendered as JSON bytes (what DRF's JSONRenderer renders). Kept in memory until the menu
    changes."""
    return tablet_menu_cache.get((store.pk, language), lambda: _read_tablet_menu(store.pk, language))


def _read_tablet_menu(store_id: int, language: str) -> tuple[str, bytes]:
    # The version first, the menu after it: a menu is never older than the version it is kept
    # under (a change committed in between makes it newer, and its notice drops the pair).
    counter, *settings = Store.objects.values_list(
        "menu_version",
        "staff_call_reasons",
        "name",
        "staff_call_reason_translations",
        "origin_notice",
        "origin_notice_translations",
        "cart_reminder_chime",
    ).get(pk=store_id)
    menu = tablet_body(store_menu(store_id), language, *settings)
    return _version_name(store_id, counter), JSONRenderer().render(menu)


def tablet_body(
    menu: MenuDict,
    language: str,
    reasons: list[str],
    store_name: str,
    reason_translations: dict[str, dict[str, str]],
    origin_notice: str,
    origin_notice_translations: dict[str, str],
    cart_reminder_chime: bool,
) -> dict[str, Any]:
    """The tablet's menu in `language` but for `ordering` (of the moment, added per request):
    the staff-call reasons stay Korean (what the tablet sends) with their `staff_call_reason_labels`
    in the language beside them; the origin notice is in the language, or Korean where it has none."""
    return {
        **localized_menu(menu, language),
        "staff_call_reasons": reasons,
        "store_name": store_name,
        "language": language,
        "staff_call_reason_labels": [
            (reason_translations.get(reason) or {}).get(language) or reason for reason in reasons
        ],
        "origin_notice": origin_notice_translations.get(language) or origin_notice,
        "cart_reminder_chime": cart_reminder_chime,
    }


def localized_menu(menu: MenuDict, language: str) -> dict[str, Any]:
    """`menu` as the tablet reads it in `language`: each name, description and origin in that
    language where it has one, else the Korean text; no `translations`."""

    def text(obj: Any, field: str) -> str:
        return translated(obj["translations"], field, obj[field], language)

    def option(entry: OptionDict) -> dict[str, Any]:
        return {**_without_translations(entry), "name": text(entry, "name")}

    def group(entry: OptionGroupDict) -> dict[str, Any]:
        options = [option(choice) for choice in entry["options"]]
        return {**_without_translations(entry), "name": text(entry, "name"), "options": options}

    def item(entry: MenuItemDict) -> dict[str, Any]:
        return {
            **_without_translations(entry),
            "name": text(entry, "name"),
            "description": text(entry, "description"),
            "option_groups": [group(choice) for choice in entry["option_groups"]],
            "origin": text(entry, "origin"),
        }

    return {
        "categories": [
            {
                "id": category["id"],
                "name": text(category, "name"),
                "items": [item(entry) for entry in category["items"]],
            }
            for category in menu["categories"]
        ]
    }


def _without_translations(entry: Any) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "translations"}


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
        "origin": item.origin,
        "allergens": list(item.allergens),
        "translations": item.translations,
    }


def option_group_dict(group: OptionGroup) -> OptionGroupDict:
    return {
        "id": group.id,
        "name": group.name,
        "min_select": group.min_select,
        "max_select": group.max_select,
        "options": [option_dict(option) for option in group.options.all()],
        "translations": group.translations,
    }


def option_dict(option: Option) -> OptionDict:
    return {
        "id": option.id,
        "name": option.name,
        "price_delta": option.price_delta,
        "is_available": option.is_available,
        "translations": option.translations,
    }


def menu_version(store: Store) -> str:
    """The store's tablet menu version, for ETags and `menu.updated` events: one query.

    A counter on the store that every menu write and every change of the store's settings
    (the staff-call reasons are part of the menu) moves forward, in the writer's transaction
    (`accounts.services.bump_menu_version`)."""
    return _version_name(store.pk, Store.objects.values_list("menu_version", flat=True).get(pk=store.pk))


def _version_name(store_id: int, counter: int) -> str:
    return f"{store_id}.{counter}"
