"""What a tablet's order says, checked and priced against the menu, before any lock is taken.

`place_order` (orders/services.py) calls these first: a bad line is a ValidationError naming
it, and nothing is written.
"""

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict, TypeGuard

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.languages import TRANSLATED_LANGUAGES
from menus.models import Category, ItemOptionGroup, MenuItem, Option, OptionGroup
from menus.translations import translated
from orders.models import Order

MAX_LINES = 50
MAX_QUANTITY = 99
MAX_OPTIONS_PER_LINE = 50
MAX_IDEMPOTENCY_KEY_LENGTH = 100
MAX_NOTE_LENGTH: int = Order._meta.get_field("note").max_length  # type: ignore[assignment]
MAX_ORDER_TOTAL = 100_000_000


def normalize_items(items: object) -> list[tuple[int, int, list[int]]]:
    """[(menu_item_id, quantity, option_ids)] from the request's lines, or ValidationError."""
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError({"items": _("An order needs at least one item.")})
    if len(items) > MAX_LINES:
        raise ValidationError({"items": _("An order can have at most %(max)d lines.") % {"max": MAX_LINES}})
    lines, errors = [], []
    for position, item in enumerate(items, start=1):
        item_id = item.get("menu_item_id") if isinstance(item, dict) else None
        quantity = item.get("quantity") if isinstance(item, dict) else None
        option_ids = item.get("option_ids", []) if isinstance(item, dict) else None
        if not _is_int(item_id) or item_id < 1:
            errors.append(_("Line %(line)d: a menu item id is required.") % {"line": position})
        elif not _is_int(quantity) or not 1 <= quantity <= MAX_QUANTITY:
            errors.append(
                _("Line %(line)d: the quantity must be from 1 to %(max)d.") % {"line": position, "max": MAX_QUANTITY}
            )
        elif (
            not isinstance(option_ids, list | tuple)
            or len(option_ids) > MAX_OPTIONS_PER_LINE
            or not all(_is_int(option_id) and option_id >= 1 for option_id in option_ids)
        ):
            errors.append(
                _("Line %(line)d: option_ids must be a list of at most %(max)d option ids.")
                % {"line": position, "max": MAX_OPTIONS_PER_LINE}
            )
        elif len(set(option_ids)) != len(option_ids):
            errors.append(_("Line %(line)d: an option is chosen more than once.") % {"line": position})
        else:
            # The options' order in the request means nothing: sorted, equal choices fingerprint alike.
            lines.append((item_id, quantity, sorted(option_ids)))
    if errors:
        raise ValidationError({"items": errors})
    return lines


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def normalize_note(note: object) -> str:
    """The note trimmed ("" for none), or ValidationError."""
    if not isinstance(note, str) or "\x00" in note:
        raise ValidationError({"note": _("The note must be text.")})
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {
                "note": _("The note can have at most %(max)d characters (it has %(length)d).")
                % {"max": MAX_NOTE_LENGTH, "length": len(note)}
            }
        )
    return note


def validate_idempotency_key(key: object) -> None:
    if key is None:
        return
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise ValidationError(
            {
                "idempotency_key": _("The idempotency key must be 1 to %(max)d printable characters.")
                % {"max": MAX_IDEMPOTENCY_KEY_LENGTH}
            }
        )


