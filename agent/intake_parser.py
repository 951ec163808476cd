"""Rule-based parsing of free-text intake answers into `Goal` fields.

Pure functions only: no I/O, no LLM and no clock (callers pass ``today``).

`parse_intake` runs a fixed series of extractors over one message: explicit time
zones, dates, weekly hours, plan length, availability, skill level, city time
zones, topics and finally the goal. Each extractor masks the characters it
consumed, so later passes never re-read them, and the goal is whatever unmasked
text follows a phrase such as "I want to learn". When the bot has just asked for
a field (``expecting``), a bare answer such as "5" or "Berlin" is read as that
field.
"""

from __future__ import annotations

import math
import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import available_timezones

from pydantic import BaseModel, Field
from timezonefinder import TimezoneFinder

from agent.numbers import CARDINALS
from storage.models import Goal, SkillLevel, Slot

__all__ = [
    "FIELD_ORDER",
    "NUMBER_PATTERN",
    "IntakeUpdate",
    "Quantity",
    "find_plan_weeks",
    "find_weekly_hours",
    "missing_fields",
    "parse_availability",
    "parse_intake",
    "parse_number",
    "resolve_timezone",
    "timezone_from_location",
]

FIELD_ORDER = (
    "goal",
    "skill_level",
    "hours_per_week",
    "weeks",
    "topics",
    "availability",
    "timezone",
)
MIN_HOURS_PER_WEEK = 1.0
MAX_HOURS_PER_WEEK = 60.0
MIN_WEEKS = 1
MAX_WEEKS = 52
WEEKS_PER_MONTH = 4.345

_MAX_CHARS = 4000
_MASK = "\x1f"
_FLAGS = re.IGNORECASE | re.ASCII


class IntakeUpdate(BaseModel):
    """Goal fields found in one message, plus polite notes about values that can't be used."""

    fields: dict[str, Any] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list)


class Quantity(NamedTuple):
    """A number found in text (already converted to the target unit) and where it was."""

    value: float
    start: int
    end: int


# ---- text preparation ---------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\uff0b": "+",
    }
)


def _clean_text(text: str) -> str:
    """Cap the length; control, format and separator characters become spaces (same length)."""
    chars = []
    for ch in text[:_MAX_CHARS]:
        if ch == "\n" or unicodedata.category(ch)[0] not in "CZ":
            chars.append(ch)
        else:
            chars.append(" ")
    return "".join(chars)


