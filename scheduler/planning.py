"""Put an active plan version into the user's week, and show the sessions.

`schedule_plan` is called whenever a plan version becomes active (creation,
refinement, undo, a new time zone). It places the version's modules into the
user's study slots (`scheduler.timetable.build_timetable`), keeps modules already
done as they were, places only what is left of a partly done module (the minutes
logged on it in the plan lineage, see `storage.progress`), stores the sessions,
makes this version the scheduled one, cancels the reminders of other versions and
brings this one's reminders in line (`scheduler.reminders.reconcile_user`). Running
it twice for the same version changes nothing the second time (stable session and
reminder ids).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.localtime import day_text, span_text, user_zone, zone_label
from scheduler.reminders import UserFacts, reconcile_user
from scheduler.settings_model import ReminderSettings
from scheduler.timetable import (
    DEFAULT_MAX_SESSION_MINUTES,
    MIN_PART_MINUTES,
    build_timetable,
    first_available_start,
    plan_end,
    weekly_capacity_minutes,
)
from storage.models import Goal, Module, Plan, StudySession
from storage.progress import listed_lineage, module_key, plan_context
from storage.progress_doc import ProgressDoc, load_progress
from storage.reminders import ensure_indexes_once, plan_created_at
from storage.schedule_view import version_and_active
from storage.schedules import list_sessions, save_sessions
from storage.store import SavedPlan, Store

ALL_DONE = "Every session of this plan is done — nothing left to schedule. 🎉"
NO_SLOTS = (
    "I couldn't place any study sessions: I don't know when you can study. Tell me, "
    "e.g. “I can study weekday evenings 19:00-21:00”."
)


def _done_modules(sessions: list[StudySession]) -> set[str]:
    """Modules whose every session is done (they are not placed again)."""
    by_module: dict[str, list[str]] = {}
    for s in sessions:
        by_module.setdefault(s.module_id, []).append(s.status)
    return {m for m, statuses in by_module.items() if all(st == "done" for st in statuses)}


def _left_of(module: Module, spent: int) -> Module:
    """The part of `module` still to study after `spent` minutes on it: the rest of its
    minutes, but never less than one session part (`MIN_PART_MINUTES`) nor more than
    the whole module."""
    full = max(1, round(module.hours * 60))
    if spent <= 0:
        return module
    left = min(full, max(MIN_PART_MINUTES, full - spent))
    return module if left == full else module.model_copy(update={"hours": left / 60})


def _remaining(plan: Plan, done: set[str], spent: dict[str, int] | None = None) -> Plan:
    """`plan` without the modules in `done`, each other module shortened by the minutes
    in `spent` (by module id)."""
    spent = spent or {}
    weeks = [
        w.model_copy(
            update={
                "modules": [_left_of(m, spent.get(m.id, 0)) for m in w.modules if m.id not in done]
            }
        )
        for w in plan.weeks
    ]
    return plan.model_copy(update={"weeks": weeks})


async def _spent_minutes(
    store: Store,
    user_id: int,
    version: int,
    plan: Plan,
    started: set[str],
    *,
    progress: ProgressDoc,
    saved: SavedPlan | None,
) -> dict[str, int]:
    """Minutes logged (partial work, /log) per module of the active `version`'s lineage,
    for modules without a session done yet (a done session already stands for its
    minutes). A version just created by intake (`saved`, noted "created") starts a
    lineage of its own, with nothing logged on it yet."""
    if saved is not None and saved.note == "created":
        return {}
    lineage = None
    if saved is not None and saved.user.get("active_plan_version") == version:
        lineage = listed_lineage(saved.user, version)
    if lineage is None:
        context = await plan_context(store, user_id, user=saved.user if saved else None)
        if context is None or context.version != version:
            return {}
        lineage = context.lineage
    minutes = progress.minutes_by_key(lineage)
    return {
        m.id: minutes[module_key(m.id)]
        for m in plan.modules()
        if m.id not in started and minutes.get(module_key(m.id), 0) > 0
    }


def plan_start(plan: Plan, goal: Goal, tz: str, now: datetime) -> date:
    """The date week 1 is counted from, so that the first week with work left
    starts at the goal's start date (if still ahead) or the next free slot."""
    today = now.astimezone(ZoneInfo(tz)).date()
    base = goal.start_date if goal.start_date and goal.start_date >= today else None
    base = base or first_available_start(goal.availability, tz, now)
    first_week = min((w.number for w in plan.weeks if w.modules), default=1)
    return base - timedelta(days=7 * (first_week - 1))


