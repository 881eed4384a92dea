"""Writes about stores, managers and tables. Each function is one transaction."""

import logging
import time
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from accounts.hours import HOURS_FIELDS
from accounts.models import TABLE_EXISTS_MESSAGE, Role, Store, Table, User
from accounts.roles import ensure_store_manager_group
from accounts.signals import store_changed
from core.exceptions import Conflict
from core.notices import Notice, notify_after_commit

TABLE_PASSWORD_MIN_LENGTH = 4
# What update_store_settings changes (a store's code only a platform admin, in the admin).
STORE_SETTINGS = (
    "code",
    "name",
    "staff_call_reasons",
    "kitchen_amber_minutes",
    "kitchen_red_minutes",
    *HOURS_FIELDS,
    "origin_notice",
    "origin_notice_translations",
    "staff_call_reason_translations",
    "cart_reminder_chime",
)

logger = logging.getLogger(__name__)


def lock_store(store_id: int) -> None:
    """Hold the store's write lock until the current transaction ends (call inside one).

    Every write that order numbers, table sessions or the event stream depend on takes it
    first, so one store's writes commit one at a time; other stores never wait.

    On PostgreSQL it is a transaction-level advisory lock keyed by the store id (the only
    advisory lock the app takes). Its waiters are served in arrival order, where a row lock
    can be overtaken by a newcomer at the moment it is released: under load that keeps the
    slowest order close to the typical one. On SQLite a write at the start of the
    transaction takes the database's write lock, which does the same for one file.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [store_id])
        else:
            store_table = connection.ops.quote_name(Store._meta.db_table)
            cursor.execute(f"UPDATE {store_table} SET id = id WHERE id = %s", [store_id])  # noqa: S608


def bump_menu_version(store_id: int) -> None:
    """A new version of the store's tablet menu (its ETag), and every process drops its copy
    of the menu once the current transaction commits. Call inside the writer's transaction,
    holding the store's write lock (menus.services, update_store).

    The version moves to one more, or to the time in milliseconds when that is larger: after
    a database is restored to an earlier state, the next version is still one no tablet has
    seen, so no tablet keeps an old menu with a 304.
    """
    now_ms = time.time_ns() // 1_000_000
    Store.objects.filter(pk=store_id).update(menu_version=Greatest(F("menu_version") + 1, Value(now_ms)))
    notify_after_commit(Notice.MENU, store_id)


@transaction.atomic
def create_store(*, code: str, name: str, manager_username: str, manager_password: str) -> tuple[Store, User]:
    """A new store and its first manager. Raises ValidationError naming the bad field."""
    store = Store(code=code, name=name)
    store.full_clean()
    store.save()
    manager = create_manager(store=store, username=manager_username, password=manager_password)
    return store, manager


@transaction.atomic
def create_manager(*, store: Store, username: str, password: str, role: str = Role.MANAGER, **fields: Any) -> User:
    """A user of `store` who signs in to the back office: a manager (in the "store manager"
    group, nothing more) or, with `role` KITCHEN, kitchen staff (the kitchen display only).

    `fields` are other User fields (first_name, email…). Raises ValidationError naming the bad field.
    """
    manager = User(store=store, username=username, role=role, is_staff=True, is_superuser=False, **fields)
    try:
        validate_password(password, manager)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    manager.set_password(password)
    manager.full_clean(exclude=["password"])
    manager.save()
    apply_role(manager)
    return manager


def apply_role(user: User) -> None:
    """Give the user the permissions of their role: a manager the "store manager" group's, kitchen
    staff none (their page and API check the role itself)."""
    if user.role == Role.MANAGER:
        user.groups.add(store_manager_group())
    else:
        user.groups.remove(store_manager_group())


def store_manager_group() -> Group:
    """The group whose permissions every store manager has (made by a migration)."""
    return ensure_store_manager_group(Group, Permission)


def validate_table_password(password: str) -> None:
    if not password or len(password) < TABLE_PASSWORD_MIN_LENGTH or len(password) > 128:
        raise ValidationError(
            {
                "password": _("The table password must be %(min)d to 128 characters.")
                % {"min": TABLE_PASSWORD_MIN_LENGTH}
            }
        )


@transaction.atomic
def setup_table(*, store: Store, number: int, password: str) -> tuple[Table, bool]:
    """Create table `number` or reset its password; a reset signs its tablet out.

    Returns (table, created).
    """
    validate_table_password(password)
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise ValidationError({"number": _("The table number must be a whole number of at least 1.")})
    table = Table.objects.select_for_update().filter(store=store, number=number).first()
    created = table is None
    if table is None:
        table = Table(store=store, number=number)
    else:
        table.token_version = F("token_version") + 1
    table.set_password(password)
    table.save()
    table.refresh_from_db(fields=["token_version"])
    return table, created


@transaction.atomic
def update_store(*, store: Store, fields: Iterable[str]) -> Store:
    """Save the named fields of an existing store after full validation.

    Only those fields: `last_order_number` moves under the store lock meanwhile, and writing
    back a stale copy would repeat order numbers. The staff-call reasons are part of the
    tablet's menu, so it gets a new version; tablets hear of it through
    `accounts.signals.store_changed`.
    """
    lock_store(store.pk)
    store.full_clean()
    store.save(update_fields=fields)
    bump_menu_version(store.pk)
    store_changed.send(sender=Store, store_id=store.pk)
    return store


@transaction.atomic
def update_store_settings(*, store: Store, actor: User | None, **fields: Any) -> Store:
    """Change the store's settings (`STORE_SETTINGS`) to `fields` after full validation, in one
    transaction holding the store's lock (`update_store`): tablets and dashboards hear
    `menu.updated` and `store.updated` (the new ordering state) from it. A change of the hours
    moves `ordering_version` forward, so that an order checked against the old hours is
    checked again under the lock. `actor` (the manager, or None for a script) is logged.

    The origin notice and its translations, the reasons' translations and the reminder chime are in the tablet's
    menu too. Raises ValidationError naming the bad field; nothing changes then."""
    unknown = set(fields) - set(STORE_SETTINGS)
    if unknown:
        raise ValidationError({name: _("This setting cannot be changed here.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(store, name, value)
    if "staff_call_reasons" in fields and "staff_call_reason_translations" not in fields:
        # A reason renamed or removed takes its translations with it.
        reasons = fields["staff_call_reasons"] if isinstance(fields["staff_call_reasons"], list) else []
        kept = {key: texts for key, texts in store.staff_call_reason_translations.items() if key in reasons}
        if kept != store.staff_call_reason_translations:
            store.staff_call_reason_translations = kept
            fields = {**fields, "staff_call_reason_translations": kept}
    update_store(store=store, fields=list(fields))
    if set(fields) & set(HOURS_FIELDS):
        Store.objects.filter(pk=store.pk).update(ordering_version=F("ordering_version") + 1)
        store.refresh_from_db(fields=["ordering_version"])
    logger.info(
        "store settings changed",
        extra={"store_id": store.pk, "actor_id": getattr(actor, "pk", None), "fields": sorted(fields)},
    )
    return store


@transaction.atomic
def create_table(*, store: Store, number: int, password: str) -> Table:
    """A new table; Conflict if the store already has that number (setup_table resets one)."""
    # The store lock makes "not there yet" still true when the row is written.
    lock_store(store.pk)
    if Table.objects.filter(store=store, number=number).exists():
        raise Conflict(str(TABLE_EXISTS_MESSAGE), "table_exists")
    table, _created = setup_table(store=store, number=number, password=password)
    return table


@transaction.atomic
def revoke_tablet(*, table: Table) -> Table:
    """Sign the table's tablet out; it must be set up again with the table password."""
    Table.objects.filter(pk=table.pk).update(token_version=F("token_version") + 1)
    # A queryset update sends no post_save: tell every process's credential cache here.
    notify_after_commit(Notice.TABLE, table.pk)
    table.refresh_from_db(fields=["token_version"])
    return table