def _fold(text: str) -> str:
    """Lower-case, accent-free, single-spaced form used for name look-ups."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


@dataclass
class _Scan:
    """One message being parsed: the text, what is already consumed, and the findings."""

    display: str
    work: str
    today: date
    expecting: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, text: str, today: date, expecting: str | None) -> _Scan:
        display = _clean_text(text)
        return cls(display, display.translate(_CHAR_MAP), today, expecting)

    def free(self, start: int, end: int) -> bool:
        return _MASK not in self.work[start:end]

    def take(self, start: int, end: int) -> None:
        self.work = self.work[:start] + _MASK * (end - start) + self.work[end:]

    def matches(self, pattern: re.Pattern[str], start: int = 0) -> Iterator[re.Match[str]]:
        """Matches in the text that do not touch anything consumed so far."""
        for match in list(pattern.finditer(self.work, start)):
            if self.free(*match.span()):
                yield match

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def rest(self) -> str:
        """The unconsumed text, masks dropped and whitespace trimmed."""
        return " ".join(self.work.replace(_MASK, " ").split())


# ---- numbers ------------------------------------------------------------------------

_NUMBER_WORDS: dict[str, float] = {
    **CARDINALS,
    "a hundred": 100,
    "hundred": 100,
    "a": 1,
    "an": 1,
    "a single": 1,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
    "half a": 0.5,
    "half an": 0.5,
}
_WORD_ALTERNATION = "|".join(
    re.escape(word).replace(r"\ ", r"\s+") for word in sorted(_NUMBER_WORDS, key=len, reverse=True)
)
NUMBER_PATTERN = rf"(?:(?<![\w.])\d{{1,4}}(?:\.\d{{1,2}})?(?![\d.]\d)|\b(?:{_WORD_ALTERNATION})\b)"
"""A number written with digits ("5", "2.5") or words ("five", "an", "a couple of")."""


def parse_number(text: str) -> float | None:
    """The value of a `NUMBER_PATTERN` match, or None."""
    word = " ".join(text.lower().split())
    try:
        return float(word)
    except ValueError:
        return _NUMBER_WORDS.get(word)


_RANGE = rf"(?P<a>{NUMBER_PATTERN})(?:\s*(?:-|to|or)\s*(?P<b>{NUMBER_PATTERN}))?"
"""A number or a range like "5-10" / "5 to 10" (groups ``a`` and ``b``)."""


def _range_value(match: re.Match[str]) -> float | None:
    """The number matched by `_RANGE`; a range gives its midpoint."""
    low = parse_number(match["a"])
    high = parse_number(match["b"]) if match["b"] else None
    if low is None:
        return None
    return low if high is None else (low + high) / 2


# ---- weekly hours -------------------------------------------------------------------

_HOUR_UNIT = r"(?:hours?|hrs?|h)\b(?:\s+of\s+(?:study|studying|learning|practice|time))?"
_MINUTE_UNIT = r"(?:minutes?|mins?)\b(?:\s+of\s+(?:study|studying|learning|practice|time))?"
_PER_WEEK = (
    r"(?:\s*/\s*(?:week|wk|w)\b|\s+(?:a|per|each|every|in\s+a)\s+(?:week|wk)\b"
    r"|\s+(?:weekly|pw|p/w)\b)"
)
_PER_WEEKDAY = (
    r"(?:\s+(?:a|per|each|every|on)\s+(?:week\s*-?\s*day|work\s*-?\s*day|working\s+day)s?\b)"
)
_PER_DAY = (
    r"(?:\s*/\s*(?:day|d)\b|\s+(?:a|per|each|every)\s+(?:single\s+)?(?:day|evening|morning|night)\b"
    r"|\s+(?:daily|nightly)\b)"
)
_TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_TIMES_A_WEEK = (
    r"\b(?P<n>[1-7]|one|two|three|four|five|six|seven|once|twice|thrice)"
    r"(?:\s*(?:x|times|days|evenings|mornings|afternoons|nights|sessions))?\s*(?:a|per|/|each)\s*week\b"
)
_SESSION = r"(?:\s+(?:a|per|each)\s+(?:day|session|time))?\s*,?\s*"
_HOUR_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, _FLAGS), factor)
    for pattern, factor in (
        (rf"(?P<qty>{_RANGE}\s*{_HOUR_UNIT}){_SESSION}{_TIMES_A_WEEK}", 1.0),
        (rf"(?P<qty>{_RANGE}\s*{_MINUTE_UNIT}){_SESSION}{_TIMES_A_WEEK}", 1 / 60),
        (
            rf"{_TIMES_A_WEEK}\s*,?\s*(?:for\s+|of\s+|at\s+)?(?:about\s+|around\s+|roughly\s+)?"
            rf"(?P<qty>{_RANGE}\s*{_HOUR_UNIT})",
            1.0,
        ),
        (
            rf"{_TIMES_A_WEEK}\s*,?\s*(?:for\s+|of\s+|at\s+)?(?:about\s+|around\s+|roughly\s+)?"
            rf"(?P<qty>{_RANGE}\s*{_MINUTE_UNIT})",
            1 / 60,
        ),
        (rf"{_RANGE}\s*{_HOUR_UNIT}{_PER_WEEK}", 1.0),
        (rf"{_RANGE}\s*{_MINUTE_UNIT}{_PER_WEEK}", 1 / 60),
        (rf"{_RANGE}\s*{_HOUR_UNIT}{_PER_WEEKDAY}", 5.0),
        (rf"{_RANGE}\s*{_MINUTE_UNIT}{_PER_WEEKDAY}", 5 / 60),
        (rf"{_RANGE}\s*{_HOUR_UNIT}{_PER_DAY}", 7.0),
        (rf"{_RANGE}\s*{_MINUTE_UNIT}{_PER_DAY}", 7 / 60),
        (rf"\b(?:hours?|hrs?)\s*(?:per|a|/|each)\s*week\s*[:=-]?\s*{_RANGE}", 1.0),
        (rf"\b(?:weekly|per\s+week)\s*[:=-]?\s*{_RANGE}\s*{_HOUR_UNIT}", 1.0),
        (rf"\bdaily\s*[:=-]?\s*{_RANGE}\s*{_HOUR_UNIT}", 7.0),
        (
            r"\b(?:spend|do|study|give|commit|invest|dedicate|devote|put\s+in|have|got|manage"
            r"|afford|spare|free\s+up)\s+(?:(?:about|around|roughly|maybe|up\s+to|at\s+most"
            rf"|only|like|approximately|approx\.?|~)\s+)?{_RANGE}\s*{_HOUR_UNIT}"
            r"(?!\s*(?:a|per|each|every|on|/)\s*(?:day|session|night|evening|morning|weekend"
            r"|saturday|sunday)|\s+(?:this|next|today|tomorrow|tonight|left|so\s+far)\b)",
            1.0,
        ),
    )
)
_BARE_HOURS_RE = re.compile(
    r"^\s*(?:(?:about|around|roughly|maybe|approx\.?|~|like|probably|only|just|max|at\s+most"
    rf"|up\s+to|i\s+can\s+do|i\s+have)\s+)?{_RANGE}\s*(?:{_HOUR_UNIT})?"
    r"(?:\s*(?:max|tops|total|or\s+so|-?ish))?\s*[.!]?\s*$",
    _FLAGS,
)
_ANY_HOURS_RE = re.compile(rf"{_RANGE}\s*{_HOUR_UNIT}", _FLAGS)


def _sessions_per_week(match: re.Match[str]) -> float | None:
    """The N of "N times a week" in a frequency pattern, 1 for other patterns."""
    if "n" not in match.re.groupindex:
        return 1.0
    word = match["n"].lower()
    return _TIMES_WORDS.get(word) or parse_number(word)


def _hours_in(scan: _Scan) -> list[Quantity]:
    found: list[Quantity] = []
    for pattern, factor in _HOUR_PATTERNS:
        for match in scan.matches(pattern):
            value, sessions = _range_value(match), _sessions_per_week(match)
            if value is None or sessions is None:
                continue
            # keep "5 days a week" readable for availability: consume only the amount
            span = match.span("qty") if "qty" in pattern.groupindex else match.span()
            found.append(Quantity(round(value * sessions * factor, 2), *span))
            scan.take(*span)
    return sorted(found, key=lambda q: q.start)


def find_weekly_hours(text: str) -> list[Quantity]:
    """Weekly study hours stated in `text` ("5h/week", "an hour a day" → 7), unvalidated."""
    return _hours_in(_Scan.of(text, date.min, None))


def _extract_hours(scan: _Scan) -> None:
    found = _hours_in(scan)
    if not found and scan.expecting == "hours_per_week":
        found = _expected_hours(scan)
    if not found:
        return
    value = found[-1].value
    if value > MAX_HOURS_PER_WEEK:
        scan.note(
            f"{_fmt_number(value)} hours a week is more than I can plan for — "
            f"{MAX_HOURS_PER_WEEK:.0f} is the most. How many hours can you really give?"
        )
    elif value < MIN_HOURS_PER_WEEK:
        scan.note(
            "Less than an hour a week is too little to plan around — "
            "could you find at least 1 hour?"
        )
    else:
        scan.fields["hours_per_week"] = value


def _expected_hours(scan: _Scan) -> list[Quantity]:
    for pattern in (_BARE_HOURS_RE, _ANY_HOURS_RE):
        for match in scan.matches(pattern):
            value = _range_value(match)
            if value is not None:
                scan.take(*match.span())
                return [Quantity(round(value, 2), *match.span())]
    return []


def _fmt_number(value: float) -> str:
    return f"{value:g}"


# ---- plan length --------------------------------------------------------------------

_NOT_A_PLAN_LENGTH = (
    r"(?!\s*(?:of\s+)?(?:experience|exp\b|ago|old|in\s+a\s+row|already)"
    r"|\s+of\s+(?:coding|programming|practice|study|studying|learning|work|working|using))"
)
_WEEK_PATTERNS: tuple[tuple[re.Pattern[str], float, bool], ...] = tuple(
    (re.compile(pattern, _FLAGS), factor, floor)
    for pattern, factor, floor in (
        (rf"{_RANGE}\s*-?\s*(?:weeks?|wks?)\b{_NOT_A_PLAN_LENGTH}", 1.0, False),
        (
            rf"{_RANGE}\s*-?\s*(?:months?|mos?|mths?)\b{_NOT_A_PLAN_LENGTH}",
            WEEKS_PER_MONTH,
            True,
        ),
        (rf"{_RANGE}\s*-?\s*(?:years?|yrs?)\b{_NOT_A_PLAN_LENGTH}", 52.0, False),
        (r"\b(?:in|for|within|over|next)\s+(?P<a>\d{1,3})\s*days?\b", 1 / 7, False),
    )
)
_ARTICLE_CUE_RE = re.compile(
    r"\b(?:in|for|within|over|about|around|just|only|take|takes|need|needs|have|got|like|of"
    r"|than|under|maybe|plan|give\s+it)\s*$",
    _FLAGS,
)
_PAST_CUE_RE = re.compile(r"\b(?:last|past|previous|first)\s*$", _FLAGS)
_BARE_WEEKS_RE = re.compile(
    r"^\s*(?:(?:about|around|maybe|~|probably|like|roughly|say)\s+)?"
    rf"{_RANGE}\s*(?:weeks?|wks?)?\s*[.!]?\s*$",
    _FLAGS,
)


def _weeks_value(match: re.Match[str], factor: float, floor: bool) -> float | None:
    value = _range_value(match)
    if value is None:
        return None
    value *= factor
    if factor == 1 / 7:
        return float(math.ceil(value))
    return float(math.floor(value)) if floor else float(round(value))


def _weeks_in(scan: _Scan, *, whole_answer: bool) -> list[Quantity]:
    found: list[Quantity] = []
    for pattern, factor, floor in _WEEK_PATTERNS:
        for match in scan.matches(pattern):
            before = scan.work[max(0, match.start() - 30) : match.start()]
            if _PAST_CUE_RE.search(before):
                continue
            article = match.group("a").lower() in {"a", "an"}
            if article and not whole_answer and not _ARTICLE_CUE_RE.search(before):
                continue
            value = _weeks_value(match, factor, floor)
            if value is not None:
                found.append(Quantity(value, *match.span()))
                scan.take(*match.span())
    return sorted(found, key=lambda q: q.start)


def find_plan_weeks(text: str) -> list[Quantity]:
    """Plan lengths stated in `text` ("6 weeks", "2 months" → 8), in weeks, unvalidated."""
    return _weeks_in(_Scan.of(text, date.min, None), whole_answer=False)


def _extract_weeks(scan: _Scan) -> None:
    expecting = scan.expecting == "weeks"
    found = _weeks_in(scan, whole_answer=expecting)
    if not found and expecting:
        for match in scan.matches(_BARE_WEEKS_RE):
            value = _range_value(match)
            if value is not None:
                scan.take(*match.span())
                found = [Quantity(float(round(value)), *match.span())]
    if not found:
        return
    weeks = int(found[-1].value)
    if weeks < MIN_WEEKS:
        scan.note("A plan needs at least 1 week — how many weeks would you like?")
    elif weeks > MAX_WEEKS:
        scan.note(
            f"{weeks} weeks is longer than I can plan — {MAX_WEEKS} weeks (a year) is the most. "
            "How many weeks should it run?"
        )
    else:
        scan.fields["weeks"] = weeks


# ---- dates --------------------------------------------------------------------------

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
_DAY_NAMES = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|tues|weds|thurs|thur|mon|tue|wed|thu|fri|sat|sun"
)
_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

_ISO_DATE_RE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b", _FLAGS)
_NUMERIC_DATE_RE = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?\b"
    r"(?![:.]\d|\s*[ap]\.?m\b|\s*h\b)",
    _FLAGS,
)
_DAY_MONTH_RE = re.compile(
    rf"(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<y>\d{{4}})\b)?",
    _FLAGS,
)
_MONTH_DAY_RE = re.compile(
    rf"{_MONTH}\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?",
    _FLAGS,
)
_MONTH_ONLY_RE = re.compile(
    rf"(?:the\s+)?(?:(?P<pos>end|middle|mid|beginning|start)\s*-?\s*(?:of\s+)?)?{_MONTH}"
    r"(?:\s+(?P<y>\d{4})\b)?",
    _FLAGS,
)
_PERIOD_END_RE = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?(?P<unit>year|month)\b", _FLAGS
)
_RELATIVE_RE = re.compile(
    r"(?P<today>today)\b|(?P<now>now|right\s+(?:away|now)|immediately|asap)\b"
    r"|(?P<tomorrow>tomorrow)\b"
    rf"|(?:(?:this|next|coming)\s+)?(?P<wd>{_DAY_NAMES})\b"
    r"|next\s+(?P<unit>week|month)\b"
    r"|in\s+(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?P<u>days?|weeks?)\b",
    _FLAGS,
)
_DEADLINE_TRIGGER_RE = re.compile(
    r"\b(?:(?:by|before|until|for)\s+(?:my|the|our|an?)\s+(?:[a-z]+\s+){1,3}?(?:is\s+)?(?:on|in)\b"
    r"|(?:exam|interview|test|certification|presentation)\s+(?:is\s+)?on"
    r"|by|until|till|til|before|deadline(?:\s+is)?|due(?:\s+(?:by|on|date))?"
    r"|no\s+later\s+than|end\s+date(?:\s+is)?|(?:finish(?:ed)?|done|ready|complete(?:d)?)\s+by)"
    r"\s*[:=]?\s*",
    _FLAGS,
)
_DATE_CUE_RE = re.compile(r"\b(?:next|this|coming|tomorrow|today|on)\b", _FLAGS)
_CLAUSE_END_RE = re.compile(r"[,;!?\n\x1f]|\.(?=\s|$)")
_START_TRIGGER_RE = re.compile(
    r"\b(?P<kw>start(?:ing|s)?(?:\s+date(?:\s+is)?)?|begin(?:ning|s)?|kick(?:ing)?\s+off|from|as\s+of)"
    r"(?:\s+(?:on|from))?\s*[:=]?\s*",
    _FLAGS,
)


class _DateHit(NamedTuple):
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


def _iso_date(text: str, pos: int, _today: date) -> _DateHit | None:
    match = _ISO_DATE_RE.match(text, pos)
    if not match:
        return None
    value = _safe_date(int(match["y"]), int(match["m"]), int(match["d"]))
    return _DateHit(value, match.end()) if value else None


def _numeric_date(text: str, pos: int, today: date) -> _DateHit | None:
    match = _NUMERIC_DATE_RE.match(text, pos)
    if not match or (match["sep"] == "." and not match["y"]):
        return None
    first, second = int(match["a"]), int(match["b"])
    day, month = (second, first) if second > 12 else (first, second)
    value = _calendar_date(_year(match["y"]), month, day, today)
    return _DateHit(value, match.end()) if value else None


def _named_month_date(text: str, pos: int, today: date) -> _DateHit | None:
    for pattern in (_DAY_MONTH_RE, _MONTH_DAY_RE):
        match = pattern.match(text, pos)
        if match:
            month = _MONTHS[match["mon"].lower()[:3]]
            value = _calendar_date(_year(match["y"]), month, int(match["d"]), today)
            return _DateHit(value, match.end()) if value else None
    return None


def _month_date(text: str, pos: int, today: date) -> _DateHit | None:
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
    return _DateHit(value, match.end()) if value else None


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def _period_end_date(text: str, pos: int, today: date) -> _DateHit | None:
    """ "end of the year", "end of this month", "end of next month"."""
    match = _PERIOD_END_RE.match(text, pos)
    if not match:
        return None
    ahead = 1 if match["next"] else 0
    if match["unit"].lower() == "year":
        return _DateHit(date(today.year + ahead, 12, 31), match.end())
    value = _month_end(today)
    if value == today:
        ahead += 1
    for _ in range(ahead):
        value = _month_end(value + timedelta(days=1))
    return _DateHit(value, match.end())


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _relative_date(
    text: str, pos: int, today: date, *, weekdays: bool, offsets: bool
) -> _DateHit | None:
    match = _RELATIVE_RE.match(text, pos)
    if not match:
        return None
    if match["today"] or (match["now"] and offsets):
        return _DateHit(today, match.end())
    if match["now"]:
        return None
    if match["tomorrow"]:
        return _DateHit(today + timedelta(days=1), match.end())
    if match["wd"]:
        if not weekdays:
            return None
        return _DateHit(_next_weekday(today, _WEEKDAY_INDEX[match["wd"].lower()[:3]]), match.end())
    if match["unit"]:
        if match["unit"].lower() == "week":
            return _DateHit(_next_weekday(today, 0), match.end())
        first = today.replace(day=1) + timedelta(days=32)
        return _DateHit(first.replace(day=1), match.end())
    count = parse_number(match["n"])
    if not offsets or count is None:
        return None
    days = int(count) * (7 if match["u"].lower().startswith("week") else 1)
    return _DateHit(today + timedelta(days=days), match.end())


def _parse_date_at(
    text: str, pos: int, today: date, *, weekdays: bool = True, offsets: bool = False
) -> _DateHit | None:
    """A date written at `pos` (absolute or relative to `today`), or None."""
    for parser in (_iso_date, _numeric_date, _named_month_date, _month_date, _period_end_date):
        hit = parser(text, pos, today)
        if hit is not None:
            return hit
    return _relative_date(text, pos, today, weekdays=weekdays, offsets=offsets)


def _fmt_date(value: date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _extract_dates(scan: _Scan) -> None:
    for match in scan.matches(_START_TRIGGER_RE):
        keyword = match["kw"].lower()
        loose = not keyword.startswith(("from", "as"))
        hit = _parse_date_at(scan.work, match.end(), scan.today, weekdays=loose, offsets=loose)
        if hit is not None and scan.free(match.start(), hit.end):
            scan.take(match.start(), hit.end)
            _set_start(scan, hit.value)
        elif loose:
            _start_later_in_clause(scan, match.end())
    for match in scan.matches(_DEADLINE_TRIGGER_RE):
        hit = _parse_date_at(scan.work, match.end(), scan.today)
        if hit is not None and scan.free(match.start(), hit.end):
            scan.take(match.start(), hit.end)
            _set_deadline(scan, hit.value)
    if scan.expecting in {"weeks", "deadline", "start_date"}:
        _expected_date(scan)


def _start_later_in_clause(scan: _Scan, pos: int) -> None:
    """ "start learning Spanish next Monday": the date follows the verb's object."""
    end_match = _CLAUSE_END_RE.search(scan.work, pos)
    end = end_match.start() if end_match else len(scan.work)
    for cue in _DATE_CUE_RE.finditer(scan.work, pos, end):
        at = cue.end() if cue.group().lower() == "on" else cue.start()
        at += len(scan.work[at:end]) - len(scan.work[at:end].lstrip())
        hit = _parse_date_at(scan.work, at, scan.today)
        if hit is not None and hit.end <= end and scan.free(cue.start(), hit.end):
            scan.take(cue.start(), hit.end)
            _set_start(scan, hit.value)
            return


