"""Deadlines and start dates in free text ("by March 1", "start next Monday").

A straight move of the intake parser's date rules behind the `find_dates` contract
(issue 9); the places owner replaces the body with dateparser.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta
from typing import Literal, NamedTuple

from pydantic import BaseModel

from agent.understanding.numbers import parse_number
from agent.understanding.text import DAY_NAMES, FLAGS, WEEKDAY_INDEX, Scan

__all__ = ["DateHit", "find_dates"]


class DateHit(BaseModel):
    """A date in the text: its value, whether it ends or starts the plan, and its span."""

    value: date
    kind: Literal["deadline", "start"]
    start: int
    end: int


_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november"
    r"|december|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\b\.?"
)
_ISO_DATE_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b", FLAGS)
_NUMERIC_DATE_RE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?\b"
    r"(?![:.]\d|\s*[ap]\.?m\b|\s*h\b)",
    FLAGS,
)
_DAY_MONTH_RE = re.compile(
    rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<y>\d{{4}})\b)?",
    FLAGS,
)
_MONTH_DAY_RE = re.compile(
    rf"{_MONTH}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?",
    FLAGS,
)
_MONTH_ONLY_RE = re.compile(
    rf"(?:the\s+)?(?:(?P<pos>end|middle|mid|beginning|start)\s*-?\s*(?:of\s+)?)?{_MONTH}"
    r"(?:\s+(?P<y>\d{4})\b)?",
    FLAGS,
)
_PERIOD_END_RE = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?(?P<unit>year|month)\b", FLAGS
)
_RELATIVE_RE = re.compile(
    r"(?P<today>today)\b|(?P<now>now|right\s+(?:away|now)|immediately|asap)\b"
    r"|(?P<tomorrow>tomorrow)\b"
    rf"|(?:(?:this|next|coming)\s+)?(?P<wd>{DAY_NAMES})\b"
    r"|next\s+(?P<unit>week|month)\b"
    r"|in\s+(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<u>days?|weeks?)\b",
    FLAGS,
)
_DEADLINE_TRIGGER_RE = re.compile(
    r"\b(?:(?:by|before|until|for)\s+(?:my|the|our|an?)\s+(?:[a-z]+\s+){1,3}?(?:is\s+)?(?:on|in)\b"
    r"|(?:exam|interview|test|certification|presentation)\s+(?P<on>(?:is\s+)?on)"
    r"|by|until|till|til|before|deadline(?:\s+is)?|due(?:\s+(?:by|on|date))?"
    r"|no\s+later\s+than|end\s+date(?:\s+is)?|(?:finish(?:ed)?|done|ready|complete(?:d)?)\s+by)"
    r"\s*[:=]?\s*",
    FLAGS,
)
_DATE_CUE_RE = re.compile(r"\b(?:next|this|coming|tomorrow|today|on)\b", FLAGS)
_CLAUSE_END_RE = re.compile(r"[,;!?\n\x1f]|\.(?=\s|$)")
_START_TRIGGER_RE = re.compile(
    r"\b(?P<kw>start(?:ing|s)?(?:\s+date(?:\s+is)?)?|begin(?:ning|s)?|kick(?:ing)?\s+off|from|as\s+of)"
    r"(?:\s+(?:on|from))?\s*[:=]?\s*",
    FLAGS,
)


class _Hit(NamedTuple):
    value: date
    end: int


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None) -> int | None:
    """A four-digit year, or a two-digit one read as 20xx."""
    if not text:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year


def _calendar_date(year: int | None, month: int, day: int, today: date) -> date | None:
    """A date; without a year it is the next such day after `today`."""
    if year is not None:
        return _safe_date(year, month, day)
    found = _safe_date(today.year, month, day)
    if found is not None and found <= today:
        found = _safe_date(today.year + 1, month, day)
    return found


def _iso_date(text: str, pos: int, _today: date) -> _Hit | None:
    match = _ISO_DATE_RE.match(text, pos)
    if not match:
        return None
    value = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return _Hit(value, match.end()) if value else None


def _numeric_date(text: str, pos: int, today: date) -> _Hit | None:
    match = _NUMERIC_DATE_RE.match(text, pos)
    if not match or (match["sep"] == "." and not match["y"]):
        return None
    first, second = int(match["a"]), int(match["b"])
    day, month = (second, first) if second > 12 else (first, second)
    value = _calendar_date(_year(match["y"]), month, day, today)
    return _Hit(value, match.end()) if value else None


def _named_month_date(text: str, pos: int, today: date) -> _Hit | None:
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.match(text, pos)
        if match:
            month = _MONTHS[match["mon"].lower()[:3]]
            value = _calendar_date(_year(match["y"]), month, int(match["d"]), today)
            return _Hit(value, match.end()) if value else None
    return None


def _month_date(text: str, pos: int, today: date) -> _Hit | None:
    match = _MONTH_ONLY_RE.match(text, pos)
    if not match:
        return None
    month = _MONTHS[match["mon"].lower()[:3]]
    year = _year(match["y"])
    where = (match["pos"] or "").lower()
    probe_year = year if year is not None else today.year
    day = {"end": monthrange(probe_year, month)[1], "middle": 15, "mid": 15}.get(where, 1)
    value = _calendar_date(year, month, day, today)
    if value is not None and year is None and where == "end":
        value = value.replace(day=monthrange(value.year, month)[1])
    return _Hit(value, match.end()) if value else None


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _period_end_date(text: str, pos: int, today: date) -> _Hit | None:
    """ "end of the year", "end of this month", "end of next month"."""
    match = _PERIOD_END_RE.match(text, pos)
    if not match:
        return None
    ahead = 1 if match["next"] else 0
    if match["unit"].lower() == "year":
        return _Hit(date(today.year + ahead, 12, 31), match.end())
    value = _month_end(today)
    if value == today:
        ahead += 1
    for _ in range(ahead):
        value = _month_end(value + timedelta(days=1))
    return _Hit(value, match.end())


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _relative_date(
    text: str, pos: int, today: date, *, weekdays: bool, offsets: bool
) -> _Hit | None:
    match = _RELATIVE_RE.match(text, pos)
    if not match:
        return None
    if match["today"] or (match["now"] and offsets):
        return _Hit(today, match.end())
    if match["now"]:
        return None
    if match["tomorrow"]:
        return _Hit(today + timedelta(days=1), match.end())
    if match["wd"]:
        if not weekdays:
            return None
        return _Hit(_next_weekday(today, WEEKDAY_INDEX[match["wd"].lower()[:3]]), match.end())
    if match["unit"]:
        if match["unit"].lower() == "week":
            return _Hit(_next_weekday(today, 0), match.end())
        first = today.replace(day=1) + timedelta(days=32)
        return _Hit(first.replace(day=1), match.end())
    count = parse_number(match["n"])
    if not offsets or count is None:
        return None
    days = int(count) * (7 if match["u"].lower().startswith("week") else 1)
    return _Hit(today + timedelta(days=days), match.end())


def _parse_date_at(
    text: str, pos: int, today: date, *, weekdays: bool = True, offsets: bool = False
) -> _Hit | None:
    """A date written at `pos` (absolute or relative to `today`), or None."""
    for parser in (_iso_date, _numeric_date, _named_month_date, _month_date, _period_end_date):
        hit = parser(text, pos, today)
        if hit is not None:
            return hit
    return _relative_date(text, pos, today, weekdays=weekdays, offsets=offsets)


def find_dates(text: str, *, today: date) -> list[DateHit]:
    """Start dates and deadlines in `text`, in text order; a message that is only a date
    ("March 1", "next friday") is a deadline. Values are not checked against `today`."""
    scan = Scan.of(text, today)
    hits: list[DateHit] = []
    for match in scan.matches(_START_TRIGGER_RE):
        keyword = match["kw"].lower()
        loose = not keyword.startswith(("from", "as"))
        hit = _parse_date_at(scan.work, match.end(), today, weekdays=loose, offsets=loose)
        if hit is not None and scan.free(match.start(), hit.end):
            hits.append(_taken(scan, hit.value, "start", match.start(), hit.end))
        elif loose:
            hits.extend(_start_later_in_clause(scan, match.end()))
    for match in scan.matches(_DEADLINE_TRIGGER_RE):
        hit = _parse_date_at(scan.work, match.end(), today)
        start = match.start("on") if match["on"] else match.start()  # "test on" keeps "test"
        if hit is not None and scan.free(start, hit.end):
            hits.append(_taken(scan, hit.value, "deadline", start, hit.end))
    if not hits:
        hits.extend(_whole_text_date(scan))
    return sorted(hits, key=lambda h: h.start)


def _taken(
    scan: Scan, value: date, kind: Literal["deadline", "start"], start: int, end: int
) -> DateHit:
    scan.take(start, end)
    return DateHit(value=value, kind=kind, start=start, end=end)


def _start_later_in_clause(scan: Scan, pos: int) -> list[DateHit]:
    """ "start learning Spanish next Monday": the date follows the verb's object."""
    end_match = _CLAUSE_END_RE.search(scan.work, pos)
    end = end_match.start() if end_match else len(scan.work)
    for cue in _DATE_CUE_RE.finditer(scan.work, pos, end):
        at = cue.end() if cue.group().lower() == "on" else cue.start()
        at += len(scan.work[at:end]) - len(scan.work[at:end].lstrip())
        hit = _parse_date_at(scan.work, at, scan.today)
        if hit is not None and hit.end <= end and scan.free(cue.start(), hit.end):
            return [_taken(scan, hit.value, "start", cue.start(), hit.end)]
    return []


def _whole_text_date(scan: Scan) -> list[DateHit]:
    pos = len(scan.work) - len(scan.work.lstrip())
    hit = _parse_date_at(scan.work, pos, scan.today)
    if hit is None or not scan.free(pos, hit.end) or scan.work[hit.end :].strip(" .!"):
        return []
    return [_taken(scan, hit.value, "deadline", pos, hit.end)]
