"""Write a store's whole menu as JSON (the shape of GET /api/v1/menu) or CSV."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import Store
from menus import menu_files
from menus.selectors import store_menu


class Command(BaseCommand):
    help = (
        _(
            "Export the menu of store CODE to FILE (.json or .csv), or as JSON to standard output without FILE. "
            "JSON includes each item's option_groups with their options. CSV is flat and leaves options out; its "
            "columns: category,name,price,description,image_url,is_available; CSV files are written as UTF-8 "
            "with a byte order mark so spreadsheet programs show Korean correctly. image_url is the URL the item "
            "shows: its external URL, or the URL of its uploaded image (e.g. /media/menu/…), which import_menu "
            "on this deployment turns back into the same uploaded file."
        )
        + " "
        + str(menu_files.FILE_LANGUAGES_HELP)
        + " "
        + str(menu_files.CSV_FORMULA_HELP)
    )

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help=_("store identifier"))
        parser.add_argument("file", metavar="FILE", nargs="?", help=_("output file; omit for stdout"))
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=menu_files.FORMATS,
            help=_("file format (default: from the extension)"),
        )

    def handle(self, *args, code, file=None, file_format=None, **options):
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(_("There is no store with the identifier %(code)r.") % {"code": code})
        try:
            fmt = menu_files.format_for(file, file_format) if file else file_format or "json"
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        menu = store_menu(store)
        text = menu_files.dump_menu(menu, fmt)
        if not file:
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
        except OSError as error:
            raise CommandError(_("Cannot write %(file)s: %(error)s") % {"file": file, "error": error}) from error
        items = sum(len(category["items"]) for category in menu["categories"])
        self.stdout.write(
            self.style.SUCCESS(
                _("Exported %(items)d items of store %(code)s to %(file)s.")
                % {"items": items, "code": code, "file": file}
            )
        )
