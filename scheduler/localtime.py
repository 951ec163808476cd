"""Local wall-clock time for reminders: zones, quiet hours, recurrences, formatting.

Pure. Instants are UTC; anything a user sees or sets is local wall-clock time in
their IANA zone. A wall time is turned into an instant with ``fold=0`` (PEP 495),
the same rule as `scheduler.timetable`: a time inside a spring-forward gap moves
forward by the gap, an ambiguous fall-back time means its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.settings_model import CustomRule, QuietHours

SUMMARY_WEEKDAY = 6
SUMMARY_TIME = time(19, 0)


def valid_zone(*candidates: str | None) -> str:
    """The first candidate that is a known IANA zone, else ``"UTC"``."""
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


_ETC_OFFSET = re.compile(r"Etc/GMT([+-])(\d{1,2})")


def zone_label(tz: str) -> str:
    """A zone as users say it: ``Etc/GMT+3`` (POSIX sign, inverted) is ``UTC−03:00``."""
    match = _ETC_OFFSET.fullmatch(tz)
    if match is None:
        return tz
    sign = "−" if match.group(1) == "+" else "+"
    return f"UTC{sign}{int(match.group(2)):02d}:00"


def user_zone(user: dict[str, Any] | None, goal_timezone: str | None) -> str:
    """The zone the user set with /timezone, else the plan's, else UTC."""
    return valid_zone((user or {}).get("timezone"), goal_timezone)


def wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, wall).replace(tzinfo=zone, fold=0).astimezone(UTC)


def outside_quiet(due: datetime, quiet: QuietHours | None, zone: ZoneInfo) -> datetime:
    """``due``, or the end of the quiet window it falls in (local time, DST-safe)."""
    if quiet is None or quiet.start == quiet.end:
        return due
    local = due.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not quiet.contains(wall):
        return due
    end_day = local.date()
    if quiet.start > quiet.end and wall >= quiet.start:
        end_day += timedelta(days=1)
    return max(due, wall_to_utc(end_day, quiet.end, zone))


def quiet_window(
    due: datetime, quiet: QuietHours | None, zone: ZoneInfo
) -> tuple[datetime, datetime] | None:
    """The (start, end) instants of the quiet window ``due`` falls in, or None."""
    if quiet is None or quiet.start == quiet.end:
        return None
    local = due.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not quiet.contains(wall):
        return None
    start_day = end_day = local.date()
    if quiet.start > quiet.end:
        if wall >= quiet.start:
            end_day += timedelta(days=1)
        else:
            start_day -= timedelta(days=1)
    return wall_to_utc(start_day, quiet.start, zone), wall_to_utc(end_day, quiet.end, zone)


def next_weekly_summary(zone: ZoneInfo, not_before: datetime) -> datetime:
    """The first Sunday 19:00 local at or after ``not_before``."""
    day = not_before.astimezone(zone).date()
    for offset in range(8):
        candidate = day + timedelta(days=offset)
        if candidate.weekday() != SUMMARY_WEEKDAY:
            continue
        instant = wall_to_utc(candidate, SUMMARY_TIME, zone)
        if instant >= not_before:
            return instant
    raise AssertionError("a week always has a Sunday")


def rule_occurrences(rule: CustomRule, zone: ZoneInfo, first_day: date) -> Iterator[datetime]:
    """Every occurrence of a recurring reminder from local day ``first_day`` on."""
    day = first_day
    while True:
        if day.weekday() in rule.days:
            yield wall_to_utc(day, rule.at, zone)
        day += timedelta(days=1)


def next_occurrence(rule: CustomRule, zone: ZoneInfo, not_before: datetime) -> datetime:
    """The first occurrence at or after ``not_before``."""
    start = not_before.astimezone(zone).date()
    return next(o for o in rule_occurrences(rule, zone, start) if o >= not_before)


def occurrence_after_day(rule: CustomRule, zone: ZoneInfo, day: date) -> datetime:
    """The first occurrence on a local day after ``day``."""
    return next(rule_occurrences(rule, zone, day + timedelta(days=1)))


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def same_time_tomorrow(instant: datetime, zone: ZoneInfo) -> datetime:
    """The same local wall-clock time on the next local day (not simply +24 h)."""
    local = instant.astimezone(zone)
    return wall_to_utc(local.date() + timedelta(days=1), local.time().replace(tzinfo=None), zone)


def day_text(instant: datetime, zone: ZoneInfo) -> str:
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}"


def moment_text(instant: datetime, zone: ZoneInfo) -> str:
    """``Mon 30 Nov 19:00`` in the user's zone."""
    local = instant.astimezone(zone)
    return f"{day_text(instant, zone)} {local:%H:%M}"


def span_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """``Mon 30 Nov 19:00–20:30`` in the user's zone."""
    return f"{moment_text(start, zone)}–{end.astimezone(zone):%H:%M}"