def _expected_date(scan: _Scan) -> None:
    pos = len(scan.work) - len(scan.work.lstrip())
    hit = _parse_date_at(scan.work, pos, scan.today)
    if hit is None or not scan.free(pos, hit.end) or scan.work[hit.end :].strip(" .!"):
        return
    scan.take(pos, hit.end)
    if scan.expecting == "start_date":
        _set_start(scan, hit.value)
    else:
        _set_deadline(scan, hit.value)


def _set_start(scan: _Scan, value: date) -> None:
    if value < scan.today:
        scan.note(f"{_fmt_date(value)} is already in the past — when would you like to start?")
    else:
        scan.fields["start_date"] = value


def _set_deadline(scan: _Scan, value: date) -> None:
    if value <= scan.today:
        scan.note(f"{_fmt_date(value)} is not in the future — when would you like to finish by?")
    else:
        scan.fields["deadline"] = value


def _reconcile_deadline(scan: _Scan) -> None:
    """A deadline implies the number of weeks; flag it when it contradicts stated weeks."""
    deadline: date | None = scan.fields.get("deadline")
    if deadline is None:
        return
    start: date = scan.fields.get("start_date") or scan.today
    days = (deadline - start).days
    if days <= 0:
        scan.note(
            f"The deadline ({_fmt_date(deadline)}) comes before the start date "
            f"({_fmt_date(start)}) — could you check the dates?"
        )
        del scan.fields["deadline"]
        return
    derived = min(max(math.ceil(days / 7), MIN_WEEKS), MAX_WEEKS)
    stated = scan.fields.get("weeks")
    if stated is None:
        scan.fields["weeks"] = derived
    elif abs(stated - derived) > 1:
        scan.note(
            f"You mentioned {stated} weeks, but {_fmt_date(deadline)} is about {derived} weeks "
            "away — which one should I plan for?"
        )
        del scan.fields["weeks"]
        del scan.fields["deadline"]


# ---- time zones ---------------------------------------------------------------------

