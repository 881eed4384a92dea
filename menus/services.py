"""Writes about menus. Each function is one transaction that takes the store's write lock
and announces the change: a new menu version (`accounts.services.bump_menu_version`, which
also has every process drop its cached menu) and `menus.signals.menu_changed`, which orders
turns into a `menu.updated` event for every open tablet and dashboard of the store.

Tablets see a menu change only through these functions: a write around them (a queryset
update, a model's own save) leaves the menu version, and the cached menus, as they were."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Store
from accounts.services import bump_menu_version, lock_store
from core.exceptions import Conflict
from menus.image_sizes import render_sizes, sizes_of, store_sizes
from menus.import_groups import ImportedGroups
from menus.menu_rows import MenuRow, thaw, validate_menu_rows
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup, Station
from menus.signals import menu_changed
from menus.translations import clean_translations, field_limits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    categories_created: int
    items_created: int
    items_updated: int
    items_unchanged: int


@transaction.atomic
def save_category(*, category: Category) -> Category:
    """Create or update a category after full validation."""
    lock_store(category.store_id)
    category.full_clean()
    category.save()
    _announce(category.store_id)
    return category


@transaction.atomic
def delete_category(*, category: Category) -> None:
    """Delete an empty category; one that still has items is a Conflict."""
    lock_store(category.store_id)
    if MenuItem.objects.filter(category=category).exists():
        raise Conflict(_("Move or delete this category's items first."), "category_not_empty")
    category.delete()
    _announce(category.store_id)


@transaction.atomic
def save_menu_item(*, item: MenuItem) -> MenuItem:
    """Create or update a menu item after full validation (price range, category of the same store)."""
    # A new upload is decoded and resized before the store's lock, which the store's orders wait on.
    rendered = _render_upload(item)
    lock_store(item.store_id)
    item.full_clean()
    _refresh_image_sizes(item, rendered)
    item.save()
    _announce(item.store_id)
    return item


@transaction.atomic
def make_image_sizes(*, item: MenuItem) -> bool:
    """Make the display sizes of an item's stored image if it lacks them; True if it got them.

    For images stored before display sizes existed (`manage.py make_image_sizes`)."""
    lock_store(item.store_id)
    if not item.image or sizes_of(item.image.name, item.image_sizes):
        return False
    _refresh_image_sizes(item)
    if not item.image_sizes:
        return False
    item.save(update_fields=["image_sizes", "updated_at"])
    _announce(item.store_id)
    return True


def _render_upload(item: MenuItem) -> dict[int, bytes] | None:
    """The display sizes of the item's new upload (not stored yet), or None if it has none;
    a picture that does not decode is a ValidationError."""
    if not item.image or item.image._committed:
        return None
    return _render_file(item)


def _render_file(item: MenuItem) -> dict[int, bytes]:
    try:
        return render_sizes(item.image.file)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from error


def _refresh_image_sizes(item: MenuItem, rendered: dict[int, bytes] | None = None) -> None:
    """Give `item.image_sizes` the display sizes of its image, before the item is saved.

    A new upload is decoded first (`rendered`, or here; a picture that does not decode is a
    ValidationError, and nothing is stored), then stored with its sizes. An image already in
    storage (an import's, the demo's, one stored before sizes existed) takes the sizes another
    item made of the same file, or has them made from the stored file; one that cannot be read
    or decoded keeps none, and tablets show it as it is."""
    image = item.image
    if not image:
        item.image_sizes = {}
        return
    if sizes_of(image.name, item.image_sizes):
        return
    if not image._committed:
        sizes = rendered if rendered is not None else _render_file(item)
        image.save(image.name, image.file, save=False)
    else:
        shared = MenuItem.objects.filter(image=image.name).exclude(pk=item.pk)
        for other in shared.values_list("image_sizes", flat=True):
            if sizes_of(image.name, other):
                item.image_sizes = other
                return
        try:
            with image.storage.open(image.name) as stored:
                sizes = render_sizes(stored)
        # A file gone or unreadable (on disk or S3), or a picture that does not decode.
        except Exception:
            logger.warning("no display sizes for menu image %s", image.name, exc_info=True)
            item.image_sizes = {}
            return
    item.image_sizes = store_sizes(image.storage, image.name, sizes)


@transaction.atomic
def delete_menu_item(*, item: MenuItem) -> None:
    """Delete a menu item; orders keep their lines, which copied its name and price.

    Its uploaded image and the image's display sizes stay in storage, as a replaced or cleared
    one's do: another item may share the files (menu import reuses stored files) and tablets
    still showing the old menu keep loading them."""
    lock_store(item.store_id)
    item.delete()
    _announce(item.store_id)


@transaction.atomic
def reorder_menu(*, store_id: int, objects: Iterable[Category | MenuItem | Station]) -> None:
    """Save the new `display_order` of several categories, items or kitchen stations of one
    store; one announcement."""
    lock_store(store_id)
    for obj in objects:
        if obj.store_id != store_id:
            raise ValidationError(_("Only one store's menu can be reordered at a time."))
        obj.save(update_fields=["display_order", "updated_at"] if isinstance(obj, MenuItem) else ["display_order"])
    _announce(store_id)


@transaction.atomic
def save_option_group(*, group: OptionGroup) -> OptionGroup:
    """Create or update a store's option group after full validation. Every item it is
    attached to offers the change: one announcement."""
    lock_store(group.store_id)
    group.full_clean()
    group.save()
    _touch(MenuItem.objects.filter(group_links__group=group))
    _announce(group.store_id)
    return group


@transaction.atomic
def delete_option_group(*, group: OptionGroup) -> None:
    """Delete an option group with its options; the items it was attached to no longer offer it.
    Orders keep the options they were placed with: their lines copied names and prices."""
    lock_store(group.store_id)
    _touch(MenuItem.objects.filter(group_links__group=group))
    group.delete()
    _announce(group.store_id)


@transaction.atomic
def save_options(*, group: OptionGroup, options: Sequence[Option] = (), deleted: Sequence[Option] = ()) -> None:
    """Save `options` and delete `deleted` (options of `group`) after full validation; one
    announcement. Deletions go first, so a new option may take a deleted one's name.
    Orders keep the options they were placed with: their lines copied names and prices."""
    lock_store(group.store_id)
    if any(option.group_id != group.pk for option in [*options, *deleted]):
        raise ValueError(f"every option must belong to {group!r}")
    for option in deleted:
        option.delete()
    for option in options:
        option.full_clean()
        option.save()
    _touch(MenuItem.objects.filter(group_links__group=group))
    _announce(group.store_id)


@transaction.atomic
def link_option_groups(
    *, store_id: int, links: Sequence[ItemOptionGroup] = (), deleted: Sequence[ItemOptionGroup] = ()
) -> None:
    """Attach option groups to items, move them in an item's order, or detach them (`deleted`),
    after full validation: an item and its groups are of the store `store_id`. One announcement.
    Detaching leaves the group on the store's groups page, and on its other items."""
    lock_store(store_id)
    for link in deleted:
        link.delete()
    for link in links:
        link.full_clean()
        if link.item.store_id != store_id:
            raise ValidationError({"item": _("The menu item belongs to another store.")})
        link.save()
    _touch(MenuItem.objects.filter(pk__in={link.item_id for link in [*links, *deleted]}))
    _announce(store_id)


