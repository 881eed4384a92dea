"""Signals of accounts: a store's settings changed; back-office logins end after 16 hours."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver
from django.utils import timezone

# Sent inside the transaction that changed a store's settings, holding its write lock: store_id.
store_changed = Signal()


@receiver(user_logged_in)
def expire_session_at_a_fixed_time(sender, request, user, **kwargs):
    """An absolute expiry: Django would otherwise push a session's end back on every save."""
    if request is not None and hasattr(request, "session"):
        request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