_HALF_HOUR_ZONES = {
    330: "Asia/Kolkata",
    570: "Australia/Darwin",
    345: "Asia/Kathmandu",
    210: "Asia/Tehran",
    -210: "America/St_Johns",
    270: "Asia/Kabul",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    765: "Pacific/Chatham",
    -570: "Pacific/Marquesas",
}
_UTC_OFFSET_RE = re.compile(
    r"\b(?:utc|gmt)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?(?!\d)", _FLAGS
)
_BARE_OFFSET_RE = re.compile(r"(?<![\w:+-])(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)", _FLAGS)
_LONE_OFFSET_RE = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*$", _FLAGS
)
_UTC_WORD_RE = re.compile(r"\b(?:utc|gmt|zulu)\b", _FLAGS)
_IANA_RE = re.compile(r"(?<![\w/])[A-Za-z]+(?:/[A-Za-z0-9_+-]+){1,2}(?![\w/])")
_ABBREVIATIONS = {
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Helsinki",
    "EEST": "Europe/Helsinki",
    "WET": "Europe/Lisbon",
    "BST": "Europe/London",
    "IST": "Asia/Kolkata",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "MSK": "Europe/Moscow",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "ACST": "Australia/Adelaide",
    "AWST": "Australia/Perth",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
}
_SHORT_ABBREVIATIONS = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
_ABBREVIATION_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)
_ZONE_PHRASES = {
    "eastern standard time": "America/New_York",
    "eastern time": "America/New_York",
    "east coast": "America/New_York",
    "pacific standard time": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles",
    "west coast": "America/Los_Angeles",
    "central standard time": "America/Chicago",
    "central time": "America/Chicago",
    "mountain time": "America/Denver",
    "central european summer time": "Europe/Berlin",
    "central european time": "Europe/Berlin",
    "uk time": "Europe/London",
    "british time": "Europe/London",
    "indian standard time": "Asia/Kolkata",
}
_ZONE_PHRASE_RE = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_ZONE_PHRASES, key=len, reverse=True)
    )
    + r")\b",
    _FLAGS,
)
_PLACE_ALIASES = {
    "san francisco": "America/Los_Angeles",
    "los angeles": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "silicon valley": "America/Los_Angeles",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "stuttgart": "Europe/Berlin",
    "dusseldorf": "Europe/Berlin",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "washington": "America/New_York",
    "nyc": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "barcelona": "Europe/Madrid",
    "valencia": "Europe/Madrid",
    "seville": "Europe/Madrid",
    "milan": "Europe/Rome",
    "naples": "Europe/Rome",
    "florence": "Europe/Rome",
    "turin": "Europe/Rome",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "sao paulo": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "toronto": "America/Toronto",
    "ottawa": "America/Toronto",
    "montreal": "America/Toronto",
    "vancouver": "America/Vancouver",
    "calgary": "America/Edmonton",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "lviv": "Europe/Kyiv",
    "kharkiv": "Europe/Kyiv",
    "odesa": "Europe/Kyiv",
    "odessa": "Europe/Kyiv",
    "lyon": "Europe/Paris",
    "marseille": "Europe/Paris",
    "krakow": "Europe/Warsaw",
    "rotterdam": "Europe/Amsterdam",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "germany": "Europe/Berlin",
    "austria": "Europe/Vienna",
    "switzerland": "Europe/Zurich",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "italy": "Europe/Rome",
    "japan": "Asia/Tokyo",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "england": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "ireland": "Europe/Dublin",
    "poland": "Europe/Warsaw",
    "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "belgium": "Europe/Brussels",
    "ukraine": "Europe/Kyiv",
    "czechia": "Europe/Prague",
    "czech republic": "Europe/Prague",
    "sweden": "Europe/Stockholm",
    "norway": "Europe/Oslo",
    "denmark": "Europe/Copenhagen",
    "finland": "Europe/Helsinki",
    "greece": "Europe/Athens",
    "hungary": "Europe/Budapest",
    "romania": "Europe/Bucharest",
    "bulgaria": "Europe/Sofia",
    "serbia": "Europe/Belgrade",
    "croatia": "Europe/Zagreb",
    "israel": "Asia/Jerusalem",
    "singapore": "Asia/Singapore",
    "korea": "Asia/Seoul",
    "south korea": "Asia/Seoul",
    "taiwan": "Asia/Taipei",
    "hong kong": "Asia/Hong_Kong",
    "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh",
    "philippines": "Asia/Manila",
    "pakistan": "Asia/Karachi",
    "bangladesh": "Asia/Dhaka",
    "nepal": "Asia/Kathmandu",
    "sri lanka": "Asia/Colombo",
    "uae": "Asia/Dubai",
    "egypt": "Africa/Cairo",
    "nigeria": "Africa/Lagos",
    "kenya": "Africa/Nairobi",
    "south africa": "Africa/Johannesburg",
    "argentina": "America/Argentina/Buenos_Aires",
    "colombia": "America/Bogota",
    "peru": "America/Lima",
    "new zealand": "Pacific/Auckland",
}
_MULTI_ZONE_COUNTRIES = frozenset(
    {
        "usa",
        "us",
        "united states",
        "america",
        "the states",
        "canada",
        "russia",
        "brazil",
        "australia",
        "mexico",
        "indonesia",
    }
)
_PLACE_STOPWORDS = frozenset(
    """central eastern western pacific mountain atlantic continental east west north south
    general center zulu universal greenwich factory christmas easter wake canary resolute oral
    acre turkey jersey virgin reunion cayenne phoenix darwin victoria navajo troll casey davis
    palmer mawson vostok syowa marengo knox monticello winamac vevay petersburg beulah center
    regina dawson stanley sofia adelaide lindeman currie yancowinna busingen noronha macquarie
    chatham cocos mahe nome boise creston salta guernsey kralendijk marigot midway johnston
    queensland tasmania hawaii alaska arizona aleutian michigan newfoundland saskatchewan yukon
    samoa""".split()
)
_ZONE_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_PLACE_CUES = frozenset({"in", "from", "near", "around", "at"})
_PLACE_SUFFIXES = frozenset({"time", "timezone", "tz"})
_PLACE_PREFIX_RE = re.compile(
    r"^(?:\s*(?:i'?m|i\s+am|i\s+live|we\s+are|we're|living|based|located|currently|mostly"
    r"|usually|my\s+time\s*zone\s+is|time\s*zone(?:\s+is)?|tz|in|from|near|at|:|-))*\s*$",
    _FLAGS,
)
_STRONG_PLACE_CUE_RE = re.compile(
    r"\b(?:live|living|based|located|currently|time\s*zone|tz|i'?m\s+in|i\s+am\s+in|we'?re\s+in"
    r"|stay(?:ing)?|reside)\b[^,;.!?\n]*$",
    _FLAGS,
)
_PLACE_SUFFIX_RE = re.compile(r"^\s*(?:time|timezone|time\s+zone|tz)?\s*$", _FLAGS)
_SEGMENT_BREAK_RE = re.compile(r"[,;!?\n()\x1f]|\.(?=\s|$)")
_LOCATION_RE = re.compile(
    r"^\s*__location__\s+(?P<lat>-?\d{1,3}(?:\.\d+)?)\s+(?P<lon>-?\d{1,3}(?:\.\d+)?)\s*$"
)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@lru_cache(maxsize=1)
def _place_index() -> dict[str, str]:
    """Place name (folded) → IANA zone: every zone's city plus a table of aliases."""
    index: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        region, _, rest = zone.partition("/")
        if region not in _ZONE_REGIONS or not rest:
            continue
        name = _fold(rest.rsplit("/", 1)[-1].replace("_", " ").replace("-", " "))
        letters = name.replace(" ", "")
        if len(letters) >= 4 and letters.isalpha() and name not in _PLACE_STOPWORDS:
            index.setdefault(name, zone)
    index.update(_PLACE_ALIASES)
    return index


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def _offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    """The IANA zone for a UTC offset; Etc/GMT zones have the sign inverted."""
    if minutes >= 60:
        return None
    total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
    if minutes:
        return _HALF_HOUR_ZONES.get(total)
    if hours == 0:
        return "UTC"
    if -12 * 60 <= total <= 14 * 60:
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return None


def _offset_from(match: re.Match[str]) -> tuple[str | None, str]:
    sign, hours, minutes = match["sign"], int(match["h"]), int(match["m"] or 0)
    label = f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    return _offset_zone(sign, hours, minutes), label


def _set_timezone(scan: _Scan, zone: str, start: int, end: int) -> bool:
    scan.take(start, end)
    scan.fields["timezone"] = zone
    return True


def _explicit_timezone(scan: _Scan, *, lenient: bool) -> bool:
    """IANA names, UTC offsets, abbreviations and phrases like "eastern time"."""
    names = _zone_names()
    for match in scan.matches(_IANA_RE):
        zone = names.get(match.group().lower())
        if zone:
            return _set_timezone(scan, zone, *match.span())
    patterns = [_UTC_OFFSET_RE, _BARE_OFFSET_RE] + ([_LONE_OFFSET_RE] if lenient else [])
    for pattern in patterns:
        for match in scan.matches(pattern):
            zone, label = _offset_from(match)
            if zone:
                return _set_timezone(scan, zone, *match.span())
            scan.take(*match.span())
            scan.note(
                f"{label} isn't an offset I can use — could you send a city like "
                "“Berlin” or an offset like “UTC+2”?"
            )
            return False
    for match in scan.matches(_ZONE_PHRASE_RE):
        zone = _ZONE_PHRASES[" ".join(match.group().lower().split())]
        return _set_timezone(scan, zone, *match.span())
    return _abbreviated_timezone(scan, lenient=lenient)


def _abbreviated_timezone(scan: _Scan, *, lenient: bool) -> bool:
    if lenient:
        word = scan.rest().strip(" .!").upper()
        zone = _ABBREVIATIONS.get(word) or _SHORT_ABBREVIATIONS.get(word)
        if zone:
            start = len(scan.work) - len(scan.work.lstrip())
            return _set_timezone(scan, zone, start, len(scan.work.rstrip()))
    for match in scan.matches(_ABBREVIATION_RE):
        return _set_timezone(scan, _ABBREVIATIONS[match.group()], *match.span())
    for match in scan.matches(_UTC_WORD_RE):
        # Someone who says "GMT" means the clocks of Britain, summer time included.
        zone = "Europe/London" if match.group().lower() == "gmt" else "UTC"
        return _set_timezone(scan, zone, *match.span())
    return False


def _segment_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SEGMENT_BREAK_RE.finditer(text, 0, start)), default=0)
    right_match = _SEGMENT_BREAK_RE.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _place_cue(scan: _Scan, words: list[re.Match[str]], first: int, last: int) -> int | None:
    """How clearly a place name is the user's location (0 = clearest), or None when it is
    probably just a word in the goal."""
    start, end = words[first].start(), words[last].end()
    if last + 1 < len(words) and _fold(words[last + 1].group()) in _PLACE_SUFFIXES:
        return 0
    left, right = _segment_bounds(scan.work, start, end)
    prefix = scan.work[left:start]
    if _PLACE_PREFIX_RE.match(prefix) and _PLACE_SUFFIX_RE.match(scan.work[end:right]):
        return 0 if _STRONG_PLACE_CUE_RE.search(prefix) else 1
    if first > 0 and not scan.work[words[first - 1].end() : start].strip():
        cue = _fold(words[first - 1].group())
        if _STRONG_PLACE_CUE_RE.search(scan.work[max(0, start - 25) : start]):
            return 0
        if cue in _PLACE_CUES:
            return 2 if cue == "from" else 1
    return None


def _place_candidates(scan: _Scan) -> Iterator[tuple[str, int, int, int, int]]:
    """(zone, first word, last word, start, end) for each place name in the text."""
    index = _place_index()
    words = list(_WORD_RE.finditer(scan.display))
    folded = [_fold(w.group()) for w in words]
    first = 0
    while first < len(words):
        fits = [n for n in (3, 2, 1) if first + n <= len(words)]
        size = next((n for n in fits if " ".join(folded[first : first + n]) in index), 0)
        last = first + size - 1
        if size:
            start, end = words[first].start(), words[last].end()
            contiguous = len(scan.work[start:end].split()) == size or "-" in scan.work[start:end]
            if scan.free(start, end) and contiguous:
                yield index[" ".join(folded[first : last + 1])], first, last, start, end
        first += max(size, 1)


def _place_timezone(scan: _Scan, *, lenient: bool) -> bool:
    """City and country names ("Berlin", "New York", "Germany"); the clearest mention wins."""
    words = list(_WORD_RE.finditer(scan.display))
    best: tuple[int, int, int, str] | None = None
    for zone, first, last, start, end in _place_candidates(scan):
        rank = _place_cue(scan, words, first, last)
        if rank is None and lenient:
            rank = 3
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, start, end, zone)
    if best is None:
        return False
    return _set_timezone(scan, best[3], best[1], best[2])


