"""A store's hours (영업 설정): whether its tablets may order now, and the checks of its settings.

The rule lives here once, `ordering_state(store, now)`; the order write (orders.services), the
menu (menus.api) and the `store.updated` event all ask it. Times are the store's wall clock,
Asia/Seoul (no daylight saving).

- Paused (`ordering_paused`) closes ordering until a manager resumes it: no `reopens_at`.
- A break (`break_times`, per weekday, `[start, end)`) closes it until the break ends.
- Past the last order (`last_order_time`) closes it until the store opens again: the next
  `opening_time`, or 06:00 when none is set (before any breakfast, after any late night), so
  that the evening's last order does not stop the next day's lunch.
Paused beats break beats last order. While open, `closes_at` is the next scheduled closure,
so a tablet can check again exactly then instead of polling.
"""

import re
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEOUL = ZoneInfo("Asia/Seoul")
DEFAULT_REOPENING = time(6, 0)
MAX_BREAKS_PER_DAY = 3
MAX_PAUSE_MESSAGE_LENGTH = 100
HOURS_FIELDS = ("ordering_paused", "pause_message", "break_times", "last_order_time", "opening_time")

PAUSED, BREAK, LAST_ORDER = "paused", "break", "last_order"
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


class OrderingState(TypedDict):
    open: bool
    reason: str | None
    message: str
    reopens_at: str | None
    closes_at: str | None


def parse_clock(value: object) -> time | None:
    """ "HH:MM" (00:00–23:59) as a time, or None."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    return time(int(match[1]), int(match[2])) if match else None


def clean_break_times(value: Any) -> list[dict[str, Any]]:
    """The break times as stored: `[{weekday 0–6 (Mon=0), start "HH:MM", end "HH:MM"}]`, sorted;
    each break within one day (start before end), no two of a day overlapping, at most
    MAX_BREAKS_PER_DAY a day. Raises ValidationError with a message for people."""
    if not isinstance(value, list) or len(value) > 7 * MAX_BREAKS_PER_DAY:
        raise ValidationError(_("Give a list of break times."))
    breaks = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"weekday", "start", "end"}:
            raise ValidationError(_("Each break time needs a weekday, a start and an end."))
        weekday, start, end = entry["weekday"], parse_clock(entry["start"]), parse_clock(entry["end"])
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError(_("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
        if start is None or end is None:
            raise ValidationError(_("Write times as HH:MM, e.g. 15:00."))
        if start >= end:
            raise ValidationError(
                _("A break must end after it starts (%(start)s–%(end)s).")
                % {"start": entry["start"], "end": entry["end"]}
            )
        breaks.append({"weekday": weekday, "start": entry["start"], "end": entry["end"]})
    breaks.sort(key=lambda b: (b["weekday"], b["start"]))
    for day in range(7):
        of_day = [b for b in breaks if b["weekday"] == day]
        if len(of_day) > MAX_BREAKS_PER_DAY:
            raise ValidationError(_("At most %(max)d break times a day.") % {"max": MAX_BREAKS_PER_DAY})
        for earlier, later in pairwise(of_day):
            if later["start"] < earlier["end"]:
                raise ValidationError(
                    _("Break times %(first)s and %(second)s overlap.")
                    % {
                        "first": f"{earlier['start']}–{earlier['end']}",
                        "second": f"{later['start']}–{later['end']}",
                    }
                )
    return breaks


def ordering_state(store: Any, now: datetime) -> OrderingState:
    """Whether `store`'s tablets may order at `now` (an aware datetime), why not, and until when.

    `reopens_at` (closed) and `closes_at` (open) are ISO times in Asia/Seoul, or null: paused
    ordering reopens when a manager says so, and a store without breaks or a last order never
    closes by itself."""
    local = now.astimezone(SEOUL)
    if store.ordering_paused:
        return _state(False, PAUSED, store.pause_message, None, None)
    schedule = _Schedule(store)
    closed = schedule.closed_at(local)
    if closed is not None:
        reason, _until = closed
        return _state(False, reason, "", schedule.reopening(local), None)
    return _state(True, None, "", None, schedule.next_closure(local))


def _state(is_open: bool, reason: str | None, message: str, reopens: datetime | None, closes: datetime | None):
    return OrderingState(
        open=is_open,
        reason=reason,
        message=message,
        reopens_at=reopens.isoformat() if reopens else None,
        closes_at=closes.isoformat() if closes else None,
    )


class _Schedule:
    """The store's breaks and last-order window as intervals of local time."""

    def __init__(self, store: Any) -> None:
        self.breaks: dict[int, list[tuple[time, time]]] = {}
        for entry in store.break_times or ():
            start, end = parse_clock(entry.get("start")), parse_clock(entry.get("end"))
            if start is not None and end is not None:
                self.breaks.setdefault(entry.get("weekday"), []).append((start, end))
        self.last_order: time | None = store.last_order_time
        self.opening: time = store.opening_time or DEFAULT_REOPENING

    def _intervals(self, day: date) -> list[tuple[str, datetime, datetime]]:
        """(reason, start, end) of the closures that start on `day`."""
        found = [(BREAK, _at(day, start), _at(day, end)) for start, end in self.breaks.get(day.weekday(), ())]
        if self.last_order is not None and self.last_order != self.opening:
            ends_on = day if self.opening > self.last_order else day + timedelta(days=1)
            found.append((LAST_ORDER, _at(day, self.last_order), _at(ends_on, self.opening)))
        return found

    def closed_at(self, local: datetime) -> tuple[str, datetime] | None:
        """(reason, end of that closure) if the schedule closes ordering at `local`; breaks first."""
        covering = [
            (reason, end)
            for day in (local.date() - timedelta(days=1), local.date())
            for reason, start, end in self._intervals(day)
            if start <= local < end
        ]
        covering.sort(key=lambda found: found[0] != BREAK)
        return covering[0] if covering else None

    def reopening(self, local: datetime) -> datetime:
        """The first moment from `local` on that the schedule leaves open (closures may adjoin)."""
        moment = local
        for _step in range(32):
            closed = self.closed_at(moment)
            if closed is None:
                break
            moment = closed[1]
        return moment

    def next_closure(self, local: datetime) -> datetime | None:
        starts = [
            start
            for offset in range(8)
            for _reason, start, _end in self._intervals(local.date() + timedelta(days=offset))
            if start > local
        ]
        return min(starts, default=None)


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=SEOUL)
