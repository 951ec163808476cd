"""Helpers shared by every feature's nodes."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END
from langgraph.types import Command

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


def finish(state: AgentState, replies: list[dict[str, Any]], **update: Any) -> Command[Any]:
    """Reply, then go back to the pending intake question if one was open."""
    phase = update.get("phase", state.get("phase"))
    update = {**update, "replies": replies}
    if phase == "intake":
        return Command(goto="intake", update={**update, "inbox": {}})
    if phase == "confirm":
        return Command(goto="confirm", update={**update, "inbox": {}, "asking": None})
    return Command(goto=END, update=update)
