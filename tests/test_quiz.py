"""Quizzes end to end: /quiz sends native non-anonymous quiz polls, `poll_answer` updates
come back through Telegram, answers are graded once and scored per week and overall;
self-assessment questions go out as regular polls and are not graded."""

from __future__ import annotations

from storage.models import QuizQuestion
from tests.fakes.progress_driver import (
    all_calls,
    answer_poll,
    make_plan,
    progress_doc,
    push_poll_answer,
    sent_polls,
    store_of,
    wait_until,
)
from tests.harness import BotUnderTest, texts


async def test_quiz_polls_are_graded_and_scored(bot: BotUnderTest) -> None:
    user = 701
    _version, plan, _goal = await make_plan(bot, user)
    week = plan.weeks[0]
    assert week.quiz is not None
    calls = await bot.say(user, "/quiz")
    assert f"Week 1 quiz — {len(week.quiz.questions)} question(s)" in texts(calls)
    polls = sent_polls(calls)
    assert len(polls) == len(week.quiz.questions) >= 2
    for poll, question in zip(polls, week.quiz.questions, strict=True):
        assert poll["type"] == "quiz" and poll["is_anonymous"] in {"false", "False", False}
        assert poll["correct"] == question.correct_index
        assert question.question in str(poll["question"])

    since = len(bot.api.calls)
    first, *middle, last = polls
    await answer_poll(bot, user, first["poll_id"], first["correct"], expect_reply=False)
    for poll in middle:
        await answer_poll(bot, user, poll["poll_id"], poll["correct"], expect_reply=False)
    wrong = (last["correct"] + 1) % 2
    calls = await answer_poll(bot, user, last["poll_id"], wrong, expect_reply=True)
    right, total = len(polls) - 1, len(polls)
    assert f"Week 1 quiz finished. Score: {right}/{total} correct." in texts(calls)
    messages = [c for c in all_calls(bot, user, since) if c.method == "sendMessage"]
    assert len(messages) == 1, "no message per answer, one at the end"

    push_poll_answer(bot, user, first["poll_id"], [first["correct"]])
    push_poll_answer(bot, user, last["poll_id"], [])
    calls = await bot.say(user, "/progress")
    report = texts(calls)
    doc = await progress_doc(bot, user)
    assert doc.quiz_scores("p1") == {1: (right, total)}, "a repeated answer counts once"
    average = round(100 * right / total)
    assert f"Quiz average: {average}% ({right}/{total} correct)" in report
    assert f"quiz {right}/{total}" in report


async def test_quiz_for_a_named_week_and_a_week_that_does_not_exist(bot: BotUnderTest) -> None:
    user = 702
    _version, plan, _goal = await make_plan(bot, user)
    calls = await bot.say(user, "/quiz 2")
    polls = sent_polls(calls)
    assert polls and all(str(p["question"]).startswith("Week 2 ·") for p in polls)
    calls = await bot.say(user, "/quiz week 9")
    assert f"the plan has {len(plan.weeks)} weeks" in texts(calls)
    assert not sent_polls(calls)


async def test_self_assessment_is_a_regular_poll_and_not_graded(bot: BotUnderTest) -> None:
    user = 703
    _version, plan, goal = await make_plan(bot, user)
    store = store_of(bot)
    changed = plan.model_copy(deep=True)
    quiz = changed.weeks[0].quiz
    assert quiz is not None
    rating = QuizQuestion(
        question="How confident do you feel about week 1?",
        options=["1", "2", "3", "4", "5"],
        correct_index=None,
    )
    quiz.questions = [quiz.questions[0], rating]
    await store.save_plan(user, changed, goal, note="self-assessment in week 1")
    calls = await bot.say(user, "/quiz 1")
    graded, regular = sent_polls(calls)
    assert graded["type"] == "quiz" and regular["type"] == "regular"
    assert regular["correct"] is None
    await answer_poll(bot, user, regular["poll_id"], 3, expect_reply=False)
    calls = await answer_poll(bot, user, graded["poll_id"], graded["correct"], expect_reply=True)
    assert "Score: 1/1 correct." in texts(calls) and "Self-rating: 4.0/5." in texts(calls)
    doc = await progress_doc(bot, user)
    assert doc.quiz_scores("p1") == {1: (1, 1)}
    assert doc.self_ratings("p1") == {1: (4, 1)}


async def test_answers_after_a_restart_are_still_graded(bot: BotUnderTest) -> None:
    user = 704
    await make_plan(bot, user)
    polls = sent_polls(await bot.say(user, "/quiz"))
    await bot.restart()
    for poll in polls[:-1]:
        await answer_poll(bot, user, poll["poll_id"], poll["correct"], expect_reply=False)
    last = polls[-1]
    calls = await answer_poll(bot, user, last["poll_id"], last["correct"], expect_reply=True)
    assert f"Score: {len(polls)}/{len(polls)} correct." in texts(calls)
    assert "Quiz average so far: 100%." in texts(calls)


async def test_unknown_and_other_peoples_polls_are_ignored(bot: BotUnderTest) -> None:
    owner, other = 705, 706
    await make_plan(bot, owner)
    await make_plan(bot, other)
    polls = sent_polls(await bot.say(owner, "/quiz"))
    before = await progress_doc(bot, owner)
    push_poll_answer(bot, other, polls[0]["poll_id"], [polls[0]["correct"]])
    push_poll_answer(bot, owner, "999999", [0])
    push_poll_answer(bot, owner, "$where", [0])

    async def consumed() -> bool:
        return bot.api.pending_updates() == 0

    await wait_until(consumed)
    await bot.say(other, "/progress")
    await bot.say(owner, "/progress")
    assert (await progress_doc(bot, owner)).raw.get("polls") == before.raw.get("polls")
    assert (await progress_doc(bot, owner)).quiz_scores("p1") == {}
    assert not (await progress_doc(bot, other)).raw.get("polls")
    assert (await progress_doc(bot, other)).activity() == []
