"""/timezone: change the time zone at any time — by name, city, offset or location.

An ambiguous place ("Portland") or a country with several zones ("USA") gets a
question with one button per option (see `agent.nodes.zone_choice`); the press sets
the zone.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.nodes.zone_choice import (
    CALLBACK_PREFIX,
    STATE_KEY,
    chosen_option,
    lookup_question,
    zone_options_state,
)
from agent.state import AgentState
from agent.understanding.places import lookup_zone, timezone_from_location, zone_label
from storage.models import Goal

ASK = (
    "Send /timezone with a city, a zone name or an offset — e.g. “/timezone Lisbon”, "
    "“/timezone America/New_York”, “/timezone UTC-3” — or share your location."
)
UNKNOWN = "I don't know the time zone “{text}”. Try a big city near you, or an offset like UTC+2."
CHANGED = "Time zone set to {zone}. Your sessions and reminders follow it from now on."
STALE = "That choice is no longer open — send /timezone with your city again."


def shown(zone: str) -> str:
    """ "Los Angeles (America/Los_Angeles)"; an offset zone only as "UTC−03:00" (its
    Etc/GMT+3 name has the sign inverted, which reads as the opposite offset)."""
    label = zone_label(zone)
    if zone.startswith("Etc/") or label == zone:
        return label
    return f"{label} ({zone})"


async def _apply(state: AgentState, ctx: AgentContext, zone: str) -> Command[Any]:
    uid = user_id(state)
    replies = [reply(CHANGED.format(zone=shown(zone)))]
    update: dict[str, Any] = {STATE_KEY: []}
    if state.get("phase") in {"intake", "confirm"}:
        goal = Goal.model_validate(state.get("goal") or {})
        update["goal"] = goal.model_copy(update={"timezone": zone}).model_dump(mode="json")
    version = await ctx.store.set_timezone(uid, zone)
    if version is not None:
        active = await ctx.store.active_plan(uid)
        if active is not None:
            replies.extend(await ctx.on_plan_changed(uid, active[0], active[1], active[2]))
    return finish(state, replies, **update)


async def set_timezone(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    event = state.get("inbox") or {}
    if event.get("kind") == "location":
        zone = timezone_from_location(event.get("latitude", 0), event.get("longitude", 0))
        if zone is None:
            return finish(state, [reply(UNKNOWN.format(text="your location"))])
        return await _apply(state, ctx, zone)
    said = str(event.get("args") or "").strip()
    if not said:
        return finish(state, [reply(ASK, request_location=True)])
    found = lookup_zone(said, whole_answer=True)
    if found.zone is not None:
        return await _apply(state, ctx, found.zone)
    if len(found.options) >= 2:
        question = lookup_question(found, said)
        return finish(state, [question], **{STATE_KEY: zone_options_state(found.options)})
    return finish(state, [reply(UNKNOWN.format(text=said[:100]), request_location=True)])


async def choose_timezone(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """A press on one of the place buttons: re-validated against the stored options."""
    data = str((state.get("inbox") or {}).get("data") or "")
    option = chosen_option(data, state.get(STATE_KEY))
    if option is None:
        return finish(state, [reply(STALE)])
    return await _apply(state, context_of(runtime), option.zone)


FEATURE = Feature(
    name="profile",
    nodes={"set_timezone": set_timezone, "choose_timezone": choose_timezone},
    commands={"timezone": "set_timezone"},
    callbacks={CALLBACK_PREFIX: "choose_timezone"},
    events={"location": "set_timezone"},
    priority=40,
)
