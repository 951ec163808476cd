"""Study windows (`agent.understanding.availability`)."""

from __future__ import annotations

from datetime import time

import pytest

from agent.understanding.availability import extract_availability, parse_availability
from agent.understanding.text import Scan


def _days(text: str) -> list[int]:
    return sorted({slot.weekday for slot in parse_availability(text)})


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("weekday evenings", [0, 1, 2, 3, 4]),
        ("weekends", [5, 6]),
        ("mon wed fri after 6pm", [0, 2, 4]),
        ("tue/wed/thu, 6:30am", [1, 2, 3]),
        ("any day except Sunday", [0, 1, 2, 3, 4, 5]),
        ("weekdays but not Wednesday", [0, 1, 3, 4]),
        ("fri evening + sat afternoon", [4, 5]),
    ],
)
def test_days(text: str, days: list[int]) -> None:
    assert _days(text) == days


def test_times() -> None:
    slots = parse_availability("Mondays 18:00-19:30 and Thursdays 20:00-21:30")
    assert [(s.weekday, s.start, s.end) for s in slots] == [
        (0, time(18), time(19, 30)),
        (3, time(20), time(21, 30)),
    ]
    assert {s.start for s in parse_availability("monday, wednesday and friday at 19h")} == {
        time(19)
    }


def test_how_often_is_not_when_unless_asked() -> None:
    scan = Scan.of("3 evenings a week")
    extract_availability(scan)
    assert "availability" not in scan.fields
    assert _days("3 evenings a week") == [0, 2, 4]
