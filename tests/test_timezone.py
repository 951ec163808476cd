"""/timezone at any time: by city, offset or a shared location; mid-intake too."""

from __future__ import annotations

from tests.harness import BotUnderTest, texts

GOAL = "Learn Kotlin, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: coroutines"


async def _plan(bot: BotUnderTest, user: int) -> None:
    calls = await bot.say(user, GOAL)
    await bot.press_button(user, calls[-1], "Build my plan")


async def test_timezone_command_changes_user_and_plan_zone(bot: BotUnderTest) -> None:
    user = 601
    await _plan(bot, user)
    calls = await bot.say(user, "/timezone Tokyo")
    assert "Asia/Tokyo" in texts(calls)
    store = bot.runtime.store  # type: ignore[union-attr]
    active = await store.active_plan(user)
    assert active is not None and active[2].timezone == "Asia/Tokyo"
    assert (await store.get_user(user) or {}).get("timezone") == "Asia/Tokyo"


async def test_timezone_from_offset_and_location_and_unknown(bot: BotUnderTest) -> None:
    user = 602
    await _plan(bot, user)
    calls = await bot.say(user, "/timezone UTC-3")
    assert "UTC−03:00" in texts(calls)
    since = len(bot.api.calls)
    bot.api.send_location(user, 40.4168, -3.7038)
    calls = await bot.api.wait_quiet(user, since)
    assert "Europe/Madrid" in texts(calls)
    calls = await bot.say(user, "/timezone Narnia <b>")
    assert "don't know the time zone" in texts(calls) and "&lt;b&gt;" in texts(calls)
    active = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert active is not None and active[2].timezone == "Europe/Madrid"


async def test_timezone_mid_intake_returns_to_the_question(bot: BotUnderTest) -> None:
    user = 603
    await bot.say(user, "/newplan")
    await bot.say(user, "Piano")
    calls = await bot.say(user, "/timezone Lisbon")
    reply = texts(calls)
    assert "Europe/Lisbon" in reply and "current level" in reply
    await bot.say(user, "beginner")
    await bot.say(user, "2")
    calls = await bot.say(user, "4")
    calls = await bot.press_button(user, calls[-1], "Skip")
    calls = await bot.say(user, "weekday evenings 19:00-21:00")
    assert "Shall I build the plan?" in texts(calls), "the zone was already known"
    assert "Europe/Lisbon" in texts(calls)
