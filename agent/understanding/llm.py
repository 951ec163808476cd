"""The LLM understander: one structured-output call per message, checked like the rules.

The model gets the message, the phase, the question being asked, the goal so far and the
plan's week numbers, module ids and titles, and answers into the small `Understanding`
schema. Its answer goes through the same checks as the rules' (`validate.check`); on a
timeout, an HTTP error, invalid JSON, a schema break or a failed check, the rules answer
(and the reason is logged).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from datetime import date, time
from typing import Any, Literal

from langchain_core.messages import HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, ValidationError

from agent.refine_ops import RefineOp
from agent.understanding import prompts, rules
from agent.understanding.availability import window_total
from agent.understanding.meaning import (
    DAY_NAMES,
    Intent,
    Meaning,
    NonAnswer,
    PlanView,
    UnderstandingContext,
)
from agent.understanding.validate import MAX_WEEKS, MIN_WEEKS, check, check_fields
from storage.models import Slot

log = logging.getLogger(__name__)

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Window(BaseModel):
    days: list[Day]
    start: str
    end: str | None = None


class Fields(BaseModel):
    goal: str | None = None
    skill_level: Literal["beginner", "intermediate", "advanced"] | None = None
    hours_per_week: float | None = None
    weeks: int | None = None
    deadline: str | None = None
    topics: list[str] | None = None
    availability: list[Window] | None = None
    timezone: str | None = None


class Op(BaseModel):
    op: str
    week: int | None = None
    other_week: int | None = None
    hours: float | None = None
    weeks: int | None = None
    topic: str | None = None


class Understanding(BaseModel):
    """What the LLM answers (kept small: every field is cheap to fill)."""

    intent: Intent
    fields: Fields = Field(default_factory=Fields)
    module: str | None = None
    candidates: list[str] = Field(default_factory=list)
    minutes: int | None = None
    ops: list[Op] = Field(default_factory=list)
    nonanswer: NonAnswer | None = None
    confidence: float = Field(ge=0, le=1)


def plan_lines(plan: PlanView) -> str:
    return "\n".join(
        f"week {w.week}: " + "; ".join(f"{m.id} {m.title}" for m in w.modules) for w in plan.weeks
    )


def _system(ctx: UnderstandingContext) -> str:
    goal = ctx.goal.model_dump(mode="json", exclude_defaults=True)
    goal.pop("availability", None)
    plan = ""
    if ctx.plan is not None:
        hours = f"{ctx.plan.hours_per_week:g}" if ctx.plan.hours_per_week else "?"
        plan = prompts.PLAN_VIEW.format(hours=hours, weeks=plan_lines(ctx.plan))
    return prompts.UNDERSTAND_SYSTEM.format(
        today=ctx.today.isoformat(),
        phase=ctx.phase,
        asking=ctx.asking or "nothing (a free message)",
        goal=json.dumps(goal, ensure_ascii=False),
        plan=plan,
    )


def _slots(windows: list[Window]) -> list[Slot]:
    slots = []
    for window in windows:
        start = time.fromisoformat(window.start)
        end = time.fromisoformat(window.end) if window.end else None
        if end is None:
            raise ValueError("an availability window without an end")
        slots.extend(Slot(weekday=DAY_NAMES.index(d), start=start, end=end) for d in window.days)
    return slots


def _availability_text(windows: list[Window]) -> str:
    return ", ".join(f"{'/'.join(w.days)} {w.start}–{w.end}" for w in windows)


def _goal_fields(raw: Fields, today: date) -> dict[str, Any]:
    """Goal fields from the LLM's answer (arithmetic, like weeks from a deadline, is ours)."""
    fields: dict[str, Any] = {}
    for name in ("goal", "skill_level", "hours_per_week", "weeks", "timezone"):
        value = getattr(raw, name)
        if value is not None:
            fields[name] = value
    if raw.topics is not None:
        fields["topics"] = [t.strip() for t in raw.topics]
        fields["topics_answered"] = True
    if raw.availability:
        fields["availability"] = _slots(raw.availability)
        fields["availability_text"] = _availability_text(raw.availability)
    if raw.deadline:
        deadline = date.fromisoformat(raw.deadline)
        fields["deadline"] = deadline
        if "weeks" not in fields and deadline > today:
            days = (deadline - today).days
            fields["weeks"] = min(max(math.ceil(days / 7), MIN_WEEKS), MAX_WEEKS)
    return fields


def to_meaning(raw: Understanding, ctx: UnderstandingContext) -> Meaning:
    """The LLM's answer as a `Meaning` (raises ValueError/ValidationError when unusable)."""
    ops = [RefineOp.model_validate({"kind": o.op, **o.model_dump(exclude={"op"})}) for o in raw.ops]
    return Meaning(
        intent=raw.intent,
        fields=_goal_fields(raw.fields, ctx.today),
        module=raw.module,
        candidates=raw.candidates,
        minutes=raw.minutes,
        ops=ops,
        nonanswer=raw.nonanswer,
        confidence=raw.confidence,
        source="llm",
    )


