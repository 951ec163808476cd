"""Deadlines and start dates in free text: agent.understanding.dates."""

from __future__ import annotations

from datetime import date

import pytest

from agent.understanding.dates import find_dates

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "value", "kind", "span"),
    [
        ("by March 1", date(2027, 3, 1), "deadline", "by March 1"),
        ("by the 20th of January", date(2027, 1, 20), "deadline", "by the 20th of January"),
        ("till March", date(2027, 3, 31), "deadline", "till March"),
        ("until march", date(2027, 3, 31), "deadline", "until march"),
        ("through June", date(2027, 6, 30), "deadline", "through June"),
        ("by June", date(2027, 6, 1), "deadline", "by June"),
        ("by mid-March", date(2027, 3, 15), "deadline", "by mid-March"),
        ("before my exam on 3 June", date(2027, 6, 3), "deadline", "before my exam on 3 June"),
        ("my exam is on June 3", date(2027, 6, 3), "deadline", "exam is on June 3"),
        (
            "before the interview in March",
            date(2027, 3, 1),
            "deadline",
            "before the interview in March",
        ),
        ("in a fortnight", date(2026, 12, 10), "deadline", "in a fortnight"),
        ("in 3 months", date(2027, 2, 26), "deadline", "in 3 months"),
        ("end of next month", date(2026, 12, 31), "deadline", "end of next month"),
        ("by the end of the year", date(2026, 12, 31), "deadline", "by the end of the year"),
        ("by friday", date(2026, 11, 27), "deadline", "by friday"),
        ("by Jan 5th", date(2027, 1, 5), "deadline", "by Jan 5th"),
        ("starting next monday", date(2026, 11, 30), "start", "starting next monday"),
        ("from the 15th", date(2026, 12, 15), "start", "from the 15th"),
        ("start tomorrow", date(2026, 11, 27), "start", "start tomorrow"),
        ("bootcamp prep, starts jan 18", date(2027, 1, 18), "deadline", "starts jan 18"),
        ("uni starts 14 Sept", date(2027, 9, 14), "deadline", "starts 14 Sept"),
        ("my plan starts dec 1", date(2026, 12, 1), "start", "starts dec 1"),
        (
            "Start on the 1st of December",
            date(2026, 12, 1),
            "start",
            "Start on the 1st of December",
        ),
        ("kick off on dec 1st", date(2026, 12, 1), "start", "kick off on dec 1st"),
        ("I start uni in September", date(2027, 9, 1), "start", "start uni in September"),
        ("March 1", date(2027, 3, 1), "deadline", "March 1"),
        ("2027-01-15", date(2027, 1, 15), "deadline", "2027-01-15"),
        ("15/01", date(2027, 1, 15), "deadline", "15/01"),
        ("next monday", date(2026, 11, 30), "deadline", "next monday"),
        ("due 13/03/2027", date(2027, 3, 13), "deadline", "due 13/03/2027"),
        ("by 5/5", date(2027, 5, 5), "deadline", "by 5/5"),
        ("by 28.04.", date(2027, 4, 28), "deadline", "by 28.04."),
        # holidays: "by" is the day, "before" the day before it starts; Easter computed
        ("by christmas", date(2026, 12, 25), "deadline", "by christmas"),
        ("before christmas", date(2026, 12, 24), "deadline", "before christmas"),
        ("before xmas eve", date(2026, 12, 23), "deadline", "before xmas eve"),
        ("by new year's eve", date(2026, 12, 31), "deadline", "by new year's eve"),
        ("before the new year", date(2026, 12, 31), "deadline", "before the new year"),
        ("by new years", date(2027, 1, 1), "deadline", "by new years"),
        ("until valentine's day", date(2027, 2, 14), "deadline", "until valentine's day"),
        ("by easter", date(2027, 3, 28), "deadline", "by easter"),
        ("before halloween", date(2027, 10, 30), "deadline", "before halloween"),
        ("before 3/15", date(2027, 3, 15), "deadline", "before 3/15"),
        ("by 1.3.2027", date(2027, 3, 1), "deadline", "by 1.3.2027"),
        ("from next week", date(2026, 11, 30), "start", "from next week"),
        ("beginning of next month", date(2026, 12, 1), "start", "beginning of next month"),
        ("by next month", date(2026, 12, 1), "deadline", "by next month"),
        ("end of this week", date(2026, 11, 29), "deadline", "end of this week"),
        ("my exam is in 3 weeks", date(2026, 12, 17), "deadline", "exam is in 3 weeks"),
        ("I want to start on Monday", date(2026, 11, 30), "start", "start on Monday"),
        ("Can we go until end of January?", date(2027, 1, 31), "deadline", "until end of January"),
        ("for a project starting Feb 1", date(2027, 2, 1), "deadline", "starting Feb 1"),
        (
            "before I start my new job on 1 March",
            date(2027, 3, 1),
            "deadline",
            "before I start my new job on 1 March",
        ),
        (
            "pls help, exam in stats on thursday",
            date(2026, 12, 3),
            "deadline",
            "exam in stats on thursday",
        ),
    ],
)
def test_one_date(text: str, value: date, kind: str, span: str) -> None:
    hits = find_dates(text, today=TODAY)
    assert [(h.value, h.kind, text[h.start : h.end]) for h in hits] == [(value, kind, span)]