def _multi_zone_country(scan: _Scan) -> str | None:
    answer = _fold(scan.rest()).strip(" .!")
    for prefix in ("i'm in ", "i am in ", "in ", "i live in "):
        answer = answer.removeprefix(prefix)
    return answer if answer in _MULTI_ZONE_COUNTRIES else None


def _extract_timezone(scan: _Scan, *, places: bool) -> None:
    lenient = scan.expecting == "timezone"
    if "timezone" in scan.fields:
        return
    if not places:
        _explicit_timezone(scan, lenient=lenient)
        return
    if _place_timezone(scan, lenient=lenient) or not lenient:
        return
    country = _multi_zone_country(scan)
    if country:
        scan.note(
            f"{country.title() if len(country) > 3 else country.upper()} has several time zones "
            "— which city are you in?"
        )


def resolve_timezone(text: str) -> str | None:
    """The IANA zone named by `text` ("Berlin", "UTC+2", "+05:30", "Europe/London"), or None."""
    try:
        scan = _Scan.of(text, date.min, "timezone")
        if _explicit_timezone(scan, lenient=True) or _place_timezone(scan, lenient=True):
            return scan.fields["timezone"]
    except Exception:
        return None
    return None


def timezone_from_location(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point (offline, via timezonefinder), or None."""
    try:
        lat, lng = float(latitude), float(longitude)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
            return None
        zone = _finder().timezone_at(lat=lat, lng=lng)
    except Exception:
        return None
    return zone if zone in available_timezones() else None


# ---- availability -------------------------------------------------------------------


def _clock(prefix: str) -> str:
    return (
        rf"(?:(?P<{prefix}h>\d{{1,2}})(?:[:.](?P<{prefix}m>\d{{2}}))?\s*"
        rf"(?P<{prefix}ap>[ap]\.?m\b\.?|h\b)?|(?P<{prefix}w>noon|midday|midnight))"
    )


_NOT_A_TIME = (
    r"(?!\s*(?:hours?|hrs?|minutes?|mins?|weeks?|wks?|months?|days?|years?|times|x\b|%"
    r"|people|pages))"
)
_AVAILABILITY_RE = re.compile(
    r"(?P<count>\b(?:(?P<cn>[1-7]|one|two|three|four|five|six|seven)\s+"
    r"(?:(?P<cp>evening|morning|afternoon|night)s?|days?|times)|(?P<cw>once|twice|thrice))"
    r"\s+(?:a|per|each|every)\s+week\b)"
    rf"|(?P<drange>\b(?:from\s+)?(?P<d1>{_DAY_NAMES})s?\b\.?\s*(?:-|to|through|thru|till|until)"
    rf"\s*(?P<d2>{_DAY_NAMES})s?\b\.?)"
    r"|(?P<weekdays>\b(?:week\s*-?\s*days?|work\s*-?\s*days?|working\s+days|business\s+days)\b)"
    r"|(?P<weekends>\bweek\s*-?\s*ends?\b)"
    r"|(?P<otherday>\bevery\s+other\s+day\b)"
    r"|(?P<everyday>\b(?:every\s*day|every\s+single\s+day|each\s+day|daily|all\s+week(?:\s+long)?"
    r"|(?:7|seven)\s+days\s+a\s+week)\b)"
    rf"|(?P<range>(?:\b(?P<rkw>from|between)\s+)?(?<![\w:.+/]){_clock('s')}\s*"
    rf"(?P<rsep>-|to|until|till|and)\s*{_clock('e')}{_NOT_A_TIME})"
    r"|(?P<point>(?:\b(?P<pkw>after|from|starting\s+at|starting|at|around|before|until|till|by)"
    rf"\s+)?(?<![\w:.+/]){_clock('p')}{_NOT_A_TIME})"
    r"|(?P<period>\b(?<!good\s)(?:(?:every|each)\s+)?(?P<pname>early\s+mornings?|late\s+(?:evenings?|nights?)|mornings?"
    r"|afternoons?|evenings?|nights?|lunch\s*(?:time|breaks?)?|after\s+work|before\s+work"
    r"|after\s+dinner|daytime|during\s+the\s+day)\b"
    r"(?!\s+(?:shifts?|owls?|classes|school|jobs?|person|people|out|life|sky|mode)\b))"
    rf"|(?P<day>\b(?:every\s+|on\s+)?(?P<dn>{_DAY_NAMES})s?\b\.?)",
    _FLAGS,
)
_PERIOD_WINDOWS = {
    "early morning": (360, 480),
    "morning": (480, 600),
    "lunch": (720, 780),
    "daytime": (600, 720),
    "afternoon": (840, 960),
    "after work": (1080, 1200),
    "evening": (1140, 1260),
    "after dinner": (1200, 1320),
    "late evening": (1260, 1380),
    "night": (1260, 1380),
    "late night": (1320, 1439),
    "before work": (420, 540),
}
_PM_PERIODS = frozenset(
    {"afternoon", "after work", "evening", "after dinner", "late evening", "night", "late night"}
)
_AM_PERIODS = frozenset({"early morning", "morning", "before work"})
_DAY_SPREAD = {
    1: (2,),
    2: (1, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
_ALL_DAYS = frozenset(range(7))
_WEEKDAY_DEFAULT = (1140, 1260)
_WEEKEND_DEFAULT = (600, 720)
_HARD_GAP_RE = re.compile(r"[,;.!?\n\x1f]")
_CONJUNCTION_RE = re.compile(r"\b(?:and|or|plus|also)\b|&|\+", _FLAGS)
_LAST_MINUTE = 24 * 60 - 1
_MIN_WINDOW_MINUTES = 15
_EXCLUDE_CUE_RE = re.compile(
    r"\b(?:except(?:\s+for)?|but\s+not|not|busy|other\s+than|excluding|apart\s+from|besides|no"
    r"|never|can'?t\s+do|cannot\s+do|can'?t)\s+(?:on\s+)?(?:the\s+)?$",
    _FLAGS,
)
_LIST_GAP_RE = re.compile(r"^\s*,?\s*(?:/|&|and|or|nor)\s*(?:on\s+)?$", _FLAGS)


@dataclass
class _Clock:
    hour: int
    minute: int
    meridiem: str | None  # "am", "pm", "24h" (an "h" suffix) or None
    explicit: bool  # minutes, am/pm or a word like "noon" were given


@dataclass
class _TimeToken:
    kind: str  # "range", "point" or "period"
    start: int
    end: int
    name: str = ""
    keyword: str = ""
    first: _Clock | None = None
    second: _Clock | None = None

    @property
    def strong(self) -> bool:
        """Clearly a time of day (not just a bare number like "10-12")."""
        if self.kind == "period":
            return True
        clocks = [c for c in (self.first, self.second) if c is not None]
        if any(c.explicit or c.meridiem for c in clocks):
            return True
        return self.keyword in {"from", "between", "after", "before", "until", "till"}


@dataclass
class _Group:
    start: int
    end: int
    opener: str
    days: set[int] = field(default_factory=set)
    named_days: bool = False
    times: list[_TimeToken] = field(default_factory=list)


def _read_clock(match: re.Match[str], prefix: str) -> _Clock | None:
    word = match[f"{prefix}w"]
    if word:
        return _Clock(0 if word.lower() == "midnight" else 12, 0, "24h", True)
    if match[f"{prefix}h"] is None:
        return None
    meridiem = (match[f"{prefix}ap"] or "").lower().replace(".", "")
    meridiem = {"am": "am", "pm": "pm", "h": "24h"}.get(meridiem)
    minute = match[f"{prefix}m"]
    return _Clock(int(match[f"{prefix}h"]), int(minute or 0), meridiem, minute is not None)


def _period_name(text: str) -> str:
    words = [w.rstrip("s") if w not in {"during", "the"} else w for w in text.lower().split()]
    name = " ".join(words)
    if name.startswith("lunch"):
        return "lunch"
    return "daytime" if name in {"during the day", "daytime"} else name


def _minutes(clock: _Clock, meridiem: str | None) -> int | None:
    hour = clock.hour
    if clock.minute > 59:
        return None
    if meridiem in {"am", "pm"}:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif hour > 24:
        return None
    return hour * 60 + clock.minute


def _flip(meridiem: str) -> str:
    return "am" if meridiem == "pm" else "pm"


_AM_PM = frozenset({"am", "pm"})


def _range_minutes(first: _Clock, second: _Clock, daypart: str | None) -> tuple[int, int] | None:
    """Start and end minutes of a range, inferring a missing am/pm from the other end."""
    if first.meridiem in _AM_PM or second.meridiem in _AM_PM:
        start, end = _anchored_range(first, second)
    else:
        start, end = _minutes(first, None), _minutes(second, None)
        twelve_hour = first.meridiem != "24h" and second.meridiem != "24h"
        if start is not None and end is not None and twelve_hour and first.hour <= 12:
            evening = daypart == "pm" or (daypart is None and 1 <= first.hour <= 6)
            if second.hour <= 12 and evening and first.hour:
                start += 720 if first.hour < 12 else 0
                end += 720 if second.hour < 12 else 0
            elif end < start and second.hour < 12 and end + 720 > start:
                end += 720  # "12-1", "11-1": the end is after noon
    if start is None or end is None:
        return None
    return start, _LAST_MINUTE if end in {0, 1440} else min(end, _LAST_MINUTE)


def _anchored_range(first: _Clock, second: _Clock) -> tuple[int | None, int | None]:
    """ "7-9pm", "10am-2": the end without am/pm borrows it from the other end."""
    anchor = second.meridiem if second.meridiem in _AM_PM else first.meridiem
    assert anchor is not None

    def borrowed(clock: _Clock) -> str | None:
        if clock.meridiem in _AM_PM:
            return clock.meridiem
        return None if clock.meridiem == "24h" else anchor

    start, end = _minutes(first, borrowed(first)), _minutes(second, borrowed(second))
    if start is None or end is None:
        return start, end
    if first.meridiem is None and start >= end:
        start = _minutes(first, _flip(anchor))
    elif second.meridiem is None and end <= start:
        end = _minutes(second, _flip(anchor))
    return start, end


def _point_minutes(token: _TimeToken, daypart: str | None) -> tuple[int, int] | None:
    clock = token.first
    assert clock is not None
    meridiem = clock.meridiem if clock.meridiem in {"am", "pm"} else None
    minutes = _minutes(clock, meridiem)
    if minutes is None:
        return None
    keyword = token.keyword.split()[0] if token.keyword else ""
    ends_at = keyword in {"before", "until", "till", "by"}
    if meridiem is None and clock.meridiem != "24h" and 1 <= clock.hour <= 11:
        late = keyword == "after" or (not ends_at and clock.hour <= 6)
        if daypart == "pm" or (daypart is None and late):
            minutes += 720
    if ends_at:
        return max(0, minutes - 120), minutes
    return minutes, min(minutes + 120, _LAST_MINUTE)


def _gap_kind(gap: str) -> str:
    if _HARD_GAP_RE.search(gap) or len(gap.split()) > 3:
        return "hard"
    return "conj" if _CONJUNCTION_RE.search(gap) else "none"


def _day_token(match: re.Match[str]) -> tuple[set[int], bool] | None:
    if match["count"]:
        count = _TIMES_WORDS.get((match["cw"] or "").lower()) or parse_number(match["cn"] or "")
        return set(_DAY_SPREAD.get(int(count or 0), ())), bool(match["cp"])
    if match["drange"]:
        first = _WEEKDAY_INDEX[match["d1"].lower()[:3]]
        last = _WEEKDAY_INDEX[match["d2"].lower()[:3]]
        return {(first + i) % 7 for i in range((last - first) % 7 + 1)}, True
    if match["weekdays"]:
        return {0, 1, 2, 3, 4}, True
    if match["weekends"]:
        return {5, 6}, True
    if match["otherday"]:
        return {0, 2, 4, 6}, True
    if match["everyday"]:
        return set(_ALL_DAYS), False
    if match["day"]:
        return {_WEEKDAY_INDEX[match["dn"].lower()[:3]]}, True
    return None


def _time_token(match: re.Match[str]) -> _TimeToken | None:
    start, end = match.span()
    if match["count"] and match["cp"]:
        return _TimeToken("period", start, end, name=match["cp"].lower())
    if match["period"]:
        return _TimeToken("period", start, end, name=_period_name(match["pname"]))
    if match["range"]:
        keyword = (match["rkw"] or "").lower()
        if match["rsep"].lower() == "and" and keyword != "between":
            return None
        first, second = _read_clock(match, "s"), _read_clock(match, "e")
        return _TimeToken("range", start, end, keyword=keyword, first=first, second=second)
    if match["point"]:
        keyword = " ".join((match["pkw"] or "").lower().split())
        clock = _read_clock(match, "p")
        if clock is None or not (keyword or clock.explicit or clock.meridiem in {"am", "pm"}):
            return None
        return _TimeToken("point", start, end, keyword=keyword, first=clock)
    return None


def _excluded_day(scan: _Scan, match: re.Match[str], previous_excluded: int | None) -> bool:
    """ "except Sunday", "busy on Mondays", and days listed right after such a day."""
    if _EXCLUDE_CUE_RE.search(scan.work[max(0, match.start() - 30) : match.start()]):
        return True
    if previous_excluded is None:
        return False
    return bool(_LIST_GAP_RE.match(scan.work[previous_excluded : match.start()]))


def _closes_group(current: _Group | None, gap: str, is_day: bool) -> bool:
    """A new time after a separator, or new days after days-with-times, starts a group."""
    if current is None or not current.times:
        return False
    return gap != "none" or (is_day and bool(current.days))


def _availability_groups(scan: _Scan) -> tuple[list[_Group], set[int]]:
    """Day and time tokens grouped into phrases like "weekday evenings 19:00-21:00", plus the
    days the text rules out ("except Sunday")."""
    groups: list[_Group] = []
    excluded: set[int] = set()
    current: _Group | None = None
    last_end = 0
    excluded_end: int | None = None
    for match in _availability_tokens(scan):
        days, time_token = _day_token(match), _time_token(match)
        if days is None and time_token is None:
            continue
        gap = "hard" if current is None else _gap_kind(scan.work[last_end : match.start()])
        if days is not None and time_token is None and _excluded_day(scan, match, excluded_end):
            excluded |= days[0]
            excluded_end = match.end()
            if current is not None and gap != "hard":
                current.end = last_end = match.end()
            continue
        excluded_end = None
        if current is not None and _closes_group(current, gap, days is not None):
            groups.append(current)
            current = None
        if current is None:
            current = _Group(match.start(), match.end(), gap)
        if days is not None:
            current.days |= days[0]
            current.named_days = current.named_days or days[1]
        if time_token is not None:
            current.times.append(time_token)
        current.end = last_end = match.end()
    if current is not None:
        groups.append(current)
    return groups, excluded


def _availability_tokens(scan: _Scan) -> Iterator[re.Match[str]]:
    """Availability tokens, skipping acronyms like "SAT" in a message not in capitals."""
    letters = [ch for ch in scan.work if ch.isalpha()]
    shouting = sum(ch.isupper() for ch in letters) > 0.6 * len(letters)
    for match in scan.matches(_AVAILABILITY_RE):
        acronym = match["dn"] and match["dn"].isupper() and len(match["dn"]) <= 3
        if not acronym or shouting:
            yield match


def _group_windows(
    group: _Group, days: set[int], problems: list[str]
) -> list[tuple[int, int, int]]:
    """(weekday, start minute, end minute) windows for one group."""
    names = {t.name for t in group.times if t.kind == "period"}
    daypart = _daypart(names)
    windows: list[tuple[int, int]] = []
    for kind in ("range", "point"):
        for token in (t for t in group.times if t.kind == kind):
            window = _token_window(token, daypart, problems)
            if window:
                windows.append(window)
        if windows or any(t.kind == kind for t in group.times):
            break
    if not windows and not any(t.kind in {"range", "point"} for t in group.times):
        windows = [_PERIOD_WINDOWS[n] for n in sorted(names) if n in _PERIOD_WINDOWS]
    if not group.times:
        return [(d, *(_WEEKEND_DEFAULT if d >= 5 else _WEEKDAY_DEFAULT)) for d in sorted(days)]
    return [(d, s, e) for d in sorted(days) for s, e in windows]


def _daypart(periods: set[str]) -> str | None:
    """ "am" or "pm" when the named periods say which half of the day bare hours mean."""
    pm, am = bool(periods & _PM_PERIODS), bool(periods & _AM_PERIODS)
    if pm == am:
        return None
    return "pm" if pm else "am"


def _token_window(
    token: _TimeToken, daypart: str | None, problems: list[str]
) -> tuple[int, int] | None:
    if token.kind == "point":
        return _point_minutes(token, daypart)
    assert token.first is not None and token.second is not None
    window = _range_minutes(token.first, token.second, daypart)
    if window is None:
        return None
    start, end = window
    if end <= start:
        problems.append(
            f"{_fmt_minutes(start)}–{_fmt_minutes(end)} ends before it starts — "
            "could you give me a window like 19:00–21:00?"
        )
        return None
    if end - start < _MIN_WINDOW_MINUTES:
        problems.append(
            f"{_fmt_minutes(start)}–{_fmt_minutes(end)} is too short to study in — "
            f"could you give me at least {_MIN_WINDOW_MINUTES} minutes?"
        )
        return None
    return window


def _fmt_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _merge_slots(windows: list[tuple[int, int, int]]) -> list[Slot]:
    slots: list[Slot] = []
    for day in sorted({w[0] for w in windows}):
        spans = sorted((s, e) for d, s, e in windows if d == day)
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        slots.extend(
            Slot(weekday=day, start=time(s // 60, s % 60), end=time(e // 60, e % 60))
            for s, e in merged
        )
    return slots


def _accepted(group: _Group, expecting: bool) -> bool:
    if expecting:
        return True
    if not group.times:
        return group.named_days
    return bool(group.days) or any(t.strong for t in group.times)


def _availability(scan: _Scan) -> tuple[list[Slot], list[_Group], list[str]]:
    expecting = scan.expecting == "availability"
    problems: list[str] = []
    windows: list[tuple[int, int, int]] = []
    kept: list[_Group] = []
    previous_days: set[int] | None = None
    groups, excluded = _availability_groups(scan)
    for group in groups:
        if not _accepted(group, expecting):
            continue
        days = group.days or (previous_days if group.opener == "conj" and previous_days else None)
        days = set(days or _ALL_DAYS) - excluded
        if not days:
            continue
        windows.extend(_group_windows(group, days, problems))
        previous_days = days
        kept.append(group)
    return _merge_slots(windows), kept, problems


def parse_availability(text: str) -> list[Slot]:
    """Weekly study windows in `text` ("weekday evenings 19:00-21:00, Saturday morning")."""
    try:
        slots, _, _ = _availability(_Scan.of(text, date.min, "availability"))
    except Exception:
        return []
    return slots


def _extract_availability(scan: _Scan) -> None:
    slots, groups, problems = _availability(scan)
    for problem in problems:
        scan.note(problem)
    if not groups:
        return
    first, last = groups[0].start, groups[-1].end
    if scan.free(first, last):
        phrase = scan.display[first:last]
    else:
        phrase = ", ".join(scan.display[g.start : g.end] for g in groups)
    for group in groups:
        scan.take(group.start, group.end)
    if slots:
        scan.fields["availability"] = slots
        scan.fields["availability_text"] = " ".join(phrase.split()).rstrip(" .,;:!?")


# ---- skill level --------------------------------------------------------------------

_SKILL_PATTERNS: tuple[tuple[SkillLevel, str], ...] = (
    (
        SkillLevel.BEGINNER,
        r"(?:complete|total|absolute|pure)\s+(?:beginner|newbie|novice|noob)s?"
        r"|(?:no|zero|without|little|limited|not\s+much|minimal|no\s+prior|zero\s+prior"
        r"|a\s+little)\s+(?:prior\s+)?(?:experience|knowledge|background)"
        r"|never\s+(?:done|used|tried|programmed|coded|learned|learnt|written|touched|studied)"
        r"|just\s+(?:starting|started|beginning|begun)|starting\s+out"
        r"|new\s+to\s+(?:this|it|programming|coding|the\s+field)|from\s+scratch|from\s+zero"
        r"|inexperienced|not\s+(?:very\s+)?experienced"
        r"|beginners?|newbies?|newb|noobs?|novices?",
    ),
    (
        SkillLevel.INTERMEDIATE,
        r"(?:some|a\s+bit\s+of|a\s+little\s+bit\s+of|moderate|decent|some\s+prior)\s+"
        r"(?:experience|knowledge|background)"
        r"|knows?\s+(?:the\s+)?basics|familiar\s+with\s+the\s+basics|past\s+the\s+basics"
        r"|beyond\s+the\s+basics|(?:got|have)\s+the\s+basics(?:\s+down)?"
        r"|somewhat\s+experienced|mid\s*-?\s*level|intermediate",
    ),
    (
        SkillLevel.ADVANCED,
        r"(?:a\s+lot\s+of|lots\s+of|years\s+of|plenty\s+of|extensive|strong|deep|solid)\s+"
        r"(?:experience|knowledge|background)"
        r"|very\s+experienced|experienced|advanced|experts?|senior|proficient|professional",
    ),
)
_SKILL_RES = tuple((level, re.compile(rf"\b(?:{p})\b", _FLAGS)) for level, p in _SKILL_PATTERNS)
_ADJECTIVAL_LEVELS = frozenset(
    {
        "advanced",
        "intermediate",
        "beginner",
        "beginners",
        "novice",
        "expert",
        "experts",
        "professional",
        "senior",
        "experienced",
        "proficient",
    }
)
_LEVEL_FOLLOWERS = frozenset(
    """level user users developer developers dev devs programmer programmers engineer engineers
    coder coders learner learners student students speaker player person one guy practitioner
    in at with and but so or i im i'm now already myself on when though tbh really here too
    as who that since because ish""".split()
)
_NEXT_WORD_RE = re.compile(r"[\s-]+([A-Za-z']+)")
_TARGET_CUE_RE = re.compile(
    r"\b(?:become|becoming|be|reach|reaching|get\s+to|getting\s+to|go\s+to|grow\s+into|move\s+to"
    r"|progress\s+to|from\s+\w+\s+to)\s+(?:an?\s+|the\s+)?(?:(?:real|really|true|truly|very|more"
    r"|proper)\s+)?$",
    _FLAGS,
)
_SKILL_ANSWERS = {
    "1": SkillLevel.BEGINNER,
    "2": SkillLevel.INTERMEDIATE,
    "3": SkillLevel.ADVANCED,
    "none": SkillLevel.BEGINNER,
    "nothing": SkillLevel.BEGINNER,
    "zero": SkillLevel.BEGINNER,
    "never": SkillLevel.BEGINNER,
    "basic": SkillLevel.BEGINNER,
    "basics": SkillLevel.BEGINNER,
    "a little": SkillLevel.BEGINNER,
    "little": SkillLevel.BEGINNER,
    "new": SkillLevel.BEGINNER,
    "low": SkillLevel.BEGINNER,
    "some": SkillLevel.INTERMEDIATE,
    "medium": SkillLevel.INTERMEDIATE,
    "mid": SkillLevel.INTERMEDIATE,
    "middle": SkillLevel.INTERMEDIATE,
    "moderate": SkillLevel.INTERMEDIATE,
    "so-so": SkillLevel.INTERMEDIATE,
    "decent": SkillLevel.INTERMEDIATE,
    "in between": SkillLevel.INTERMEDIATE,
    "somewhere in between": SkillLevel.INTERMEDIATE,
    "a lot": SkillLevel.ADVANCED,
    "lots": SkillLevel.ADVANCED,
    "high": SkillLevel.ADVANCED,
    "pro": SkillLevel.ADVANCED,
    "strong": SkillLevel.ADVANCED,
    "good": SkillLevel.ADVANCED,
    "very good": SkillLevel.ADVANCED,
}


def _is_adjectival(scan: _Scan, match: re.Match[str]) -> bool:
    """ "advanced Rust" names the subject, not the learner's level."""
    if match.group().lower() not in _ADJECTIVAL_LEVELS:
        return False
    following = _NEXT_WORD_RE.match(scan.work, match.end())
    if following is None:
        return False
    word = following.group(1).lower()
    if word in _LEVEL_FOLLOWERS:
        return False
    after = _NEXT_WORD_RE.match(scan.work, following.end())
    return not (after and after.group(1).lower() in _LEVEL_FOLLOWERS)


def _extract_skill(scan: _Scan) -> None:
    candidates = sorted(
        ((m.start(), -m.end(), level, m) for level, rx in _SKILL_RES for m in scan.matches(rx)),
        key=lambda item: (item[0], item[1]),
    )
    for _, _, level, match in candidates:
        before = scan.work[max(0, match.start() - 40) : match.start()]
        if _TARGET_CUE_RE.search(before) or _is_adjectival(scan, match):
            continue
        scan.take(*match.span())
        scan.fields["skill_level"] = level
        return
    if scan.expecting == "skill_level":
        answer = scan.rest().lower().strip(" .!)")
        answer = re.sub(r"^(?:i'?d\s+say|probably|maybe|i'?m|i\s+am|level)\s+", "", answer)
        level = _SKILL_ANSWERS.get(answer)
        if level is not None:
            scan.take(0, len(scan.work))
            scan.fields["skill_level"] = level


# ---- topics -------------------------------------------------------------------------

_TOPIC_TRIGGER_RE = re.compile(
    r"\b(?:topics?(?:\s+(?:are|include|would\s+be|like))?\s*[:=-]"
    r"|topics?\s+(?:are|include|would\s+be)"
    r"|with\s+(?:a\s+|an\s+)?(?:focus|emphasis)\s+on"
    r"|focus(?:ing|ed)?\s+(?:mainly\s+|mostly\s+|especially\s+)?on"
    r"|covering|(?:to|please|should|must|also)\s+cover|including|(?:to|please|should|also)\s+include"
    r"|especially|particularly|specifically)\s*",
    _FLAGS,
)
_WITH_TOPICS_RE = re.compile(r"\bwith\s+", _FLAGS)
_LIST_END_RE = re.compile(
    r"[!?\n()\x1f]|\.(?=\s|$)|\b(?:but|because|since|so\s+that|so\s+i|as\s+i|which|in\s+order\s+to"
    r"|i'?m|i\s+am|i\s+have|i\s+can)\b",
    _FLAGS,
)
_LIST_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bas\s+well\s+as\b|\bplus\b)\s*", _FLAGS)
_NO_TOPICS = frozenset(
    """none no nope nah skip - -- n/a na nothing nil idk dunno whatever anything all everything
    pass""".split()
) | frozenset(
    {
        "no preference",
        "no preferences",
        "not really",
        "nothing specific",
        "nothing in particular",
        "no topics",
        "no specific topics",
        "don't know",
        "i don't know",
        "you decide",
        "up to you",
        "no idea",
        "not sure",
        "any",
        "no thanks",
    }
)
_ANSWER_FILLER_RE = re.compile(
    r"^(?:(?:i'?m|i\s+am|honestly|well|um+|hmm+|i\s+guess|i\s+think|i'?d\s+say|probably|ok|okay)"
    r"[\s,]+)+",
    _FLAGS,
)
_TOPIC_PREFIX_RE = re.compile(
    r"^\s*(?:(?:i'?d|i\s+would)\s+like\s+(?:to\s+)?|i\s+want\s+(?:to\s+)?)?"
    r"(?:(?:learn|focus|cover|study)\s+(?:more\s+)?(?:on|about)?\s*)?"
    r"(?:topics?\s*(?:are|:|-)?\s*|maybe\s+|mostly\s+|mainly\s+|especially\s+)?",
    _FLAGS,
)
_TOPIC_LEAD_WORDS = frozenset("the some a an more also maybe mostly mainly especially".split())
_TOPIC_JUNK = frozenset("etc stuff things more everything anything other others so on it".split())
_MAX_TOPICS = 12
_MAX_TOPIC_CHARS = 60


