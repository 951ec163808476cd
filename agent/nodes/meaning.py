"""How nodes get the meaning of the user's message (no feature of its own).

The router understands each text once (`understand_event`) and keeps the `Meaning` in the
state; nodes read it back with `meaning_of`, or understand a typed command themselves.
"""

from __future__ import annotations

from typing import Any

from agent.context import AgentContext
from agent.nodes.common import event_text
from agent.state import AgentState
from agent.understanding.adapters import ProgressIntent
from agent.understanding.meaning import Meaning, PlanView, UnderstandingContext
from storage.models import Goal, Plan

_ACTIONS = {"done": "done", "not_done": "undo", "undo": "undo", "partial": "partial", "log": "log"}


def answer_text(event: dict[str, Any]) -> str:
    """The text of an answer; a shared location becomes coordinates (read by the rules)."""
    if event.get("kind") == "location":
        return f"__location__ {event.get('latitude')} {event.get('longitude')}"
    return event_text(event)


def context_for(
    ctx: AgentContext,
    *,
    phase: str,
    asking: str | None,
    goal: dict[str, Any] | None,
    plan: Plan | None = None,
) -> UnderstandingContext:
    return UnderstandingContext(
        phase=phase if phase in {"idle", "intake", "confirm", "planned"} else "intake",
        asking=asking,
        goal=Goal.model_validate(goal or {}),
        plan=PlanView.of(plan) if plan is not None else None,
        today=ctx.clock().date(),
    )


async def understand_event(
    ctx: AgentContext, event: dict[str, Any], uctx: UnderstandingContext
) -> Meaning:
    return await ctx.understander.understand(answer_text(event), uctx)


def meaning_of(state: AgentState) -> Meaning | None:
    """The router's meaning of the inbox event, if there is an event and a meaning."""
    raw = state.get("meaning")
    if not raw or not state.get("inbox"):
        return None
    return Meaning.model_validate(raw)


def progress_intent(meaning: Meaning) -> ProgressIntent | None:
    """The progress node's view of a meaning (None when it is not about progress)."""
    action = _ACTIONS.get(meaning.intent)
    if action is None:
        return None
    module = meaning.module if meaning.module != "ambiguous" else None
    return ProgressIntent(
        action=action,  # type: ignore[arg-type]
        module_id=module,
        minutes=meaning.minutes,
        ambiguous=list(meaning.candidates) if module is None else [],
        reference=meaning.reference,
        modules=list(meaning.modules) if module is not None else [],
    )