@pytest.mark.parametrize(
    ("text", "span", "asks"),
    [
        # both numbers could be the month: asked, never read day-first
        ("5/3", "5/3", "5 March or May 3"),
        ("by 5/3", "by 5/3", "5 March or May 3"),
        ("due 12/03/2027", "due 12/03/2027", "12 March or December 3"),
        ("starting 1/2", "starting 1/2", "1 February or January 2"),
        # a season names no day (and differs by hemisphere)
        ("end of summer", "end of summer", "“end of summer”"),
        ("by spring", "by spring", "“spring”"),
        ("before the winter", "before the winter", "“the winter”"),
        ("done by the end of this fall", "done by the end of this fall", "“the end of this fall”"),
        ("summer", "summer", "“summer”"),
    ],
)
def test_words_that_name_no_single_day_are_unclear(text: str, span: str, asks: str) -> None:
    (hit,) = find_dates(text, today=TODAY)
    assert hit.value is None and text[hit.start : hit.end] == span
    assert hit.unclear is not None and asks in hit.unclear


@pytest.mark.parametrize(
    "text",
    [
        "Greek for my holiday in Thessaloniki this summer",
        "moving to Dubai in summer",
        "in the fall",
    ],
)
def test_a_season_without_a_deadline_cue_is_no_date(text: str) -> None:
    assert find_dates(text, today=TODAY) == []


def test_a_deadline_and_a_start_in_one_message() -> None:
    text = "I want to learn Spanish by March 1, 3 hours a week, starting next monday"
    hits = find_dates(text, today=TODAY)
    assert [(h.kind, h.value) for h in hits] == [
        ("deadline", date(2027, 3, 1)),
        ("start", date(2026, 11, 30)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "3 hours a week",
        "weekday evenings 19:00-21:00",
        "from Monday to Friday",
        "Monday until Friday 9-5",
        "by 10pm",
        "till 21:00",
        "learn python from scratch",
        "I can do 2 hours in a week",
        "by 5",
        "from 9 to 5",
        "weekends 10-12",
        "deadline is 2025-01-01",
        "by 31/02",
        "2 weeks",
        "a fortnight",
    ],
)
def test_no_date(text: str) -> None:
    assert find_dates(text, today=TODAY) == []


@pytest.mark.parametrize(
    ("text", "today", "value"),
    [
        ("by the 10th", date(2026, 11, 26), date(2026, 12, 10)),
        ("by Jan 5", date(2027, 1, 10), date(2028, 1, 5)),
        ("till March", date(2027, 3, 10), date(2027, 3, 31)),
        ("by March", date(2027, 3, 10), date(2028, 3, 1)),
        ("by the 31st", date(2027, 2, 3), date(2027, 3, 31)),
        ("from the 15th", date(2026, 12, 15), date(2026, 12, 15)),
    ],
)
def test_dates_never_lie_in_the_past(text: str, today: date, value: date) -> None:
    assert [h.value for h in find_dates(text, today=today)] == [value]


def test_long_text_is_bounded() -> None:
    text = "I want to learn " + "lots of things and more words " * 130 + "by March 1"
    hits = find_dates(text, today=TODAY)
    assert [h.value for h in hits] == [date(2027, 3, 1)]