class ChosenOption(TypedDict):
    id: int
    name: str
    price_delta: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line checked against the menu: the item's id and name, the quantity, the chosen
    options as order lines keep them ([{id, name, price_delta}], in menu order), the unit price,
    and the kitchen station that makes it (the item's, else its category's; None: the store's first)."""

    item_id: int
    name: str
    quantity: int
    options: list[ChosenOption]
    unit_price: int
    station_id: int | None = None


@dataclass(slots=True)
class _Item:
    id: int
    name: str
    price: int
    is_available: bool
    station_id: int | None
    groups: list[Any]


@dataclass(slots=True)
class _Group:
    id: int
    name: str
    min_select: int
    max_select: int
    options: list["_Option"]


@dataclass(frozen=True, slots=True)
class _Option:
    id: int
    name: str
    price_delta: int
    is_available: bool


@functools.cache
def _menu_sql(count: int) -> str:
    item, link, group, option = MenuItem._meta, ItemOptionGroup._meta, OptionGroup._meta, Option._meta
    category = Category._meta
    quote = connection.ops.quote_name
    station = quote(item.get_field("station").column)
    return (
        "SELECT i.id, i.name, i.price, i.is_available, "  # noqa: S608
        f"COALESCE(i.{station}, c.{quote(category.get_field('station').column)}), "
        "g.id, g.name, g.min_select, g.max_select, o.id, o.name, o.price_delta, o.is_available "
        f"FROM {quote(item.db_table)} i "
        f"JOIN {quote(category.db_table)} c ON c.id = i.{quote(item.get_field('category').column)} "
        # The groups attached to the item (one group may be attached to many items).
        f"LEFT JOIN {quote(link.db_table)} l ON l.{quote(link.get_field('item').column)} = i.id "
        f"LEFT JOIN {quote(group.db_table)} g ON g.id = l.{quote(link.get_field('group').column)} "
        f"AND g.{quote(group.get_field('store').column)} = i.{quote(item.get_field('store').column)} "
        f"LEFT JOIN {quote(option.db_table)} o ON o.{quote(option.get_field('group').column)} = g.id "
        f"WHERE i.{quote(item.get_field('store').column)} = %s AND i.id IN ({', '.join(['%s'] * count)}) "
        # The groups in the item's order, the options in the group's (their models' `ordering`).
        "ORDER BY i.id, l.display_order, l.id, o.display_order, o.id"
    )


def _menu(store_id: int, item_ids: Sequence[int]) -> dict[int, _Item]:
    """{item id: _Item} of these ids on the store's menu, with their option groups and options,
    in one query (the join of the four tables): pricing runs on every order."""
    menu: dict[int, _Item] = {}
    with connection.cursor() as cursor:
        cursor.execute(_menu_sql(len(item_ids)), [store_id, *item_ids])
        rows = cursor.fetchall()
    for item_id, name, price, available, station_id, group_id, group_name, min_select, max_select, *option in rows:
        item = menu.get(item_id)
        if item is None:
            item = menu[item_id] = _Item(item_id, name, price, bool(available), station_id, [])
        if group_id is None:
            continue
        if not item.groups or item.groups[-1][0] != group_id:
            item.groups.append((group_id, _Group(group_id, group_name, min_select, max_select, [])))
        if option[0] is not None:
            item.groups[-1][1].options.append(_Option(option[0], option[1], option[2], bool(option[3])))
    for item in menu.values():
        item.groups = [group for _id, group in item.groups]
    return menu


def price_lines(store_id: int, lines: Sequence[tuple[int, int, list[int]]]) -> list[PricedLine]:
    """The lines checked against the store's current menu and priced (item price + option deltas).

    The errors name items, option groups and options in the request's language where the store
    has translated them (a guest's tablet, SPEC 3.10); the order lines keep the Korean names."""
    menu = _menu(store_id, sorted({item_id for item_id, _q, _o in lines}))
    priced, errors = _priced(menu, lines)
    if errors:
        language = get_language()
        if language in TRANSLATED_LANGUAGES:
            errors = _priced(_in_language(menu, language), lines)[1]
        raise ValidationError({"items": errors})
    if sum(line.unit_price * line.quantity for line in priced) > MAX_ORDER_TOTAL:
        raise ValidationError({"items": _("An order can come to at most ₩%(max)s.") % {"max": f"{MAX_ORDER_TOTAL:,}"}})
    return priced


def _priced(menu: dict[int, _Item], lines: Sequence[tuple[int, int, list[int]]]) -> tuple[list[PricedLine], list[str]]:
    """(the lines priced, the problems of the lines that cannot be ordered as they are)."""
    priced, errors = [], []
    for position, (item_id, quantity, option_ids) in enumerate(lines, start=1):
        item = menu.get(item_id)
        if item is None:
            errors.append(
                _("Line %(line)d: item %(id)d is not on this store's menu.") % {"line": position, "id": item_id}
            )
        elif not item.is_available:
            errors.append(_("Line %(line)d: %(name)s is sold out.") % {"line": position, "name": item.name})
        else:
            options, problems = _chosen_options(item, option_ids)
            errors.extend(
                _("Line %(line)d: %(problem)s") % {"line": position, "problem": problem} for problem in problems
            )
            unit_price = item.price + sum(option.price_delta for option in options)
            chosen: list[ChosenOption] = [
                {"id": option.id, "name": option.name, "price_delta": option.price_delta} for option in options
            ]
            priced.append(PricedLine(item.id, item.name, quantity, chosen, unit_price, item.station_id))
    return priced, errors


def _in_language(menu: dict[int, _Item], language: str) -> dict[int, _Item]:
    """`menu` with its names in `language` where translated (menus.translations), for the
    errors: read only when an order is refused."""
    groups = {group.id: group for item in menu.values() for group in item.groups}
    options = {option.id for group in groups.values() for option in group.options}
    texts = {
        model: dict(model.objects.filter(pk__in=ids).values_list("pk", "translations"))
        for model, ids in ((MenuItem, menu), (OptionGroup, groups), (Option, options))
        if ids
    }

    def name(model: type[MenuItem | OptionGroup | Option], pk: int, korean: str) -> str:
        return translated(texts.get(model, {}).get(pk) or {}, "name", korean, language)

    return {
        item_id: replace(
            item,
            name=name(MenuItem, item_id, item.name),
            groups=[
                replace(
                    group,
                    name=name(OptionGroup, group.id, group.name),
                    options=[replace(option, name=name(Option, option.id, option.name)) for option in group.options],
                )
                for group in item.groups
            ],
        )
        for item_id, item in menu.items()
    }


def _chosen_options(item: _Item, option_ids: Sequence[int]) -> tuple[list[_Option], list[str]]:
    """(the chosen options in menu order, problems): each must be an available option of
    `item`, and each of its groups chosen within its limits (min_select ≥ 1 makes one required)."""
    problems: list[str]
    chosen, problems = [], []
    wanted = set(option_ids)
    known = {option.id for group in item.groups for option in group.options}
    problems.extend(
        _("option %(id)d is not an option of %(name)s.") % {"id": option_id, "name": item.name}
        for option_id in option_ids
        if option_id not in known
    )
    for group in item.groups:
        picked = [option for option in group.options if option.id in wanted]
        problems.extend(
            _("%(option)s is sold out.") % {"option": option.name} for option in picked if not option.is_available
        )
        if len(picked) < group.min_select:
            problems.append(
                _("choose at least %(min)d of %(group)s for %(name)s.")
                % {"min": group.min_select, "group": group.name, "name": item.name}
            )
        elif len(picked) > group.max_select:
            problems.append(
                _("choose at most %(max)d of %(group)s for %(name)s.")
                % {"max": group.max_select, "group": group.name, "name": item.name}
            )
        chosen.extend(picked)
    return chosen, problems


def fingerprint(lines: Sequence[tuple[int, int, list[int]]], note: str) -> str:
    return hashlib.sha256(json.dumps({"items": lines, "note": note}).encode()).hexdigest()
