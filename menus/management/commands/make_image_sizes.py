"""Give uploaded menu images stored before display sizes existed their sizes (idempotent)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from menus.image_sizes import sizes_of
from menus.models import MenuItem
from menus.services import make_image_sizes


class Command(BaseCommand):
    help = _(
        "Make the display sizes (WebP, 400 and 800 px wide) of every uploaded menu image that lacks them, "
        "so tablets load those instead of the upload. Safe to re-run: images that have them are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("stores", nargs="*", metavar="CODE", help=_("Only these stores (default: all)."))

    def handle(self, *args, stores=(), **options):
        items = MenuItem.objects.exclude(image="").order_by("id")
        if stores:
            items = items.filter(store__code__in=stores)
        made = failed = 0
        for item in items.iterator():
            if sizes_of(item.image.name, item.image_sizes):
                continue
            if make_image_sizes(item=item):
                made += 1
            else:
                failed += 1
        self.stdout.write(
            _("%(made)d images given display sizes; %(failed)d did not decode and are shown as uploaded.")
            % {"made": made, "failed": failed}
        )
