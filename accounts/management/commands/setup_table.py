"""Create a table of a store, or reset its password (which signs its tablet out)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.management.commands.create_store import describe
from accounts.models import Store
from accounts.services import setup_table


class Command(BaseCommand):
    help = _(
        "Create table NUMBER of store CODE with a table password, or reset the password of an existing "
        "table; a reset signs that table's tablet out until it is set up again with the new password."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help=_("store identifier"))
        parser.add_argument("number", metavar="NUMBER", type=int, help=_("table number, 1 or more"))
        parser.add_argument("--password", required=True, help=_("the table password (4-128 characters)"))

    def handle(self, *args, code, number, password, **options):
        store = Store.objects.filter(code=code).first()
        if store is None:
            raise CommandError(_("There is no store with the identifier %(code)r.") % {"code": code})
        try:
            table, created = setup_table(store=store, number=number, password=password)
        except ValidationError as error:
            raise CommandError(describe(error)) from error
        message = (
            _("Created table %(number)d of store %(code)s.")
            if created
            else _("Reset the password of table %(number)d of store %(code)s; its tablet is signed out.")
        )
        self.stdout.write(self.style.SUCCESS(message % {"number": table.number, "code": store.code}))
