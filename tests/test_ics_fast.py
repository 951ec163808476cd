"""The directly written .ics is byte for byte the icalendar-built reference."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest

from agent.planner import build_plan
from scheduler.ics import build_calendar
from scheduler.ics_fast import build_calendar_fast
from scheduler.timetable import build_timetable
from storage.models import Goal, Plan, SkillLevel, Slot, StudySession

NOW = datetime(2026, 11, 26, 9, 0, 41, 500, tzinfo=UTC)
ALPHABET = 'ab c,;\\^:"é€😀\nxyz0123456789-_'


@pytest.fixture(scope="module")
def schedule() -> tuple[Plan, list[StudySession]]:
    slots = [Slot(weekday=d, start=clock_time(19), end=clock_time(21)) for d in (0, 2, 4)]
    goal = Goal(
        goal="Rust; systems, embedded & \\ more — ünïcödé",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=6,
        weeks=6,
        topics=["ownership", "async"],
        availability=slots,
        timezone="Europe/Berlin",
    )
    plan = build_plan(goal)
    sessions = build_timetable(plan, slots, "Europe/Berlin", date(2026, 12, 21), now=NOW)
    return plan, sessions


def odd_sessions(sessions: list[StudySession], seed: int) -> list[StudySession]:
    """Skipped sessions and sessions whose module is unknown, so that their free-text
    module id (with escapes and multibyte characters at fold boundaries) is the title."""
    rng = random.Random(seed)
    out = []
    for i, session in enumerate(sessions):
        update: dict[str, object] = {"sequence": rng.randrange(4)}
        if i % 3 == 0:
            update["status"] = "skipped"
        if i % 4 == 1:
            update["module_id"] = "".join(
                rng.choice(ALPHABET) for _ in range(rng.randrange(60, 200))
            )
        out.append(session.model_copy(update=update))
    return out


@pytest.mark.parametrize(
    "tz", ["Europe/Berlin", "America/Sao_Paulo", "UTC", "Etc/UTC", "Asia/Kolkata"]
)
@pytest.mark.parametrize("lead", [0, 15, 90])
def test_the_fast_build_equals_the_reference(
    schedule: tuple[Plan, list[StudySession]], tz: str, lead: int
) -> None:
    plan, sessions = schedule
    odd = odd_sessions(sessions, lead)
    cases: list[tuple[list[StudySession], list[StudySession] | None, int]] = [
        (sessions, None, 0),
        (odd, None, 2),
        ([], None, 0),
        (odd[: len(odd) // 2], odd[len(odd) // 3 :], 1),
        ([], sessions[:3], 0),
    ]
    for items, removed, offset in cases:
        args = dict(
            lead_minutes=lead, calendar_id="k3Xq", now=NOW, removed=removed, sequence_offset=offset
        )
        assert build_calendar_fast(plan, items, tz, **args) == build_calendar(
            plan, items, tz, **args
        )  # type: ignore[arg-type]


def test_naive_times_are_read_as_utc_in_both(schedule: tuple[Plan, list[StudySession]]) -> None:
    plan, sessions = schedule
    naive = [
        s.model_copy(
            update={
                "starts_at": s.starts_at.replace(tzinfo=None),
                "ends_at": s.ends_at.replace(tzinfo=None) + timedelta(0),
            }
        )
        for s in sessions
    ]
    fast = build_calendar_fast(
        plan, naive, "Europe/Berlin", lead_minutes=15, calendar_id="u1", now=NOW
    )
    assert fast == build_calendar(
        plan, sessions, "Europe/Berlin", lead_minutes=15, calendar_id="u1", now=NOW
    )
