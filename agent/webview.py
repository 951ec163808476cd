"""Read models for the Mini App, and the chat events its actions become.

Reading: `plan_view`, `calendar_view`, `progress_view` and `settings_view` turn the
user's stored plan, progress, sessions and reminder settings into plain JSON-able dicts
for the page. They use the same figures as the chat (`agent.nodes.progress.progress_report`
for /progress, `ReminderSettings` for /reminders), so the page and the chat never disagree.

Acting: the page never changes anything itself. Each action becomes the event the chat
would produce for the same thing — a button press (``pg:d:<module>:0`` marks a module
done, ``rm:k:<reminder>`` skips a session) or a command (``/reminders quiet 22:00-08:00``,
``/timezone Berlin``) or the words of a refinement ("make week 2 lighter") — and goes
through `agent.service.AgentService.handle_web`, so the chat's validation and code run.
Every value that reaches an event is checked against the user's own plan and sessions
or against the chat's own parsers first; a request never names a user.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from agent.nodes.progress import progress_report
from agent.progress import completed_milestones, next_module, spent_by_week
from agent.understanding.places import resolve_timezone
from scheduler.localtime import user_zone
from scheduler.reminders import session_reminder_id
from scheduler.settings_model import ReminderSettings, clock_text, parse_settings_command
from storage.progress import PlanContext, module_key, plan_context
from storage.progress_doc import ProgressDoc, load_progress
from storage.reminders import find_by_short_id, short_id_of
from storage.schedules import list_sessions
from storage.store import Store

MAX_TEXT = 200


class ActionError(ValueError):
    """An action the page asked for that the chat would refuse too (the message says why)."""


# --------------------------------------------------------------------------- reading


def _statuses(pc: PlanContext, doc: ProgressDoc) -> dict[str, str]:
    """Module id → "done", "partial" (time or partial work, not done), "next" or "todo"."""
    done = set(doc.done(pc.lineage))
    minutes = doc.minutes_by_key(pc.lineage)
    worked = {a.module_id for a in doc.activity() if a.plan == pc.lineage and a.module_id}
    reminded = pc.last_reminded_module
    current = pc.plan.find_module(reminded) if reminded and reminded not in done else None
    current = current or next_module(pc.plan, done)
    out: dict[str, str] = {}
    for module in pc.plan.modules():
        if module.id in done:
            out[module.id] = "done"
        elif current is not None and module.id == current.id:
            out[module.id] = "next"
        elif module.id in worked or minutes.get(module_key(module.id), 0) > 0:
            out[module.id] = "partial"
        else:
            out[module.id] = "todo"
    return out


def _week_status(statuses: list[str]) -> str:
    if statuses and all(s == "done" for s in statuses):
        return "done"
    if "next" in statuses:
        return "next"
    if any(s in {"done", "partial"} for s in statuses):
        return "partial"
    return "todo"


async def plan_view(store: Store, uid: int) -> dict[str, Any] | None:
    """The active plan as a timeline of weeks, each module with its status; None without
    a plan."""
    pc = await plan_context(store, uid)
    if pc is None:
        return None
    doc = await load_progress(store, uid)
    statuses = _statuses(pc, doc)
    spent = doc.minutes_by_key(pc.lineage)
    scores = doc.quiz_scores(pc.lineage)
    milestones = {m.week: m for m in pc.plan.milestones}
    reached = {m.week for m in completed_milestones(pc.plan, set(doc.done(pc.lineage)))}
    weeks = []
    for week in pc.plan.weeks:
        modules = [
            {
                "id": m.id,
                "title": m.title,
                "description": m.description,
                "hours": m.hours,
                "difficulty": m.difficulty,
                "status": statuses[m.id],
                "spent_minutes": spent.get(module_key(m.id), 0),
                "objectives": list(m.objectives),
                "resources": [r.model_dump() for r in m.resources],
            }
            for m in week.modules
        ]
        quiz = week.quiz.questions if week.quiz else []
        correct, answered = scores.get(week.number, (0, 0))
        milestone = milestones.get(week.number)
        weeks.append(
            {
                "number": week.number,
                "theme": week.theme,
                "hours": week.hours,
                "status": _week_status([m["status"] for m in modules]),
                "modules": modules,
                "milestone": (
                    {"title": milestone.title, "reached": week.number in reached}
                    if milestone
                    else None
                ),
                "quiz": {
                    "questions": [
                        {"question": q.question, "options": list(q.options)} for q in quiz
                    ],
                    "answered": answered,
                    "correct": correct,
                },
            }
        )
    return {
        "title": pc.plan.title,
        "goal": pc.plan.goal,
        "version": pc.version,
        "skill_level": pc.plan.skill_level.value,
        "hours_per_week": pc.plan.hours_per_week,
        "total_hours": pc.plan.total_hours,
        "timezone": pc.timezone,
        "weeks": weeks,
    }


async def calendar_view(store: Store, uid: int, now: datetime) -> dict[str, Any] | None:
    """Sessions from the start of the user's local today on, by plan week, in their zone."""
    active = await store.active_plan(uid)
    if active is None:
        return None
    version, plan, goal = active
    tz = user_zone(await store.get_user(uid), goal.timezone)
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    weeks: dict[int, list[dict[str, Any]]] = {}
    for s in await list_sessions(store, uid, version):
        if s.ends_at < today:
            continue
        module = plan.find_module(s.module_id)
        start, end = s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)
        weeks.setdefault(s.week, []).append(
            {
                "id": s.session_id,
                "module_id": s.module_id,
                "title": module.title if module else s.module_id,
                "part": s.part,
                "parts": s.parts,
                "day": f"{start:%a} {start.day} {start:%b}",
                "date": start.date().isoformat(),
                "time": f"{start:%H:%M}–{end:%H:%M}",
                "status": s.status,
                "can_change": s.status == "planned" and s.starts_at > now,
            }
        )
    return {
        "timezone": tz,
        "weeks": [{"number": n, "sessions": weeks[n]} for n in sorted(weeks)],
    }


