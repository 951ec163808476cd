"""Which reminders a user should have, and bringing the stored ones in line.

`desired_reminders` is pure: from the settings, the active plan's sessions, the
zone and "now" it computes the pending reminders a user should have — one per
upcoming session (lead time before it, out of quiet hours, not while paused), the
next weekly summary, the next nudge, and the next occurrence of each recurring
``/remind`` rule (only the next one: after it is sent, `follow_up` adds the one
after). `reconcile_user` compares that with the stored reminders and, one atomic
document at a time, inserts the missing, moves the ones whose time changed,
revives cancelled ones that are wanted again and cancels the obsolete. Reminder
ids are deterministic, so running it twice changes nothing the second time.

A snoozed reminder keeps its snoozed time; one already due is left for the
dispatcher. Digests and "what moved" notices are never touched here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.localtime import (
    local_day,
    next_occurrence,
    next_weekly_summary,
    occurrence_after_day,
    outside_quiet,
    quiet_window,
    user_zone,
    wall_to_utc,
)
from scheduler.settings_model import ReminderSettings
from storage.models import Plan, StudySession
from storage.reminders import (
    CANCELLED,
    PENDING,
    compare_and_set,
    due_fields,
    insert_if_absent,
    insert_many_if_absent,
    last_activity_at,
    new_reminder,
    plan_created_at,
    user_reminders,
    write_reconciled,
)
from storage.schedules import list_sessions
from storage.store import Store

MAX_RESOURCES = 5
RECONCILED_KINDS = ("session", "custom", "nudge", "weekly_summary")


def session_reminder_id(user_id: int, version: int, session_id: str, sequence: int) -> str:
    return f"s:{user_id}:{version}:{session_id}:{sequence}"


def custom_reminder_id(user_id: int, rule_id: str, day: date) -> str:
    return f"c:{user_id}:{rule_id}:{day:%Y%m%d}"


def weekly_reminder_id(user_id: int, day: date) -> str:
    return f"w:{user_id}:{day:%Y%m%d}"


def nudge_reminder_id(user_id: int, due: datetime) -> str:
    return f"n:{user_id}:{due:%Y%m%d%H%M}"


@dataclass
class UserFacts:
    """Everything `desired_reminders` needs about one user."""

    user_id: int
    chat_id: int
    settings: ReminderSettings
    tz: str
    version: int | None = None
    plan: Plan | None = None
    sessions: list[StudySession] = field(default_factory=list)
    last_activity: datetime | None = None


def _gate(due: datetime, settings: ReminderSettings, zone: ZoneInfo) -> datetime:
    """After any pause, and out of quiet hours."""
    if settings.paused_until is not None and due < settings.paused_until:
        due = settings.paused_until
    return outside_quiet(due, settings.quiet, zone)


QUIET_BEFORE = "before"
QUIET_AFTER = "after"


def session_due(
    due: datetime,
    session: StudySession,
    settings: ReminderSettings,
    zone: ZoneInfo,
    now: datetime,
) -> tuple[datetime, str | None] | None:
    """When a session's reminder goes out, and why if quiet hours moved it.

    Out of quiet hours it is ``due``. Inside them it comes when they end if that is
    still before the session starts; otherwise just before they begin (the evening
    before a 07:00 session); failing that when they end, while the session is still
    on. None when no moment is useful (the session ends inside the quiet hours)."""
    window = quiet_window(due, settings.quiet, zone)
    if window is None:
        return due, None
    begins, ends = window
    if ends <= session.starts_at:
        return ends, QUIET_AFTER
    early = begins - timedelta(minutes=1)
    if early >= now and not (settings.paused_at(early)):
        return early, QUIET_BEFORE
    if ends < session.ends_at:
        return ends, QUIET_AFTER
    return None


def session_payload(plan: Plan | None, session: StudySession) -> dict[str, Any]:
    module = plan.find_module(session.module_id) if plan is not None else None
    minutes = int((session.ends_at - session.starts_at).total_seconds() // 60)
    listed = module.resources[:MAX_RESOURCES] if module else []
    resources = [{"title": r.title, "url": r.url} for r in listed]
    return {
        "module_id": session.module_id,
        "title": module.title if module else session.module_id,
        "minutes": minutes,
        "part": session.part,
        "parts": session.parts,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "resources": resources,
    }


def desired_reminders(facts: UserFacts, now: datetime) -> dict[str, dict[str, Any]]:
    """The pending reminders this user should have, by reminder id."""
    settings = facts.settings
    if not settings.enabled:
        return {}
    zone = ZoneInfo(facts.tz)
    out: dict[str, dict[str, Any]] = {}

    def add(reminder_id: str, kind: str, due: datetime, **extra: Any) -> None:
        out[reminder_id] = new_reminder(
            reminder_id=reminder_id,
            kind=kind,
            user_id=facts.user_id,
            chat_id=facts.chat_id,
            due_at=due,
            tz=facts.tz,
            now=now,
            **extra,
        )

    upcoming = [s for s in facts.sessions if s.status == "planned" and s.starts_at > now]
    for session in upcoming:
        due = session.starts_at - timedelta(minutes=settings.lead_minutes)
        if settings.paused_at(due):
            continue
        placed = session_due(max(due, now), session, settings, zone, now)
        if placed is None:
            continue
        due, quiet_note = placed
        payload = session_payload(facts.plan, session)
        if quiet_note:
            payload["quiet"] = quiet_note
        assert facts.version is not None
        add(
            session_reminder_id(facts.user_id, facts.version, session.session_id, session.sequence),
            "session",
            due,
            version=facts.version,
            session_id=session.session_id,
            sequence=session.sequence,
            payload=payload,
        )
    if facts.version is not None and upcoming:
        if settings.weekly_summary:
            summary = next_weekly_summary(zone, max(now, settings.paused_until or now))
            day = local_day(summary, zone)
            add(
                weekly_reminder_id(facts.user_id, day),
                "weekly_summary",
                outside_quiet(summary, settings.quiet, zone),
                occurrence=day.isoformat(),
            )
        if settings.nudge_days and facts.last_activity is not None:
            anchor = max(facts.last_activity, settings.last_nudge_at or facts.last_activity)
            due = _gate(max(anchor + timedelta(days=settings.nudge_days), now), settings, zone)
            add(nudge_reminder_id(facts.user_id, due), "nudge", due)
    for rule in settings.custom:
        occurrence = next_occurrence(rule, zone, max(now, settings.paused_until or now))
        day = local_day(occurrence, zone)
        add(
            custom_reminder_id(facts.user_id, rule.id, day),
            "custom",
            outside_quiet(occurrence, settings.quiet, zone),
            rule_id=rule.id,
            occurrence=day.isoformat(),
            payload={"rule": rule.text},
        )
    return out


async def user_facts(store: Store, user_id: int, user: dict[str, Any] | None) -> UserFacts:
    settings = ReminderSettings.of_user(user)
    chat_id = int((user or {}).get("chat_id") or user_id)
    active = await store.active_plan(user_id)
    if active is None:
        return UserFacts(user_id, chat_id, settings, user_zone(user, None))
    version, plan, goal = active
    sessions = await list_sessions(store, user_id, version)
    activity = await last_activity_at(store, user_id) or await plan_created_at(
        store, user_id, version
    )
    return UserFacts(
        user_id,
        chat_id,
        settings,
        user_zone(user, goal.timezone),
        version,
        plan,
        sessions,
        activity,
    )


@dataclass
class ReconcileReport:
    inserted: int = 0
    moved: int = 0
    revived: int = 0
    cancelled: int = 0


def _session_key(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc.get("version"), doc.get("session_id"), doc.get("sequence"))


def _source_gone(doc: dict[str, Any], facts: UserFacts) -> bool:
    """The session or rule this reminder was for no longer exists as it was."""
    if doc["kind"] == "session":
        planned = {
            (facts.version, s.session_id, s.sequence)
            for s in facts.sessions
            if s.status == "planned"
        }
        return _session_key(doc) not in planned
    if doc["kind"] == "custom":
        return doc.get("rule_id") not in {r.id for r in facts.settings.custom}
    return facts.version is None


def obsolete_reason(doc: dict[str, Any], facts: UserFacts, now: datetime) -> str | None:
    """Why a pending reminder that is not wanted any more should be cancelled, or
    None to leave it (it is snoozed, or already due and about to be sent)."""
    settings = facts.settings
    if not settings.enabled:
        return "off"
    if _source_gone(doc, facts):
        return "superseded"
    if doc.get("snoozed") or doc["due_at"] <= now:
        return None
    if settings.paused_at(doc["due_at"]):
        return "paused"
    return "superseded"


async def reconcile_user(
    store: Store,
    user_id: int,
    *,
    now: datetime,
    facts: UserFacts | None = None,
    user: dict[str, Any] | None = None,
    superseding: int | None = None,
) -> ReconcileReport:
    """Make the user's stored pending reminders match `desired_reminders`.

    ``facts`` (with ``user``, the user's document): what the caller has just read and
    written, so it is not read again. ``superseding``: a plan version that has just
    become the scheduled one; every other version's pending session reminders are
    cancelled ("superseded") first, in the one command of conditional writes that
    makes every change without reading the stored reminders (the report then counts
    only the inserted ones)."""
    if facts is None:
        user = user if user is not None else await store.get_user(user_id)
        facts = await user_facts(store, user_id, user)
    desired = desired_reminders(facts, now)
    report = ReconcileReport()
    if superseding is not None:
        # A new plan brings a reminder per session: every change in one command,
        # without reading the stored reminders (`scheduler.reconcile_writes`).
        from scheduler.reconcile_writes import reconcile_writes  # imports this module

        writes = reconcile_writes(facts, desired, now, superseding=superseding)
        report.inserted += await write_reconciled(store, writes)
        return report
    stored = await user_reminders(store, user_id, statuses=[PENDING, CANCELLED])
    by_id = {d["reminder_id"]: d for d in stored}
    new = [want for reminder_id, want in desired.items() if reminder_id not in by_id]
    report.inserted += await insert_many_if_absent(store, new)
    for reminder_id, want in desired.items():
        have = by_id.get(reminder_id)
        if have is None:
            continue
        if have["status"] == CANCELLED:
            fields = {
                **due_fields(want["due_at"]),
                "status": PENDING,
                "cancel_reason": None,
                "attempts": 0,
                "payload": want["payload"],
            }
            report.revived += await compare_and_set(store, have, fields) is not None
        elif not have.get("snoozed") and have["due_at"] != want["due_at"]:
            if have["due_at"] <= now and want["due_at"] <= now:
                continue
            fields = {**due_fields(want["due_at"]), "payload": want["payload"]}
            report.moved += await compare_and_set(store, have, fields) is not None
    for doc in stored:
        if doc["status"] != PENDING or doc["reminder_id"] in desired:
            continue
        if doc["kind"] not in RECONCILED_KINDS:
            continue
        reason = obsolete_reason(doc, facts, now)
        if reason is not None:
            fields = {"status": CANCELLED, "cancel_reason": reason}
            report.cancelled += await compare_and_set(store, doc, fields) is not None
    return report


async def follow_up(
    store: Store,
    doc: dict[str, Any],
    settings: ReminderSettings,
    now: datetime,
    *,
    delivered: bool = True,
) -> dict[str, Any] | None:
    """After a recurring reminder was handled (sent, folded, or dropped because the user
    was paused or active — ``delivered=False``), store the next one. Idempotent: the
    next one's id is fixed by its date."""
    if not settings.enabled:
        return None
    zone = ZoneInfo(doc.get("tz") or "UTC")
    user_id, chat_id = int(doc["user_id"]), int(doc["chat_id"])
    base = max(now, settings.paused_until or now)
    common = {"user_id": user_id, "chat_id": chat_id, "tz": doc.get("tz") or "UTC", "now": now}
    following: dict[str, Any] | None = None
    if doc["kind"] == "custom":
        rule = next((r for r in settings.custom if r.id == doc.get("rule_id")), None)
        if rule is None:
            return None
        after = occurrence_after_day(rule, zone, date.fromisoformat(doc["occurrence"]))
        occurrence = max(after, next_occurrence(rule, zone, base))
        day = local_day(occurrence, zone)
        following = new_reminder(
            reminder_id=custom_reminder_id(user_id, rule.id, day),
            kind="custom",
            due_at=outside_quiet(occurrence, settings.quiet, zone),
            rule_id=rule.id,
            occurrence=day.isoformat(),
            payload={"rule": rule.text},
            **common,
        )
    elif doc["kind"] == "weekly_summary" and settings.weekly_summary:
        after = date.fromisoformat(doc["occurrence"]) + timedelta(days=1)
        summary = next_weekly_summary(zone, max(base, _start_of(after, zone)))
        day = local_day(summary, zone)
        following = new_reminder(
            reminder_id=weekly_reminder_id(user_id, day),
            kind="weekly_summary",
            due_at=outside_quiet(summary, settings.quiet, zone),
            occurrence=day.isoformat(),
            **common,
        )
    elif doc["kind"] == "nudge" and settings.nudge_days:
        activity = await last_activity_at(store, user_id) or now
        anchor = max(now, activity) if delivered else activity
        due = _gate(max(anchor + timedelta(days=settings.nudge_days), now), settings, zone)
        following = new_reminder(
            reminder_id=nudge_reminder_id(user_id, due), kind="nudge", due_at=due, **common
        )
    if following is not None:
        await insert_if_absent(store, following)
    return following


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return wall_to_utc(day, time(0, 0), zone)
