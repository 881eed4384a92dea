"""The even split of a bill (orders.bills.split_shares): its rules for every total and party size."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from orders.bills import SPLIT_MAX, SPLIT_MIN, split_shares

TOTALS = st.integers(min_value=1, max_value=100_000_000)
PEOPLE = st.integers(min_value=SPLIT_MIN, max_value=SPLIT_MAX)


def assert_fair(total, people, shares):
    assert len(shares) == people
    assert sum(shares) == total
    assert all(isinstance(share, int) and share >= 0 for share in shares)
    assert max(shares) - min(shares) <= 100
    assert all(share % 100 == 0 for share in shares[:-1])
    # The larger shares first, then the rest, then the one with the odd won.
    assert shares[:-1] == sorted(shares[:-1], reverse=True)


@given(total=TOTALS, people=PEOPLE)
@example(total=1, people=2)
@example(total=100_000_000, people=20)
@example(total=99_999_999, people=19)
@example(total=1_999, people=20)
@example(total=2_000, people=20)
def test_shares_keep_the_rules_and_add_up_to_the_total(total, people):
    assert_fair(total, people, split_shares(total, people))


@pytest.mark.parametrize("people", range(SPLIT_MIN, SPLIT_MAX + 1))
def test_every_total_up_to_a_few_hundred_thousand_won_splits_fairly(people):
    # Exhaustive where the rounding is busiest: every remainder of 100·people is met many times.
    for total in range(0, 40_001):
        assert_fair(total, people, split_shares(total, people))


@pytest.mark.parametrize(
    ("total", "people", "shares"),
    [
        (30_000, 3, [10_000, 10_000, 10_000]),
        (10_000, 3, [3_400, 3_300, 3_300]),
        (10_050, 3, [3_400, 3_300, 3_350]),
        (39_500, 4, [9_900, 9_900, 9_900, 9_800]),
        (12_345, 2, [6_200, 6_145]),
        (150, 3, [100, 0, 50]),
        (0, 2, [0, 0]),
    ],
)
def test_examples(total, people, shares):
    assert split_shares(total, people) == shares
