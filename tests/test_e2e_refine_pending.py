"""End to end through the Bot API stand-in: the bot's "How many should it have?" after a
plan change without a number is a pending question for one message — "9", "ten", "two
more" or "5h" answers it (a normal change, with undo), "never mind" or /cancel drops it
with an acknowledgement, anything else drops it and is understood as ever."""

from __future__ import annotations

from tests.harness import BotUnderTest, texts
from tests.test_e2e_refine_history import _planned, _shape

ASKED = "How many should it have?"


async def test_a_bare_number_answers_how_many_weeks(bot: BotUnderTest) -> None:
    user = 801
    await _planned(bot, user)
    calls = await bot.say(user, "make the plan longer")
    assert ASKED in texts(calls)
    calls = await bot.say(user, "9")
    assert "Updated your plan (version 2)" in texts(calls)
    assert await _shape(bot, user) == (2, 9, 6)
    calls = await bot.say(user, "undo")
    assert "Restored version 1" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    calls = await bot.say(user, "9")
    assert ASKED not in texts(calls) and "didn't catch" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6), "the question was answered once, not kept"


async def test_never_mind_drops_the_hours_question(bot: BotUnderTest) -> None:
    user = 802
    await _planned(bot, user)
    calls = await bot.say(user, "more hours")
    assert "6 hours a week now" in texts(calls)
    calls = await bot.say(user, "never mind")
    assert "the plan stays as it is" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    calls = await bot.say(user, "8")
    assert "didn't catch" in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)


async def test_words_relative_answers_and_units(bot: BotUnderTest) -> None:
    user = 803
    await _planned(bot, user)
    await bot.say(user, "more hours")
    await bot.say(user, "ten please")
    assert await _shape(bot, user) == (2, 6, 10)
    await bot.say(user, "make it shorter")
    await bot.say(user, "two less")
    assert await _shape(bot, user) == (3, 4, 10)
    await bot.say(user, "I need fewer hours")
    await bot.say(user, "5h")
    assert await _shape(bot, user) == (4, 4, 5)


async def test_an_answer_out_of_bounds_is_explained_and_asked_again(bot: BotUnderTest) -> None:
    user = 804
    await _planned(bot, user)
    await bot.say(user, "make the plan longer")
    calls = await bot.say(user, "100")
    assert "52 weeks is the most" in texts(calls) and ASKED in texts(calls)
    assert await _shape(bot, user) == (1, 6, 6)
    await bot.say(user, "12")
    assert await _shape(bot, user) == (2, 12, 6)


async def test_another_request_drops_the_question(bot: BotUnderTest) -> None:
    user = 805
    await _planned(bot, user)
    await bot.say(user, "make the plan longer")
    calls = await bot.say(user, "make week 2 lighter")
    assert "Updated your plan (version 2)" in texts(calls)
    assert await _shape(bot, user) == (2, 6, 6)
    await bot.say(user, "8")
    assert await _shape(bot, user) == (2, 6, 6)
    await bot.say(user, "more hours")
    calls = await bot.say(user, "/cancel")
    assert "the plan stays as it is" in texts(calls)
    calls = await bot.say(user, "/cancel")
    assert "nothing to cancel" in texts(calls)
    assert await _shape(bot, user) == (2, 6, 6)
