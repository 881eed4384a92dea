"""Add and update a store's menu from a JSON or CSV file, all or nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import Store
from menus import menu_files
from menus.services import import_menu


class Command(BaseCommand):
    help = (
        _(
            "Import a menu into store CODE from FILE: JSON in the shape of GET /api/v1/menu (ids are ignored) or CSV "
            "with the columns category,name,price,description,image_url,is_available. Items are matched by category "
            "and name: matches are updated, the rest added, nothing is deleted; new categories and items go after the "
            "existing ones in file order. In JSON, an item's option_groups (and each group's options) are matched by "
            "name the same way: updated, added, never deleted; a group the item lacks is the store's group with the "
            "same name, limits and options if there is one (so groups described alike on several items become one "
            "shared group), else a new one. CSV is flat: it has no options, and importing it "
            "leaves items' options as they are. Every row is checked first and nothing is written if any row is bad. "
            "Rows are counted from 1, not counting the CSV header. image_url: an http(s) URL is kept as an external "
            "image; a URL of a file stored by this deployment (such as /media/menu/… from export_menu) makes the item "
            "use that stored file; a /media/ path that is not a stored file is an error; empty keeps the item's image."
        )
        + " "
        + str(menu_files.FILE_LANGUAGES_HELP)
        + " "
        + str(menu_files.CSV_FORMULA_HELP)
    )

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help=_("store identifier"))
        parser.add_argument("file", metavar="FILE", help=_("menu file (.json or .csv)"))
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=menu_files.FORMATS,
            help=_("file format (default: from the extension)"),
        )

    def handle(self, *args, code, file, file_format=None, **options):
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(_("There is no store with the identifier %(code)r.") % {"code": code})
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        try:
            rows = menu_files.parse_menu(text, menu_files.format_for(file, file_format))
            result = import_menu(store=store, rows=rows)
        except ValidationError as error:
            raise CommandError(
                _("Nothing was imported.") + "\n" + "\n".join(error.messages),
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported into store %(code)s: %(created)d items added, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(categories)d new categories."
                )
                % {
                    "code": code,
                    "created": result.items_created,
                    "updated": result.items_updated,
                    "unchanged": result.items_unchanged,
                    "categories": result.categories_created,
                }
            )
        )
