"""A printer's agent token and liveness: issuing, revoking and checking tokens, and when the
agent was last heard from.

A token is `<printer id>.<secret>`: the id makes the lookup one read by primary key, and only
the secret's sha256 is stored, compared in constant time. Issuing a new token replaces the
hash, which revokes the old one at once (an open stream with it ends at its next heartbeat).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.services import lock_store
from kitchen.alerts import resolve_alerts
from kitchen.models import AlertKind, Printer

# An agent whose stream heartbeats (every 15 s) were heard this recently is connected.
CONNECTED_WINDOW = timedelta(seconds=45)
SECRET_BYTES = 32


@transaction.atomic
def save_printer(*, printer: Printer) -> Printer:
    """Create or update a printer after full validation (names are unique in a store)."""
    lock_store(printer.store_id)
    printer.full_clean(exclude=["token_hash", "token_issued_at", "last_seen_at"])
    printer.save()
    return printer


@transaction.atomic
def delete_printer(*, printer: Printer) -> None:
    """Delete a printer with its waiting jobs; its open alerts are resolved first, so every
    screen showing them hears so."""
    lock_store(printer.store_id)
    resolve_alerts(printer=printer, kinds=AlertKind.values)
    printer.delete()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, printer: Printer) -> str:
    """A new agent token for `printer` (returned once, stored as its hash); the old one stops working."""
    token = f"{printer.pk}.{secrets.token_urlsafe(SECRET_BYTES)}"
    printer.token_hash, printer.token_issued_at = token_hash(token), timezone.now()
    printer.save(update_fields=["token_hash", "token_issued_at"])
    return token


def revoke_token(*, printer: Printer) -> Printer:
    """The printer's agent token stops working; its late and offline alerts are resolved, as
    no agent is expected any more (its waiting jobs print once a new token's agent connects)."""
    with transaction.atomic():
        lock_store(printer.store_id)
        printer.token_hash, printer.token_issued_at = "", None
        printer.save(update_fields=["token_hash", "token_issued_at"])
        resolve_alerts(printer=printer, kinds=[AlertKind.AGENT_OFFLINE, AlertKind.JOB_LATE])
    return printer


def printer_for_token(token: str) -> Printer | None:
    """The printer whose current agent token is `token`, or None (malformed, wrong or revoked)."""
    printer_id, dot, secret = token.partition(".")
    if not dot or not secret or not printer_id.isdigit() or len(printer_id) > 18:
        return None
    printer = Printer.objects.select_related("store").filter(pk=int(printer_id)).first()
    if printer is None or not printer.token_hash:
        return None
    if not hmac.compare_digest(printer.token_hash, token_hash(token)):
        return None
    return printer


def seen(*, printer_id: int, token_digest: str) -> bool:
    """Record that the agent holding the token with `token_digest` was heard from now; False
    when that token is no longer the printer's (revoked, replaced, or the printer deleted)."""
    return bool(Printer.objects.filter(pk=printer_id, token_hash=token_digest).update(last_seen_at=timezone.now()))


def is_connected(printer: Printer) -> bool:
    """Whether its agent was heard from within CONNECTED_WINDOW."""
    return printer.last_seen_at is not None and timezone.now() - printer.last_seen_at < CONNECTED_WINDOW
