"""Working days (工作日) as the State Council's 放假调休 notices make them: holidays off, make-up days on.

The 条例's deadlines count working days: 20 to publish a document (art. 26), 20 (+20) to answer a request
(art. 33); 解读 rules count them too. A working day is Monday to Friday, except the public holidays of the
year's 《国务院办公厅关于{year}年部分节假日安排的通知》 (for 2024 国办发明电〔2023〕7号), plus the weekend days that
notice makes working days (调休上班).

The notices' dates come from the PyPI package `chinese-calendar` (github.com/LKI/chinese-calendar, MIT), which
transcribes every notice since 2004 and is updated each year when the next notice comes out; its covered years
are those it has dates for. config.yaml may add local holidays and make-up days and declare further years
(`working_days`). A year outside the covered ones falls back to Monday–Friday, and `check` says so.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import chinese_calendar

SOURCE = "国务院办公厅历年《关于部分节假日安排的通知》（数据取自 chinese-calendar 软件包）"


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days are working days, and for which years that is known rather than assumed."""

    holidays: frozenset[date]  # days off that would otherwise be working days (weekends inside a holiday too)
    workdays: frozenset[date]  # weekend days made working days (调休上班)
    years: frozenset[int]  # years the two sets describe completely

    def is_workday(self, day: date) -> bool:
        """Whether `day` is a working day (Monday–Friday outside the covered years)."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def between(self, start: date, end: date) -> int:
        """Working days after start up to and including end; 0 when end is not after start."""
        return self.between_each([(start, end)])[0]

    def between_each(self, spans: Iterable[tuple[date, date]]) -> list[int]:
        """between() of each (start, end), each day counted once: a corpus's documents share their dates."""
        exceptions = _exceptions(self)
        counted: dict[date, int] = {}

        def up_to(day: date) -> int:
            if day not in counted:
                counted[day] = _up_to(day, exceptions)
            return counted[day]

        return [up_to(end) - up_to(start) if end > start else 0 for start, end in spans]

    def uncovered(self, start: date, end: date) -> list[int]:
        """The years from start to end that the calendar does not cover (counted Monday–Friday)."""
        return [year for year in range(start.year, end.year + 1) if year not in self.years]

    def extended(self, holidays: frozenset[date], workdays: frozenset[date], years: frozenset[int]) -> WorkCalendar:
        """This calendar with local holidays and make-up days added, covering more years."""
        return WorkCalendar(
            self.holidays - workdays | holidays, self.workdays - holidays | workdays, self.years | years
        )


@lru_cache(maxsize=8)
def _exceptions(calendar: WorkCalendar) -> tuple[list[int], list[int]]:
    """The day numbers (date.toordinal) of the weekdays that are not working days and of the weekend days that
    are, each sorted: what the calendar changes in the Monday-to-Friday week."""
    off = sorted(d.toordinal() for d in calendar.holidays - calendar.workdays if d.weekday() < 5)
    on = sorted(d.toordinal() for d in calendar.workdays if d.weekday() >= 5)
    return off, on


def _up_to(day: date, exceptions: tuple[list[int], list[int]]) -> int:
    """Working days from 0001-01-01 (a Monday, day number 1) up to and including day."""
    number = day.toordinal()
    weeks, rest = divmod(number, 7)
    off, on = exceptions
    return weeks * 5 + min(rest, 5) - bisect_right(off, number) + bisect_right(on, number)


def national() -> WorkCalendar:
    """The State Council's calendar for every year the chinese-calendar package holds."""
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    return WorkCalendar(holidays, workdays, years)
