"""/timezone with an ambiguous place: buttons, a press, and forged presses refused."""

from __future__ import annotations

import asyncio

from tests.fakes.telegram_api import Call
from tests.harness import BotUnderTest, texts

ALICE, BOB = 701, 702


async def _callback_answer(bot: BotUnderTest, since: int) -> Call:
    """The bot's answerCallbackQuery after call index `since`."""
    for _ in range(200):
        found = [c for c in bot.api.calls[since:] if c.method == "answerCallbackQuery"]
        if found:
            await bot.api.wait_settled()  # the turn is over: all it sends has arrived
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never answered the button press")


async def _zone(bot: BotUnderTest, user: int) -> str | None:
    return (await bot.runtime.store.get_user(user) or {}).get("timezone")  # type: ignore[union-attr]


async def test_ambiguous_city_asks_with_buttons_and_the_press_sets_the_zone(
    bot: BotUnderTest,
) -> None:
    calls = await bot.say(ALICE, "/timezone Portland")
    assert "more than one “Portland”" in texts(calls)
    labels = [label for label, _ in bot.api.buttons(calls[-1])]
    assert "Portland, Oregon, United States" in labels
    assert "Portland, Maine, United States" in labels
    assert all(len(data.encode()) <= 64 for _, data in bot.api.buttons(calls[-1]))
    calls = await bot.press_button(ALICE, calls[-1], "Portland, Oregon")
    assert "America/Los_Angeles" in texts(calls) and "Los Angeles" in texts(calls)
    assert await _zone(bot, ALICE) == "America/Los_Angeles"


async def test_multi_zone_country_offers_its_zones(bot: BotUnderTest) -> None:
    calls = await bot.say(ALICE, "/timezone USA")
    assert "several time zones" in texts(calls)
    calls = await bot.press_button(ALICE, calls[-1], "Chicago")
    assert "America/Chicago" in texts(calls)
    assert await _zone(bot, ALICE) == "America/Chicago"


async def test_forged_and_stale_zone_presses_are_refused(bot: BotUnderTest) -> None:
    calls = await bot.say(ALICE, "/timezone Portland")
    buttons = bot.api.buttons(calls[-1])
    count = len(buttons)
    maine = next(data for label, data in buttons if "Maine" in label)
    # An index past the offered options.
    calls = await bot.press(ALICE, f"tz:{count}|{ALICE}")
    assert "no longer open" in texts(calls)
    calls = await bot.press(ALICE, f"tz:-1|{ALICE}")
    assert "no longer open" in texts(calls)
    assert await _zone(bot, ALICE) is None
    # Bob forges Alice's button: the owner check refuses it before the graph.
    since = len(bot.api.calls)
    bot.api.press(BOB, f"tz:0|{ALICE}")
    answer = await _callback_answer(bot, since)
    assert "isn't for you" in str(answer.params.get("text"))
    assert not [c for c in bot.api.calls[since:] if c.method == "sendMessage"]
    # Bob's own well-formed press, but Bob was never offered anything.
    calls = await bot.press(BOB, f"tz:0|{BOB}")
    assert "no longer open" in texts(calls)
    assert await _zone(bot, BOB) is None
    # Alice's real choice still works, once; a replay afterwards is stale.
    calls = await bot.press(ALICE, maine)
    assert "America/New_York" in texts(calls)
    calls = await bot.press(ALICE, f"tz:0|{ALICE}")
    assert "no longer open" in texts(calls)
    assert await _zone(bot, ALICE) == "America/New_York"


async def test_offset_zone_is_shown_as_utc_offset(bot: BotUnderTest) -> None:
    calls = await bot.say(ALICE, "/timezone UTC-3")
    assert "UTC−03:00" in texts(calls)
    # Etc/GMT+3 is three hours *behind* UTC: its name reads as the opposite offset.
    assert "Etc/GMT" not in texts(calls)


async def test_a_choice_mid_intake_fills_the_goal_and_returns_to_the_question(
    bot: BotUnderTest,
) -> None:
    await bot.say(ALICE, "/newplan")
    await bot.say(ALICE, "Piano")
    calls = await bot.say(ALICE, "/timezone Córdoba")
    assert "more than one “Córdoba”" in texts(calls)
    assert "current level" in texts(calls), "the pending question is asked again"
    choice = next(c for c in calls if bot.api.buttons(c))
    calls = await bot.press_button(ALICE, choice, "Córdoba, Spain")
    assert "Europe/Madrid" in texts(calls) and "current level" in texts(calls)
    await bot.say(ALICE, "beginner")
    await bot.say(ALICE, "2")
    calls = await bot.say(ALICE, "4")
    calls = await bot.press_button(ALICE, calls[-1], "Skip")
    calls = await bot.say(ALICE, "weekday evenings 19:00-21:00")
    assert "Shall I build the plan?" in texts(calls), "the zone was already known"
    assert "Europe/Madrid" in texts(calls)


def test_zone_question_buttons_and_press_validation() -> None:
    from agent.nodes.zone_choice import chosen_option, zone_options_state, zone_question
    from agent.understanding.places import PlaceOption

    options = [
        PlaceOption(label="Portland, Oregon, United States", zone="America/Los_Angeles"),
        PlaceOption(label="Portland, Maine, United States", zone="America/New_York"),
    ]
    question = zone_question(options, "portland")
    assert question["text"] == "There is more than one “portland” — which one do you mean?"
    assert [row[0]["data"] for row in question["buttons"]] == ["tz:0", "tz:1"]
    stored = zone_options_state(options)
    assert chosen_option("tz:1", stored) == options[1]
    for forged in ["tz:2", "tz:-1", "tz:01x", "tz:", "tz:999", "week:1", ""]:
        assert chosen_option(forged, stored) is None, forged
    assert chosen_option("tz:0", None) is None
    assert chosen_option("tz:0", [{"label": "x", "zone": "Mars/Olympus"}]) is None
    assert chosen_option("tz:0", ["America/New_York"]) is None
    country = zone_question(options, "USA")
    assert "USA has several time zones" in country["text"]


async def test_a_place_after_a_spanish_cue_in_the_first_message_sets_the_zone(
    bot: BotUnderTest,
) -> None:
    await bot.say(ALICE, "/newplan")
    calls = await bot.say(
        ALICE, "Quiero aprender guitarra, principiante, 3 hours a week, 6 weeks. Vivo en Montevideo"
    )
    assert "Vivo en" not in texts(calls), "the place cue is not part of the goal"
    calls = await bot.press_button(ALICE, calls[-1], "Skip")
    calls = await bot.say(ALICE, "weekday evenings 19:00-21:00")
    assert "America/Montevideo" in texts(calls), "the zone was read from the first message"
