"""End to end through the Bot API stand-in: what the understanding layer changes for a user —
corrections at the card, commands mid-intake, questions with and without an LLM, and LLM
faults that still end in a sensible reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, texts

GOAL = "Learn Python, 6 weeks, 4h/week, beginner, weekday evenings 19:00-21:00, Paris"


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def llm_bot(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> AsyncIterator[BotUnderTest]:
    env = {"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "x", "LEARNPLAN_LLM_MODEL": "fake"}
    under_test = BotUnderTest(api, tmp_path / "data", env=env)
    await under_test.start()
    yield under_test
    await under_test.stop()
    assert not api.rejected


async def _card(bot: BotUnderTest, user: int) -> list:
    calls = await bot.say(user, GOAL + ", topics: loops")
    assert "Shall I build the plan?" in texts(calls)
    return calls


async def test_a_correction_at_the_card_changes_it_and_only_yes_builds(bot: BotUnderTest) -> None:
    user = 901
    await _card(bot, user)
    calls = await bot.say(user, "actually 8 weeks")
    card = texts(calls)
    assert "Shall I build the plan?" in card and "8 weeks" in card
    assert await bot.runtime.store.active_plan(user) is None  # type: ignore[union-attr]
    calls = await bot.say(user, "add SQL to the topics")
    assert "loops, SQL" in texts(calls)
    calls = await bot.say(user, "yes")
    assert "Week 8" in texts(calls)
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None
    _, plan, goal = stored
    assert len(plan.weeks) == 8 and goal.topics == ["loops", "SQL"]


async def test_a_field_named_before_its_value_or_against_the_old_one_corrects_the_card(
    bot: BotUnderTest,
) -> None:
    """ "change weeks to 10" and "oops i'm intermediate not beginner" change the card (they
    used to get the "tell me what to change" hint); "lgtm" is a yes and builds."""
    user = 906
    await _card(bot, user)
    calls = await bot.say(user, "change weeks to 10")
    card = texts(calls)
    assert "Shall I build the plan?" in card and "10 weeks" in card, card
    calls = await bot.say(user, "oops i'm intermediate not beginner")
    card = texts(calls)
    assert "Shall I build the plan?" in card and "ntermediate" in card, card
    assert await bot.runtime.store.active_plan(user) is None  # type: ignore[union-attr]
    calls = await bot.say(user, "lgtm")
    assert "Week 10" in texts(calls)
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None
    _, plan, goal = stored
    assert len(plan.weeks) == 10 and goal.skill_level == "intermediate"


@pytest.mark.parametrize("command", ["/today", "/calendar", "/done", "/quiz", "/log 30m"])
async def test_a_command_mid_intake_says_it_needs_a_plan_and_repeats_the_question(
    bot: BotUnderTest, command: str
) -> None:
    user = 902
    await bot.say(user, "/newplan")
    calls = await bot.say(user, "Chess openings")
    assert "current level" in texts(calls)
    calls = await bot.say(user, command)
    reply = texts(calls)
    assert "needs a plan first" in reply and "current level" in reply, reply
    goal = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert goal is None
    calls = await bot.say(user, "beginner")
    assert "hours a week" in texts(calls), "the command was not taken as the answer"


async def test_help_and_reminders_mid_intake_are_answered_then_the_question_repeats(
    bot: BotUnderTest,
) -> None:
    user = 903
    await bot.say(user, "/newplan")
    calls = await bot.say(user, "/help")
    reply = texts(calls)
    assert all(c in reply for c in ("/today", "/reminders", "/remind"))
    assert "What do you want to learn" in reply
    calls = await bot.say(user, "/reminders")
    assert "What do you want to learn" in texts(calls)
    calls = await bot.say(user, "Spanish")
    assert "current level" in texts(calls)


async def test_newplan_asks_before_replacing_a_plan(bot: BotUnderTest) -> None:
    user = 904
    calls = await _card(bot, user)
    await bot.press_button(user, calls[-1], "Build my plan")
    calls = await bot.say(user, "/newplan")
    assert "replaces it" in texts(calls) and "What do you want to learn" not in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Keep my plan")
    assert "keeping your plan" in texts(calls)
    calls = await bot.say(user, "/newplan")
    calls = await bot.press_button(user, calls[-1], "Start a new plan")
    assert "What do you want to learn" in texts(calls)


async def test_a_question_without_an_llm_points_at_the_command(bot: BotUnderTest) -> None:
    user = 905
    calls = await _card(bot, user)
    await bot.press_button(user, calls[-1], "Build my plan")
    assert "/today" in texts(await bot.say(user, "when's my next session?"))
    assert "/plan" in texts(await bot.say(user, "why is week 3 so heavy?"))
    assert "Happy to help" in texts(await bot.say(user, "thanks!"))


async def test_a_question_with_an_llm_is_answered_from_the_plan(
    llm_bot: BotUnderTest, llm: FakeOpenAI
) -> None:
    user = 906
    calls = await _card(llm_bot, user)
    await llm_bot.press_button(user, calls[-1], "Build my plan")
    llm.answers["Understanding"] = {"intent": "question", "confidence": 0.9}
    llm.answers["Answer"] = {"answer": "Next: <b>LLM: loops part 2</b> on Tuesday & then rest."}
    calls = await llm_bot.say(user, "what's next?")
    sent = texts(calls)
    assert "Next: &lt;b&gt;LLM: loops part 2&lt;/b&gt; on Tuesday &amp; then rest." in sent
    prompt = llm.requests_for("Answer")[-1]["messages"][0]["content"]
    assert "w1m1 LLM: loops part 1" in prompt and "Next sessions" in prompt


@pytest.mark.parametrize("fault", ["error500", "schema_break", "not_json"])
async def test_llm_faults_still_end_in_a_sensible_reply(
    llm_bot: BotUnderTest, llm: FakeOpenAI, fault: str
) -> None:
    user = 907
    llm.faults["Understanding"] = fault
    calls = await _card(llm_bot, user)
    await llm_bot.press_button(user, calls[-1], "Build my plan")
    calls = await llm_bot.say(user, "done w1m1, took 45 min")
    assert "✅ Marked" in texts(calls) and "45 min logged" in texts(calls)
    calls = await llm_bot.say(user, "make week 2 lighter")
    assert "Updated your plan" in texts(calls)
    llm.faults["Answer"] = fault
    assert "/today" in texts(await llm_bot.say(user, "when is my next session?"))
    assert llm.requests_for("Understanding"), "the LLM was asked first"


async def test_an_unknown_module_from_the_llm_falls_back_to_the_rules(
    llm_bot: BotUnderTest, llm: FakeOpenAI
) -> None:
    user = 908
    calls = await _card(llm_bot, user)
    await llm_bot.press_button(user, calls[-1], "Build my plan")
    llm.answers["Understanding"] = {"intent": "done", "module": "w42m7", "confidence": 0.95}
    calls = await llm_bot.say(user, "done w1m2")
    assert "✅ Marked" in texts(calls) and "w1m2" in texts(calls)


async def test_a_low_confidence_llm_meaning_makes_the_bot_ask(
    llm_bot: BotUnderTest, llm: FakeOpenAI
) -> None:
    user = 909
    calls = await _card(llm_bot, user)
    await llm_bot.press_button(user, calls[-1], "Build my plan")
    llm.answers["Understanding"] = {"intent": "done", "module": "w1m1", "confidence": 0.2}
    calls = await llm_bot.say(user, "w1m1 hmm")
    assert "not sure what you meant" in texts(calls)
    assert "Marked" not in texts(calls)


async def test_an_ambiguous_city_is_answered_with_a_button(bot: BotUnderTest) -> None:
    user = 910
    calls = await bot.say(
        user, "Learn Python, 6 weeks, 4h/week, beginner, weekday evenings 19:00-21:00"
    )
    calls = await bot.press_button(user, calls[-1], "Skip")
    assert "time zone" in texts(calls)
    calls = await bot.say(user, "san jose")
    labels = [label for label, _ in bot.api.buttons(calls[-1])]
    assert "San José, Costa Rica" in labels and len(labels) >= 2
    calls = await bot.press_button(user, calls[-1], "Costa Rica")
    assert "Shall I build the plan?" in texts(calls) and "America/Costa_Rica" in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    stored = await bot.runtime.store.active_plan(user)  # type: ignore[union-attr]
    assert stored is not None and stored[2].timezone == "America/Costa_Rica"


def _nonanswer(kind: str) -> dict:
    return {"intent": "nonanswer", "nonanswer": kind, "confidence": 0.9}


async def test_non_answers_get_the_right_move_and_are_never_stored(
    llm_bot: BotUnderTest, llm: FakeOpenAI
) -> None:
    user = 911
    llm.answers["Understanding"] = _nonanswer("unsure")
    calls = await llm_bot.say(user, "hmm not sure")
    assert "let's find something" in texts(calls)
    ideas = [label for label, _ in llm_bot.api.buttons(calls[-1])]
    assert "Guitar basics" in ideas and "Shall I build" not in texts(calls)
    llm.answers["Understanding"] = {
        "intent": "intake",
        "fields": {"goal": "Guitar basics"},
        "confidence": 0.95,
    }
    calls = await llm_bot.press_button(user, calls[-1], "Guitar basics")
    assert "current level" in texts(calls)
    llm.answers["Understanding"] = _nonanswer("unsure")
    calls = await llm_bot.say(user, "no idea honestly")
    assert "Beginner: new to it" in texts(calls) and "current level" in texts(calls)
    llm.answers["Understanding"] = {
        "intent": "intake",
        "fields": {"skill_level": "beginner", "hours_per_week": 3, "weeks": 4},
        "confidence": 0.9,
    }
    calls = await llm_bot.say(user, "beginner, 3 hours a week, a month")
    assert "topics" in texts(calls).lower()
    llm.answers["Understanding"] = _nonanswer("yes")
    calls = await llm_bot.say(user, "yes")
    assert "Which topics?" in texts(calls)
    llm.answers["Understanding"] = _nonanswer("anything")
    calls = await llm_bot.say(user, "whatever you think is best")
    assert "no specific topics" in texts(calls) and "When can you study" in texts(calls)
    llm.answers["Understanding"] = _nonanswer("later")
    calls = await llm_bot.say(user, "later")
    assert "rough idea of when you can study" in texts(calls)
    state = await llm_bot.runtime.service.graph.aget_state(  # type: ignore[union-attr]
        {"configurable": {"thread_id": str(user)}}
    )
    goal = state.values["goal"]
    assert goal["goal"] == "Guitar basics" and goal["topics"] == [] and goal["topics_answered"]


async def test_a_low_confidence_intake_answer_is_asked_again(
    llm_bot: BotUnderTest, llm: FakeOpenAI
) -> None:
    user = 912
    llm.answers["Understanding"] = {
        "intent": "intake",
        "fields": {"goal": "Knitting"},
        "confidence": 0.1,
    }
    calls = await llm_bot.say(user, "kn... something with yarn maybe")
    assert "not sure I understood" in texts(calls) and "What do you want to learn" in texts(calls)
