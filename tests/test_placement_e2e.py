"""Sessions a person can follow, and plans that stay inside what was asked — through the
Bot API stand-in: intake, "Build my plan", then the stored timetable and the replies."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from storage.models import StudySession
from storage.schedules import list_sessions
from tests.fakes.telegram_api import Call
from tests.harness import BotUnderTest, texts

BERLIN = ZoneInfo("Europe/Berlin")


async def _build(bot: BotUnderTest, user: int, goal: str) -> tuple[list[Call], list[StudySession]]:
    calls = await bot.say(user, goal)
    assert "Shall I build the plan?" in texts(calls), texts(calls)
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert bot.runtime is not None
    active = await bot.runtime.store.active_plan(user)
    assert active is not None
    return calls, await list_sessions(bot.runtime.store, user, active[0])


def _minutes(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds() // 60)


def _stretches(sessions: list[StudySession]) -> list[int]:
    """Minutes of study in a row (back-to-back sessions count as one stretch)."""
    out: list[int] = []
    previous: StudySession | None = None
    for s in sessions:
        length = _minutes(s.starts_at, s.ends_at)
        if previous is not None and previous.ends_at == s.starts_at:
            out[-1] += length
        else:
            out.append(length)
        previous = s
    return out


async def test_a_long_day_gets_two_hour_sessions_with_breaks(bot: BotUnderTest) -> None:
    goal = (
        "Learn Go, 2 weeks, 60 h/week, beginner, every day 06:00-23:00, Berlin, topics: goroutines"
    )
    _calls, sessions = await _build(bot, 1431, goal)
    assert sessions
    assert max(_stretches(sessions)) <= 120
    gaps = [
        _minutes(a.ends_at, b.starts_at)
        for a, b in pairwise(sessions)
        if a.ends_at.date() == b.starts_at.date() and a.ends_at != b.starts_at
    ]
    assert gaps and min(gaps) >= 15, "a break between two stretches"
    assert all(_minutes(s.starts_at, s.ends_at) >= 30 for s in sessions)


async def test_hours_are_spread_over_the_week_not_put_on_one_morning(bot: BotUnderTest) -> None:
    goal = (
        "Learn Go, 4 weeks, 3 h/week, beginner, weekday mornings 07:00-10:00, Berlin, "
        "topics: goroutines"
    )
    _calls, sessions = await _build(bot, 1432, goal)
    first = sessions[0].starts_at.astimezone(BERLIN).date()
    week_one = [s for s in sessions if s.starts_at.astimezone(BERLIN).date() < first + timedelta(7)]
    days = {s.starts_at.astimezone(BERLIN).date() for s in week_one}
    assert len(days) >= 2, [s.starts_at for s in week_one]
    per_day: dict[date, int] = {}
    for s in week_one:
        day = s.starts_at.astimezone(BERLIN).date()
        per_day[day] = per_day.get(day, 0) + _minutes(s.starts_at, s.ends_at)
    assert max(per_day.values()) < 180, per_day
    assert all(_minutes(s.starts_at, s.ends_at) >= 30 for s in sessions)


async def test_availability_too_small_for_the_weeks_is_said_with_choices(
    bot: BotUnderTest,
) -> None:
    goal = (
        "Learn Go, 4 weeks, 3 h/week, beginner, 2 hours on Sundays 10:00-12:00, Berlin, "
        "topics: channels"
    )
    calls, sessions = await _build(bot, 1433, goal)
    first = sessions[0].starts_at.astimezone(BERLIN).date()
    assert all(s.starts_at.astimezone(BERLIN).date() < first + timedelta(28) for s in sessions)
    warning = next((c for c in calls if "can't hold 3 h a week" in str(c.params.get("text"))), None)
    if warning is None:  # the planner fitted the hours to the study times instead: it says so
        assert "4 weeks · 2 h/week" in texts(calls), texts(calls)
        return
    labels = [label for label, _data in bot.api.buttons(warning)]
    assert labels == ["2 h a week", "6 weeks"], labels
    assert "more study times" in str(warning.params["text"])


async def test_nothing_is_scheduled_after_the_deadline(bot: BotUnderTest) -> None:
    goal = (
        "Learn Go by 1 March 2027, 3 h/week, beginner, Tuesdays 18:00-21:00, "
        "Berlin, topics: goroutines"
    )
    calls, sessions = await _build(bot, 1434, goal)
    assert sessions
    assert max(s.ends_at.astimezone(BERLIN).date() for s in sessions) <= date(2027, 3, 1)
    assert "can't hold 3 h a week by Mon 1 Mar" in texts(calls), texts(calls)