async def schedule_plan(
    store: Store,
    user_id: int,
    version: int,
    plan: Plan,
    goal: Goal,
    *,
    now: datetime | None = None,
    wake: Callable[[], None] | None = None,
    max_session_minutes: int = DEFAULT_MAX_SESSION_MINUTES,
    saved: SavedPlan | None = None,
) -> list[dict[str, Any]]:
    """(Re)build the timetable and reminders of an active plan version; returns a
    short reply listing the next sessions. ``saved``: what `Store.store_plan` returned
    when this version was just stored (the user's document is then not read again).

    Nothing is scheduled after the plan's last week (or its deadline): work the study
    times cannot hold by then stays unscheduled, and the reply says so and offers the
    ways out (fewer hours a week, more weeks, more study times)."""
    now = now or store.clock()
    await ensure_indexes_once(store)
    if saved is not None and saved.version != version:
        saved = None
    user = saved.user if saved is not None else await store.get_user(user_id)
    tz = user_zone(user, goal.timezone)
    view = await version_and_active(store, user_id, version)
    own, previous = view.own, view.previous
    module_ids = {m.id for m in plan.modules()}
    kept = {
        s.session_id: s
        for s in [*previous, *own]
        if s.status == "done" and s.module_id in module_ids
    }
    # A version just created by intake starts a lineage with nothing logged on it, and
    # counts as the user's latest activity: its progress need not be read.
    created = saved is not None and saved.note == "created"
    progress = ProgressDoc({}) if created else await load_progress(store, user_id)
    started = {s.module_id for s in kept.values()}
    spent = await _spent_minutes(
        store, user_id, version, plan, started, progress=progress, saved=saved
    )
    remaining = _remaining(plan, _done_modules(own) | _done_modules(previous), spent)
    start = plan_start(remaining, goal, tz, now)
    zone = ZoneInfo(tz)
    end = plan_end(plan, start, goal.deadline)
    built = build_timetable(
        remaining, goal.availability, tz, start, now=now, max_session_minutes=max_session_minutes
    )
    late = {s.module_id for s in built if s.ends_at.astimezone(zone).date() >= end}
    placed = [s for s in built if s.session_id not in kept and s.module_id not in late]
    sessions = await save_sessions(
        store,
        user_id,
        version,
        [*kept.values(), *placed],
        anchor=start,
        existing=own,
        user=user,
        elsewhere=view.elsewhere,
        activate=True,
    )
    facts = None
    if user is not None and user.get("active_plan_version") == version:
        activity = progress.last_activity_at() or (
            saved.created_at if saved else await plan_created_at(store, user_id, version)
        )
        facts = UserFacts(
            user_id,
            int(user.get("chat_id") or user_id),
            ReminderSettings.of_user(user),
            tz,
            version,
            plan,
            sessions,
            activity,
        )
    await reconcile_user(store, user_id, now=now, facts=facts, user=user, superseding=version)
    if wake is not None:
        wake()
    if not goal.availability:
        return [{"kind": "text", "text": NO_SLOTS}]
    replies = [{"kind": "text", "text": _scheduled_text(plan, sessions, tz, now, user)}]
    unplaced = [m for m in remaining.modules() if m.id not in {s.module_id for s in placed}]
    if unplaced:
        capacity = weekly_capacity_minutes(goal.availability, max_session_minutes) / 60
        replies.append(too_much_reply(plan, unplaced, end, capacity))
    return replies