def _topic_items(phrase: str) -> list[str]:
    topics: list[str] = []
    for raw in _LIST_SPLIT_RE.split(phrase):
        words = raw.strip(" \t'\"`*•:-.").split()
        while words and words[0].lower() in _TOPIC_LEAD_WORDS:
            words.pop(0)
        item = _trim_edges(" ".join(words))
        known = {t.lower() for t in topics}
        if item and item.lower() not in _TOPIC_JUNK | known and len(item) <= _MAX_TOPIC_CHARS:
            topics.append(item)
    return topics[:_MAX_TOPICS]


def _list_after(scan: _Scan, start: int) -> tuple[int, str]:
    end_match = _LIST_END_RE.search(scan.work, start)
    end = end_match.start() if end_match else len(scan.work)
    return end, scan.display[start:end]


def _looks_technical(item: str) -> bool:
    return len(item.split()) <= 3 and any(ch.isupper() or ch.isdigit() for ch in item)


def _extract_topics(scan: _Scan) -> None:
    if scan.expecting == "topics" and _expected_topics(scan):
        return
    for match in scan.matches(_TOPIC_TRIGGER_RE):
        end, phrase = _list_after(scan, match.end())
        topics = _topic_items(phrase)
        if topics:
            scan.take(match.start(), end)
            scan.fields["topics"] = topics
            return
    for match in scan.matches(_WITH_TOPICS_RE):
        _, phrase = _list_after(scan, match.end())
        phrase = re.split(r"[,;]", phrase, maxsplit=1)[0]
        topics = _topic_items(phrase)
        if len(topics) >= 2 and all(_looks_technical(t) for t in topics):
            scan.fields["topics"] = topics
            return


