"""/timezone: change the time zone at any time — by name, city, offset or location."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.state import AgentState
from agent.understanding.places import resolve_timezone, timezone_from_location
from scheduler.localtime import zone_label
from storage.models import Goal

ASK = (
    "Send /timezone with a city, a zone name or an offset — e.g. “/timezone Lisbon”, "
    "“/timezone America/New_York”, “/timezone UTC-3” — or share your location."
)
UNKNOWN = "I don't know the time zone “{text}”. Try a big city near you, or an offset like UTC+2."
CHANGED = "Time zone set to {zone}. Your sessions and reminders follow it from now on."


def _zone_of(event: dict[str, Any]) -> tuple[str | None, str]:
    if event.get("kind") == "location":
        zone = timezone_from_location(event.get("latitude", 0), event.get("longitude", 0))
        return zone, "your location"
    text = str(event.get("args") or "").strip()
    return (resolve_timezone(text) if text else None), text


async def set_timezone(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    event = state.get("inbox") or {}
    zone, said = _zone_of(event)
    if zone is None:
        text = ASK if not said else UNKNOWN.format(text=said[:100])
        return finish(state, [reply(text, request_location=True)])
    uid = user_id(state)
    replies = [reply(CHANGED.format(zone=zone_label(zone)))]
    update: dict[str, Any] = {}
    if state.get("phase") in {"intake", "confirm"}:
        goal = Goal.model_validate(state.get("goal") or {})
        update["goal"] = goal.model_copy(update={"timezone": zone}).model_dump(mode="json")
    version = await ctx.store.set_timezone(uid, zone)
    if version is not None:
        active = await ctx.store.active_plan(uid)
        if active is not None:
            replies.extend(await ctx.on_plan_changed(uid, active[0], active[1], active[2]))
    return finish(state, replies, **update)


FEATURE = Feature(
    name="profile",
    nodes={"set_timezone": set_timezone},
    commands={"timezone": "set_timezone"},
    events={"location": "set_timezone"},
    priority=40,
)
