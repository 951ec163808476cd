"""Missed sessions: notice them, move the remaining work, tell the user what moved.

A planned session that ended more than `MISSED_AFTER` ago without being marked
done or skipped is missed. The user's remaining planned sessions are then re-placed
into the next free slots (`scheduler.timetable.reschedule_missed`: missed ones
first, never over the weekly budget, done sessions stay put). Each move is a
guarded update of one session (only if it is still planned at its old time), its
sequence rises (so calendar apps update the event), the reminders follow
(`reconcile_user`), and one "moved" message lists the changes. The message's id
is derived from the moves, so two instances doing the same work store it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scheduler.localtime import user_zone
from scheduler.reminders import reconcile_user
from scheduler.timetable import reschedule_missed
from storage.models import Plan, StudySession
from storage.reminders import insert_if_absent, new_reminder
from storage.schedules import anchor_of, list_sessions
from storage.session_status import (
    deactivate_schedule,
    ended_unfinished,
    move_session,
    set_session_status,
)
from storage.store import Store

MISSED_AFTER = timedelta(hours=1)


@dataclass
class MissedReport:
    users: int = 0
    moved: int = 0
    stuck: int = 0
    notices: int = 0


def _title(plan: Plan, session: StudySession) -> str:
    module = plan.find_module(session.module_id)
    title = module.title if module else session.module_id
    return f"{title} (part {session.part} of {session.parts})" if session.parts > 1 else title


async def reschedule_user(
    store: Store, user_id: int, version: int, *, now: datetime
) -> dict[str, Any] | None:
    """Move one user's work after missed sessions; returns the stored notice, if any."""
    active = await store.active_plan(user_id)
    if active is None or active[0] != version:
        await deactivate_schedule(store, user_id, version)
        return None
    _version, plan, goal = active
    user = await store.get_user(user_id)
    tz = user_zone(user, goal.timezone)
    sessions = await list_sessions(store, user_id, version)
    before = {s.session_id: s for s in sessions}
    result, moves = reschedule_missed(
        sessions,
        goal.availability,
        tz,
        now=now,
        hours_per_week=plan.hours_per_week,
        start=await anchor_of(store, user_id, version),
    )
    moved: list[dict[str, Any]] = []
    for old, new in moves:
        if await move_session(store, user_id, version, before[old.session_id], new):
            moved.append(
                {
                    "session_id": old.session_id,
                    "title": _title(plan, old),
                    "old_start": old.starts_at,
                    "new_start": new.starts_at,
                    "new_end": new.ends_at,
                    "missed": old.status == "missed",
                }
            )
    stuck: list[dict[str, Any]] = []
    for session in result:
        was = before.get(session.session_id)
        if session.status == "missed" and was is not None and was.status == "planned":
            if await set_session_status(
                store, user_id, version, session.session_id, "missed", expected="planned"
            ):
                stuck.append({"title": _title(plan, session), "old_start": session.starts_at})
    if not moved and not stuck:
        return None
    await reconcile_user(store, user_id, now=now)
    key = repr([(m["session_id"], m["new_start"].isoformat()) for m in moved])
    key += repr([s["old_start"].isoformat() for s in stuck])
    notice = new_reminder(
        reminder_id=f"m:{user_id}:{version}:{hashlib.sha256(key.encode()).hexdigest()[:12]}",
        kind="moved",
        user_id=user_id,
        chat_id=int((user or {}).get("chat_id") or user_id),
        due_at=now,
        tz=tz,
        now=now,
        payload={"moves": moved, "stuck": stuck},
    )
    await insert_if_absent(store, notice)
    return notice


async def reschedule_missed_sessions(
    store: Store, now: datetime, *, lookback: timedelta | None
) -> MissedReport:
    """Handle every user with a session that ended unfinished more than `MISSED_AFTER`
    ago (within ``lookback`` of that, or ever when ``None``)."""
    report = MissedReport()
    for user_id, version in await ended_unfinished(store, now - MISSED_AFTER, lookback=lookback):
        notice = await reschedule_user(store, user_id, version, now=now)
        report.users += 1
        if notice is not None:
            report.notices += 1
            report.moved += len(notice["payload"]["moves"])
            report.stuck += len(notice["payload"]["stuck"])
    return report
