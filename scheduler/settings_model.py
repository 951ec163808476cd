"""A user's reminder settings, and the parsers for the commands that change them.

Pure: no I/O and no clock. The settings live in the ``users`` document under
``reminders.*`` (one field per setting, so each change is one atomic ``$set``):

* ``enabled`` — ``/reminders off|on``;
* ``lead_minutes`` — 0–120 minutes before a session (default 15);
* ``quiet`` — ``{"start": "22:00", "end": "08:00"}`` local wall-clock window, or absent;
* ``paused_until`` — UTC instant ("pause reminders for a week");
* ``nudge_days`` — nudge after this many days with nothing done (default 2, 0 = never);
* ``weekly_summary`` — Sunday-evening summary on or off (default on);
* ``custom`` — recurring reminders from ``/remind`` (``[{"id", "days", "at"}]``);
* ``last_nudge_at`` — when the last nudge went out (so nudges repeat every N days,
  not on every settings change).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

DEFAULT_LEAD_MINUTES = 15
MAX_LEAD_MINUTES = 120
DEFAULT_NUDGE_DAYS = 2
MAX_NUDGE_DAYS = 30
MAX_CUSTOM_RULES = 5
DEFAULT_PAUSE = timedelta(days=7)
MAX_PAUSE = timedelta(days=90)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    "daily": (0, 1, 2, 3, 4, 5, 6),
    "everyday": (0, 1, 2, 3, 4, 5, 6),
    "weekdays": (0, 1, 2, 3, 4),
    "workdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
}
_DAY_NAMES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )},
    "tues": 1, "wednes": 2, "thur": 3, "thurs": 3,
}  # fmt: skip


def parse_clock(text: str) -> time | None:
    """``"7:30"``, ``"07:30"``, ``"7"``, ``"7am"``, ``"7.30pm"`` → a wall-clock time."""
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?\s*", text, re.I)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def clock_text(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


class QuietHours(BaseModel):
    """A daily local window with no reminders; ``start > end`` runs over midnight."""

    start: time
    end: time

    @property
    def text(self) -> str:
        return f"{clock_text(self.start)}–{clock_text(self.end)}"

    def contains(self, wall: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end


class CustomRule(BaseModel):
    """A recurring reminder: local ``at`` on each of ``days`` (Monday = 0)."""

    id: str
    days: list[int] = Field(min_length=1)
    at: time

    @field_validator("days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekday out of range")
        return sorted(set(value))

    @property
    def text(self) -> str:
        return f"{days_text(self.days)} {clock_text(self.at)}"


def days_text(days: list[int]) -> str:
    chosen = tuple(sorted(set(days)))
    for word in ("daily", "weekdays", "weekends"):
        if chosen == _DAY_WORDS[word]:
            return word
    return ",".join(WEEKDAYS[d].capitalize() for d in chosen)


def rule_id(days: list[int], at: time) -> str:
    """Stable and short: the same schedule is the same rule."""
    return "".join(str(d) for d in sorted(set(days))) + f"-{at.hour:02d}{at.minute:02d}"


class ReminderSettings(BaseModel):
    enabled: bool = True
    lead_minutes: int = Field(default=DEFAULT_LEAD_MINUTES, ge=0, le=MAX_LEAD_MINUTES)
    quiet: QuietHours | None = None
    paused_until: datetime | None = None
    nudge_days: int = Field(default=DEFAULT_NUDGE_DAYS, ge=0, le=MAX_NUDGE_DAYS)
    weekly_summary: bool = True
    custom: list[CustomRule] = Field(default_factory=list)
    last_nudge_at: datetime | None = None

    @classmethod
    def of_user(cls, user: dict[str, Any] | None) -> ReminderSettings:
        """The settings in a users document; a malformed field falls back to its default."""
        raw = dict((user or {}).get("reminders") or {})
        try:
            settings = cls.model_validate(raw)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e.get("loc")}
            settings = cls.model_validate({k: v for k, v in raw.items() if k not in bad})
        for name in ("paused_until", "last_nudge_at"):
            value = getattr(settings, name)
            if value is not None and value.tzinfo is None:
                setattr(settings, name, value.replace(tzinfo=UTC))
        return settings

    def paused_at(self, instant: datetime) -> bool:
        return self.paused_until is not None and instant < self.paused_until


def stored_quiet(quiet: QuietHours | None) -> dict[str, str] | None:
    """How quiet hours are kept in the users document."""
    if quiet is None:
        return None
    return {"start": clock_text(quiet.start), "end": clock_text(quiet.end)}


def stored_rule(rule: CustomRule) -> dict[str, Any]:
    return {"id": rule.id, "days": list(rule.days), "at": clock_text(rule.at)}


# ---- command parsing ---------------------------------------------------------------


@dataclass(frozen=True)
class SettingsCommand:
    """What a ``/reminders …`` line asks for. ``action`` is one of show, on, off, lead,
    quiet, pause, resume, nudge, summary, or ``invalid`` with ``error`` saying why."""

    action: str
    lead: int | None = None
    quiet: QuietHours | None = None
    pause: timedelta | None = None
    nudge_days: int | None = None
    summary: bool | None = None
    error: str | None = None


LEAD_HELP = "The lead time is 0–120 minutes, e.g. “/reminders lead 30”."
QUIET_HELP = "Quiet hours look like “/reminders quiet 22:00-08:00” (or “/reminders quiet off”)."
PAUSE_HELP = "Try “/reminders pause 3 days” or “pause reminders for a week” (up to 90 days)."
NUDGE_HELP = "“/reminders nudge 3” nudges after 3 days without progress (0–30, 0 = never)."
SUMMARY_HELP = "“/reminders summary off” (or on) for the Sunday-evening summary."


def parse_quiet(text: str) -> QuietHours | None:
    parts = re.split(r"\s*(?:-|–|—|to|until)\s*", text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    start, end = parse_clock(parts[0]), parse_clock(parts[1])
    if start is None or end is None or start == end:
        return None
    return QuietHours(start=start, end=end)


_PAUSE_SPAN = re.compile(
    r"(?:for\s+)?(?:(an?|one|two|three|four|\d{1,3})\s+)?(day|days|week|weeks)\b", re.I
)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4}


def parse_pause_span(text: str) -> timedelta | None:
    """``"for a week"``, ``"3 days"``, ``""`` (→ a week). None if unreadable or too long."""
    text = text.strip().lower()
    if not text:
        return DEFAULT_PAUSE
    match = _PAUSE_SPAN.search(text)
    if match is None:
        return None
    count_text = match.group(1) or "1"
    count = _NUMBER_WORDS.get(count_text) or int(count_text)
    span = timedelta(days=count * (7 if match.group(2).startswith("week") else 1))
    return span if timedelta(0) < span <= MAX_PAUSE else None


def parse_settings_command(args: str) -> SettingsCommand:
    words = args.strip().split(maxsplit=1)
    if not words:
        return SettingsCommand("show")
    head, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    if head in {"on", "off", "resume"}:
        return SettingsCommand(head)
    if head == "lead":
        digits = re.fullmatch(r"\s*(\d{1,3})\s*(?:m|min|mins|minutes)?\s*", rest)
        if digits is None or int(digits.group(1)) > MAX_LEAD_MINUTES:
            return SettingsCommand("invalid", error=LEAD_HELP)
        return SettingsCommand("lead", lead=int(digits.group(1)))
    if head == "quiet":
        if rest.strip().lower() in {"off", "none", "no"}:
            return SettingsCommand("quiet", quiet=None)
        quiet = parse_quiet(rest)
        if quiet is None:
            return SettingsCommand("invalid", error=QUIET_HELP)
        return SettingsCommand("quiet", quiet=quiet)
    if head == "nudge":
        digits = re.fullmatch(r"\s*(\d{1,2})\s*(?:d|days?)?\s*", rest)
        if digits is None or int(digits.group(1)) > MAX_NUDGE_DAYS:
            return SettingsCommand("invalid", error=NUDGE_HELP)
        return SettingsCommand("nudge", nudge_days=int(digits.group(1)))
    if head == "summary":
        choice = rest.strip().lower()
        if choice not in {"on", "off"}:
            return SettingsCommand("invalid", error=SUMMARY_HELP)
        return SettingsCommand("summary", summary=choice == "on")
    if head == "pause":
        span = parse_pause_span(rest)
        if span is None:
            return SettingsCommand("invalid", error=PAUSE_HELP)
        return SettingsCommand("pause", pause=span)
    return SettingsCommand("invalid", error=None)


PAUSE_TEXT = re.compile(
    r"^\s*(?:please\s+)?(?:pause|mute|stop|silence|hold)\s+(?:all\s+|the\s+)?(?:my\s+)?"
    r"(?:reminders|notifications)\b(.*)$",
    re.I,
)
RESUME_TEXT = re.compile(
    r"^\s*(?:please\s+)?(?:resume|unpause|unmute|restart)\s+(?:my\s+|the\s+)?"
    r"(?:reminders|notifications)\b|^\s*turn\s+(?:my\s+)?reminders\s+(?:back\s+)?on\b",
    re.I,
)


def claims_pause_text(text: str) -> bool:
    return bool(PAUSE_TEXT.match(text) or RESUME_TEXT.match(text))


@dataclass(frozen=True)
class RemindCommand:
    """``/remind weekdays 07:30`` → add; ``/remind off`` → clear; no args → list."""

    action: str
    rule: CustomRule | None = None
    error: str | None = None


REMIND_HELP = (
    "Recurring reminders: “/remind weekdays 07:30”, “/remind daily 08:00”, "
    "“/remind mon,wed 18:00”, “/remind weekends 10am”. “/remind off” removes them all."
)


def parse_days(text: str) -> list[int] | None:
    text = text.strip().lower()
    if text in _DAY_WORDS:
        return list(_DAY_WORDS[text])
    days: set[int] = set()
    for part in re.split(r"\s*[,/&+]\s*|\s+and\s+|\s+", text):
        if not part:
            continue
        span = re.fullmatch(r"([a-z]+)-([a-z]+)", part)
        if span:
            first, last = _day(span.group(1)), _day(span.group(2))
            if first is None or last is None or first > last:
                return None
            days.update(range(first, last + 1))
            continue
        day = _day(part)
        if day is None:
            return None
        days.add(day)
    return sorted(days) or None


def _day(word: str) -> int | None:
    word = word.strip().lower().rstrip("s") if word.lower() not in _DAY_NAMES else word.lower()
    if word in _DAY_NAMES:
        return _DAY_NAMES[word]
    return _DAY_NAMES.get(word[:3]) if len(word) >= 3 and word[:3] in WEEKDAYS else None


def parse_remind_command(args: str) -> RemindCommand:
    text = args.strip()
    if not text:
        return RemindCommand("list")
    if text.lower() in {"off", "none", "clear", "stop"}:
        return RemindCommand("off")
    match = re.fullmatch(r"(?:every\s+)?(.+?)\s+(?:at\s+)?(\S+(?:\s*[ap]m)?)", text, re.I)
    if match is None:
        return RemindCommand("invalid", error=REMIND_HELP)
    days, at = parse_days(match.group(1)), parse_clock(match.group(2))
    if days is None or at is None:
        return RemindCommand("invalid", error=REMIND_HELP)
    return RemindCommand("add", rule=CustomRule(id=rule_id(days, at), days=days, at=at))
