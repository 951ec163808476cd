"""Hybrid planning: the LLM writes only an outline, in chunks of weeks; code does the rest.

Each chunk (``CHUNK_WEEKS`` weeks) is one small structured call returning, per week, a
theme and 1–4 modules with objectives, topics and resource suggestions ("kind: search
words", never URLs). `agent.outline.plan_from_outline` turns the outline into a plan:
hours, difficulty, ids, quizzes and milestones are arithmetic. A chunk that fails (error,
timeout, invalid answer) ends the LLM's part: the remaining weeks come from the offline
planner (curriculum or template) and the learner still gets one valid plan.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from pydantic import BaseModel, Field, ValidationError

from agent.offline import offline_plan
from agent.outline import OutlineModule, OutlineResource, OutlineWeek, plan_from_outline
from agent.planner import clean, make_milestones
from agent.validator import PlanInvalid, repair_plan
from storage.models import Goal, Plan, PlanMeta, ResourceKind

log = logging.getLogger(__name__)

CHUNK_WEEKS = 4
MAX_MODULES = 4
KINDS: tuple[ResourceKind, ...] = ("docs", "video", "course", "book", "practice")

Progress = Callable[[str], Awaitable[None]]


class ChunkModule(BaseModel):
    title: str
    objectives: list[str] = Field(description="2-3 short learning objectives")
    topics: list[str] = Field(default_factory=list, description="1-3 topics")
    resources: list[str] = Field(
        default_factory=list,
        description='1-2 suggestions as "kind: search words"; kind is one of '
        "docs, video, course, book, practice; never a URL",
    )


class ChunkWeek(BaseModel):
    week: int
    theme: str
    modules: list[ChunkModule]


class OutlineChunk(BaseModel):
    """The LLM's answer for one chunk of weeks."""

    weeks: list[ChunkWeek]


class ChunkInvalid(ValueError):
    """The chunk does not describe the weeks that were asked for."""


AskChunk = Callable[[Goal, int, int, list[str]], Awaitable[OutlineChunk]]


def _resource(text: str) -> OutlineResource | None:
    kind, sep, query = text.partition(":")
    kind = kind.strip().lower()
    query = clean(query)
    if not sep or kind not in KINDS or not query or "://" in query or "www." in query.lower():
        return None
    return OutlineResource(kind=kind, query=query[:100])  # type: ignore[arg-type]


def chunk_outline(chunk: OutlineChunk, first: int, last: int) -> list[OutlineWeek]:
    """The chunk's weeks as outline weeks; raises `ChunkInvalid` unless it has exactly
    weeks first..last, each with at least one titled module with an objective."""
    numbers = [w.week for w in chunk.weeks]
    if numbers != list(range(first, last + 1)):
        raise ChunkInvalid(f"asked for weeks {first}-{last}, got {numbers}")
    out: list[OutlineWeek] = []
    for week in chunk.weeks:
        modules = [
            OutlineModule(
                title=clean(m.title),
                objectives=[clean(o) for o in m.objectives if clean(o)][:3],
                topics=[clean(t) for t in m.topics if clean(t)][:3],
                resources=[r for r in map(_resource, m.resources) if r is not None][:3],
            )
            for m in week.modules
            if clean(m.title) and any(clean(o) for o in m.objectives)
        ][:MAX_MODULES]
        if not modules:
            raise ChunkInvalid(f"week {week.week} has no usable module")
        out.append(OutlineWeek(theme=clean(week.theme), modules=modules))
    return out


def chunks(weeks: int, size: int = CHUNK_WEEKS) -> list[tuple[int, int]]:
    return [(start, min(weeks, start + size - 1)) for start in range(1, weeks + 1, size)]


def _span(first: int, last: int) -> str:
    return f"week {first}" if first == last else f"weeks {first}–{last}"


async def _no_progress(text: str) -> None:
    return None


def _combine(goal: Goal, outline: Sequence[OutlineWeek], model: str, reason: str | None) -> Plan:
    """LLM weeks 1..k from the outline, the remaining weeks from the offline planner."""
    assert goal.weeks is not None
    done = len(outline)
    meta = PlanMeta(planner="llm", source="llm", model=model, fallback_reason=reason)
    head = plan_from_outline(goal.model_copy(update={"weeks": done}), outline, meta)
    if done == goal.weeks:
        return head
    tail = offline_plan(goal)
    mixed = head.model_copy(
        update={
            "title": tail.title,
            "weeks": [*head.weeks, *tail.weeks[done:]],
            "meta": meta.model_copy(update={"curriculum": tail.meta.curriculum}),
        }
    )
    mixed.milestones = make_milestones(mixed)
    return mixed


async def build_hybrid(
    goal: Goal,
    ask: AskChunk,
    *,
    model: str,
    chunk_timeout: float,
    progress: Progress | None = None,
    chunk_weeks: int = CHUNK_WEEKS,
) -> Plan:
    """A valid plan whose knowledge comes from the LLM's outline, chunk by chunk.

    `progress` is told after each chunk ("Building your plan… weeks 1–4 ready")."""
    if goal.weeks is None:
        raise ValueError("a plan needs weeks")
    report = progress or _no_progress
    outline: list[OutlineWeek] = []
    reason: str | None = None
    spans = chunks(goal.weeks, chunk_weeks)
    if len(spans) > 1:
        await report(f"Building your plan… 0 of {goal.weeks} weeks ready")
    for first, last in spans:
        earlier = [m.title for w in outline for m in w.modules]
        try:
            chunk = await asyncio.wait_for(ask(goal, first, last, earlier), chunk_timeout)
            outline.extend(chunk_outline(chunk, first, last))
        except TimeoutError:
            reason = f"the LLM did not answer within {chunk_timeout:g} s"
        except (ValidationError, ChunkInvalid, ValueError) as exc:
            log.warning("LLM outline for %s rejected: %s", _span(first, last), exc)
            reason = "the LLM's outline was invalid"
        except Exception as exc:
            log.warning("LLM outline call failed: %s", exc)
            reason = f"the LLM call failed ({type(exc).__name__})"
        if reason is not None:
            if outline:
                reason = f"{_span(first, goal.weeks)} were planned offline: {reason}"
            break
        if len(spans) > 1:
            await report(f"Building your plan… {_span(1, last)} of {goal.weeks} ready")
    if not outline:
        return offline_plan(goal, reason)
    try:
        plan, repairs = repair_plan(_combine(goal, outline, model, reason), goal)
    except (PlanInvalid, ValueError) as exc:
        log.warning("hybrid plan could not be repaired: %s", exc)
        return offline_plan(goal, "the LLM's outline could not be made into a valid plan")
    return plan.model_copy(update={"meta": plan.meta.model_copy(update={"repairs": repairs})})
