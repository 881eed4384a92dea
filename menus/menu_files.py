"""Menu files: a whole menu as JSON (the shape of GET /api/v1/menu) or as CSV, in and out.

Parsing only turns a file into rows (`{category, name, price, description, image_url,
is_available}`, and from JSON `option_groups`, values as written); `menus.services.import_menu`
validates them. CSV is flat: one row per item, without option groups, so a CSV import leaves
items' options as they are and a CSV export leaves them out.

A spreadsheet program runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula (`=HYPERLINK(...)` in a menu item's name could send the sheet's data
away). Every CSV cell written here that starts so (after any apostrophes) gets one `'` in front,
which the program shows as text; reading a CSV takes that one `'` off again, so an export
imports back unchanged (`-반값-` → `'-반값-` → `-반값-`) and an apostrophe before anything else
is kept as written.
"""

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from menus.selectors import MenuDict

CSV_COLUMNS = ("category", "name", "price", "description", "image_url", "is_available")
ITEM_FIELDS = CSV_COLUMNS[1:]
FORMATS = ("json", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FORMULA_HELP = gettext_lazy(
    "In a CSV, a cell that starts with =, +, -, @, a tab or a carriage return is written with a ' in front, so "
    "spreadsheet programs show it as text; importing takes that one ' off again (write '=… to import a name "
    "that starts with =)."
)


def inert_cell(value: object) -> str:
    """A CSV cell a spreadsheet reads as text: `'` before one that would start a formula."""
    text = str(value)
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def cell_value(cell: str) -> str:
    """What `inert_cell` was given: its `'` taken off again; any other cell as it is."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS) else cell


def format_for(path: str, explicit: str | None = None) -> str:
    """The file format: `explicit` if given, else from the file extension."""
    if explicit:
        return explicit
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValidationError(
            _("Cannot tell the format of %(path)s from its extension: use .json or .csv, or --format.") % {"path": path}
        )
    return suffix


def parse_menu(text: str, fmt: str) -> list[dict[str, Any]]:
    return parse_json(text) if fmt == "json" else parse_csv(text)


def parse_json(text: str) -> list[dict[str, Any]]:
    """Rows of a `{categories: [{name, items: [...]}]}` document, in file order; ids are ignored."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(_("The file is not valid JSON: %(error)s") % {"error": error}) from error
    except RecursionError:
        raise ValidationError(_("The file is not valid JSON: it is nested too deeply.")) from None
    categories = document.get("categories") if isinstance(document, dict) else None
    if not isinstance(categories, list):
        raise ValidationError(_('The JSON must be an object with a "categories" list.'))
    rows: list[dict[str, Any]] = []
    for position, category in enumerate(categories, start=1):
        items = category.get("items") if isinstance(category, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationError(
                _('Category %(position)d of the JSON must be an object with an "items" list of objects.')
                % {"position": position}
            )
        rows.extend(
            {
                "category": category.get("name"),
                **{field: item.get(field) for field in ITEM_FIELDS},
                "option_groups": item.get("option_groups"),
            }
            for item in items
        )
    return rows


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV whose header is exactly CSV_COLUMNS (in any order)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    if sorted(header) != sorted(CSV_COLUMNS):
        raise ValidationError(
            _("The CSV header must be exactly: %(expected)s (found: %(found)s).")
            % {"expected": ",".join(CSV_COLUMNS), "found": ",".join(header) or _("nothing")}
        )
    rows = []
    for number, record in enumerate(reader, start=1):
        if None in record:
            raise ValidationError(_("row %(row)d: has more cells than the header.") % {"row": number})
        rows.append({column: cell_value(cell) for column, cell in record.items()})
    return rows


def dump_json(menu: "MenuDict") -> str:
    return json.dumps(menu, ensure_ascii=False, indent=2) + "\n"


def dump_csv(menu: "MenuDict") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for category in menu["categories"]:
        for item in category["items"]:
            cells = [
                category["name"],
                item["name"],
                item["price"],
                item["description"],
                item["image_url"],
                "true" if item["is_available"] else "false",
            ]
            writer.writerow([inert_cell(cell) for cell in cells])
    return buffer.getvalue()


def dump_menu(menu: "MenuDict", fmt: str) -> str:
    return dump_json(menu) if fmt == "json" else dump_csv(menu)
