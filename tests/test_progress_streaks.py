"""Streaks end to end, with the injected clock: local days across a daylight-saving change
and a flight to another time zone, the freeze (told once), the longest streak, and the
7-day achievement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fakes.progress_driver import (
    SQL_GOAL,
    all_calls,
    make_plan,
    progress_doc,
)
from tests.harness import BotUnderTest, FrozenClock, texts

NEW_YORK_GOAL = SQL_GOAL.replace("Berlin", "New York")


def _at(bot: BotUnderTest, when: datetime) -> None:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = when


async def _streak_line(bot: BotUnderTest, user: int) -> str:
    calls = await bot.say(user, "/progress")
    text = next(str(c.params["text"]) for c in calls if c.method == "sendMessage")
    return next(line for line in text.splitlines() if line.startswith("Streak:"))


async def test_streak_across_the_autumn_daylight_saving_change(bot: BotUnderTest) -> None:
    """Berlin leaves summer time on Sunday 25 October 2026 at 03:00. Studying just before
    and just after local midnight around it gives four local days in a row. Read in UTC
    they would be 24, 24, 25, 27 October; with a fixed +02:00 offset 24, 25, 26, 28 — both
    would need a freeze."""
    user = 601
    _at(bot, datetime(2026, 10, 20, 10, 0, tzinfo=UTC))
    await make_plan(bot, user)
    since = len(bot.api.calls)
    moments = [
        datetime(2026, 10, 24, 21, 30, tzinfo=UTC),  # Sat 23:30 CEST
        datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # Sun 00:30 CEST
        datetime(2026, 10, 25, 23, 30, tzinfo=UTC),  # Mon 00:30 CET
        datetime(2026, 10, 27, 22, 30, tzinfo=UTC),  # Tue 23:30 CET
    ]
    for moment in moments:
        _at(bot, moment)
        calls = await bot.say(user, "log 30m")
        assert "Logged 30 min" in texts(calls)
    _at(bot, moments[-1] + timedelta(minutes=5))
    assert await _streak_line(bot, user) == "Streak: 4 days (longest 4 days)"
    said = "\n".join(str(c.params.get("text", "")) for c in all_calls(bot, user, since))
    assert "streak freeze" not in said
    assert {a.tz for a in (await progress_doc(bot, user)).activity()} == {"Europe/Berlin"}


async def test_streak_survives_a_flight_to_another_time_zone(bot: BotUnderTest) -> None:
    """Monday 23:00 in New York, then Tuesday and Wednesday 22:00 in Berlin: three local
    days. Reading every event in Berlin time (or UTC) would merge Monday into Tuesday."""
    user = 602
    _at(bot, datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    await make_plan(bot, user, NEW_YORK_GOAL)
    since = len(bot.api.calls)
    _at(bot, datetime(2026, 12, 1, 4, 0, tzinfo=UTC))  # Mon 30 Nov 23:00 EST
    await bot.say(user, "done, took 40 min")
    _at(bot, datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    calls = await bot.say(user, "/timezone Berlin")
    assert "Europe/Berlin" in texts(calls)
    _at(bot, datetime(2026, 12, 1, 21, 0, tzinfo=UTC))  # Tue 22:00 CET
    await bot.say(user, "log 30m")
    _at(bot, datetime(2026, 12, 2, 21, 0, tzinfo=UTC))  # Wed 22:00 CET
    await bot.say(user, "log 30m")
    assert await _streak_line(bot, user) == "Streak: 3 days (longest 3 days)"
    said = "\n".join(str(c.params.get("text", "")) for c in all_calls(bot, user, since))
    assert "streak freeze" not in said
    zones = [a.tz for a in (await progress_doc(bot, user)).activity()]
    assert zones == ["America/New_York", "Europe/Berlin", "Europe/Berlin"]


async def test_freeze_is_used_once_in_seven_days_and_told_once(bot: BotUnderTest) -> None:
    user = 603
    _at(bot, datetime(2026, 11, 29, 10, 0, tzinfo=UTC))
    await make_plan(bot, user)
    evening = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # Monday 19:00 in Berlin

    async def study(day: int) -> str:
        _at(bot, evening + timedelta(days=day))
        return texts(await bot.say(user, "log 30m"))

    await study(0)
    await study(1)
    told = await study(3)  # Wednesday missed
    assert "You missed Wed 02 Dec, and a streak freeze covered it" in told
    assert "Your streak lives on: 3 days" in told
    assert "streak freeze" not in await study(4)
    assert await _streak_line(bot, user) == "Streak: 4 days (longest 4 days)"
    assert "streak freeze" not in await study(6), "a second freeze within 7 days is not given"
    assert await _streak_line(bot, user) == "Streak: 1 day (longest 4 days)"
    await bot.restart()
    assert await _streak_line(bot, user) == "Streak: 1 day (longest 4 days)"
    _at(bot, evening + timedelta(days=9))
    assert await _streak_line(bot, user) == "Streak: 0 days (longest 4 days)"


async def test_seven_day_streak_is_an_achievement_announced_once(bot: BotUnderTest) -> None:
    user = 604
    _at(bot, datetime(2026, 11, 29, 10, 0, tzinfo=UTC))
    await make_plan(bot, user)
    since = len(bot.api.calls)
    for day in range(9):
        _at(bot, datetime(2026, 11, 30, 18, 0, tzinfo=UTC) + timedelta(days=day))
        calls = await bot.say(user, "log 20m")
        if day == 6:
            assert "a 7-day streak" in texts(calls)
    said = "\n".join(str(c.params.get("text", "")) for c in all_calls(bot, user, since))
    assert said.count("a 7-day streak") == 1
    assert await _streak_line(bot, user) == "Streak: 9 days (longest 9 days)"
    assert (await progress_doc(bot, user)).longest_streak() == 9
