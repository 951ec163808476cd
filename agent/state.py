"""The graph's state: one thread per Telegram chat, persisted by the checkpointer.

Inbound events and outbound replies are plain JSON-able dicts so that they
survive checkpointing and a process restart unchanged.

* An inbound event: ``{"kind": "text"|"command"|"callback"|"location", "text": str,
  "command": str|None, "args": str, "data": str|None, "latitude"/"longitude": float,
  "user_id": int, "chat_id": int, "name": str|None}``.
* A reply: ``{"kind": "text"|"question"|"plan"|"week"|..., "text": str, "options": [...]}``
  with plain (unescaped) text; `bot.render` turns it into Telegram HTML.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

Phase = Literal["idle", "intake", "confirm", "planned"]

RESET = {"kind": "__reset__"}


def add_replies(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append replies; a leading RESET marker starts a fresh list (a new run)."""
    if new and new[0] == RESET:
        return list(new[1:])
    return [*old, *new]


class AgentState(TypedDict, total=False):
    inbox: dict[str, Any]
    replies: Annotated[list[dict[str, Any]], add_replies]
    phase: Phase
    goal: dict[str, Any]
    asking: str | None
    # What the inbox event means (an `agent.understanding.Meaning` as JSON), computed once
    # by the router so no node calls the understander (or the LLM) twice for a message.
    meaning: dict[str, Any] | None
    # Places offered as buttons for an ambiguous time zone answer ([{"label", "zone"}]);
    # a "tz:<index>" press is checked against them (agent.nodes.zone_choice).
    zone_options: list[dict[str, str]]
    user_id: int
    chat_id: int
