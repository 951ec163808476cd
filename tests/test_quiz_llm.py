"""Quizzes from the LLM: generated per week when the quiz is sent, checked against every
Telegram poll limit (too long → dropped or shortened, never sent), cached; the plan's own
quiz (the curriculum's question bank offline) otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.planner import tg_len
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.progress_driver import make_plan, sent_polls
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, texts


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


def _llm_bot(api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path) -> BotUnderTest:
    env = {"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "x", "LEARNPLAN_LLM_MODEL": "fake"}
    return BotUnderTest(api, tmp_path / "data", env=env)


async def test_generated_quiz_respects_poll_limits_and_is_cached(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> None:
    llm.quiz_mode = "long"
    bot = _llm_bot(api, llm, tmp_path)
    await bot.start()
    try:
        await make_plan(bot, 901)
        assert not llm.quiz_requests(), "quizzes are not generated with the plan"
        calls = await bot.say(901, "/quiz 1")
        polls = sent_polls(calls)
        questions = [str(p["question"]) for p in polls]
        assert len(polls) == 2 and all("LLM quiz" in q for q in questions)
        assert not any("Why?" in q or "long option" in q or "bad index" in q for q in questions)
        for poll in polls:
            assert tg_len(str(poll["question"])) <= 300
        sent = [c for c in calls if c.method == "sendPoll"]
        explanations = [str(c.params.get("explanation") or "") for c in sent]
        assert any(e.endswith("…") for e in explanations), "the long explanation is shortened"
        assert all(tg_len(e) <= 200 for e in explanations)
        await bot.say(901, "/quiz 1")
        assert len(llm.quiz_requests()) == 1, "the week's questions are cached"
    finally:
        await bot.stop()
    assert not api.rejected


async def test_failed_generation_falls_back_to_the_plans_quiz(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> None:
    llm.quiz_mode = "error500"
    bot = _llm_bot(api, llm, tmp_path)
    await bot.start()
    try:
        _version, plan, _goal = await make_plan(bot, 902)
        calls = await bot.say(902, "/quiz 1")
        own = plan.weeks[0].quiz
        assert own is not None
        assert f"{len(own.questions)} question(s)" in texts(calls)
        assert own.questions[0].question in str(sent_polls(calls)[0]["question"])
    finally:
        await bot.stop()


async def test_offline_quiz_comes_from_the_curriculum_bank(bot: BotUnderTest) -> None:
    _version, plan, _goal = await make_plan(bot, 903)
    assert plan.meta.curriculum == "sql"
    calls = await bot.say(903, "/quiz 1")
    assert "Which clause filters rows before grouping?" in texts(calls) or any(
        "Which clause filters rows" in str(p["question"]) for p in sent_polls(calls)
    )
