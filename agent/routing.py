"""Which node an inbound event goes to, and what it means (understood once).

Used by the graph's router for a new run, and by the intake and confirm nodes for the
answer an ``interrupt()`` returns, so that an answer is routed in the step that received
it rather than by another step through the router.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext, context_of
from agent.features import callback_node, command_node, event_node, text_node
from agent.nodes.common import event_text
from agent.nodes.meaning import context_for, understand_event
from agent.state import AgentState
from agent.syllabus import is_outline_message
from agent.understanding.meaning import PROGRESS_INTENTS, Meaning
from agent.understanding.refinement_pending import PENDING_FIELDS
from storage.progress_doc import read_with_user

# A planned-phase text that no feature claims outright is routed by its meaning.
BY_MEANING = "__by_meaning__"
INTENT_NODES = {
    **{intent: "progress_text" for intent in PROGRESS_INTENTS},
    "undo": "progress_text",  # it decides between the last progress action and plan change
    "redo": "refine",
    "refine": "refine",
    "question": "question",
    "smalltalk": "smalltalk",
}


def _target(event: dict[str, Any], phase: str) -> tuple[str, dict[str, Any]]:
    kind = str(event.get("kind"))
    if kind == "command":
        return command_node(str(event.get("command"))) or "unknown_command", {}
    if kind == "callback":
        node = callback_node(str(event.get("data") or ""))
        if node is not None:
            return node, {}
    if kind == "poll_answer":
        return event_node(kind) or "unknown_command", {}
    if phase in {"intake", "confirm"}:
        return phase, {}
    node = event_node(kind)
    if node is not None:
        return node, {}
    if phase == "planned" and kind in {"text", "callback"}:
        return text_node(event_text(event)) or BY_MEANING, {}
    if kind == "text" and is_outline_message(event_text(event)):
        return "import_syllabus", {}
    if kind in {"text", "location"}:
        return "intake", {"phase": "intake", "goal": {}, "asking": None}
    return "unknown_command", {}


def _pending(state: AgentState) -> bool:
    """Whether the bot's last message asked how many weeks or hours a plan change gives."""
    return state.get("phase") == "planned" and state.get("asking") in PENDING_FIELDS


def by_intent(meaning: Meaning) -> str:
    if not meaning.confident and meaning.intent != "unknown":
        return "unclear"
    return INTENT_NODES.get(meaning.intent, "refine")


async def route_event(
    state: AgentState, runtime: Runtime[AgentContext]
) -> tuple[str, dict[str, Any]]:
    """The node for ``state["inbox"]``, and the state update that goes with it."""
    event = state.get("inbox") or {}
    node, update = _target(event, state.get("phase", "idle"))
    ident = {"user_id": event.get("user_id"), "chat_id": event.get("chat_id")}
    update = {**ident, **update, "meaning": None}
    asking = update["asking"] if "asking" in update else state.get("asking")
    if _pending(state) and node != "cancel":
        # The plan-change question ("how many weeks?") is answered by this message or
        # dropped: it never outlives it. /cancel drops it itself, to say so.
        update.setdefault("asking", None)
    if node in {"intake", "confirm", BY_MEANING} and event:
        ctx = context_of(runtime)
        plan = None
        if node == BY_MEANING:
            # Free text in a planned chat is mostly progress or a refinement, and both
            # read the user's progress: on MongoDB it comes with the user's document.
            await read_with_user(ctx.store, int(event["user_id"]))
            active = await ctx.store.active_plan(int(event["user_id"]))
            plan = active[1] if active is not None else None
        uctx = context_for(
            ctx,
            phase=str(update.get("phase", state.get("phase", "idle"))),
            asking=asking,
            goal=update["goal"] if "goal" in update else state.get("goal"),
            plan=plan,
        )
        meaning = await understand_event(ctx, event, uctx)
        update["meaning"] = meaning.model_dump(mode="json")
        if node == BY_MEANING:
            node = by_intent(meaning)
    return node, update
