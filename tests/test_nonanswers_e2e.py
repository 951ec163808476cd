"""End to end, rules only (no LLM): non-answers are never values."""

from __future__ import annotations

from tests.harness import BotUnderTest, texts


async def test_hmm_not_sure_as_a_first_message_gets_help_choosing(bot: BotUnderTest) -> None:
    user = 921
    calls = await bot.say(user, "hmm not sure")
    assert "let's find something" in texts(calls) and "Shall I build" not in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Spanish conversation")
    assert "current level" in texts(calls)


async def test_yes_to_the_topics_question_asks_which_topics(bot: BotUnderTest) -> None:
    user = 922
    calls = await bot.say(user, "Learn Rust, 6 weeks, 5h/week, beginner")
    assert "topics" in texts(calls).lower()
    calls = await bot.say(user, "yes")
    assert "Which topics?" in texts(calls)
    calls = await bot.say(user, "ownership, async")
    assert "When can you study" in texts(calls)
    calls = await bot.say(user, "weekday evenings 19:00-21:00")
    calls = await bot.say(user, "Berlin")
    assert "ownership, async" in texts(calls)


async def test_whatever_you_think_is_best_to_topics_means_no_topics(bot: BotUnderTest) -> None:
    user = 923
    await bot.say(user, "Learn Rust, 6 weeks, 5h/week, beginner")
    calls = await bot.say(user, "whatever you think is best")
    assert "When can you study" in texts(calls)
    calls = await bot.say(user, "weekday evenings 19:00-21:00")
    calls = await bot.say(user, "Berlin")
    assert "whatever" not in texts(calls).lower()


async def test_a_question_as_a_first_message_is_not_taken_as_the_goal(bot: BotUnderTest) -> None:
    """Without a question mark, "whats the price" still asks something: the bot asks
    what they want to learn instead of noting "whats the price" as the goal."""
    user = 926
    calls = await bot.say(user, "whats the price")
    assert "What do you want to learn?" in texts(calls)
    assert "Goal:" not in texts(calls) and "price" not in texts(calls)
    calls = await bot.say(user, "how to draw")
    assert "current level" in texts(calls)  # "how to draw" names what to learn


async def test_a_greeting_or_a_later_as_a_first_message_is_not_the_goal(bot: BotUnderTest) -> None:
    """ "hey whats up" is small talk and "lemme think about it first" a later: neither is
    noted as the goal; the goal comes from the message that names something to learn."""
    user = 927
    for text in ("hey whats up", "lemme think about it first"):
        calls = await bot.say(user, text)
        assert "Goal:" not in texts(calls) and "whats up" not in texts(calls)
        assert "think about it" not in texts(calls)
    calls = await bot.say(user, "ok, spanish")
    assert "current level" in texts(calls)


async def test_an_ambiguous_date_is_asked_about_and_kk_at_the_card_builds(
    bot: BotUnderTest,
) -> None:
    """ "by 5/3" is 5 March or May 3: the bot asks, stores no deadline; a clearer answer
    fills it. At the card "kk" is a yes (it was read as the zone Asia/Kuching)."""
    user = 941
    calls = await bot.say(user, "Learn Rust, 5h/week, beginner, by 5/3")
    assert "5 March or May 3" in texts(calls)
    assert "Deadline" not in texts(calls)
    calls = await bot.say(user, "the 3rd of May")
    assert "topics" in texts(calls).lower()
    await bot.say(user, "ownership")
    await bot.say(user, "weekday evenings 19:00-21:00")
    calls = await bot.say(user, "Berlin")
    assert "Shall I build" in texts(calls) and "until 2027-05-03" in texts(calls)
    calls = await bot.say(user, "kk")
    assert "Kuching" not in texts(calls) and "Shall I build" not in texts(calls)


async def test_clock_windows_answer_the_hours_question(bot: BotUnderTest) -> None:
    """ "mon wed fri 7-8pm" is 3 hours a week: computed, shown on the card, not asked."""
    user = 942
    calls = await bot.say(user, "Learn Rust, beginner, 6 weeks, mon wed fri 7-8pm")
    assert "topics" in texts(calls[-1:]).lower()
    await bot.say(user, "ownership")
    calls = await bot.say(user, "Berlin")
    assert "Shall I build" in texts(calls) and "3 h a week" in texts(calls)
