"""Helpers shared by every feature's nodes."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END
from langgraph.types import Command

from agent import texts
from agent.state import AgentState

# Where a feature node may go next: back to a pending intake question, or the end.
DESTINATIONS = ("intake", "confirm", END)


def reply(text: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "text", "text": text, **extra}


def event_text(event: dict[str, Any]) -> str:
    """The user's words; a button press counts as typing its value."""
    if event.get("kind") == "callback":
        return str(event.get("data") or "").removeprefix("a:")
    return str(event.get("text") or "")


def user_id(state: AgentState) -> int:
    return int(state["user_id"])


def _mid_intake(state: AgentState, replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A command that needs a plan, sent while the first plan is being set up, says so."""
    event = state.get("inbox") or {}
    command = f"/{event['command']}" if event.get("command") else "That"
    return [
        {**r, "text": texts.NEEDS_PLAN_FIRST.format(command=command)}
        if str(r.get("text", "")).startswith(texts.NO_PLAN_PREFIX)
        else r
        for r in replies
    ]


def finish(state: AgentState, replies: list[dict[str, Any]], **update: Any) -> Command[Any]:
    """Reply, then go back to the pending intake question if one was open (which repeats
    it)."""
    phase = update.get("phase", state.get("phase"))
    if phase in {"intake", "confirm"}:
        replies = _mid_intake(state, replies)
    update = {**update, "replies": replies, "meaning": None}
    if phase == "intake":
        return Command(goto="intake", update={**update, "inbox": {}})
    if phase == "confirm":
        return Command(goto="confirm", update={**update, "inbox": {}, "asking": None})
    return Command(goto=END, update=update)
