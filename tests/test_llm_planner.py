"""The LLM planner against a fake OpenAI-compatible server over HTTP: every fault ends
in a valid plan, plan metadata says who made it, and results are cached."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agent.llm import LLMPlanner, make_chat_model
from agent.understanding.refinement import parse_refinement
from agent.validator import check_plan
from storage.engine import open_engine
from storage.models import Goal, SkillLevel
from storage.store import Store
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, texts

GOAL = Goal(
    goal="Fine-tune LLMs",
    skill_level=SkillLevel.INTERMEDIATE,
    hours_per_week=6,
    weeks=5,
    topics=["LoRA", "QLoRA"],
    timezone="Europe/Berlin",
)


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    engine = open_engine(memory=True)
    s = Store(engine)
    await s.setup()
    yield s
    engine.close()


def _planner(fake: FakeOpenAI, store: Store, timeout: float = 10) -> LLMPlanner:
    chat = make_chat_model(model="fake", base_url=fake.base_url, api_key="x", timeout=timeout)
    return LLMPlanner(
        chat, model="fake", timeout=timeout, cache_get=store.cache_get, cache_put=store.cache_put
    )


async def test_valid_output_is_used_and_cached(llm: FakeOpenAI, store: Store) -> None:
    planner = _planner(llm, store)
    plan = await planner.build(GOAL)
    assert plan.meta.planner == "llm" and plan.meta.model == "fake"
    assert plan.modules()[0].title.startswith("LLM:")
    assert check_plan(plan, GOAL) == []
    again = await planner.build(GOAL.model_copy(update={"goal": "  fine-tune   LLMs "}))
    assert again == plan
    assert len(llm.plan_requests()) == 1, "the same request must not call the LLM twice"


@pytest.mark.parametrize(
    ("mode", "planner_used"),
    [
        ("schema_break", "deterministic"),
        ("not_json", "deterministic"),
        ("error500", "deterministic"),
        ("over_budget", "llm"),
    ],
)
async def test_faulty_output_still_ends_in_a_valid_plan(
    llm: FakeOpenAI, store: Store, mode: str, planner_used: str
) -> None:
    llm.mode = mode
    plan = await _planner(llm, store).build(GOAL)
    assert check_plan(plan, GOAL) == []
    assert plan.meta.planner == planner_used
    if planner_used == "deterministic":
        assert plan.meta.fallback_reason
    else:
        assert plan.meta.repairs, "hours over the budget must be repaired, and recorded"
        assert all(w.hours <= GOAL.hours_per_week for w in plan.weeks)  # type: ignore[operator]


async def test_slow_llm_times_out_into_the_deterministic_plan(
    llm: FakeOpenAI, store: Store
) -> None:
    llm.mode = "slow"
    llm.slow_seconds = 3
    plan = await _planner(llm, store, timeout=0.5).build(GOAL)
    assert plan.meta.planner == "deterministic"
    assert "did not answer" in (plan.meta.fallback_reason or "")
    assert check_plan(plan, GOAL) == []


async def test_llm_refinement_and_rule_based_fallback(llm: FakeOpenAI, store: Store) -> None:
    planner = _planner(llm, store)
    plan = await planner.build(GOAL)
    llm.refine_ops = [{"kind": "swap_weeks", "week": 1, "other_week": 2}]
    ops = await planner.parse_refinement("put the second week first", plan, parse_refinement)
    assert [(o.kind, o.week, o.other_week) for o in ops] == [("swap_weeks", 1, 2)]
    llm.refine_ops = []
    ops = await planner.parse_refinement("make week 2 lighter", plan, parse_refinement)
    assert [(o.kind, o.week) for o in ops] == [("lighter_week", 2)]


async def test_bot_uses_the_llm_end_to_end(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> None:
    bot = BotUnderTest(
        api,
        tmp_path / "data",
        env={"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "x", "LEARNPLAN_LLM_MODEL": "fake"},
    )
    await bot.start()
    try:
        calls = await bot.say(
            501,
            "Learn Go, 4 weeks, 4h/week, beginner, weekends 10:00-12:00, Paris, topics: channels",
        )
        calls = await bot.press_button(501, calls[-1], "Build my plan")
        assert "LLM: channels" in texts(calls)
        stored = await bot.runtime.store.active_plan(501)  # type: ignore[union-attr]
        assert stored is not None and stored[1].meta.planner == "llm"
        assert check_plan(stored[1], stored[2]) == []
    finally:
        await bot.stop()
    assert not api.rejected


async def test_typing_is_resent_while_a_slow_plan_is_generated(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> None:
    llm.mode = "slow"
    llm.slow_seconds = 5.5
    bot = BotUnderTest(
        api,
        tmp_path / "data",
        env={"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "x", "LEARNPLAN_LLM_TIMEOUT": 20},
    )
    await bot.start()
    try:
        calls = await bot.say(
            502, "Learn Go, 4 weeks, 4h/week, beginner, weekends 10:00-12:00, Paris, topics: maps"
        )
        since = len(api.calls)
        calls = await bot.press_button(502, calls[-1], "Build my plan")
        assert "Week 4" in texts(calls)
        typing = [c for c in api.calls[since:] if c.method == "sendChatAction"]
        assert len(typing) >= 2, "typing must be re-sent at least every 5 s"
        gaps = [b.at - a.at for a, b in itertools.pairwise(typing)]
        assert all(gap <= 5 for gap in gaps)
        assert all(c.params.get("action") == "typing" for c in typing)
    finally:
        await bot.stop()
