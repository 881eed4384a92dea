"""DRF authentication: Bearer JWTs for managers and for table tablets."""

import copy
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.utils import aware_utcnow

from accounts.models import Table, User
from accounts.tokens import TableAccessToken
from core.listener import notify_after_commit, on_notification
from core.notice_cache import NoticeCache

# Notices (core.listener) for the tables cache below, payload the table's or the store's id.
TABLE_NOTICE = "table"
STORE_NOTICE = "store"


class ManagerJWTAuthentication(JWTAuthentication):
    """A manager's token: a user of a store, still in that store, still active."""

    def get_user(self, validated_token):
        if "table_id" in validated_token:
            raise InvalidToken({"detail": _("Tablet tokens cannot be used here."), "code": "token_not_valid"})
        user = super().get_user(validated_token)
        if user.store_id is None or validated_token.get("store_id") != user.store_id:
            raise InvalidToken({"detail": _("Token is not valid for a store."), "code": "token_not_valid"})
        if validated_token.get("uv") != user.token_version:
            raise InvalidToken({"detail": _("Your password was changed: log in again."), "code": "token_revoked"})
        return user


class ManagerSessionAuthentication(SessionAuthentication):
    """The back office's session cookie (CSRF enforced on writes), for a manager of a store.

    Other session users (a platform admin) are not authenticated here, so they get a 401/403
    from the manager API rather than another store's data.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not isinstance(result[0], User) or result[0].store_id is None:
            return None
        return result


# Table id → the Table with its store (None: no such table), as the database has it. Every
# tablet request checks its table, so the check is answered from memory: a table's notice
# (token_version, store or number changed, deleted: post_save/post_delete, revoke_tablet) drops
# it, a store's notice (any change, deletion) drops that store's tables.
_tables = NoticeCache(TABLE_NOTICE)


def _forget_tables_of_store(store_id):
    _tables.forget_where(lambda _table_id, table: table is not None and table.store_id == store_id)


on_notification(STORE_NOTICE, _forget_tables_of_store)


def signed_in_table(*, table_id, store_id, token_version):
    """The table, if a tablet credential naming it (a token, a stream ticket, an open stream)
    still holds: the table is still in that store and its `token_version` unchanged, i.e.
    the tablet was not signed out since. Else None.

    The one check of "is this tablet still signed in"; `token_version` None never matches.
    Answered from this process's cache of tables (see `_tables`), which lags the database by
    a notice's latency, and at most by core.listener.MAX_STALENESS (1 s). The table
    returned, and its store, are the caller's own copies.
    """
    if token_version is None or table_id is None:
        return None
    table = _tables.get(table_id, lambda: Table.objects.select_related("store").filter(pk=table_id).first())
    if table is None or table.store_id != store_id or table.token_version != token_version:
        return None
    # Shallow copies: the cached objects are shared by every request of the process.
    mine = copy.copy(table)
    mine.store = copy.copy(table.store)
    return mine


def announce_table_change(table_id):
    """Every process drops the table from its cache once the current transaction commits
    (call inside the writer's transaction; model saves and deletes do it by themselves)."""
    _tables.notify(table_id)


def table_saved_or_deleted(sender, instance, **kwargs):
    """post_save / post_delete of a Table (connected in AccountsConfig.ready)."""
    announce_table_change(instance.pk)


def store_saved_or_deleted(sender, instance, **kwargs):
    """post_save / post_delete of a Store (connected in AccountsConfig.ready): its tables'
    cached copies carry it."""
    notify_after_commit(STORE_NOTICE, instance.pk)


def table_from_token(validated_token):
    """The table a tablet token names, if the token is still current; else InvalidToken."""
    table = signed_in_table(
        table_id=validated_token.get("table_id"),
        store_id=validated_token.get("store_id"),
        token_version=validated_token.get("tv"),
    )
    if table is None:
        raise InvalidToken({"detail": _("This tablet has been signed out."), "code": "tablet_signed_out"})
    return table


@lru_cache(maxsize=4096)
def _checked_table_access_token(raw_token):
    """The token, its signature and claims checked once per process and raw token: a tablet
    sends the same token with every request for hours, and the check costs ~70 µs, a tenth
    of a warm menu read. Only valid tokens are kept (a failed check raises); the caller checks
    expiry again at every use."""
    return TableAccessToken(raw_token)


class TableJWTAuthentication(JWTAuthentication):
    """A tablet's access token; `request.user` is the Table."""

    def get_validated_token(self, raw_token):
        try:
            token = _checked_table_access_token(raw_token)
            token.check_exp(current_time=aware_utcnow())
            return token
        except Exception as error:
            raise InvalidToken({"detail": _("Token is invalid or expired."), "code": "token_not_valid"}) from error

    def get_user(self, validated_token):
        return table_from_token(validated_token)
