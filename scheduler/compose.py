"""Decide, at send time, whether a due reminder still makes sense, and what it says.

A reminder is checked against the current data just before it goes out: reminders
turned off or paused, a session already done, skipped or moved, a nudge whose user
has been active since, a plan that is finished. Anything stale is cancelled with
the reason instead of sent. A session reminder also says how many review items are
due (read from `storage.review`, the agent's FSRS logic stays out of the scheduler).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.localtime import valid_zone, wall_to_utc
from scheduler.messages import (
    custom_message,
    digest_message,
    moved_message,
    nudge_message,
    session_message,
    weekly_message,
)
from scheduler.settings_model import ReminderSettings
from storage.reminders import last_activity_at, plan_created_at
from storage.review import due_count
from storage.schedules import get_session, list_sessions
from storage.store import Store

NUDGE_SLACK = timedelta(minutes=1)
ALWAYS_SENT = ("missed_digest", "moved")


@dataclass
class Composed:
    """``replies`` to send, or ``cancel`` (the reason) to drop it. ``follow`` asks for
    the next occurrence of a recurring reminder to be stored afterwards."""

    replies: list[dict[str, Any]] = field(default_factory=list)
    cancel: str | None = None
    follow: bool = False


async def upcoming_session(
    store: Store, user_id: int, now: datetime, user: dict[str, Any] | None = None
) -> tuple[str, datetime, datetime] | None:
    """(module title, start, end) of the user's next planned session. A users document
    already at hand that shows no active plan saves the lookup."""
    if user is not None and not user.get("active_plan_version"):
        return None
    active = await store.active_plan(user_id)
    if active is None:
        return None
    version, plan, _goal = active
    for session in await list_sessions(store, user_id, version):
        if session.status == "planned" and session.starts_at > now:
            module = plan.find_module(session.module_id)
            title = module.title if module else session.module_id
            return title, session.starts_at, session.ends_at
    return None


async def compose(
    store: Store, doc: dict[str, Any], user: dict[str, Any] | None, now: datetime
) -> Composed:
    settings = ReminderSettings.of_user(user)
    kind = doc["kind"]
    zone = ZoneInfo(valid_zone(doc.get("tz")))
    recurring = kind in ("custom", "weekly_summary", "nudge")
    if not settings.enabled:
        return Composed(cancel="off")
    if settings.paused_at(now):
        return Composed(cancel="paused", follow=recurring)
    if kind == "session":
        return await _session(store, doc, user, zone, now)
    if kind == "custom":
        upcoming = await upcoming_session(store, int(doc["user_id"]), now, user)
        return Composed([custom_message(doc, zone, upcoming)], follow=True)
    if kind == "nudge":
        return await _nudge(store, doc, settings, zone, now)
    if kind == "weekly_summary":
        return await _weekly(store, doc, zone, now)
    if kind == "missed_digest":
        return Composed([digest_message(doc["payload"].get("items", []), zone)])
    if kind == "moved":
        payload = doc["payload"]
        return Composed([moved_message(payload.get("moves", []), payload.get("stuck", []), zone)])
    return Composed(cancel=f"unknown kind {kind}")


async def _session(
    store: Store, doc: dict[str, Any], user: dict[str, Any] | None, zone: ZoneInfo, now: datetime
) -> Composed:
    user_id, version = int(doc["user_id"]), int(doc["version"])
    if (user or {}).get("active_plan_version") not in (None, version):
        return Composed(cancel="superseded")
    session = await get_session(store, user_id, version, str(doc["session_id"]))
    if session is None or session.sequence != doc.get("sequence"):
        return Composed(cancel="superseded")
    if session.status != "planned":
        return Composed(cancel=f"session {session.status}")
    review_due = await due_count(store, user_id, now)
    return Composed([session_message(doc, zone, now, review_due)])


async def _nudge(
    store: Store, doc: dict[str, Any], settings: ReminderSettings, zone: ZoneInfo, now: datetime
) -> Composed:
    user_id = int(doc["user_id"])
    active = await store.active_plan(user_id)
    if active is None:
        return Composed(cancel="no plan")
    upcoming = await upcoming_session(store, user_id, now)
    if upcoming is None:
        return Composed(cancel="nothing planned")
    activity = await last_activity_at(store, user_id) or await plan_created_at(
        store, user_id, active[0]
    )
    if activity is not None and activity + timedelta(days=settings.nudge_days) > now + NUDGE_SLACK:
        return Composed(cancel="active since", follow=True)
    days = settings.nudge_days if activity is None else max(1, (now - activity).days)
    return Composed([nudge_message(days, zone, upcoming)], follow=True)


async def _weekly(store: Store, doc: dict[str, Any], zone: ZoneInfo, now: datetime) -> Composed:
    user_id = int(doc["user_id"])
    active = await store.active_plan(user_id)
    if active is None:
        return Composed(cancel="no plan")
    sunday = date.fromisoformat(doc["occurrence"])
    monday = sunday - timedelta(days=sunday.weekday())
    week_start = wall_to_utc(monday, time(0, 0), zone)
    next_start = wall_to_utc(monday + timedelta(days=7), time(0, 0), zone)
    next_end = wall_to_utc(monday + timedelta(days=14), time(0, 0), zone)
    sessions = await list_sessions(store, user_id, active[0])
    counts: dict[str, int] = {}
    for s in sessions:
        if week_start <= s.starts_at < next_start:
            status = "missed" if s.status == "planned" and s.ends_at <= now else s.status
            counts[status] = counts.get(status, 0) + 1
    coming = [s for s in sessions if next_start <= s.starts_at < next_end and s.status == "planned"]
    if not counts and not coming and not any(s.starts_at >= now for s in sessions):
        return Composed(cancel="plan finished")
    minutes = sum(int((s.ends_at - s.starts_at).total_seconds() // 60) for s in coming)
    upcoming = await upcoming_session(store, user_id, now)
    week_end = next_start - timedelta(hours=12)
    message = weekly_message(week_start, week_end, counts, len(coming), minutes, zone, upcoming)
    return Composed([message], follow=True)
