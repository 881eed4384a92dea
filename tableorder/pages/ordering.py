"""Words for whether the store takes orders (static/shared/ordering.js), on the tablet and the
live dashboard alike."""

from django.utils.translation import gettext_lazy as _

ORDERING_STRINGS = {
    "orderingBreak": _("It is break time. You can order again at {time}."),
    "orderingBreakNow": _("It is break time."),
    "orderingLastOrder": _("The last order time has passed."),
    "orderingPaused": _("Ordering is paused for now."),
}
