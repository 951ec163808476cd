"""A user's calendar (.ics), read from the database on every call and built once per
schedule version (`scheduler.calendar_cache`).

Both `/calendar` (a file to import) and the subscription URL use this, so a
subscribed calendar app sees the current plan and timetable on its next refresh
without re-importing. The content is a pure function of the stored data
(`scheduler.ics.build_calendar`): the active plan version, its sessions, the user's
time zone and reminder lead time. Only ``DTSTAMP`` (the time of the export) varies
between two calls, so `CalendarFeed.etag` fingerprints the content without it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from icalendar import Calendar, vText

from scheduler.calendar_cache import CALENDARS
from scheduler.ics import PRODID, calendar_filename
from scheduler.localtime import user_zone
from storage.calendar_tokens import alarm_revision, calendar_uid
from storage.schedules import list_sessions, remember_shown, removed_sessions
from storage.store import Store

ICS_MEDIA_TYPE = "text/calendar"
DEFAULT_LEAD_MINUTES = 15
MAX_LEAD_MINUTES = 120
EMPTY_TITLE = "learnplan"

# Anything that guesses a media type from a file name (python-telegram-bot's InputFile
# does) must see text/calendar for .ics even on hosts without /etc/mime.types, whose
# absence leaves Python's built-in table without an .ics entry.
mimetypes.add_type(ICS_MEDIA_TYPE, ".ics")

_DTSTAMP_LINE = re.compile(rb"^DTSTAMP[;:][^\r\n]*\r?\n", re.MULTILINE)


@dataclass(frozen=True)
class CalendarFeed:
    """One rendering of a user's calendar."""

    body: bytes
    filename: str
    title: str
    timezone: str
    events: int
    plan_version: int | None

    @property
    def etag(self) -> str:
        """Content fingerprint that ignores DTSTAMP (use as a weak HTTP validator)."""
        return hashlib.sha256(_DTSTAMP_LINE.sub(b"", self.body)).hexdigest()[:32]


def lead_minutes(user: dict[str, Any] | None) -> int:
    """The reminder lead time from the users document (``reminders.lead_minutes``)."""
    value = ((user or {}).get("reminders") or {}).get("lead_minutes")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DEFAULT_LEAD_MINUTES
    minutes = int(value)
    return minutes if 0 <= minutes <= MAX_LEAD_MINUTES else DEFAULT_LEAD_MINUTES


async def user_calendar(store: Store, user_id: int) -> CalendarFeed | None:
    """The .ics of the user's active plan and its sessions; None when there is no plan."""
    active = await store.active_plan(user_id)
    if active is None:
        return None
    version, plan, goal = active
    user = await store.get_user(user_id)
    tz = user_zone(user, goal.timezone)
    sessions = await list_sessions(store, user_id, version)
    removed = await removed_sessions(store, user_id, version)
    await remember_shown(store, user_id, {s.session_id: s.sequence + 1 for s in removed})
    body = CALENDARS.calendar(
        user_id,
        plan,
        version,
        sessions,
        tz,
        lead_minutes=lead_minutes(user),
        calendar_id=await calendar_uid(store, user_id),
        now=store.clock(),
        removed=removed,
        sequence_offset=alarm_revision(user),
    )
    return CalendarFeed(
        body=body,
        filename=calendar_filename(plan),
        title=plan.title,
        timezone=tz,
        events=len(sessions),
        plan_version=version,
    )


async def empty_calendar(store: Store, user_id: int) -> CalendarFeed:
    """A valid calendar with no events, for a subscription whose owner has no plan:
    calendar apps keep the subscription instead of treating the URL as broken."""
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        calscale="GREGORIAN",
        name=vText(EMPTY_TITLE),
        uid=f"{await calendar_uid(store, user_id)}@learnplan",
    )
    return CalendarFeed(
        body=calendar.to_ical(),
        filename=f"{EMPTY_TITLE}.ics",
        title=EMPTY_TITLE,
        timezone="UTC",
        events=0,
        plan_version=None,
    )