def _narrowed(meaning: Meaning, ctx: UnderstandingContext, rules_meaning: Meaning) -> Meaning:
    """The answer without what a model adds beyond the message. Small models fill every
    field of the schema ("yes!!" to the topics question came back with a deadline of
    today, "4" to the hours question with weeks and a level): an answer that is not
    intake carries no goal fields, and an answer to one question keeps the asked field
    plus the fields the rules also read in the message — rather than junk either passing
    the checks or failing them and discarding the whole answer. When the rules see that
    the message says more than the answer ("beginner, 3 hours a week, a month" to the
    level question), the LLM's other fields that pass their checks are kept too: it may
    read what the rules cannot ("a month")."""
    if meaning.intent != "intake":
        return meaning.model_copy(update={"fields": {}}) if meaning.fields else meaning
    if ctx.asking is None:
        return meaning
    asked = ctx.asking
    says_more = any(not name.startswith(asked) for name in rules_meaning.fields)
    fields = {
        name: value
        for name, value in meaning.fields.items()
        if name.startswith(asked)
        or name in rules_meaning.fields
        or (says_more and not check_fields({name: value}, ctx.today)[1])
    }
    return meaning.model_copy(update={"fields": fields})


def _plan_change(meaning: Meaning, ctx: UnderstandingContext) -> Meaning:
    """Once a plan exists, a length or weekly budget read as intake fields (a model's
    reading of "nine-ish, I guess" to the bot's "how many weeks?") is that plan change."""
    if ctx.phase != "planned" or meaning.intent != "intake":
        return meaning
    ops: list[RefineOp] = []
    if isinstance(meaning.fields.get("weeks"), int):
        ops.append(RefineOp(kind="set_weeks", weeks=meaning.fields["weeks"]))
    if isinstance(meaning.fields.get("hours_per_week"), int | float):
        ops.append(RefineOp(kind="set_hours", hours=float(meaning.fields["hours_per_week"])))
    if not ops:
        return meaning
    return meaning.model_copy(update={"intent": "refine", "ops": ops, "fields": {}})


def _window_hours(meaning: Meaning, rules_meaning: Meaning) -> Meaning:
    """With no weekly amount stated, the hours a week are the total of fully timed windows
    (README, `learnplan understand`), as in the rules' answer. The model's windows may carry
    times it filled in ("weekends"), so its total is used only where the rules also read
    fully timed windows and no stated amount (their hours being exactly that total)."""
    rules_fields = rules_meaning.fields
    if meaning.intent != "intake" or "hours_per_week" in meaning.fields:
        return meaning
    slots = meaning.fields.get("availability")
    rules_slots = rules_fields.get("availability")
    if not slots or not rules_slots or rules_fields.get("hours_per_week") is None:
        return meaning
    if rules_fields["hours_per_week"] != window_total(rules_slots):
        return meaning
    hours = window_total(slots)
    if hours is None:
        return meaning
    return meaning.model_copy(update={"fields": {**meaning.fields, "hours_per_week": hours}})


def _consistent(meaning: Meaning) -> str | None:
    """Why an intent and its payload don't fit together, or None."""
    if meaning.intent == "refine" and not meaning.ops:
        return "refine without ops"
    if meaning.intent == "intake" and not meaning.fields:
        return "intake without fields"
    if meaning.intent == "nonanswer" and meaning.nonanswer is None:
        return "nonanswer without its kind"
    return None


class LLMUnderstander:
    def __init__(self, chat: ChatOpenAI, *, timeout: float) -> None:
        self.chat = chat
        self.timeout = timeout

    async def understand(self, text: str, ctx: UnderstandingContext) -> Meaning:
        fallback = rules.understand(text, ctx)
        if not text.strip() or text.startswith(("__location__", "/")):
            return fallback
        if rules.understand_pending(text, ctx) is not None:
            return fallback  # "9", "two more", "never mind" to the bot's "how many weeks?"
        try:
            raw = await asyncio.wait_for(self._ask(text, ctx), timeout=self.timeout)
            meaning = to_meaning(raw, ctx)
        except TimeoutError:
            return self._fallback(fallback, f"no answer within {self.timeout:g} s")
        except (ValidationError, ValueError) as exc:
            return self._fallback(fallback, f"unusable answer ({type(exc).__name__}: {exc})")
        except Exception as exc:
            return self._fallback(fallback, f"call failed ({type(exc).__name__}: {exc})")
        checked, problems = check(_narrowed(meaning, ctx, fallback), ctx)
        checked = _window_hours(_plan_change(checked, ctx), fallback)
        reason = _consistent(checked)
        if problems or reason:
            return self._fallback(fallback, "; ".join([*problems, *([reason] if reason else [])]))
        if fallback.zone_options and "timezone" in checked.fields:
            # A place the rules find ambiguous is asked about, never guessed.
            fields = {k: v for k, v in checked.fields.items() if k != "timezone"}
            checked = checked.model_copy(
                update={"fields": fields, "zone_options": fallback.zone_options}
            )
        return checked.model_copy(update={"problems": fallback.problems})

    @staticmethod
    def _fallback(fallback: Meaning, reason: str) -> Meaning:
        log.warning("LLM understanding failed, the rules answer: %s", reason)
        return fallback

    async def _ask(self, text: str, ctx: UnderstandingContext) -> Understanding:
        structured = self.chat.with_structured_output(Understanding)
        result = await structured.ainvoke([SystemMessage(_system(ctx)), HumanMessage(text[:2000])])
        if not isinstance(result, Understanding):
            raise ValueError("the LLM returned no understanding")
        return result
