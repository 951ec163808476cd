"""The optional LLM: plans and refinements through any OpenAI-compatible endpoint.

Plans are hybrid (`agent.hybrid`): the LLM writes a small outline per chunk of weeks
and code does the arithmetic. `build_one_shot` (the whole plan as one JSON object) is
kept as the baseline `bench/planning.py` measures against. Every call is bounded by a
timeout and every failure falls back to the offline planner, so the user always gets a
valid plan. Complete LLM plans are cached by a hash of the normalized goal: the same
request never makes a second call.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from agent import prompts
from agent.hybrid import OutlineChunk, Progress, build_hybrid
from agent.offline import offline_plan
from agent.quizgen import GeneratedQuiz, quiz_key, valid_questions, week_brief
from agent.refine_ops import RefineOp, RefineRequest
from agent.validator import PlanInvalid, repair_plan
from storage.models import Goal, Plan, PlanMeta, QuizQuestion, Week

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)

CacheGet = Callable[[str], Awaitable[dict[str, Any] | None]]
CachePut = Callable[[str, dict[str, Any]], Awaitable[None]]


def goal_key(goal: Goal, model: str) -> str:
    """A stable hash of the inputs that shape a plan (case and spacing normalized)."""
    normalized = {
        "model": model,
        "goal": " ".join((goal.goal or "").lower().split()),
        "skill": goal.skill_level.value if goal.skill_level else None,
        "hours": goal.hours_per_week,
        "weeks": goal.weeks,
        "topics": sorted(" ".join(t.lower().split()) for t in goal.topics),
    }
    return hashlib.sha256(json.dumps(normalized, sort_keys=True).encode()).hexdigest()


def deterministic(goal: Goal, reason: str | None = None) -> Plan:
    """The plan without an LLM: a built-in curriculum, else the template."""
    return offline_plan(goal, reason)


class LLMPlanner:
    def __init__(
        self,
        chat: ChatOpenAI,
        *,
        model: str,
        timeout: float,
        cache_get: CacheGet,
        cache_put: CachePut,
    ) -> None:
        self.chat = chat
        self.model = model
        self.timeout = timeout
        self.cache_get = cache_get
        self.cache_put = cache_put

    async def build(self, goal: Goal, *, progress: Progress | None = None) -> Plan:
        """The hybrid plan: an outline from the LLM in chunks, arithmetic in code."""
        key = goal_key(goal, self.model)
        cached = await self.cache_get(key)
        if cached is not None:
            return Plan.model_validate(cached)
        plan = await build_hybrid(
            goal, self._ask_chunk, model=self.model, chunk_timeout=self.timeout, progress=progress
        )
        if plan.meta.planner == "llm" and plan.meta.fallback_reason is None:
            await self.cache_put(key, plan.model_dump(mode="json"))
        return plan

    async def _ask_chunk(
        self, goal: Goal, first: int, last: int, earlier: list[str]
    ) -> OutlineChunk:
        assert goal.skill_level is not None
        system = prompts.OUTLINE_SYSTEM.format(first=first, last=last, skill=goal.skill_level.value)
        request = {
            "goal": goal.goal,
            "skill_level": goal.skill_level.value,
            "hours_per_week": goal.hours_per_week,
            "weeks": goal.weeks,
            "topics": goal.topics,
            "from_week": first,
            "to_week": last,
            "earlier_modules": earlier[-12:],
        }
        user = prompts.OUTLINE_USER.format(request_json=json.dumps(request, ensure_ascii=False))
        structured = self.chat.with_structured_output(OutlineChunk)
        result = await structured.ainvoke([SystemMessage(system), HumanMessage(user)])
        if not isinstance(result, OutlineChunk):
            raise ValueError("the LLM returned no outline")
        return result

    async def build_one_shot(self, goal: Goal) -> Plan:
        """The whole plan as one structured answer (the former planner; a baseline)."""
        try:
            plan = await asyncio.wait_for(self._ask(goal), timeout=self.timeout)
            repaired, repairs = repair_plan(plan, goal)
        except TimeoutError:
            return deterministic(goal, f"the LLM did not answer within {self.timeout:g} s")
        except (ValidationError, PlanInvalid, ValueError) as exc:
            log.warning("LLM plan rejected: %s", exc)
            return deterministic(goal, "the LLM's plan was invalid")
        except Exception as exc:
            log.warning("LLM call failed: %s", exc)
            return deterministic(goal, f"the LLM call failed ({type(exc).__name__})")
        meta = PlanMeta(planner="llm", source="llm", model=self.model, repairs=repairs)
        return repaired.model_copy(update={"meta": meta})

    async def _ask(self, goal: Goal) -> Plan:
        assert goal.hours_per_week is not None and goal.skill_level is not None
        system = prompts.PLAN_SYSTEM.format(
            weeks=goal.weeks,
            hours=goal.hours_per_week,
            floor=round(goal.hours_per_week * 0.7, 2),
            skill=goal.skill_level.value,
            topics=", ".join(goal.topics) or "none given",
        )
        user = prompts.PLAN_USER.format(goal_json=goal.model_dump_json())
        structured = self.chat.with_structured_output(Plan)
        result = await structured.ainvoke([SystemMessage(system), HumanMessage(user)])
        if not isinstance(result, Plan):
            raise ValueError("the LLM returned no plan")
        return result

    async def quiz_for_week(self, plan: Plan, week: Week) -> list[QuizQuestion]:
        """Questions on the week's objectives, generated once and cached; [] on any
        failure (the caller falls back to the plan's own quiz)."""
        key = quiz_key(plan, week, self.model)
        cached = await self.cache_get(key)
        if cached is not None:
            return [QuizQuestion.model_validate(q) for q in cached.get("questions", [])]
        structured = self.chat.with_structured_output(GeneratedQuiz)
        messages = [
            SystemMessage(prompts.QUIZ_SYSTEM),
            HumanMessage(prompts.QUIZ_USER.format(week_json=week_brief(plan, week))),
        ]
        try:
            result = await asyncio.wait_for(structured.ainvoke(messages), timeout=self.timeout)
        except Exception as exc:
            log.warning("LLM quiz failed, using the plan's quiz: %s", exc)
            return []
        if not isinstance(result, GeneratedQuiz):
            return []
        questions = valid_questions(result)
        if questions:
            await self.cache_put(key, {"questions": [q.model_dump() for q in questions]})
        return questions

    async def parse_refinement(
        self, text: str, plan: Plan, fallback: Callable[[str], list[RefineOp]]
    ) -> list[RefineOp]:
        """Structured refinement ops from the LLM, or the rule-based parser on any failure."""
        system = prompts.REFINE_SYSTEM.format(weeks=len(plan.weeks), hours=plan.hours_per_week)
        structured = self.chat.with_structured_output(RefineRequest)
        try:
            result = await asyncio.wait_for(
                structured.ainvoke([SystemMessage(system), HumanMessage(text)]),
                timeout=self.timeout,
            )
        except Exception as exc:
            log.warning("LLM refinement failed, using the rule-based parser: %s", exc)
            return fallback(text)
        if isinstance(result, BaseModel) and isinstance(result, RefineRequest):
            return result.ops or fallback(text)
        return fallback(text)


def make_chat_model(
    *, model: str, base_url: str | None, api_key: str | None, timeout: float
) -> ChatOpenAI:
    """The chat model; langchain_openai (0.75 s to import) loads only with an LLM configured."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=api_key or "not-needed",  # local OpenAI-compatible servers accept any key
        timeout=timeout,
        max_retries=1,
        temperature=0.2,
    )
