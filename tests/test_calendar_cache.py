"""The .ics cache: a hit gives the bytes a fresh build would, any change to the
schedule rebuilds, and it stays bounded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest

from agent.planner import build_plan
from scheduler.calendar_cache import CalendarCache, schedule_version
from scheduler.ics import build_calendar
from scheduler.timetable import build_timetable
from storage.models import Goal, Plan, SkillLevel, Slot, StudySession

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TZ = "Europe/Berlin"


@pytest.fixture(scope="module")
def schedule() -> tuple[Plan, list[StudySession]]:
    slots = [Slot(weekday=d, start=clock_time(19), end=clock_time(21)) for d in (0, 2, 4)]
    goal = Goal(
        goal="Rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=6,
        weeks=3,
        topics=["ownership"],
        availability=slots,
        timezone=TZ,
    )
    plan = build_plan(goal)
    return plan, build_timetable(plan, slots, TZ, date(2026, 11, 30), now=NOW)


def fresh(plan: Plan, sessions: list[StudySession], now: datetime, lead: int = 15) -> bytes:
    return build_calendar(plan, sessions, TZ, lead_minutes=lead, calendar_id="u1", now=now)


def test_a_hit_is_byte_identical_to_a_fresh_build_at_the_new_time(
    schedule: tuple[Plan, list[StudySession]],
) -> None:
    plan, sessions = schedule
    cache = CalendarCache()
    first = cache.calendar(1, plan, 3, sessions, TZ, lead_minutes=15, calendar_id="u1", now=NOW)
    later = NOW + timedelta(hours=2, seconds=7)
    second = cache.calendar(1, plan, 3, sessions, TZ, lead_minutes=15, calendar_id="u1", now=later)
    assert first == fresh(plan, sessions, NOW)
    assert second == fresh(plan, sessions, later)
    assert (cache.builds, cache.hits) == (1, 1)


def test_any_schedule_change_rebuilds(schedule: tuple[Plan, list[StudySession]]) -> None:
    plan, sessions = schedule
    cache = CalendarCache()

    def get(items: list[StudySession], *, version: int = 3, lead: int = 15, tz: str = TZ) -> bytes:
        return cache.calendar(
            1, plan, version, items, tz, lead_minutes=lead, calendar_id="u1", now=NOW
        )

    get(sessions)
    moved = [
        s.model_copy(
            update={
                "starts_at": s.starts_at + timedelta(days=1),
                "ends_at": s.ends_at + timedelta(days=1),
                "sequence": s.sequence + 1,
            }
        )
        if i == 2
        else s
        for i, s in enumerate(sessions)
    ]
    assert get(moved) == fresh(plan, moved, NOW)
    skipped = [
        s.model_copy(update={"status": "skipped"}) if i == 0 else s for i, s in enumerate(moved)
    ]
    assert get(skipped) == fresh(plan, skipped, NOW)
    assert get(skipped, lead=30) == fresh(plan, skipped, NOW, lead=30)
    get(skipped, lead=30, version=4)
    get(skipped, lead=30, version=4, tz="UTC")
    assert (cache.builds, cache.hits) == (6, 0)
    assert len(cache) == 1


def test_the_version_ignores_nothing_the_calendar_shows(
    schedule: tuple[Plan, list[StudySession]],
) -> None:
    plan, sessions = schedule
    renamed = plan.model_copy(update={"title": "Rust, renamed"})
    base = schedule_version(plan, 1, sessions, TZ, 15)
    assert base == schedule_version(plan, 1, list(sessions), TZ, 15)
    assert base != schedule_version(renamed, 1, sessions, TZ, 15)
    assert base != schedule_version(plan, 1, sessions[:-1], TZ, 15)


def test_the_cache_keeps_the_most_recently_used_users_only(
    schedule: tuple[Plan, list[StudySession]],
) -> None:
    plan, sessions = schedule
    cache = CalendarCache(size=2)
    for user in (1, 2, 1, 3):
        cache.calendar(
            user, plan, 1, sessions, TZ, lead_minutes=15, calendar_id=f"u{user}", now=NOW
        )
    assert len(cache) == 2
    cache.calendar(1, plan, 1, sessions, TZ, lead_minutes=15, calendar_id="u1", now=NOW)
    cache.calendar(2, plan, 1, sessions, TZ, lead_minutes=15, calendar_id="u2", now=NOW)
    assert (cache.builds, cache.hits) == (4, 2)
