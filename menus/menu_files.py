"""Menu files: a whole menu as JSON (the shape of GET /api/v1/menu) or as CSV, in and out.

Parsing only turns a file into rows (`{category, name, price, description, image_url,
is_available, origin, allergens, translations}`, and from JSON `option_groups` and
`category_translations`, values as written); `menus.services.import_menu` validates them.
CSV is flat: one row per item, without option groups or the categories' translations, so a
CSV import leaves those as they are and a CSV export leaves them out.

An item's translations (menus.translations) are in JSON as they are stored, under
`translations`, and on each category, option group and option too. In CSV they are the
columns `name_en`, `description_en`, `origin_en` and the same for `zh-hans` and `ja`; `origin`
is the Korean origin text and `allergens` the Korean names of the item's allergens separated
by commas ("대두, 밀, 돼지고기"). A CSV needs the columns of CSV_COLUMNS; the others may be
left out, and an import then leaves what they hold as it is.

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

from core.languages import TRANSLATED_LANGUAGES

if TYPE_CHECKING:
    from menus.selectors import MenuDict

CSV_COLUMNS = ("category", "name", "price", "description", "image_url", "is_available")
# Columns a CSV may add, as an export writes them: `<field>_<language>` holds a translation.
TRANSLATION_COLUMNS = {
    f"{field}_{language}": (language, field)
    for language in TRANSLATED_LANGUAGES
    for field in ("name", "description", "origin")
}
EXTRA_CSV_COLUMNS = (
    "name_en",
    "description_en",
    "name_zh-hans",
    "description_zh-hans",
    "name_ja",
    "description_ja",
    "origin",
    "allergens",
    "origin_en",
    "origin_zh-hans",
    "origin_ja",
)
EXPORT_CSV_COLUMNS = CSV_COLUMNS + EXTRA_CSV_COLUMNS
ALLERGEN_SEPARATOR = ","
ITEM_FIELDS = (*CSV_COLUMNS[1:], "origin", "allergens", "translations")
FORMATS = ("json", "csv")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_FORMULA_HELP = gettext_lazy(
    "In a CSV, a cell that starts with =, +, -, @, a tab or a carriage return is written with a ' in front, so "
    "spreadsheet programs show it as text; importing takes that one ' off again (write '=… to import a name "
    "that starts with =)."
)

FILE_LANGUAGES_HELP = gettext_lazy(
    "JSON carries the translations of categories, items, option groups and options and each item's origin and "
    "allergens; a CSV may add the columns name_en, description_en, origin_en (and the same for zh-hans and ja), "
    "origin and allergens (Korean names separated by commas), and an import leaves what a column it lacks holds "
    "as it is."
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
                "category_translations": category.get("translations"),
                **{field: item.get(field) for field in ITEM_FIELDS},
                "option_groups": item.get("option_groups"),
            }
            for item in items
        )
    return rows


def parse_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a CSV whose header has every column of CSV_COLUMNS and any of EXTRA_CSV_COLUMNS,
    in any order. A row's `translations` holds the translation columns there are
    (`translated_fields` names them: those the row sets, blank or not)."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = reader.fieldnames or []
    unknown = [column for column in header if column not in EXPORT_CSV_COLUMNS]
    if set(CSV_COLUMNS) - set(header) or unknown or len(set(header)) != len(header):
        raise ValidationError(
            _("The CSV header must have the columns %(expected)s, may have %(optional)s, each once (found: %(found)s).")
            % {
                "expected": ",".join(CSV_COLUMNS),
                "optional": ",".join(EXTRA_CSV_COLUMNS),
                "found": ",".join(header) or _("nothing"),
            }
        )
    translated = [column for column in header if column in TRANSLATION_COLUMNS]
    rows = []
    for number, record in enumerate(reader, start=1):
        if None in record:
            raise ValidationError(_("row %(row)d: has more cells than the header.") % {"row": number})
        # A row shorter than the header sets none of the columns it does not reach.
        values = {column: cell_value(cell) for column, cell in record.items() if cell is not None}
        row: dict[str, Any] = {column: values.get(column, "") for column in CSV_COLUMNS}
        if "origin" in values:
            row["origin"] = values["origin"]
        if "allergens" in values:
            row["allergens"] = [name.strip() for name in values["allergens"].split(ALLERGEN_SEPARATOR) if name.strip()]
        reached = [column for column in translated if column in values]
        if reached:
            translations: dict[str, dict[str, str]] = {}
            for column in reached:
                language, field = TRANSLATION_COLUMNS[column]
                translations.setdefault(language, {})[field] = values[column]
            row["translations"] = translations
            row["translated_fields"] = [TRANSLATION_COLUMNS[column] for column in reached]
        rows.append(row)
    return rows


def dump_json(menu: "MenuDict") -> str:
    return json.dumps(menu, ensure_ascii=False, indent=2) + "\n"


def dump_csv(menu: "MenuDict") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_CSV_COLUMNS)
    for category in menu["categories"]:
        for item in category["items"]:
            # (A menu written by hand may leave out what it does not set.)
            translations = item.get("translations") or {}
            cells = {
                "category": category["name"],
                "name": item["name"],
                "price": item["price"],
                "description": item["description"],
                "image_url": item["image_url"],
                "is_available": "true" if item["is_available"] else "false",
                "origin": item.get("origin", ""),
                "allergens": f"{ALLERGEN_SEPARATOR} ".join(item.get("allergens", [])),
                **{
                    column: translations.get(language, {}).get(field, "")
                    for column, (language, field) in TRANSLATION_COLUMNS.items()
                },
            }
            writer.writerow([inert_cell(cells[column]) for column in EXPORT_CSV_COLUMNS])
    return buffer.getvalue()


def dump_menu(menu: "MenuDict", fmt: str) -> str:
    return dump_json(menu) if fmt == "json" else dump_csv(menu)