async def _review_due(store: Store, uid: int, now: datetime) -> int | None:
    """How many review items are due, when spaced review (``storage.review`` with an async
    ``due_count(store, user_id, now)``) exists; None otherwise, and the page hides it."""
    try:
        review = importlib.import_module("storage.review")
    except ImportError:
        return None
    due_count = getattr(review, "due_count", None)
    return int(await due_count(store, uid, now)) if callable(due_count) else None


async def progress_view(store: Store, uid: int, now: datetime) -> dict[str, Any] | None:
    """What /progress says, as numbers: percent, planned vs spent hours per week, streaks,
    quiz scores and, when spaced review exists, the review items due."""
    pc = await plan_context(store, uid)
    if pc is None:
        return None
    doc = await load_progress(store, uid)
    report = progress_report(pc, doc, now)
    summary = report.summary
    spent = spent_by_week(pc.plan, doc, pc.lineage)
    scores = doc.quiz_scores(pc.lineage)
    view: dict[str, Any] = {
        "title": pc.plan.title,
        "percent": summary.percent,
        "modules_done": summary.modules_done,
        "modules_total": summary.modules_total,
        "hours_planned": summary.hours_planned,
        "hours_spent": summary.hours_spent,
        "current_streak": summary.current_streak,
        "longest_streak": summary.longest_streak,
        "quiz_average": summary.quiz_average,
        "next_module": summary.next_module_title,
        "weeks": [
            {
                "number": w.number,
                "planned_hours": w.hours,
                "spent_hours": round(spent.get(w.number, 0) / 60, 2),
                "done_hours": summary.per_week_done[i] if i < len(summary.per_week_done) else 0,
                "quiz": (
                    {"correct": scores[w.number][0], "answered": scores[w.number][1]}
                    if scores.get(w.number, (0, 0))[1]
                    else None
                ),
            }
            for i, w in enumerate(pc.plan.weeks)
        ],
        "review_due": await _review_due(store, uid, now),
    }
    return view


async def settings_view(store: Store, uid: int, now: datetime) -> dict[str, Any]:
    user = await store.get_user(uid)
    active = await store.active_plan(uid)
    settings = ReminderSettings.of_user(user)
    quiet = settings.quiet
    return {
        "enabled": settings.enabled,
        "paused": settings.paused_at(now),
        "lead_minutes": settings.lead_minutes,
        "quiet": (
            {"start": clock_text(quiet.start), "end": clock_text(quiet.end)} if quiet else None
        ),
        "timezone": user_zone(user, active[2].timezone if active else None),
    }


# --------------------------------------------------------------------------- acting


