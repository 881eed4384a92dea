"""Create a store and its first manager."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.services import create_store

# How the command names the fields that create_store's errors are keyed by.
OPTION_NAMES = {"code": "CODE", "number": "NUMBER", "name": "--name", "username": "--manager", "password": "--password"}


class Command(BaseCommand):
    help = _(
        "Create store CODE named NAME with its first manager (a staff user who can use the admin). "
        "Fails, creating nothing, if the code is taken or invalid or the password is too weak."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", metavar="CODE", help=_("store identifier, e.g. gangnam-1"))
        parser.add_argument("--name", required=True, help=_("store name shown to guests and managers"))
        parser.add_argument("--manager", required=True, help=_("the first manager's username"))
        parser.add_argument("--password", required=True, help=_("the first manager's password"))

    def handle(self, *args, code, name, manager, password, **options):
        try:
            store, user = create_store(code=code, name=name, manager_username=manager, manager_password=password)
        except ValidationError as error:
            raise CommandError(_("The store was not created.") + "\n" + describe(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Created store %(code)s (%(name)s) with manager %(manager)s.")
                % {"code": store.code, "name": store.name, "manager": user.username}
            )
        )


def describe(error):
    """One line per problem, each naming the command-line argument it is about."""
    if not hasattr(error, "error_dict"):
        return "\n".join(error.messages)
    return "\n".join(
        f"{OPTION_NAMES.get(field, field)}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    )
