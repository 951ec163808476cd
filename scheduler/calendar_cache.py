"""The built .ics of each user, kept until their schedule changes.

Building a 52-week calendar costs tens of milliseconds, and calendar apps poll a
subscription URL every few minutes while the schedule changes a few times a week.
`CalendarCache` keeps one body per user under a *schedule version*: a digest of
every input of `scheduler.ics.build_calendar` except ``now`` (the plan, its version,
the sessions, the zone, the lead time). Any change to those gives a new version, so
the stale body is replaced on the next request; nothing has to remember to
invalidate. A hit only rewrites the ``DTSTAMP`` values to ``now``, so it returns the
same bytes a fresh build would. Bounded, least recently used first out.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from datetime import UTC, datetime

from scheduler.ics_fast import build_calendar_fast
from storage.models import Plan, StudySession


def schedule_version(
    plan: Plan,
    plan_version: int,
    sessions: list[StudySession],
    tz: str,
    lead_minutes: int,
    *,
    calendar_id: str = "",
    removed: list[StudySession] | None = None,
    sequence_offset: int = 0,
) -> str:
    """A digest of what the calendar shows: equal digests give the same events."""
    digest = hashlib.blake2b(digest_size=16)
    head = f"{plan_version}\x1f{tz}\x1f{lead_minutes}\x1f{calendar_id}\x1f{sequence_offset}\x1e"
    digest.update(head.encode())
    digest.update(plan.model_dump_json().encode())
    for session in sessions:
        digest.update(b"\x1e")
        digest.update(session.model_dump_json().encode())
    digest.update(b"\x1d")
    for session in removed or []:
        digest.update(b"\x1e")
        digest.update(session.model_dump_json().encode())
    return digest.hexdigest()


class CalendarCache:
    """Per-user .ics bodies keyed by schedule version; ``size`` users at most."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._entries: OrderedDict[int, tuple[str, bytes, bytes]] = OrderedDict()
        self.hits = 0
        self.builds = 0

    def calendar(
        self,
        user_id: int,
        plan: Plan,
        plan_version: int,
        sessions: list[StudySession],
        tz: str,
        *,
        lead_minutes: int,
        calendar_id: str,
        now: datetime,
        removed: list[StudySession] | None = None,
        sequence_offset: int = 0,
    ) -> bytes:
        """The user's .ics, built only when their schedule version changed."""
        version = schedule_version(
            plan,
            plan_version,
            sessions,
            tz,
            lead_minutes,
            calendar_id=calendar_id,
            removed=removed,
            sequence_offset=sequence_offset,
        )
        stamp = _stamp(now)
        kept = self._entries.get(user_id)
        if kept is not None and kept[0] == version:
            self._entries.move_to_end(user_id)
            self.hits += 1
            _, built_stamp, body = kept
            if built_stamp == stamp:
                return body
            return body.replace(b"DTSTAMP:" + built_stamp, b"DTSTAMP:" + stamp)
        body = build_calendar_fast(
            plan,
            sessions,
            tz,
            lead_minutes=lead_minutes,
            calendar_id=calendar_id,
            now=now,
            removed=removed,
            sequence_offset=sequence_offset,
        )
        self.builds += 1
        self._entries[user_id] = (version, stamp, body)
        self._entries.move_to_end(user_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return body

    def forget(self, user_id: int) -> None:
        self._entries.pop(user_id, None)

    def __len__(self) -> int:
        return len(self._entries)


def _stamp(now: datetime) -> bytes:
    """DTSTAMP as `build_calendar` writes it (UTC, whole seconds)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode()


CALENDARS = CalendarCache()