@dataclass(frozen=True)
class WebAction:
    """The chat event an action becomes: a button press (``data``) or typed words."""

    kind: str
    text: str = ""
    data: str = ""
    command: str = ""
    args: str = ""

    def event(self, uid: int, name: str | None) -> dict[str, Any]:
        base = {"user_id": uid, "chat_id": uid, "name": name, "kind": self.kind}
        if self.kind == "callback":
            return {**base, "data": self.data, "text": ""}
        if self.kind == "command":
            return {**base, "command": self.command, "args": self.args, "text": self.text}
        return {**base, "text": self.text}


def _command(command: str, args: str) -> WebAction:
    return WebAction("command", text=f"/{command} {args}".strip(), command=command, args=args)


async def mark_done(store: Store, uid: int, module_id: str) -> WebAction:
    """The "done" button of a module of the user's active plan."""
    pc = await plan_context(store, uid)
    if pc is None:
        raise ActionError("You don't have a plan yet.")
    module = pc.plan.find_module(module_id)
    if module is None:
        raise ActionError("That module is no longer in your plan.")
    return WebAction("callback", data=f"pg:d:{module_key(module.id)}:0")


async def lighter_week(store: Store, uid: int, week: int) -> WebAction:
    """“make week N lighter”, as the user would type it in the chat."""
    active = await store.active_plan(uid)
    if active is None:
        raise ActionError("You don't have a plan yet.")
    if not any(w.number == week for w in active[1].weeks):
        raise ActionError(f"Your plan has no week {week}.")
    return WebAction("text", text=f"make week {week} lighter")


async def session_action(store: Store, uid: int, session_id: str, action: str) -> WebAction:
    """Skip: the reminder's own "⏭ Skip" button when the session has a reminder, else the
    session's skip button; move: the session's "move later" button."""
    active = await store.active_plan(uid)
    if active is None:
        raise ActionError("You don't have a plan yet.")
    version = active[0]
    sessions = {s.session_id: s for s in await list_sessions(store, uid, version)}
    session = sessions.get(session_id)
    if session is None:
        raise ActionError("That session is not in your calendar any more.")
    if action == "move":
        return WebAction("callback", data=f"ss:m:{session.session_id}")
    if action != "skip":
        raise ActionError(f"Unknown action {action[:20]!r}.")
    reminder = session_reminder_id(uid, version, session.session_id, session.sequence)
    short = short_id_of(reminder)
    if await find_by_short_id(store, uid, short) is not None:
        return WebAction("callback", data=f"rm:k:{short}")
    return WebAction("callback", data=f"ss:k:{session.session_id}")


def settings_actions(change: dict[str, Any]) -> list[WebAction]:
    """The /reminders and /timezone commands for a settings change, validated by the
    same parsers as the chat commands (an `ActionError` carries their help text)."""
    actions: list[WebAction] = []
    if "enabled" in change:
        actions.append(_command("reminders", "on" if change["enabled"] is True else "off"))
    if "lead_minutes" in change:
        actions.append(_checked_reminders(f"lead {_short(change['lead_minutes'])}"))
    if "quiet" in change:
        quiet = change["quiet"]
        if quiet is None:
            actions.append(_checked_reminders("quiet off"))
        elif isinstance(quiet, dict):
            start, end = _short(quiet.get("start")), _short(quiet.get("end"))
            actions.append(_checked_reminders(f"quiet {start}-{end}"))
        else:
            raise ActionError("Quiet hours need a start and an end, like 22:00 and 08:00.")
    if "timezone" in change:
        text = _short(change["timezone"]).strip()
        if not text or resolve_timezone(text) is None:
            raise ActionError(
                f"I don't know the time zone “{text[:100]}”. Try a big city near you, "
                "or an offset like UTC+2."
            )
        actions.append(_command("timezone", text))
    if not actions:
        raise ActionError("Nothing to change.")
    return actions


def _short(value: Any) -> str:
    return str(value if value is not None else "")[:MAX_TEXT]


def _checked_reminders(args: str) -> WebAction:
    parsed = parse_settings_command(args)
    if parsed.action == "invalid":
        raise ActionError(parsed.error or "I didn't understand that setting.")
    return _command("reminders", args)


# --------------------------------------------------------------------------- helpers


def reply_texts(replies: list[dict[str, Any]]) -> list[str]:
    """What the chat would have said, as plain lines for the page's notice."""
    return [str(r["text"]) for r in replies if r.get("kind") == "text" and r.get("text")]
