"""Build an iCalendar (.ics) export of a plan's study sessions.

Pure: no I/O, no clock and no randomness, so the same inputs give byte-identical
output (DTSTAMP is the ``now`` argument; every UID is derived from stable ids).

* The calendar is ``METHOD:PUBLISH`` with ``X-WR-CALNAME``/``NAME`` (plan title),
  ``X-WR-TIMEZONE`` (the user's zone) and a calendar ``UID`` of
  ``f"{calendar_id}@learnplan"``. icalendar 7.3 does not escape NAME/X-WR-* values
  given as ``str`` (and refuses newlines), so they are passed as ``vText``.
* Events carry DTSTART/DTEND in the user's zone (``TZID=...``) backed by a VTIMEZONE
  covering the years of the sessions (from the year before the first to the year after
  the last). A UTC zone ("UTC", "Etc/UTC", "GMT") is written with the ``Z`` suffix and
  needs no VTIMEZONE (RFC 5545 3.2.19); a calendar with no sessions has no VTIMEZONE.
* Event UIDs are ``f"{session_id}.{calendar_id}@learnplan"`` (``calendar_id`` is the
  user's random calendar id, never the Telegram user id) and SEQUENCE is the session's
  sequence plus ``sequence_offset`` (the number of alarm changes), so re-imports update
  events in place, a new alarm included.
* Skipped sessions are kept as ``STATUS:CANCELLED`` without an alarm; all others are
  ``STATUS:CONFIRMED`` with a display alarm ``lead_minutes`` before the start when
  ``lead_minutes > 0``. Sessions a newer plan version no longer has (``removed``) are
  written once each as ``STATUS:CANCELLED`` one SEQUENCE above the last one shown, so a
  calendar that imported them drops them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vText

from storage.models import Module, Plan, StudySession

PRODID = "-//learnplan//learnplan//EN"
_FILENAME_PREFIX = "learnplan-"
_FILENAME_SUFFIX = ".ics"
_MAX_FILENAME = 60


def build_calendar(
    plan: Plan,
    sessions: list[StudySession],
    tz: str,
    *,
    lead_minutes: int,
    calendar_id: str,
    now: datetime,
    removed: list[StudySession] | None = None,
    sequence_offset: int = 0,
) -> bytes:
    """Serialize ``sessions`` of ``plan`` as an .ics file (CRLF line endings)."""
    zone = ZoneInfo(tz)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    stamp = now.astimezone(UTC)
    calendar = new_calendar(plan, tz, calendar_id)
    ordered = ordered_events(sessions, removed)
    for session in ordered:
        module = plan.find_module(session.module_id)
        event = _event(
            session.model_copy(update={"sequence": session.sequence + sequence_offset}),
            module,
            zone,
            stamp,
            lead_minutes=lead_minutes,
            calendar_id=calendar_id,
        )
        calendar.add_component(event)
    if ordered:
        first_year = _utc(ordered[0].starts_at).year
        last_year = max(_utc(s.ends_at).year for s in ordered)
        calendar.add_missing_timezones(date(first_year - 1, 1, 1), date(last_year + 2, 1, 1))
    return calendar.to_ical()


def new_calendar(plan: Plan, tz: str, calendar_id: str) -> Calendar:
    """The VCALENDAR with its properties and no components yet."""
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        calscale="GREGORIAN",
        name=vText(plan.title),
        uid=f"{calendar_id}@learnplan",
    )
    calendar.add("X-WR-TIMEZONE", vText(tz))
    return calendar


def ordered_events(
    sessions: list[StudySession], removed: list[StudySession] | None
) -> list[StudySession]:
    """The events in file order: the sessions, plus each removed one once as cancelled
    (status "skipped") with a higher SEQUENCE."""
    shown = {s.session_id for s in sessions}
    gone = [
        s.model_copy(update={"status": "skipped", "sequence": s.sequence + 1})
        for s in removed or []
        if s.session_id not in shown
    ]
    return sorted([*sessions, *gone], key=lambda s: (_utc(s.starts_at), s.session_id))


def calendar_filename(plan: Plan) -> str:
    """ASCII file name for the export, e.g. ``learnplan-rust-in-6-weeks.ics`` (≤ 60 chars)."""
    ascii_title = unicodedata.normalize("NFKD", plan.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    room = _MAX_FILENAME - len(_FILENAME_PREFIX) - len(_FILENAME_SUFFIX)
    slug = slug[:room].rstrip("-") or "plan"
    return f"{_FILENAME_PREFIX}{slug}{_FILENAME_SUFFIX}"


def event_summary(session: StudySession, module: Module | None) -> str:
    """Event title: the module title, plus " (part i/n)" when the module is split."""
    title = module.title if module is not None else session.module_id
    if session.parts > 1:
        return f"{title} (part {session.part}/{session.parts})"
    return title


def event_description(module: Module | None) -> str:
    """Module description, objectives as bullets and "kind: title — url" resource lines."""
    if module is None:
        return ""
    blocks: list[str] = []
    if module.description:
        blocks.append(module.description)
    if module.objectives:
        blocks.append("\n".join(["Objectives:", *(f"• {o}" for o in module.objectives)]))
    if module.resources:
        lines = [f"{r.kind}: {r.title} — {r.url}" for r in module.resources]
        blocks.append("\n".join(["Resources:", *lines]))
    return "\n\n".join(blocks)


def _event(
    session: StudySession,
    module: Module | None,
    zone: ZoneInfo,
    stamp: datetime,
    *,
    lead_minutes: int,
    calendar_id: str,
) -> Event:
    summary = event_summary(session, module)
    cancelled = session.status == "skipped"
    event = Event.new(
        uid=f"{session.session_id}.{calendar_id}@learnplan",
        stamp=stamp,
        start=_utc(session.starts_at).astimezone(zone),
        end=_utc(session.ends_at).astimezone(zone),
        summary=summary,
        description=event_description(module) or None,
        sequence=session.sequence,
        status="CANCELLED" if cancelled else "CONFIRMED",
    )
    if lead_minutes > 0 and not cancelled:
        event.add_component(
            Alarm.new_display(
                description=f"Study: {summary}", trigger=timedelta(minutes=-lead_minutes)
            )
        )
    return event


def _utc(value: datetime) -> datetime:
    """Stored times are UTC; naive values (as some stores return them) are read as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
