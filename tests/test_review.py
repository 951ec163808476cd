"""Spaced review with FSRS: missed quiz questions and finished modules' key objectives
come back at FSRS intervals (an injected clock), as one poll per /review; answers
reschedule them; items survive a restart, show in /progress and go with /forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.review import due_items, new_item, reviewed
from storage.models import QuizQuestion
from storage.review import load_items
from tests.fakes.progress_driver import (
    answer_poll,
    make_plan,
    push_poll_answer,
    sent_polls,
    store_of,
)
from tests.harness import BotUnderTest, FrozenClock, texts

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
QUESTION = QuizQuestion(
    question="Which join keeps all left rows?", options=["LEFT", "INNER"], correct_index=0
)


def test_a_wrong_answer_comes_back_sooner_than_a_right_one() -> None:
    item = new_item("quiz", QUESTION, NOW)
    assert item is not None and due_items([item], NOW) == [item]
    wrong, right = reviewed(item, False, NOW), reviewed(item, True, NOW)
    assert NOW < wrong.due() < right.due()
    again = reviewed(right, True, right.due())
    assert again.due() - right.due() > right.due() - NOW, "intervals grow with each success"
    assert wrong.lapses == 1 and right.last_correct and not wrong.last_correct
    assert new_item("quiz", QUESTION.model_copy(update={"correct_index": None}), NOW) is None


def _tick(bot: BotUnderTest, delta: timedelta) -> None:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now += delta


async def test_missed_questions_come_back_for_review(bot: BotUnderTest) -> None:
    user = 951
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = NOW
    await make_plan(bot, user)
    calls = await bot.say(user, "/quiz 1")
    first, *rest = sent_polls(calls)
    wrong = (first["correct"] + 1) % 2
    await answer_poll(bot, user, first["poll_id"], wrong, expect_reply=False)
    for poll in rest:
        await answer_poll(bot, user, poll["poll_id"], poll["correct"], expect_reply=False)
    items = await load_items(store_of(bot), user)
    assert len(items) == 1 and items[0]["kind"] == "quiz", "only the missed question"
    assert "Nothing to review right now" in texts(await bot.say(user, "/review"))

    _tick(bot, timedelta(days=1))
    calls = await bot.say(user, "/review")
    (poll,) = sent_polls(calls)
    assert "🔁 Review (1 due)" in str(poll["question"])
    since = len(bot.api.calls)
    push_poll_answer(bot, user, poll["poll_id"], [poll["correct"]])
    reply = texts(await bot.api.wait_quiet(user, since))
    assert "✅ Right. It comes back on Dec 03" in reply

    await bot.restart()
    assert isinstance(bot.clock, FrozenClock)
    items = await load_items(store_of(bot), user)
    assert len(items) == 1 and items[0]["last_correct"] is True
    assert (items[0]["reviews"], items[0]["lapses"]) == (2, 1), "the miss, then the review"
    assert "Review: 0 due · 1 retained of 1" in texts(await bot.say(user, "/progress"))

    calls = await bot.say(user, "/forget")
    await bot.press_button(user, calls[-1], "Yes, delete everything")
    assert await load_items(store_of(bot), user) == []


async def test_finished_modules_become_review_items(bot: BotUnderTest) -> None:
    user = 952
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = NOW
    _version, plan, _goal = await make_plan(bot, user)
    await bot.say(user, "done w1m1")
    assert "Nothing to review right now" in texts(await bot.say(user, "/review"))
    _tick(bot, timedelta(days=1, minutes=1))
    calls = await bot.say(user, "/review")
    (poll,) = sent_polls(calls)
    assert "key objective" in str(poll["question"])
    assert plan.weeks[0].modules[0].title[:40] in str(poll["question"])
    since = len(bot.api.calls)
    push_poll_answer(bot, user, poll["poll_id"], [(poll["correct"] + 1) % 2])
    assert "❌ The answer is" in texts(await bot.api.wait_quiet(user, since))
