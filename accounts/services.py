"""Writes about stores, managers and tables. Each function is one transaction."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import Store, Table, User

TABLE_PASSWORD_MIN_LENGTH = 4


@transaction.atomic
def create_store(*, code, name, manager_username, manager_password):
    """A new store and its first manager. Raises ValidationError naming the bad field."""
    store = Store(code=code, name=name)
    store.full_clean()
    manager = User(store=store, username=manager_username, is_staff=True)
    try:
        validate_password(manager_password, manager)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    manager.set_password(manager_password)
    store.save()
    manager.full_clean(exclude=["password"])
    manager.save()
    return store, manager


def validate_table_password(password):
    if not password or len(password) < TABLE_PASSWORD_MIN_LENGTH or len(password) > 128:
        raise ValidationError(
            {
                "password": _("The table password must be %(min)d to 128 characters.")
                % {"min": TABLE_PASSWORD_MIN_LENGTH}
            }
        )


@transaction.atomic
def setup_table(*, store, number, password):
    """Create table `number` or reset its password; a reset signs its tablet out.

    Returns (table, created).
    """
    validate_table_password(password)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ValidationError({"number": _("The table number must be a whole number of at least 1.")})
    table = Table.objects.select_for_update().filter(store=store, number=number).first()
    created = table is None
    if created:
        table = Table(store=store, number=number)
    else:
        table.token_version = F("token_version") + 1
    table.set_password(password)
    table.save()
    table.refresh_from_db(fields=["token_version"])
    return table, created


@transaction.atomic
def revoke_tablet(*, table):
    """Sign the table's tablet out; it must be set up again with the table password."""
    Table.objects.filter(pk=table.pk).update(token_version=F("token_version") + 1)
    table.refresh_from_db(fields=["token_version"])
    return table
