"""Option groups as a menu import writes them: one store group for every group a file
describes the same way on several items (one 맵기, many items).

Rules, in order, for each option group row of an item:
1. The item already has a group of that name: that group is updated in place (limits, and
   options matched by name: added or updated, never deleted). A group shared with other items
   changes for them too, so two rows that describe one shared group differently are an error.
2. Else a group of the store with exactly the row's content (name, limits, and options with
   their prices and availability, in order, and the translations where the row gives them)
   is attached to the item: an imported menu whose items carry identical groups shares one
   group per content, as does an import into a store that already has that group.
3. Else a new group is made and attached.

Nothing is detached or deleted, so importing a file again changes nothing. Groups an earlier
version kept per item (identical content on several items) stay separate: rule 1 finds each.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Store
from menus.menu_rows import OptionGroupRow, OptionRow, freeze, thaw
from menus.models import ItemOptionGroup, MenuItem, Option, OptionGroup


class ImportedGroups:
    """The store's option groups and their attachments, kept current as an import writes."""

    def __init__(self, store: Store):
        self.store = store
        groups = {group.pk: group for group in OptionGroup.objects.filter(store=store)}
        self.options: defaultdict[int, list[Option]] = defaultdict(list)
        for option in Option.objects.filter(group__store=store):
            self.options[option.group_id].append(option)
        self.by_item: defaultdict[int | None, dict[str, OptionGroup]] = defaultdict(dict)
        self.last_order: defaultdict[int | None, int] = defaultdict(int)
        for link in ItemOptionGroup.objects.filter(item__store=store):
            self.by_item[link.item_id][groups[link.group_id].name] = groups[link.group_id]
            self.last_order[link.item_id] = max(self.last_order[link.item_id], link.display_order)
        # A group's content without translations → [(its content, the group)], oldest first.
        self.by_content: defaultdict[OptionGroupRow, list[tuple[OptionGroupRow, OptionGroup]]] = defaultdict(list)
        for group in groups.values():
            self._remember(group)
        # Group id → (row number, the row's description) of the first row that wrote it.
        self.written: dict[int, tuple[int, OptionGroupRow]] = {}
        self.changed_groups: set[int] = set()

    def apply(self, item: MenuItem, group_rows: Iterable[OptionGroupRow], row_number: int) -> bool:
        """Give `item` (saved) the option groups of its row; True if anything changed."""
        changed = False
        for group_row in group_rows:
            group = self.by_item[item.pk].get(group_row.name)
            if group is not None:
                self._update(group, group_row, row_number)
                # A shared group changed by an earlier row has changed this item too.
                changed |= group.pk in self.changed_groups
                continue
            group = self._find(group_row)
            if group is None:
                group = self._create(group_row)
                changed = True
            self._check_written(group, group_row, row_number)
            self.last_order[item.pk] += 1
            link = ItemOptionGroup(item=item, group=group, display_order=self.last_order[item.pk])
            link.full_clean()
            link.save()
            self.by_item[item.pk][group.name] = group
            changed = True
        return changed

    def _check_written(self, group: OptionGroup, group_row: OptionGroupRow, row_number: int) -> bool:
        """True if an earlier row already wrote `group` (the same way, or this is an error)."""
        earlier = self.written.setdefault(group.pk, (row_number, group_row))
        if earlier[1] != group_row:
            raise ValidationError(
                _(
                    "row %(row)d: option group %(group)s is shared with the item of row %(earlier)d, "
                    "which describes it differently."
                )
                % {"row": row_number, "group": group.name, "earlier": earlier[0]}
            )
        return earlier[0] != row_number

    def _create(self, group_row: OptionGroupRow) -> OptionGroup:
        group = OptionGroup(
            store=self.store,
            name=group_row.name,
            min_select=group_row.min_select,
            max_select=group_row.max_select,
            translations=thaw(group_row.translations or ()),
        )
        group.full_clean()
        group.save()
        for order, option_row in enumerate(group_row.options, start=1):
            option = Option(group=group, name=option_row.name, display_order=order)
            _save_if_changed(option, _option_values(option_row))
            self.options[group.pk].append(option)
        self._remember(group)
        return group

    def _update(self, group: OptionGroup, group_row: OptionGroupRow, row_number: int) -> None:
        if self._check_written(group, group_row, row_number):
            return
        values: dict[str, object] = {"min_select": group_row.min_select, "max_select": group_row.max_select}
        if group_row.translations is not None:
            values["translations"] = thaw(group_row.translations)
        changed = _save_if_changed(group, values)
        options = {option.name: option for option in self.options[group.pk]}
        next_order = max((option.display_order for option in options.values()), default=0) + 1
        for option_row in group_row.options:
            option = options.get(option_row.name)
            if option is None:
                option = Option(group=group, name=option_row.name, display_order=next_order)
                next_order += 1
                self.options[group.pk].append(option)
            changed |= _save_if_changed(option, _option_values(option_row))
        if changed:
            self.changed_groups.add(group.pk)
            MenuItem.objects.filter(group_links__group=group).update(updated_at=timezone.now())
            for contents in self.by_content.values():
                contents[:] = [(content, kept) for content, kept in contents if kept is not group]
            self._remember(group)

    def _content(self, group: OptionGroup) -> OptionGroupRow:
        """`group` as a file row would describe it, to find a group by what it offers."""
        options = tuple(
            OptionRow(option.name, option.price_delta, option.is_available, freeze(option.translations))
            for option in self.options[group.pk]
        )
        return OptionGroupRow(group.name, group.min_select, group.max_select, options, freeze(group.translations))

    def _remember(self, group: OptionGroup) -> None:
        content = self._content(group)
        self.by_content[_untranslated(content)].append((content, group))

    def _find(self, group_row: OptionGroupRow) -> OptionGroup | None:
        """The first group whose content is the row's, translations compared where the row gives them."""
        for content, group in self.by_content.get(_untranslated(group_row), ()):
            if _same_translations(group_row, content):
                return group
        return None


def _untranslated(row: OptionGroupRow) -> OptionGroupRow:
    return replace(row, translations=None, options=tuple(replace(option, translations=None) for option in row.options))


def _same_translations(row: OptionGroupRow, content: OptionGroupRow) -> bool:
    """Whether `content` has the translations `row` gives (None gives none: any will do)."""
    pairs: list[tuple[OptionGroupRow | OptionRow, OptionGroupRow | OptionRow]] = [
        (row, content),
        *zip(row.options, content.options, strict=True),
    ]
    return all(given.translations is None or given.translations == have.translations for given, have in pairs)


def _option_values(option_row: OptionRow) -> dict[str, object]:
    values: dict[str, object] = {"price_delta": option_row.price_delta, "is_available": option_row.is_available}
    if option_row.translations is not None:
        values["translations"] = thaw(option_row.translations)
    return values


def _save_if_changed(obj: OptionGroup | Option, values: Mapping[str, object]) -> bool:
    """Give `obj` the `values`; validate and save it if it is new or any of them changed."""
    changes = {field: value for field, value in values.items() if getattr(obj, field) != value}
    if obj.pk is not None and not changes:
        return False
    for field, value in changes.items():
        setattr(obj, field, value)
    obj.full_clean()
    obj.save()
    return True
