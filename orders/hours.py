"""Hours seen from orders: the refusal of an order while ordering is closed, and the
`store.updated` event that tells tablets and dashboards of a change of the store's settings.
When ordering is closed is accounts.hours.ordering_state, asked here, never restated."""

from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.hours import BREAK, LAST_ORDER, SEOUL, OrderingState, ordering_state
from accounts.models import Store
from core.exceptions import Conflict
from orders import outbox
from orders.models import EventType


def ordering_closed(store: Store) -> Conflict | None:
    """The 409 `ordering_closed` for an order placed now, with the `reason` and `reopens_at`
    of accounts.hours.ordering_state, or None while the store takes orders."""
    state = ordering_state(store, timezone.now())
    if state["open"]:
        return None
    return Conflict(closed_message(state), "ordering_closed", reason=state["reason"], reopens_at=state["reopens_at"])


def closed_message(state: OrderingState) -> str:
    """Why a closed store refuses an order, for people, in the request's language; a pause's
    own message is the store's text, as it wrote it (like the menu's untranslated text)."""
    reopens = parse_datetime(state["reopens_at"]) if state["reopens_at"] else None
    at = time_format(reopens.astimezone(SEOUL), "H:i") if reopens else ""
    if state["reason"] == BREAK:
        return _("It is break time. You can order again at %(time)s.") % {"time": at}
    if state["reason"] == LAST_ORDER:
        return _("The last order time has passed. You can order again at %(time)s.") % {"time": at}
    return state["message"] or _("Ordering is paused for now. Please ask the staff.")


def store_settings(store: Store) -> dict[str, Any]:
    """The settings a tablet shows and the ordering state now: `store.updated`'s payload."""
    return {
        "ordering": ordering_state(store, timezone.now()),
        "store_name": store.name,
        "staff_call_reasons": list(store.staff_call_reasons),
        "ordering_paused": store.ordering_paused,
        "pause_message": store.pause_message,
        "staff_call_reason_translations": dict(store.staff_call_reason_translations),
        "origin_notice": store.origin_notice,
        "origin_notice_translations": dict(store.origin_notice_translations),
        "cart_reminder_chime": store.cart_reminder_chime,
    }


def publish_store_updated(sender: object, *, store_id: int, **kwargs: Any) -> None:
    """`accounts.signals.store_changed` → a store-wide `store.updated` event in the change's
    transaction: every tablet and dashboard of the store hears the new ordering state."""
    store = Store.objects.get(pk=store_id)
    outbox.publish(store=store, event_type=EventType.STORE_UPDATED, payload=store_settings(store))
