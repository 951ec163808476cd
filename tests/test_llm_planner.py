"""The LLM planner against a fake OpenAI-compatible server over HTTP: every fault ends
in a valid plan, plan metadata says who made it, and results are cached."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from agent.llm import LLMPlanner, make_chat_model
from agent.understanding.refinement import parse_refinement
from agent.validator import check_plan
from storage.engine import open_engine
from storage.models import Goal, Plan, SkillLevel
from storage.store import Store
from tests.fakes.openai_api import FakeOpenAI
from tests.fakes.progress_driver import wait_until
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


ALLOWED_HOSTS = {
    "duckduckgo.com",
    "www.youtube.com",
    "www.coursera.org",
    "openlibrary.org",
    "github.com",
    "en.wikipedia.org",
}


def _llm_weeks(plan: Plan) -> list[int]:
    return [w.number for w in plan.weeks if all(m.title.startswith("LLM:") for m in w.modules)]


async def test_valid_outline_is_used_and_cached(llm: FakeOpenAI, store: Store) -> None:
    planner = _planner(llm, store)
    plan = await planner.build(GOAL)
    assert plan.meta.planner == "llm" and plan.meta.model == "fake"
    assert plan.meta.source == "llm" and plan.meta.fallback_reason is None
    assert _llm_weeks(plan) == [1, 2, 3, 4, 5]
    assert check_plan(plan, GOAL) == []
    assert [len(w.modules) for w in plan.weeks] == [2] * 5
    assert all(w.hours == 6 for w in plan.weeks), "hours are the code's arithmetic"
    assert len(llm.outline_requests()) == 2, "weeks 1-4, then week 5"
    assert not llm.plan_requests(), "the whole plan is never asked for"
    again = await planner.build(GOAL.model_copy(update={"goal": "  fine-tune   LLMs "}))
    assert again == plan
    assert len(llm.outline_requests()) == 2, "the same request must not call the LLM twice"


async def test_outline_prompt_asks_only_for_the_chunk(llm: FakeOpenAI, store: Store) -> None:
    await _planner(llm, store).build(GOAL)
    first, second = llm.outline_requests()
    system = first["messages"][0]["content"]
    assert "weeks 1-4" in system and "Never write URLs" in system
    assert '"from_week": 5' in second["messages"][-1]["content"]
    assert "LLM: LoRA part 1" in second["messages"][-1]["content"], "earlier modules are passed"


@pytest.mark.parametrize("mode", ["schema_break", "not_json", "error500"])
async def test_faulty_outline_ends_in_a_valid_offline_plan(
    llm: FakeOpenAI, store: Store, mode: str
) -> None:
    llm.mode = mode
    plan = await _planner(llm, store).build(GOAL)
    assert check_plan(plan, GOAL) == []
    assert plan.meta.planner == "deterministic" and plan.meta.fallback_reason
    assert plan.meta.source == "curriculum" and plan.meta.curriculum == "llms"


async def test_sloppy_outline_is_trimmed_and_never_links_to_invented_urls(
    llm: FakeOpenAI, store: Store
) -> None:
    llm.mode = "sloppy"
    plan = await _planner(llm, store).build(GOAL)
    assert plan.meta.planner == "llm"
    assert check_plan(plan, GOAL) == []
    assert all(len(w.modules) <= 4 for w in plan.weeks)
    urls = [r.url for m in plan.modules() for r in m.resources]
    assert urls and all(urlsplit(u).hostname in ALLOWED_HOSTS for u in urls)
    assert not any("example.com" in u for u in urls)


@pytest.mark.parametrize("kind", ["error500", "not_json", "wrong_weeks", "slow"])
async def test_a_failing_chunk_falls_back_for_the_remaining_weeks_only(
    llm: FakeOpenAI, store: Store, kind: str
) -> None:
    goal = GOAL.model_copy(update={"weeks": 10})
    llm.fail_from_chunk, llm.fail_kind, llm.slow_seconds = 2, kind, 3
    reports: list[str] = []

    async def progress(text: str) -> None:
        reports.append(text)

    planner = _planner(llm, store, timeout=1 if kind == "slow" else 10)
    plan = await planner.build(goal, progress=progress)
    assert check_plan(plan, goal) == []
    assert len(plan.weeks) == 10
    assert _llm_weeks(plan) == [1, 2, 3, 4]
    assert not any(m.title.startswith("LLM:") for w in plan.weeks[4:] for m in w.modules)
    assert plan.meta.planner == "llm" and plan.meta.curriculum == "llms"
    assert "weeks 5–10 were planned offline" in (plan.meta.fallback_reason or "")
    assert reports == [
        "Building your plan… 0 of 10 weeks ready",
        "Building your plan… weeks 1–4 of 10 ready",
    ]
    llm.fail_from_chunk = None
    retried = await planner.build(goal)
    assert _llm_weeks(retried) == list(range(1, 11)), "a partial plan is not cached"


async def test_one_shot_baseline_is_repaired(llm: FakeOpenAI, store: Store) -> None:
    llm.mode = "over_budget"
    plan = await _planner(llm, store).build_one_shot(GOAL)
    assert check_plan(plan, GOAL) == []
    assert plan.meta.planner == "llm" and plan.meta.repairs
    assert all(w.hours <= GOAL.hours_per_week for w in plan.weeks)  # type: ignore[operator]


async def test_slow_llm_times_out_into_the_offline_plan(llm: FakeOpenAI, store: Store) -> None:
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


async def test_progress_is_one_message_edited_in_place(
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
            503,
            "Learn Go, 9 weeks, 4h/week, beginner, weekends 10:00-12:00, Paris, topics: channels",
        )
        since = len(api.calls)
        await bot.press_button(503, calls[-1], "Build my plan")

        async def plan_shown() -> bool:
            return any("LLM: channels" in str(c.params.get("text", "")) for c in api.calls[since:])

        await wait_until(plan_shown)  # the progress message may come first
        progress = [
            c
            for c in api.calls[since:]
            if c.status == 200 and "Building your plan" in str(c.params.get("text", ""))
        ]
        assert [c.method for c in progress] == ["sendMessage", *["editMessageText"] * 3]
        assert len({c.message_id for c in progress}) == 1, "one message, edited in place"
        assert "weeks 1–9 of 9 ready" in str(progress[-1].params["text"])
    finally:
        await bot.stop()
    assert not api.rejected


async def test_the_progress_note_is_retried_like_a_reply(
    api: FakeTelegramAPI, llm: FakeOpenAI, tmp_path: Path
) -> None:
    """The note goes through the turn's `Delivery`: a 429 on its first send waits and
    sends it again, a 502 on its last edit ("9 of 9 ready") is retried, so the user
    still sees one message that ends complete, and no call is made twice otherwise."""
    faults: list[str] = []

    def once(method: str, params: dict) -> str | None:
        text = str(params.get("text", ""))
        if "Building your plan" not in text:
            return None
        if method == "sendMessage" and "429" not in faults:
            faults.append("429")
            return "429"
        if method == "editMessageText" and "9 of 9" in text and "502" not in faults:
            faults.append("502")
            return "502"
        return None

    bot = BotUnderTest(
        api,
        tmp_path / "data",
        env={"OPENAI_BASE_URL": llm.base_url, "OPENAI_API_KEY": "x", "LEARNPLAN_LLM_MODEL": "fake"},
    )
    await bot.start()
    try:
        calls = await bot.say(
            504,
            "Learn Go, 9 weeks, 4h/week, beginner, weekends 10:00-12:00, Paris, topics: channels",
        )
        since = len(api.calls)
        api.fault = once
        await bot.press_button(504, calls[-1], "Build my plan")

        async def plan_shown() -> bool:
            return any("LLM: channels" in str(c.params.get("text", "")) for c in api.calls[since:])

        await wait_until(plan_shown)
    finally:
        api.fault = None
        await bot.stop()
    notes = [c for c in api.calls[since:] if "Building your plan" in str(c.params.get("text", ""))]
    assert faults == ["429", "502"]
    assert [(c.method, c.status) for c in notes if c.status != 200] == [
        ("sendMessage", 429),
        ("editMessageText", 502),
    ]
    accepted = [c for c in notes if c.status == 200]
    assert [c.method for c in accepted] == ["sendMessage", *["editMessageText"] * 3]
    assert len({c.message_id for c in accepted}) == 1, "one message, edited in place"
    assert "weeks 1–9 of 9 ready" in str(accepted[-1].params["text"])
    assert not api.rejected