def _expected_topics(scan: _Scan) -> bool:
    answer = _ANSWER_FILLER_RE.sub("", _fold(scan.rest())).strip(" .!")
    if answer in _NO_TOPICS:
        scan.take(0, len(scan.work))
        scan.fields["topics"] = []
        scan.fields["topics_answered"] = True
        return True
    start = len(scan.work) - len(scan.work.lstrip())
    prefix = _TOPIC_PREFIX_RE.match(scan.work, start)
    if prefix:
        start = prefix.end()
    end, phrase = _list_after(scan, start)
    topics = _topic_items(phrase)
    if topics:
        scan.take(start, end)
        scan.fields["topics"] = topics
    return bool(topics)


# ---- goal ---------------------------------------------------------------------------

_GOAL_TRIGGER_RE = re.compile(
    r"\b(?:(?:(?:a\s+)?learning\s+)?(?:plan|roadmap|course)\s+(?:for|on|to\s+learn)"
    r"|learn(?:ing)?|stud(?:y|ying)(?:\s+for)?|master(?:ing)?|understand(?:ing)?|teach\s+me"
    r"|get(?:ting)?\s+(?:better|good|started)\s+(?:at|with|in)|improve(?:\s+(?:my|at|in))?"
    r"|pick(?:ing)?\s+up|get\s+into|dive\s+into|brush\s+up\s+on|level\s+up(?:\s+(?:my|in|at|on))?"
    r"|upskill\s+(?:in|on)|prepare\s+for|prep\s+for|interested\s+in"
    r"|goal(?:\s+is)?\s*(?::|-|=|is)?(?:\s+to)?)"
    r"(?:\s+(?:more\s+)?about|\s+how\s+to)?\s+",
    _FLAGS,
)
_WISH_TRIGGER_RE = re.compile(
    r"\b(?:want|wanna|would\s+like|'d\s+like|need|hope|wish|aim|plan)\s+to\s+", _FLAGS
)
_GOAL_END_RE = re.compile(
    r"[,;!?\n()\[\]\x1f]|\.(?=\s|$)|\s-\s|\b(?:but|because|since|so\s+that|so\s+i|as\s+i"
    r"|i'?m|i\s+am|i\s+have|i've|i\s+can|i\s+could|i\s+work|i\s+live|which|in\s+order\s+to"
    r"|please|in\s+my\s+(?:free|spare)\s+time)\b",
    _FLAGS,
)
_EDGE_WORDS = frozenset(
    """a an the and or but so in on at by for from with within over until till before as to of
    i i'm im i've ive me my we am is are be have has got can could will would want need like
    about around roughly approximately maybe ideally really just only also please pls
    start starting study studying spend level timezone time zone tz based live living located
    currently mostly mainly especially focus focusing covering including topics topic during
    which that while where next coming following instead least most""".split()
)
_ACKS = frozenset(
    """hi hello hey hiya yo greetings thanks thank thx ty ok okay k yes no yep yeah nope nah
    sure cool great nice done finished undo help start stop cancel hmm hm lol sorry what why
    how who""".split()
) | frozenset({"thank you", "good morning", "good evening", "good afternoon", "hi there"})
_NOT_A_GOAL_START = frozenset(
    """i i'm im i've my we we're it it's its that this you can could would please also and but
    so make change set switch actually maybe let's lets about around only just put add use
    yes no ok okay sure hi hello hey thanks at up max min roughly approximately approx like
    probably ideally something are is was were be learn study teach master improve once twice
    thrice""".split()
)
_MAX_GOAL_CHARS = 200
_GOAL_SEGMENT_RE = re.compile(r"(?:[^,;!?\n.]|\.(?!\s|$))+")


