"""Buttons on one study session: skip it, or move it to the same time on a later day.

Data ``ss:k:<session id>`` (skip) and ``ss:m:<session id>`` (move: the same local time
on the first later day where it overlaps no other planned session). The Mini App's
calendar presses them (a session with a reminder is skipped through the reminder's own
"⏭ Skip" button instead, `agent.nodes.reminders`). The session id is looked up only
among the presser's sessions of their active plan, so forged data finds nothing. Each
change is a guarded update of one session (`storage.schedules`), and the reminders
follow at once (`scheduler.reminders.reconcile_user`).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import finish, reply, user_id
from agent.state import AgentState
from scheduler.localtime import same_time_tomorrow, span_text, user_zone
from scheduler.reminders import reconcile_user
from storage.models import StudySession
from storage.reminders import ensure_indexes_once
from storage.schedules import list_sessions
from storage.session_status import move_session, set_session_status

GONE = "That session is no longer in your plan — /today shows what's next."
NOT_PLANNED = "“{title}” is already done, skipped or over — nothing to change."
NO_ROOM = "I couldn't find a free day for “{title}” in the next two weeks."
MAX_DAYS_LATER = 14


def _next_free_day(
    session: StudySession, others: list[StudySession], zone: ZoneInfo
) -> StudySession | None:
    """The session at the same local time on the first later day where it overlaps no
    other planned session."""
    start, end = session.starts_at, session.ends_at
    for _ in range(MAX_DAYS_LATER):
        start, end = same_time_tomorrow(start, zone), same_time_tomorrow(end, zone)
        if not any(o.starts_at < end and start < o.ends_at for o in others):
            return session.model_copy(update={"starts_at": start, "ends_at": end})
    return None


async def session_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    now = ctx.clock()
    parts = str((state.get("inbox") or {}).get("data") or "").split(":", 2)
    active = await ctx.store.active_plan(uid)
    if len(parts) != 3 or parts[1] not in {"k", "m"} or active is None:
        return finish(state, [reply(GONE)])
    version, plan, goal = active
    sessions = await list_sessions(ctx.store, uid, version)
    session = next((s for s in sessions if s.session_id == parts[2]), None)
    others = [s for s in sessions if s.session_id != parts[2] and s.status == "planned"]
    if session is None:
        return finish(state, [reply(GONE)])
    module = plan.find_module(session.module_id)
    title = module.title if module else session.module_id
    if session.status != "planned" or session.starts_at <= now:
        return finish(state, [reply(NOT_PLANNED.format(title=title))])
    zone = ZoneInfo(user_zone(await ctx.store.get_user(uid), goal.timezone))
    await ensure_indexes_once(ctx.store)
    if parts[1] == "k":
        if not await set_session_status(
            ctx.store, uid, version, session.session_id, "skipped", expected="planned"
        ):
            return finish(state, [reply(NOT_PLANNED.format(title=title))])
        await reconcile_user(ctx.store, uid, now=now)
        when = span_text(session.starts_at, session.ends_at, zone)
        return finish(state, [reply(f"⏭ Skipped “{title}” ({when}). It won't be rescheduled.")])
    moved = _next_free_day(session, others, zone)
    if moved is None:
        return finish(state, [reply(NO_ROOM.format(title=title))])
    if not await move_session(ctx.store, uid, version, session, moved):
        return finish(state, [reply(NOT_PLANNED.format(title=title))])
    await reconcile_user(ctx.store, uid, now=now)
    when = span_text(moved.starts_at, moved.ends_at, zone)
    return finish(state, [reply(f"📅 Moved “{title}” to {when}.")])


FEATURE = Feature(
    name="sessions",
    nodes={"session_button": session_button},
    callbacks={"ss:": "session_button"},
)
