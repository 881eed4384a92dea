"""Whether a credential still holds: `signed_in_table` for a tablet, `signed_in_manager` for a
manager. Every check of a token, a stream ticket, an open stream or a back-office session
goes through one of them.

A tablet is checked at every request, so `signed_in_table` answers from this process's cache
of tables (`table_cache`, a core.notices.NoticeCache): a table's notice (token_version, store
or number changed, deleted: the model signals below, accounts.services.revoke_tablet) drops
it, a store's notice (any change, deletion) drops that store's tables. AccountsConfig.ready
connects the signals and subscribes the cache.
"""

import copy
from typing import Any

from accounts.models import Store, Table, User
from core.notices import Notice, NoticeCache, notify_after_commit

# Table id → the Table with its store (None: no such table), as the database has it. Room for
# every table of a thousand stores of 20 tables, twice over.
table_cache: NoticeCache[int, Table | None] = NoticeCache(max_entries=40_000)


def signed_in_table(*, table_id: int | None, store_id: int | None, token_version: int | None) -> Table | None:
    """The table, if a tablet credential naming it (a token, a stream ticket, an open stream)
    still holds: the table is still in that store and its `token_version` unchanged, i.e.
    the tablet was not signed out since. Else None.

    The one check of "is this tablet still signed in"; `token_version` None never matches.
    Answered from this process's cache of tables, which lags the database by a notice's
    latency, and at most by core.listener.MAX_STALENESS (1 s). The table returned, and its
    store, are the caller's own copies.
    """
    if token_version is None or table_id is None:
        return None
    # A store's tablets come together (opening, a deploy's reconnects): a miss loads its tables.
    table = table_cache.get_among(
        table_id,
        lambda: _tables_of_store(store_id),
        lambda: Table.objects.select_related("store").filter(pk=table_id).first(),
    )
    if table is None or table.store_id != store_id or table.token_version != token_version:
        return None
    # Shallow copies: the cached objects are shared by every request of the process.
    mine = copy.copy(table)
    mine.store = copy.copy(table.store)
    return mine


def _tables_of_store(store_id: int | None) -> dict[int, Table | None]:
    """The store's tables, with one copy of the store shared by them all, in one query."""
    tables: dict[int, Table | None] = {}
    if store_id is None:
        return tables
    store = None
    for table in Table.objects.select_related("store").filter(store_id=store_id):
        store = store or table.store
        table.store = store
        tables[table.id] = table
    return tables


def signed_in_manager(*, user_id: int | None, store_id: int | None, token_version: int | None) -> User | None:
    """The user, with their store, if a manager credential naming them (a token, a stream
    ticket, an open stream, a back-office session) still holds: the user is still active and
    in that store, and their `token_version` unchanged, i.e. their password was not changed
    since. Else None.

    The one check of "is this manager still signed in"; `store_id` or `token_version` None
    never matches (a platform admin has no store). Read from the database, one query.
    """
    if user_id is None or store_id is None or token_version is None:
        return None
    return (
        User.objects.select_related("store")
        .filter(pk=user_id, store_id=store_id, is_active=True, token_version=token_version)
        .first()
    )


def session_manager(user: object) -> User | None:
    """The back-office session's user as a signed-in manager, or None (a platform admin).

    Django's session checks the password itself (the session's auth hash), so the user's own
    store and version are what the session names."""
    if not isinstance(user, User):
        return None
    return signed_in_manager(user_id=user.pk, store_id=user.store_id, token_version=user.token_version)


def forget_tables_of_store(store_id: int) -> None:
    """The STORE notice's callback: the store's tables' cached copies carry the store."""
    table_cache.forget_where(lambda _table_id, table: table is not None and table.store_id == store_id)


def table_saved_or_deleted(sender: type[Table], instance: Table, **kwargs: Any) -> None:
    """post_save / post_delete of a Table."""
    notify_after_commit(Notice.TABLE, instance.pk)


def store_saved_or_deleted(sender: type[Store], instance: Store, **kwargs: Any) -> None:
    """post_save / post_delete of a Store."""
    notify_after_commit(Notice.STORE, instance.pk)