def _touch(items: QuerySet[MenuItem]) -> None:
    # Option groups and options have no updated_at of their own: their items' says when they last changed.
    items.update(updated_at=timezone.now())


def _announce(store_id: int) -> None:
    # The version first: the menu.updated event carries it.
    bump_menu_version(store_id)
    menu_changed.send(sender=MenuItem, store_id=store_id)


@transaction.atomic
def import_menu(*, store: Store, rows: Iterable[Mapping[str, Any]]) -> ImportResult:
    """Add and update a store's menu from rows; never deletes anything.

    Items are matched by (category name, item name), an item's option groups by name, and a
    group's options by name; groups a file describes alike on several items become one group
    of the store (`menus.import_groups`). Every row is validated before anything is written. New
    categories, items, groups and options go after the existing ones, in row order; existing
    ones keep their place. An empty image_url keeps the item's current image; a row without
    option groups (a CSV row) leaves the item's options as they are; one without origin,
    allergens or translations leaves those as they are (`MenuRow`).
    """
    cleaned = validate_menu_rows(rows)
    # Serializes imports into one store, so two cannot both create the same category.
    lock_store(store.pk)
    categories = {category.name: category for category in Category.objects.filter(store=store)}
    next_category_order = max((category.display_order for category in categories.values()), default=0) + 1
    categories_created = categories_changed = 0
    category_translations: dict[str, dict[str, dict[str, str]]] = {}
    for row in cleaned:
        if row.category_translations is not None:
            category_translations.setdefault(row.category, thaw(row.category_translations))
    for name in dict.fromkeys(row.category for row in cleaned):
        if name not in categories:
            categories[name] = Category.objects.create(
                store=store,
                name=name,
                display_order=next_category_order,
                translations=category_translations.get(name, {}),
            )
            next_category_order += 1
            categories_created += 1
        elif name in category_translations and categories[name].translations != category_translations[name]:
            categories[name].translations = category_translations[name]
            categories[name].save(update_fields=["translations"])
            categories_changed += 1

    items = {
        (item.category.name, item.name): item
        for item in MenuItem.objects.filter(store=store).select_related("category")
    }
    next_item_order = dict(
        MenuItem.objects.filter(store=store)
        .values("category_id")
        .annotate(last=Max("display_order"))
        .values_list("category_id", "last")
    )
    groups = ImportedGroups(store)
    created = updated = unchanged = 0
    for number, row in enumerate(cleaned, start=1):
        item = items.get((row.category, row.name))
        if item is None:
            category = categories[row.category]
            next_item_order[category.id] = next_item_order.get(category.id, 0) + 1
            item = MenuItem(store=store, category=category, name=row.name, display_order=next_item_order[category.id])
            changes = _row_values(row, item)
            created += 1
        else:
            changes = {
                field: value for field, value in _row_values(row, item).items() if _current(item, field) != value
            }
        existed = item.pk is not None
        for field, value in changes.items():
            setattr(item, field, value)
        if changes:
            item.full_clean()
            _refresh_image_sizes(item)
            item.save()
        options_changed = groups.apply(item, row.option_groups, number)
        if options_changed and not changes:
            _touch(MenuItem.objects.filter(pk=item.pk))
        if existed and (changes or options_changed):
            updated += 1
        elif existed:
            unchanged += 1
    if categories_created or categories_changed or created or updated:
        _announce(store.pk)
    return ImportResult(categories_created, created, updated, unchanged)