def _trim_edges(phrase: str) -> str:
    """Drop connector words ("in", "for", "I'm", …) and punctuation from the end."""
    words = phrase.split()
    while words and words[-1].lower().strip(".,;:!?") in _EDGE_WORDS:
        words.pop()
    return " ".join(words).strip(" \t,;:.!?-\"'`")


def _clean_goal(phrase: str) -> str | None:
    words = phrase.split()
    while words and words[0].lower() in {"about", "to", "more"}:
        words.pop(0)
    goal = _trim_edges(" ".join(words))
    if len(goal) > _MAX_GOAL_CHARS:
        goal = goal[:_MAX_GOAL_CHARS].rsplit(" ", 1)[0]
    if sum(ch.isalpha() for ch in goal) < 1 or goal.lower() in _ACKS | _TOPIC_JUNK:
        return None
    if not any(ch.isalnum() for ch in goal):
        return None
    return goal


def _goal_after(scan: _Scan, start: int) -> str | None:
    trigger = _GOAL_TRIGGER_RE.match(scan.work, start)
    while trigger:
        start = trigger.end()
        trigger = _GOAL_TRIGGER_RE.match(scan.work, start)
    end_match = _GOAL_END_RE.search(scan.work, start)
    end = end_match.start() if end_match else len(scan.work)
    return _clean_goal(scan.display[start:end])


def _triggered_goal(scan: _Scan) -> str | None:
    for pattern in (_GOAL_TRIGGER_RE, _WISH_TRIGGER_RE):
        for match in scan.matches(pattern):
            goal = _goal_after(scan, match.end())
            if goal:
                return goal
    return None


def _is_ack(text: str) -> bool:
    words = re.sub(r"[^\w\s']", " ", text.lower()).split()
    return not words or " ".join(words) in _ACKS or all(w in _ACKS for w in words)


def _plausible_start(phrase: str) -> bool:
    """Goals don't start with "make", "actually", "I'm", a number, …"""
    first = phrase.split()[0].lower()
    return not (first in _NOT_A_GOAL_START or first in _NUMBER_WORDS or first.isdigit())


def _segment_goal(scan: _Scan) -> str | None:
    """ "Rust, 6 weeks, beginner": the first short chunk that is not another field."""
    for match in _GOAL_SEGMENT_RE.finditer(scan.work):
        end = scan.work.find(_MASK, match.start(), match.end())
        text = scan.display[match.start() : match.end() if end < 0 else end]
        goal = _clean_goal(text)
        if goal and not _is_ack(goal) and len(goal.split()) <= 8 and _plausible_start(goal):
            return goal
    return None


def _whole_message_goal(scan: _Scan) -> str | None:
    """A message with no other field is all goal ("Kubernetes for my job")."""
    whole = scan.display.strip()
    if whole.startswith("/") or _is_ack(whole):
        return None
    if scan.expecting == "goal":
        return _clean_goal(whole)
    if whole.endswith("?"):
        return None
    return _clean_goal(whole) if _plausible_start(whole) else _segment_goal(scan)


def _extract_goal(scan: _Scan) -> None:
    goal = _triggered_goal(scan)
    if goal is None and scan.expecting in {None, "goal"}:
        if scan.fields or scan.problems:
            goal = _segment_goal(scan)
        else:
            goal = _whole_message_goal(scan)
    if goal:
        scan.fields["goal"] = goal


# ---- public API -----------------------------------------------------------------------


def _location_update(text: str) -> IntakeUpdate | None:
    match = _LOCATION_RE.match(text)
    if not match:
        return None
    zone = timezone_from_location(float(match["lat"]), float(match["lon"]))
    return IntakeUpdate(fields={"timezone": zone} if zone else {})


def _parse(text: str, today: date, expecting: str | None) -> IntakeUpdate:
    location = _location_update(text)
    if location is not None:
        return location
    scan = _Scan.of(text, today, expecting)
    if not scan.work.strip() or scan.work.lstrip().startswith("/"):
        return IntakeUpdate()
    _extract_timezone(scan, places=False)
    _extract_dates(scan)
    _extract_hours(scan)
    _extract_weeks(scan)
    _reconcile_deadline(scan)
    _extract_availability(scan)
    _extract_skill(scan)
    _extract_timezone(scan, places=True)
    _extract_topics(scan)
    _extract_goal(scan)
    return IntakeUpdate(fields=scan.fields, problems=scan.problems)


def parse_intake(text: str, *, today: date, expecting: str | None = None) -> IntakeUpdate:
    """Every Goal field stated in `text`; `expecting` is the field the bot just asked for."""
    try:
        return _parse(text, today, expecting)
    except Exception:
        return IntakeUpdate()


def missing_fields(goal: Goal) -> list[str]:
    """Fields intake still has to ask for, in asking order."""
    present = {
        "goal": bool(goal.goal and goal.goal.strip()),
        "skill_level": goal.skill_level is not None,
        "hours_per_week": goal.hours_per_week is not None,
        "weeks": goal.weeks is not None or goal.deadline is not None,
        "topics": bool(goal.topics) or goal.topics_answered,
        "availability": bool(goal.availability),
        "timezone": bool(goal.timezone),
    }
    return [name for name in FIELD_ORDER if not present[name]]
