"""Staff calls (직원 호출): a guest calls staff from the tablet, a manager acknowledges.

Each function is one transaction that takes the store's write lock first, like
`orders.services`, and records its event for the admin stream and the table's stream.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Table, User
from accounts.services import lock_store
from core.exceptions import Conflict
from core.ratelimit import check_recent
from orders import outbox
from orders.models import EventType, StaffCall
from orders.selectors import table_state
from orders.services import open_or_create_session


def call_staff(*, table: Table, reason: str) -> tuple[StaffCall, bool]:
    """Call staff to `table` for `reason`, one of its store's `staff_call_reasons`.

    Returns (call, created). While a call for that reason waits in the table's open session,
    that call comes back (created=False) and nothing is published: one alert per reason.
    A call opens the table's session when none is open, as a first order does. A new call
    after TABLE_STAFF_CALL_LIMIT within TABLE_RATE_WINDOW (in the session, as for orders)
    raises RateLimited and changes nothing.
    """
    if reason not in table.store.staff_call_reasons:
        raise ValidationError({"reason": _("Choose one of this store's call reasons.")})
    with transaction.atomic():
        lock_store(table.store_id)
        session = open_or_create_session(table)
        # Under the store lock no other call for this reason can commit between the read and the write.
        waiting = StaffCall.objects.filter(session=session, reason=reason, acknowledged_at__isnull=True).first()
        if waiting is not None:
            waiting.table = table
            return waiting, False
        check_recent(
            session.staff_calls.all(),
            limit=settings.TABLE_STAFF_CALL_LIMIT,
            window=settings.TABLE_RATE_WINDOW,
            message=_("This table has called staff many times in a short time. Please wait a moment."),
        )
        call = StaffCall.objects.create(store=table.store, table=table, session=session, reason=reason)
        _publish(EventType.STAFF_CALL_CREATED, call)
    return call, True


@transaction.atomic
def acknowledge_staff_call(*, call: StaffCall, actor: User | None) -> tuple[StaffCall, bool]:
    """Mark `call` seen by `actor` (a manager; None from a script).

    Returns (call, changed): a call acknowledged already stays as it was and nothing is
    published. A call whose session has ended is over, not waiting: Conflict `session_closed`.
    """
    lock_store(call.store_id)
    call = StaffCall.objects.select_related("store", "table", "session").get(pk=call.pk)
    if call.acknowledged_at is not None:
        return call, False
    if not call.session.is_open:
        raise Conflict(_("This call's table session has already ended."), "session_closed")
    call.acknowledged_at = timezone.now()
    call.acknowledged_by = actor
    call.save(update_fields=["acknowledged_at", "acknowledged_by"])
    _publish(EventType.STAFF_CALL_ACKNOWLEDGED, call)
    return call, True


def _publish(event_type: EventType, call: StaffCall) -> None:
    payload = {"call": call.as_dict(), "table": table_state(call.table, call.session)}
    outbox.publish(store=call.store, event_type=event_type, payload=payload, table=call.table, session=call.session)