def too_much_reply(plan: Plan, unplaced: list[Any], end: date, capacity: float) -> dict[str, Any]:
    """The study times cannot hold the plan by its end: say so, and offer the choices
    (``capacity``: the hours a week the study times hold)."""
    weeks = max((w.number for w in plan.weeks), default=1)
    left = sum(m.hours for m in unplaced)
    last = end - timedelta(days=1)
    fewer = max(0.5, int(min(capacity, plan.hours_per_week) * 2) / 2)
    if fewer >= plan.hours_per_week:
        fewer = max(0.5, fewer - 0.5)
    more = max(weeks + 1, -(-round(plan.total_hours * 60) // round(fewer * 60)))
    text = (
        f"⚠ Your study times can't hold {plan.hours_per_week:g} h a week by "
        f"{last:%a} {last.day} {last:%b}: {_hours_text(left)} of the plan "
        f"({len(unplaced)} modules) is not scheduled. You can choose fewer hours a week "
        f"({fewer:g} h fits), more weeks ({more} weeks), or tell me more study times, "
        "e.g. “I can also study Saturdays 10:00-12:00”."
    )
    options = [
        {"label": f"{fewer:g} h a week", "value": f"{fewer:g} hours a week"},
        {"label": f"{more} weeks", "value": f"make it {more} weeks"},
    ]
    return {"kind": "text", "text": text, "options": options}


def _hours_text(hours: float) -> str:
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h {rest} min" if rest else f"{whole} h"


def _scheduled_text(
    plan: Plan,
    sessions: list[StudySession],
    tz: str,
    now: datetime,
    user: dict[str, Any] | None,
) -> str:
    zone = ZoneInfo(tz)
    upcoming = [s for s in sessions if s.status == "planned" and s.ends_at > now]
    if not upcoming:
        if sessions and all(s.status == "done" for s in sessions):
            return ALL_DONE
        return NO_SLOTS
    lines = [
        f"📅 {len(upcoming)} study sessions scheduled, from "
        f"{day_text(upcoming[0].starts_at, zone)} to {day_text(upcoming[-1].starts_at, zone)} "
        f"({zone_label(tz)}).",
        sessions_list(plan, upcoming[:3], zone, "Next sessions:"),
    ]
    settings = ReminderSettings.of_user(user)
    if settings.enabled:
        lines.append(
            f"I'll remind you {settings.lead_minutes} min before each one — /reminders to "
            "change that, /today for today's sessions."
        )
    return "\n".join(lines)


def sessions_list(
    plan: Plan | None, sessions: list[StudySession], zone: ZoneInfo, head: str
) -> str:
    lines = [head]
    for s in sessions:
        module = plan.find_module(s.module_id) if plan is not None else None
        title = module.title if module else s.module_id
        part = f" (part {s.part} of {s.parts})" if s.parts > 1 else ""
        lines.append(f"• {span_text(s.starts_at, s.ends_at, zone)} — {title}{part}")
    return "\n".join(lines)


async def upcoming_sessions_text(
    store: Store,
    user_id: int,
    version: int,
    tz: str,
    now: datetime,
    limit: int = 3,
    *,
    plan: Plan | None = None,
) -> str | None:
    """``Next sessions:`` with the next ``limit`` planned sessions in local time, or None.
    ``plan`` is ``version``'s plan if the caller has it (else it is read)."""
    sessions = await list_sessions(store, user_id, version)
    upcoming = [s for s in sessions if s.status == "planned" and s.ends_at > now][:limit]
    if not upcoming:
        return None
    if plan is None:
        active = await store.active_plan(user_id)
        plan = active[1] if active is not None and active[0] == version else None
    return sessions_list(plan, upcoming, ZoneInfo(tz), "Next sessions:")


STATUS_MARKS = {"done": "✅", "skipped": "⏭", "missed": "✗"}


async def today_text(store: Store, user_id: int, now: datetime) -> str | None:
    """Today's sessions in local time and the next one after today; None without a plan."""
    active = await store.active_plan(user_id)
    if active is None:
        return None
    version, plan, goal = active
    user = await store.get_user(user_id)
    zone = ZoneInfo(user_zone(user, goal.timezone))
    today = now.astimezone(zone).date()
    sessions = await list_sessions(store, user_id, version)
    todays = [s for s in sessions if s.starts_at.astimezone(zone).date() == today]
    lines: list[str] = []
    if todays:
        lines.append(f"Today, {day_text(now, zone)}:")
        for s in todays:
            module = plan.find_module(s.module_id)
            title = module.title if module else s.module_id
            mark = STATUS_MARKS.get(s.status) or ("⏳" if s.ends_at <= now else "•")
            local = f"{s.starts_at.astimezone(zone):%H:%M}–{s.ends_at.astimezone(zone):%H:%M}"
            lines.append(f"{mark} {local} {title}")
    else:
        lines.append(f"No study sessions today ({day_text(now, zone)}).")
    later = [
        s for s in sessions if s.status == "planned" and s.starts_at.astimezone(zone).date() > today
    ]
    if later:
        lines.append(sessions_list(plan, later[:1], zone, "Next:"))
    elif not any(s.status == "planned" and s.ends_at > now for s in todays):
        lines.append("Nothing else is scheduled — /plan shows your plan.")
    return "\n".join(lines)
