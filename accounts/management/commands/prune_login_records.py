"""Delete login records that no limit counts any more (run daily with prune_events)."""

from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "Delete django-axes' login attempts older than the cool-off (they lock nothing any more) and its "
        "failure and login logs older than --days (default: LOGIN_RECORD_RETENTION_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.LOGIN_RECORD_RETENTION_DAYS,
            help=_("keep the failure and login logs this many days (default %(default)s)"),
        )

    def handle(self, *args, days, **options):
        now = timezone.now()
        cool_off = get_cool_off()
        # The per-address limit (accounts/login.py) counts the failure log within the cool-off.
        if timedelta(days=days) < cool_off:
            raise CommandError(_("--days must cover the login cool-off: recent failures still count."))
        attempts = (
            AccessAttempt.objects.filter(attempt_time__lt=now - cool_off).delete()[1].get(AccessAttempt._meta.label, 0)
        )
        failures = AccessFailureLog.objects.filter(attempt_time__lt=now - timedelta(days=days)).delete()[0]
        logins = AccessLog.objects.filter(attempt_time__lt=now - timedelta(days=days)).delete()[0]
        self.stdout.write(
            _(
                "Deleted %(attempts)d expired login attempt(s), and %(failures)d failure and %(logins)d login "
                "record(s) older than %(days)d day(s)."
            )
            % {"attempts": attempts, "failures": failures, "logins": logins, "days": days}
        )
