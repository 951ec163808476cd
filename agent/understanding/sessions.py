"""Hours said per day or per session, multiplied out to a week.

"2x 1h a day" is 14 hours a week, "90 min, twice a day" 21, "2 hrs a day except Sundays" 12,
and when hours were asked for, "like 3 a day" is 21. `extract_session_hours` runs before
`numbers.extract_hours`, which keeps what it set. `settle_range` reads a range the writer
then settles ("3-4 hrs a week, let's say 4" is 4; "1-2h a day, say 2" is 14).
"""

from __future__ import annotations

import re

from agent.understanding.numbers import (
    _HOUR_UNIT,
    _MINUTE_UNIT,
    _PER_DAY,
    _RANGE,
    DAY_LIST,
    TIMES_WORDS,
    day_count,
    parse_number,
    range_value,
)
from agent.understanding.text import FLAGS, Scan

__all__ = ["extract_session_hours", "settle_range"]

_DAYS_IN_WEEK = 7
_AMOUNT = rf"(?P<qty>{_RANGE}\s*(?:(?P<hu>{_HOUR_UNIT})|{_MINUTE_UNIT}))"
_EXCEPT = (
    r"(?:\s*,?\s*(?:except|but\s+not|apart\s+from|other\s+than|besides|excluding|minus|not)"
    rf"\s+(?:on\s+)?{DAY_LIST})?"
)
_PER_DAY_TIMES = r"(?P<n>once|twice|thrice|[1-9]\s*(?:x|times))\s*(?:a|per|each|every|/)\s*day\b"
_PATTERNS = tuple(
    re.compile(pattern, FLAGS)
    for pattern in (
        # "2x 1h a day", "3 times 20 min per day"
        rf"\b(?P<n>[1-9])\s*(?:x|times)\s*(?:of\s+)?{_AMOUNT}{_PER_DAY}{_EXCEPT}",
        # "90 min, twice a day", "1h 2x per day"
        rf"{_AMOUNT}\s*,?\s*(?:each\s+time\s*,?\s*)?{_PER_DAY_TIMES}{_EXCEPT}",
        # "2 hrs a day except Sundays" (a plain "2 hrs a day" is numbers' own)
        rf"{_AMOUNT}{_PER_DAY}(?=\s*,?\s*(?:except|but\s+not|apart|other\s+than|besides|excluding"
        r"|minus|not)\b)" + _EXCEPT,
    )
)
_BARE_DAILY_RE = re.compile(
    r"^\s*(?:(?:about|around|like|maybe|probably|roughly|~|just|only|max|at\s+most|up\s+to)\s+)?"
    rf"(?P<qty>{_RANGE})\s*(?:(?P<hu>{_HOUR_UNIT}))?{_PER_DAY}\s*[.!?]*\s*$",
    FLAGS,
)
_SETTLED_RE = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2}(?:\.\d)?)\s*(?:-|to|or)\s*(?P<b>\d{1,2}(?:\.\d)?)(?![\d:])"
    r"[^.;\n\d]{0,30}?\b(?:let'?s\s+say|lets\s+say|say|call\s+it|make\s+it|i\s+mean|rather"
    r"|realistically|probably)\s+(?P<n>\d{1,2}(?:\.\d)?)\b(?!\s*(?:[ap]\.?m\b|:|weeks?|months?))",
    FLAGS,
)


def _times(match: re.Match[str]) -> float | None:
    word = match["n"].lower()
    digits = re.match(r"\d+", word)
    return TIMES_WORDS.get(word) or (parse_number(digits.group()) if digits else None)


def _days(match: re.Match[str]) -> int:
    days = match["days"] if "days" in match.re.groupindex else None
    if not days:
        return _DAYS_IN_WEEK
    excluded = day_count(days) + len(re.findall(r"week\s*-?\s*ends?", days, FLAGS))
    return max(_DAYS_IN_WEEK - excluded, 1)


def extract_session_hours(scan: Scan) -> None:
    """Weekly hours from an amount per session times sessions a day times days a week."""
    for pattern in _PATTERNS:
        for match in scan.matches(pattern):
            value = range_value(match)
            times = _times(match) if "n" in pattern.groupindex else 1.0
            if value is None or times is None:
                continue
            unit = 1.0 if match["hu"] else 1 / 60
            scan.fields["hours_per_week"] = round(value * unit * times * _days(match), 2)
            scan.take(*match.span("qty"))
            return
    if scan.expecting == "hours_per_week":
        for match in scan.matches(_BARE_DAILY_RE):
            value = range_value(match)
            if value is not None:
                scan.fields["hours_per_week"] = round(value * _DAYS_IN_WEEK, 2)
                scan.take(*match.span())
                return


def settle_range(scan: Scan) -> None:
    """A range then the value settled on: the hours found scale to the settled number."""
    hours = scan.fields.get("hours_per_week")
    match = _SETTLED_RE.search(scan.display)
    if not hours or match is None:
        return
    low, high, settled = (float(match[k]) for k in ("a", "b", "n"))
    if low <= settled <= high and low < high:
        scan.fields["hours_per_week"] = round(hours * settled / ((low + high) / 2), 2)
