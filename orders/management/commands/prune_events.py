"""Delete order events older than the retention period (they only serve stream replay)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from orders.models import OrderEvent


class Command(BaseCommand):
    help = _(
        "Delete order events older than --days (default: ORDER_EVENT_RETENTION_DAYS). "
        "A screen that reconnects after longer than that reloads instead of replaying."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.ORDER_EVENT_RETENTION_DAYS,
            help=_("keep events this many days (default %(default)s)"),
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help=_("rows deleted per statement"))

    def handle(self, *args, days, batch_size, **options):
        if days < 1:
            raise CommandError(_("--days must be at least 1: streams replay recent events from the outbox."))
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        cutoff = timezone.now() - timedelta(days=days)
        deleted = 0
        # Short batches keep each statement's locks brief while the app keeps writing events.
        while True:
            ids = list(OrderEvent.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:batch_size])
            if not ids:
                break
            deleted += OrderEvent.objects.filter(id__in=ids).delete()[0]
        self.stdout.write(
            _("Deleted %(count)d order event(s) older than %(days)d day(s).") % {"count": deleted, "days": days}
        )
