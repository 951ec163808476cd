"""Weekly hours and plan lengths (`agent.understanding.numbers`)."""

from __future__ import annotations

import pytest

from agent.understanding.numbers import (
    extract_hours,
    extract_weeks,
    find_plan_weeks,
    find_weekly_hours,
    normalise_amounts,
    parse_number,
)
from agent.understanding.text import Scan


def _hours(text: str, expecting: str | None = None) -> float | None:
    scan = Scan.of(normalise_amounts(text), expecting=expecting)
    extract_hours(scan)
    return scan.fields.get("hours_per_week")


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("2 hours on Tuesdays and 2 on Thursdays", 4),
        ("tue and thu evenings, 1 hr each", 2),  # a part of the day between days and amount
        ("1h every weekday", 5),
        ("30 min a day", 3.5),
        ("an hour a day", 7),
        ("Saturdays 3 hours, Sundays 2", 5),
        ("an hour on mon, wed and fri", 3),
        ("45 min, 4 times a week", 3),
        ("1h30 per week", 1.5),
        ("1h30 each on Tuesdays and Fridays", 3),
        ("5 hours week", 5),
        ("weekends only, 6 hours total", 6),
        ("every day 1h", 7),
        ("3 hrs a week", 3),
        ("a couple of hours a week", 2),
    ],
)
def test_weekly_hours(text: str, hours: float) -> None:
    assert _hours(text) == hours


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90 minutes", 1.5),
        ("a couple of hours", 2),
        ("3-4 hours", 3.5),  # a range counts as its midpoint
        ("like 10?", 10),
        ("6 on weekends", 6),  # an amount for the weekend is for the whole weekend
        ("half an hour on weekdays", 2.5),
        ("an hour and a half", 1.5),
        ("4 or so per week", 4),  # qualifiers stack
    ],
)
def test_bare_hours_when_asked(text: str, hours: float) -> None:
    assert _hours(text, "hours_per_week") == hours


def test_hours_out_of_range_are_problems() -> None:
    scan = Scan.of("200 hours a week")
    extract_hours(scan)
    assert "hours_per_week" not in scan.fields
    assert "60" in scan.problems[0]


@pytest.mark.parametrize(
    ("text", "weeks"),
    [
        ("6w", 6),
        ("a fortnight", 2),
        ("3 fortnights", 6),
        ("two months", 9),
        ("3 mos", 13),
        ("a month and a half", 6),
        ("sixteen", 16),
    ],
)
def test_plan_weeks_when_asked(text: str, weeks: int) -> None:
    scan = Scan.of(normalise_amounts(text), expecting="weeks")
    extract_weeks(scan)
    assert scan.fields.get("weeks") == weeks


def test_find_helpers_and_number_words() -> None:
    assert [q.value for q in find_weekly_hours("5h/week")] == [5]
    assert [q.value for q in find_plan_weeks("learn it in 6 weeks")] == [6]
    assert parse_number("a couple of") == 2
    assert parse_number("twelve") == 12


def test_normalise_amounts_leaves_clock_times() -> None:
    assert normalise_amounts("at 7h30") == "at 7h30"
    assert normalise_amounts("18h30-20h") == "18h30-20h"
    assert normalise_amounts("2 and a half hours") == "2.5 hours"
