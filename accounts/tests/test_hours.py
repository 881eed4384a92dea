"""accounts.hours: when a store's tablets may order, at fixed times (Asia/Seoul)."""

from datetime import UTC, datetime, time

import pytest
from django.core.exceptions import ValidationError

from accounts.hours import SEOUL, clean_break_times, ordering_state
from accounts.models import Store

MONDAY, SUNDAY = 0, 6


def at(day, clock):
    """2026-12-07 is a Monday: `day` 7 is Monday, 13 Sunday, 14 the next Monday."""
    hour, minute = map(int, clock.split(":"))
    return datetime(2026, 12, day, hour, minute, tzinfo=SEOUL)


def store(**fields):
    return Store(code="hours", name="Hours", **fields)


LUNCH_BREAK = [{"weekday": MONDAY, "start": "15:00", "end": "17:00"}]


def test_a_store_without_hours_is_always_open_and_never_closes_by_itself():
    assert ordering_state(store(), at(7, "12:00")) == {
        "open": True,
        "reason": None,
        "message": "",
        "reopens_at": None,
        "closes_at": None,
    }


def test_a_break_closes_ordering_until_it_ends():
    state = ordering_state(store(break_times=LUNCH_BREAK), at(7, "15:00"))
    assert state["open"] is False
    assert state["reason"] == "break"
    assert state["reopens_at"] == "2026-12-07T17:00:00+09:00"
    assert state["closes_at"] is None


def test_a_break_ends_at_its_end_and_is_announced_before_it_starts():
    s = store(break_times=LUNCH_BREAK)
    assert ordering_state(s, at(7, "17:00"))["open"] is True
    before = ordering_state(s, at(7, "14:59"))
    assert before["open"] is True
    assert before["closes_at"] == "2026-12-07T15:00:00+09:00"


def test_a_break_is_on_its_weekday_only_and_the_next_one_is_a_week_away():
    s = store(break_times=LUNCH_BREAK)
    tuesday = ordering_state(s, at(8, "15:30"))
    assert tuesday["open"] is True
    assert tuesday["closes_at"] == "2026-12-14T15:00:00+09:00"


def test_the_time_is_read_in_seoul_whatever_zone_now_is_in():
    utc = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)  # 15:30 in Seoul
    assert ordering_state(store(break_times=LUNCH_BREAK), utc)["reason"] == "break"


def test_past_the_last_order_ordering_reopens_at_the_next_opening_across_midnight():
    s = store(last_order_time=time(21, 0), opening_time=time(11, 0))
    evening = ordering_state(s, at(7, "21:00"))
    assert evening["reason"] == "last_order"
    assert evening["reopens_at"] == "2026-12-08T11:00:00+09:00"
    after_midnight = ordering_state(s, at(8, "00:30"))
    assert after_midnight["reason"] == "last_order"
    assert after_midnight["reopens_at"] == "2026-12-08T11:00:00+09:00"
    assert ordering_state(s, at(8, "11:00"))["open"] is True
    assert ordering_state(s, at(8, "11:00"))["closes_at"] == "2026-12-08T21:00:00+09:00"


def test_without_an_opening_time_ordering_reopens_at_six():
    s = store(last_order_time=time(22, 0))
    assert ordering_state(s, at(13, "23:00"))["reopens_at"] == "2026-12-14T06:00:00+09:00"
    assert ordering_state(s, at(14, "06:00"))["open"] is True


def test_a_late_night_last_order_after_midnight_closes_until_the_afternoon_opening():
    s = store(last_order_time=time(1, 0), opening_time=time(17, 0))
    assert ordering_state(s, at(8, "00:59"))["open"] is True
    assert ordering_state(s, at(8, "00:59"))["closes_at"] == "2026-12-08T01:00:00+09:00"
    assert ordering_state(s, at(8, "03:00"))["reopens_at"] == "2026-12-08T17:00:00+09:00"
    assert ordering_state(s, at(7, "23:00"))["open"] is True


def test_a_sunday_break_is_followed_by_monday_s_across_the_week_boundary():
    s = store(break_times=[{"weekday": SUNDAY, "start": "15:00", "end": "16:00"}, *LUNCH_BREAK])
    assert ordering_state(s, at(13, "16:00"))["closes_at"] == "2026-12-14T15:00:00+09:00"
    assert ordering_state(s, at(14, "15:10"))["reopens_at"] == "2026-12-14T17:00:00+09:00"


def test_adjoining_closures_reopen_at_the_end_of_the_last():
    s = store(
        break_times=[
            {"weekday": MONDAY, "start": "15:00", "end": "16:00"},
            {"weekday": MONDAY, "start": "16:00", "end": "17:00"},
        ],
        last_order_time=time(17, 0),
        opening_time=time(11, 0),
    )
    state = ordering_state(s, at(7, "15:30"))
    assert state["reason"] == "break"
    assert state["reopens_at"] == "2026-12-08T11:00:00+09:00"


def test_a_break_beats_the_last_order_and_a_pause_beats_both():
    s = store(
        break_times=[{"weekday": MONDAY, "start": "20:00", "end": "22:00"}],
        last_order_time=time(21, 0),
        opening_time=time(11, 0),
    )
    assert ordering_state(s, at(7, "21:30"))["reason"] == "break"
    s.ordering_paused, s.pause_message = True, "재료 소진"
    assert ordering_state(s, at(7, "21:30")) == {
        "open": False,
        "reason": "paused",
        "message": "재료 소진",
        "reopens_at": None,
        "closes_at": None,
    }


def test_break_times_are_checked_and_sorted():
    later = {"weekday": 1, "start": "15:00", "end": "16:00"}
    earlier = {"weekday": 1, "start": "10:00", "end": "11:00"}
    assert clean_break_times([later, earlier]) == [earlier, later]


@pytest.mark.parametrize(
    "breaks",
    [
        [{"weekday": 0, "start": "17:00", "end": "15:00"}],
        [{"weekday": 0, "start": "15:00", "end": "15:00"}],
        [{"weekday": 7, "start": "15:00", "end": "16:00"}],
        [{"weekday": True, "start": "15:00", "end": "16:00"}],
        [{"weekday": 0, "start": "3pm", "end": "16:00"}],
        [{"weekday": 0, "start": "24:00", "end": "16:00"}],
        [{"weekday": 0, "start": "15:00"}],
        [{"weekday": 0, "start": "15:00", "end": "16:00", "extra": 1}],
        [{"weekday": 0, "start": "15:00", "end": "16:30"}, {"weekday": 0, "start": "16:00", "end": "17:00"}],
        [{"weekday": 0, "start": f"1{n}:00", "end": f"1{n}:30"} for n in range(4)],
        "15:00-17:00",
        [["0", "15:00", "17:00"]],
    ],
)
def test_bad_break_times_are_refused(breaks):
    with pytest.raises(ValidationError):
        clean_break_times(breaks)


def test_the_store_refuses_a_last_order_at_its_own_reopening():
    with pytest.raises(ValidationError) as error:
        store(last_order_time=time(6, 0)).clean()
    assert "opening_time" in error.value.message_dict