def _row_values(row: MenuRow, item: MenuItem) -> dict[str, object]:
    values: dict[str, object] = {"price": row.price, "description": row.description, "is_available": row.is_available}
    if row.origin is not None:
        values["origin"] = row.origin
    if row.allergens is not None:
        values["allergens"] = list(row.allergens)
    if row.translations is not None:
        values["translations"] = _imported_translations(item.translations, row)
    if row.image is not None:
        values.update(image=row.image, image_url="")
    elif row.image_url is not None:
        values.update(image="", image_url=row.image_url)
    return values


def _imported_translations(current: dict[str, dict[str, str]], row: MenuRow) -> dict[str, dict[str, str]]:
    """The item's translations after the row: the row's whole, or the item's with the row's
    `translated_fields` replaced (blank ones dropped)."""
    given = thaw(row.translations or ())
    if row.translated_fields is None:
        return given
    scope = set(row.translated_fields)
    merged = {
        language: {field: text for field, text in texts.items() if (language, field) not in scope}
        for language, texts in (current or {}).items()
    }
    for language, texts in given.items():
        merged.setdefault(language, {}).update(texts)
    return clean_translations(merged, field_limits(MenuItem))


def _current(item: MenuItem, field: str) -> object:
    value = getattr(item, field)
    return (value.name or "") if field == "image" else value
