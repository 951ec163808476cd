"""Output tokens and wall time of the hybrid planner against the one-shot plan.

For the same goals, the one-shot planner (the former one: the whole plan as one JSON
object) and the hybrid planner (an outline, 4 weeks per call; code does the rest) ask the
fake OpenAI server from `tests/fakes` — whose answers sit at each prompt's minimum (see
its docstring) — and, when ``LEARNPLAN_EVAL_LLM_BASE_URL`` is set, a real model
(``LEARNPLAN_EVAL_LLM_MODEL``, default "local"). Output tokens are the server's
``completion_tokens`` when it reports them, else characters / 4.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.outputs import LLMResult

from agent.llm import LLMPlanner, make_chat_model
from agent.validator import check_plan
from storage.models import Goal, Plan, SkillLevel
from tests.fakes.openai_api import FakeOpenAI

FAKE_GOALS = [
    Goal(
        goal="Fine-tune LLMs",
        skill_level=SkillLevel.INTERMEDIATE,
        hours_per_week=6,
        weeks=5,
        topics=["LoRA", "QLoRA"],
    ),
    Goal(
        goal="Learn Rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=5,
        weeks=6,
        topics=["ownership", "async"],
    ),
    Goal(
        goal="Conversational Spanish",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=3,
        weeks=12,
        topics=["travel", "food", "past tenses"],
    ),
]
REAL_GOALS = FAKE_GOALS[:1]


class OutputCounter(AsyncCallbackHandler):
    """Adds up what the model wrote: its reported completion tokens, else chars / 4."""

    def __init__(self) -> None:
        self.tokens = 0
        self.calls = 0

    async def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.calls += 1
        usage = (response.llm_output or {}).get("token_usage") or {}
        reported = int(usage.get("completion_tokens") or 0)
        chars = sum(len(g.text) for gens in response.generations for g in gens)
        self.tokens += reported if reported > 1 else round(chars / 4)


async def _no_cache(key: str) -> None:
    return None


async def _drop(key: str, value: dict[str, Any]) -> None:
    return None


def _planner(base_url: str, model: str, timeout: float, counter: OutputCounter) -> LLMPlanner:
    chat = make_chat_model(model=model, base_url=base_url, api_key="x", timeout=timeout)
    chat.callbacks = [counter]
    return LLMPlanner(chat, model=model, timeout=timeout, cache_get=_no_cache, cache_put=_drop)


async def _measure(
    base_url: str, model: str, llm_timeout: float, goal: Goal, hybrid: bool
) -> dict[str, Any]:
    counter = OutputCounter()
    planner = _planner(base_url, model, llm_timeout, counter)
    build: Callable[[Goal], Awaitable[Plan]] = planner.build if hybrid else planner.build_one_shot
    start = time.perf_counter()
    plan = await build(goal)
    return {
        "tokens": counter.tokens,
        "calls": counter.calls,
        "seconds": time.perf_counter() - start,
        "by": plan.meta.planner + (" (fallback)" if plan.meta.fallback_reason else ""),
        "valid": check_plan(plan, goal) == [],
    }


async def _compare(
    label: str, base_url: str, model: str, llm_timeout: float, goals: list[Goal]
) -> list[float]:
    print(f"## Planning output: hybrid outline vs one-shot plan ({label})")
    rows = []
    for goal in goals:
        one = await _measure(base_url, model, llm_timeout, goal, hybrid=False)
        hyb = await _measure(base_url, model, llm_timeout, goal, hybrid=True)
        ratio = hyb["tokens"] / one["tokens"] if one["tokens"] else float("nan")
        rows.append(ratio)
        print(
            f"{goal.goal!r}, {goal.weeks} weeks: one-shot {one['tokens']} tokens in "
            f"{one['seconds']:.2f} s ({one['by']}) · hybrid {hyb['tokens']} tokens in "
            f"{hyb['calls']} calls, {hyb['seconds']:.2f} s ({hyb['by']}) · "
            f"ratio {ratio:.2f} · valid {one['valid'] and hyb['valid']}"
        )
    print(f"worst ratio {max(rows):.2f} (target ≤ 0.33)")
    return rows


async def _main() -> dict[str, Any]:
    fake = FakeOpenAI()
    await fake.start()
    try:
        results = {
            "fake": await _compare("fake OpenAI server", fake.base_url, "fake", 30, FAKE_GOALS)
        }
    finally:
        await fake.stop()
    real = os.environ.get("LEARNPLAN_EVAL_LLM_BASE_URL")
    if real:
        model = os.environ.get("LEARNPLAN_EVAL_LLM_MODEL", "local")
        results["real"] = await _compare(f"real model {model}", real, model, 600, REAL_GOALS)
    else:
        print("(set LEARNPLAN_EVAL_LLM_BASE_URL to also measure a real model)")
    return results


def main() -> dict[str, Any]:
    return asyncio.run(_main())


if __name__ == "__main__":
    main()
