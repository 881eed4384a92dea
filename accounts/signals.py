"""Back-office logins end 16 hours after they began, however active the manager is."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in)
def expire_session_at_a_fixed_time(sender, request, user, **kwargs):
    """An absolute expiry: Django would otherwise push a session's end back on every save."""
    if request is not None and hasattr(request, "session"):
        request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
