"""Working days by the State Council's 放假调休 notices (条例 art. 26 and 33 count 工作日), and the config override."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.workdays import national

D = date.fromisoformat

# (start, end, working days after start up to end, the rule the row shows)
CASES = [
    ("2021-09-30", "2021-10-08", 1, "国庆 2021-10-01..07 off (国务院办公厅关于2021年部分节假日安排的通知)"),
    ("2021-10-08", "2021-10-11", 2, "Saturday 2021-10-09 is a make-up working day (调休上班)"),
    ("2019-03-06", "2019-03-06", 0, "no days after start"),
    ("2019-03-06", "2019-03-11", 3, "an ordinary week: Thu, Fri, Mon"),
    ("2019-03-09", "2019-03-10", 0, "a weekend"),
    ("2019-03-07", "2019-03-01", 0, "end before start"),
    ("2019-01-31", "2019-03-06", 21, "春节 2019: 02-02 and 02-03 worked, 02-04..10 off"),
    (
        "2024-02-08",
        "2024-02-19",
        3,
        "春节 2024 (国办发明电〔2023〕7号): 除夕 02-09 worked, 02-10..17 off, 02-18 (Sunday) worked",
    ),
    ("2008-04-03", "2008-04-07", 1, "清明 2008, the first year it was a public holiday: 04-04 off"),
]


@pytest.mark.parametrize(("start", "end", "days", "rule"), CASES, ids=[c[3] for c in CASES])
def test_working_days_follow_the_state_council_notices(start, end, days, rule):
    assert national().between(D(start), D(end)) == days


def test_every_year_the_corpus_can_hold_is_covered():
    assert set(range(2008, 2027)) <= national().years


def test_a_year_outside_the_calendar_counts_monday_to_friday_and_is_named():
    calendar = national()
    assert calendar.uncovered(D("2026-12-28"), D("2027-01-05")) == [2027]
    assert calendar.between(D("2027-01-01"), D("2027-01-08")) == 5  # no 元旦 known for 2027: Mon 4 .. Fri 8


def test_config_adds_local_holidays_make_up_days_and_years():
    calendar = national().extended(frozenset({D("2027-01-01")}), frozenset({D("2027-01-09")}), frozenset({2027}))
    assert calendar.between(D("2026-12-31"), D("2027-01-09")) == 6  # 01-01 off; Mon 4 .. Fri 8 and Saturday 9
    assert calendar.uncovered(D("2026-12-28"), D("2027-01-05")) == []


calendars = st.sampled_from(
    [
        national(),
        national().extended(
            frozenset({D("2027-01-01"), D("2027-01-02"), D("2024-02-09")}),
            frozenset({D("2027-01-09"), D("2027-01-05"), D("2024-02-10")}),
            frozenset({2027}),
        ),
    ]
)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=days, length=st.integers(min_value=-40, max_value=400))
def test_working_days_between_count_each_day_as_is_workday_says(calendar, start, length):
    end = start + timedelta(days=length)
    expected = sum(calendar.is_workday(start + timedelta(days=n)) for n in range(1, length + 1))
    assert calendar.between(start, end) == expected


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, spans=st.lists(st.tuples(days, st.integers(min_value=-40, max_value=120)), max_size=8))
def test_working_days_of_many_spans_sharing_days_count_each_as_is_workday_says(calendar, spans):
    pairs = [(start, start + timedelta(days=length)) for start, length in spans]
    pairs += [(end, start) for start, end in pairs]  # every day again, as a start and as an end
    expected = [sum(calendar.is_workday(a + timedelta(days=n)) for n in range(1, (b - a).days + 1)) for a, b in pairs]
    assert calendar.between_each(pairs) == expected
