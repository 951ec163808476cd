"""Numbers in free text: number words, weekly hours and plan lengths.

Hours are converted to hours per week: "5h/week" → 5, "an hour a day" → 7,
"1h every weekday" → 5, "2 hours on Tuesdays and 2 on Thursdays" → 4. A range
("3-4 hours") counts as its midpoint (3.5). Plan lengths are converted to weeks:
"6w" → 6, "a fortnight" → 2, "2 months" → 9 (a month is 52/12 weeks, rounded to the nearest
week, a half down: "a month and a half" → 6). "in 3 months" is a plan length too, unless the
clause names an event ("a trip to Napoli in 2 months"): then it dates the event.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from agent.numbers import CARDINALS
from agent.understanding.lexicon import phrase_key, word_set
from agent.understanding.named_days import named_days_before
from agent.understanding.text import DAY_NAMES, FLAGS, WEEKDAY_INDEX, Scan

__all__ = [
    "MAX_HOURS_PER_WEEK",
    "MAX_WEEKS",
    "MIN_HOURS_PER_WEEK",
    "MIN_WEEKS",
    "NUMBER_PATTERN",
    "NUMBER_WORDS",
    "TIMES_WORDS",
    "Quantity",
    "extract_hours",
    "extract_weeks",
    "find_plan_weeks",
    "find_weekly_hours",
    "fmt_number",
    "normalise_amounts",
    "parse_number",
]

MIN_HOURS_PER_WEEK = 1.0
MAX_HOURS_PER_WEEK = 60.0
MIN_WEEKS = 1
MAX_WEEKS = 52
WEEKS_PER_MONTH = 52 / 12
_WEEKS_PER_YEAR = 52.0


class Quantity(NamedTuple):
    """A number found in text (already converted to the target unit) and where it was."""

    value: float
    start: int
    end: int


NUMBER_WORDS: dict[str, float] = {
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
    re.escape(word).replace(r"\ ", r"\s+") for word in sorted(NUMBER_WORDS, key=len, reverse=True)
)
NUMBER_PATTERN = rf"(?:(?<![\w.])\d{{1,4}}(?:\.\d{{1,2}})?(?![\d.]\d)|\b(?:{_WORD_ALTERNATION})\b)"
"""A number written with digits ("5", "2.5") or words ("five", "an", "a couple of")."""


def parse_number(text: str) -> float | None:
    """The value of a `NUMBER_PATTERN` match, or None."""
    word = " ".join(text.lower().split())
    try:
        return float(word)
    except ValueError:
        return NUMBER_WORDS.get(word)


_RANGE = (
    rf"(?P<a>{NUMBER_PATTERN})"
    rf"(?:\s*(?:-|to|or|,?\s*maybe|,?\s*perhaps|,?\s*possibly)\s*(?P<b>{NUMBER_PATTERN}))?"
)
"""A number or a range like "5-10", "5 to 10", "3, maybe 4" (groups ``a`` and ``b``)."""


def range_value(match: re.Match[str]) -> float | None:
    """The number matched by `_RANGE`; a range gives its midpoint."""
    if match["a"] is None:
        return 1.0
    low = parse_number(match["a"])
    high = parse_number(match["b"]) if match["b"] else None
    if low is None:
        return None
    return low if high is None else (low + high) / 2


_HOURS_MINUTES_RE = re.compile(
    r"\b(?P<h>\d{1,2})\s*h\s*(?P<m>[0-5]\d)\b(?!\s*(?:[ap]\.?m\b|:))", FLAGS
)
_CLOCK_CUE_RE = re.compile(r"\b(?:at|from|to|until|till|after|before|around)\s*$|-\s*$", FLAGS)
_AND_A_HALF_RE = re.compile(
    r"\b(?:(?P<n>\d{1,2}|an?|one|two|three|four|five|six)\s+)?(?P<unit>hours?|hrs?|weeks?|months?|years?)"
    r"\s+and\s+a\s+half\b"
    r"|\b(?P<n2>\d{1,2}|one|two|three|four|five|six)\s+and\s+a\s+half\s+"
    r"(?P<unit2>hours?|hrs?|weeks?|months?|years?)\b",
    FLAGS,
)


def _half(match: re.Match[str]) -> str:
    number = match["n"] or match["n2"] or "1"
    value = parse_number(number) or 1.0
    unit = (match["unit"] or match["unit2"]).lower().rstrip("s")
    unit = "hour" if unit in {"hr", "hour"} else unit
    return f"{value + 0.5:g} {unit}s"


def normalise_amounts(text: str) -> str:
    """Amounts rewritten as decimals: "1h30" → "1.5h", "an hour and a half" → "1.5 hours"."""

    def decimal(match: re.Match[str]) -> str:
        if _CLOCK_CUE_RE.search(text, 0, match.start()) or text[match.end() :].lstrip()[:1] == "-":
            return match.group()  # "at 7h30", "19h30-21h": a time of day
        return f"{int(match['h']) + int(match['m']) / 60:g}h"

    text = _HOURS_MINUTES_RE.sub(decimal, text)
    return _AND_A_HALF_RE.sub(_half, text)


# ---- weekly hours -------------------------------------------------------------------

_HOUR_UNIT = r"(?:hours?|hrs?|h)\b(?:\s+of\s+(?:study|studying|learning|practice|time))?"
_MINUTE_UNIT = r"(?:minutes?|mins?)\b(?:\s+of\s+(?:study|studying|learning|practice|time))?"
_PER_WEEK = (
    r"(?:\s*/\s*(?:week|wk|w)\b|\s+(?:a|per|each|every|in\s+(?:a|the))\s+(?:week|wk)\b"
    r"|\s+(?:weekly|pw|p/w|week|wk)\b|\s+(?:in\s+)?total\b)"
)
_PER_WEEKDAY = (
    r"(?:\s+(?:a|per|each|every|on)\s+(?:week\s*-?\s*day|work\s*-?\s*day|working\s+day)s?\b)"
)
_PER_DAY = (
    r"(?:\s*/\s*(?:day|d)\b|\s+(?:a|per|each|every)\s+(?:single\s+)?(?:day|evening|morning|night)\b"
    r"|\s+(?:daily|nightly)\b)"
)
TIMES_WORDS = {"once": 1, "twice": 2, "thrice": 3}
_TIMES_A_WEEK = (
    r"\b(?P<n>[1-7]|one|two|three|four|five|six|seven|once|twice|thrice)"
    r"(?:\s*(?:x|times|days|evenings|mornings|afternoons|nights|sessions))?\s*(?:a|per|/|each)\s*week\b"
)
_TIMES_X = r"\b(?P<n>[1-7])\s*(?:x|times)\s*"
"""The "3 x" of "3 x 30 min a week"."""
_SESSION = r"(?:\s+(?:a|per|each)\s+(?:day|session|time))?\s*,?\s*"
_SESSIONS = (
    r"\b(?P<n>[1-7]|one|two|three|four|five|six|seven)\s*(?:x|times|days|evenings|mornings"
    r"|afternoons|nights|sessions|lessons|classes)\s*,?\s*(?:of\s+|for\s+|at\s+)?"
)
"""The "3 evenings, " of "3 evenings, 2 hrs each": N sessions of an amount each."""
_EACH = r"\s*(?:each|apiece|per\s+session|a\s+session|every\s+time)\b"
_HOUR_PATTERNS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, FLAGS), factor)
    for pattern, factor in (
        # the whole "3 evenings, 2 hrs each" is consumed: how often, not when
        (rf"{_SESSIONS}{_RANGE}\s*{_HOUR_UNIT}{_EACH}", 1.0),
        (rf"{_SESSIONS}{_RANGE}\s*{_MINUTE_UNIT}{_EACH}", 1 / 60),
        # "3 x 45 min", "4x 1h": sessions of a week
        (rf"{_TIMES_X}{_RANGE}\s*{_HOUR_UNIT}(?!\s*(?:a|per|each|every|/)\s*(?:day|d)\b)", 1.0),
        (
            rf"{_TIMES_X}{_RANGE}\s*{_MINUTE_UNIT}(?!\s*(?:a|per|each|every|/)\s*(?:day|d)\b)",
            1 / 60,
        ),
        (rf"{_TIMES_X}(?P<qty>{_RANGE}\s*{_HOUR_UNIT})\s*(?:a|per|/|each)\s*week\b", 1.0),
        (rf"{_TIMES_X}(?P<qty>{_RANGE}\s*{_MINUTE_UNIT})\s*(?:a|per|/|each)\s*week\b", 1 / 60),
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
        (rf"\b(?:hours?|hrs?)(?:\s+to|\s*[=:])\s*{_RANGE}(?!\s*(?:weeks?|months?|days?)\b)", 1.0),
        (rf"\b(?:weekly|per\s+week)\s*[:=-]?\s*{_RANGE}\s*{_HOUR_UNIT}", 1.0),
        (
            rf"\b(?:daily|every\s*day|each\s+day|a\s+day|per\s+day)\s*[:=-]?\s*{_RANGE}\s*{_HOUR_UNIT}",
            7.0,
        ),
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
    r"(?:\s*(?:max|tops|total|or\s+so|-?ish|a\s+week|per\s+week|weekly)){0,2}\s*[.!?]*\s*$",
    FLAGS,
)
_BARE_MINUTES_RE = re.compile(
    r"^\s*(?:(?:about|around|roughly|maybe|approx\.?|~|like|probably|only|just|max|at\s+most"
    rf"|up\s+to|i\s+can\s+do|i\s+have)\s+)?{_RANGE}\s*{_MINUTE_UNIT}"
    r"(?:\s*(?:max|tops|total|or\s+so|-?ish|a\s+week|per\s+week|weekly)){0,2}\s*[.!?]*\s*$",
    FLAGS,
)
_RELATIVE_RE = re.compile(
    r"\b(?:add|another|extra|more|plus|minus|less|fewer|cut|reduce|drop|remove|increase"
    r"|decrease)\b",
    FLAGS,
)
_NOT_BEFORE_RE = re.compile(r"\b(?:not|instead\s+of|rather\s+than|from)\s*$", FLAGS)
_ANY_HOURS_RE = re.compile(rf"{_RANGE}\s*{_HOUR_UNIT}", FLAGS)
_DAY = rf"(?:{DAY_NAMES})s?\b\.?|week\s*-?\s*days?\b|week\s*-?\s*ends?\b"
_DAY_RANGE_MARK = r"-|\u2013|to|through|thru|till|until"
_DAY_JOIN = rf"\s*(?:,|and|&|\+|/|or|{_DAY_RANGE_MARK})\s*(?:on\s+)?"
DAY_LIST = rf"(?P<days>(?:{_DAY})(?:{_DAY_JOIN}(?:{_DAY}))*)"
_A_DAY = r"(?:\s*/\s*(?:day|d)\b|\s+(?:a|per|each)\s+day\b|\s+daily\b)?"
"""The "/day" of "2hrs/day on sat and sun": an amount on each of the days named."""
_DAY_AMOUNT = (
    rf"(?P<qty>{_RANGE})\s*(?P<unit>(?P<hu>{_HOUR_UNIT})|{_MINUTE_UNIT})?{_A_DAY}\s*"
    rf"(?:each\s+)?(?:(?P<on>on|every|each)\s+|(?=(?:{_DAY})))(?:the\s+)?{DAY_LIST}"
)
_AMOUNT_ON_DAYS_RE = re.compile(_DAY_AMOUNT, FLAGS)
_DAYS_WITH_AMOUNT_RE = re.compile(
    rf"(?:\b(?:on|every)\s+)?{DAY_LIST}(?:\s+(?:evenings?|mornings?|afternoons?|nights?))?"
    rf"(?:\s+only)?\s*[,:=-]?\s*(?:for\s+)?(?P<qty>{_RANGE})\s*"
    rf"(?P<unit>(?P<hu>{_HOUR_UNIT})|{_MINUTE_UNIT})?(?!\s*(?:[ap]\.?m\b|[:.]\d|-\s*\d))"
    r"(?P<perday>\s+(?:a|per|each)\s+day\b)?",
    FLAGS,
)
_DAY_WORD_RE = re.compile(_DAY, FLAGS)


def _sessions_per_week(match: re.Match[str]) -> float | None:
    """The N of "N times a week" in a frequency pattern, 1 for other patterns."""
    if "n" not in match.re.groupindex:
        return 1.0
    word = match["n"].lower()
    return TIMES_WORDS.get(word) or parse_number(word)


_RANGE_GAP_RE = re.compile(rf"^\s*(?:{_DAY_RANGE_MARK})\s*(?:on\s+)?$", FLAGS)


def day_count(days: str) -> int:
    """How many days a list names: "Monday to Thursday" is 4, "weekdays" 5, "sat, sun" 2."""
    count, previous, last_end = 0, None, 0
    for match in _DAY_WORD_RE.finditer(days):
        folded = "".join(match.group().lower().split()).replace("-", "").rstrip(".")
        index = WEEKDAY_INDEX.get(folded[:3]) if not folded.startswith("week") else None
        if (
            previous is not None
            and index is not None
            and _RANGE_GAP_RE.match(days[last_end : match.start()])
        ):
            count += (index - previous) % 7  # the days after the range's first, inclusive
        else:
            count += 5 if folded.startswith("weekday") else 1
        previous, last_end = index, match.end()
    return count


def _hours_on_days(scan: Scan) -> list[Quantity]:
    """ "2 hours on Tuesdays and 2 on Thursdays" → 4; "Saturdays 3h, Sundays 2h" → 5.

    A later amount without a unit borrows the unit of the one before; when hours were asked
    for, a bare amount is hours ("6 on weekends"). An amount for "weekdays" is per day (×5),
    one for "weekends" is for the whole weekend. Only the amounts are consumed, so
    availability still reads the days."""
    for pattern in (_AMOUNT_ON_DAYS_RE, _DAYS_WITH_AMOUNT_RE):
        total, spans = 0.0, []
        unit = 1.0 if scan.expecting == "hours_per_week" and pattern is _AMOUNT_ON_DAYS_RE else None
        for match in scan.matches(pattern):
            value = range_value(match)
            if match["unit"]:
                unit = 1.0 if match["hu"] else 1 / 60
            if (
                value is None
                or unit is None
                or (pattern is _DAYS_WITH_AMOUNT_RE and not match["unit"] and not spans)
            ):
                continue
            per_day = "perday" in match.re.groupindex and match["perday"]
            days = (per_day and named_days_before(match["days"], len(match["days"]))) or None
            total += value * unit * (days or day_count(match["days"]))
            if per_day:  # "weekends 2h each day": the days are not every day
                spans.append(match.span("perday"))
            spans.append(match.span("unit") if match["unit"] else match.span("qty"))
            spans.append(match.span("qty"))
        if spans:
            for start, end in spans:
                scan.take(start, end)
            return [Quantity(round(total, 2), min(s for s, _ in spans), max(e for _, e in spans))]
    return []


def _hours_in(scan: Scan) -> list[Quantity]:
    found: list[Quantity] = _hours_on_days(scan)
    for pattern, factor in _HOUR_PATTERNS:
        for match in scan.matches(pattern):
            value, sessions = range_value(match), _sessions_per_week(match)
            if value is None or sessions is None:
                continue
            scale = factor
            if factor in (7.0, 7 / 60):  # "weekends, like 2h each day": per named day
                scale *= (named_days_before(scan.work, match.start()) or 7) / 7
            # keep "5 days a week" readable for availability: consume only the amount
            span = match.span("qty") if "qty" in pattern.groupindex else match.span()
            found.append(Quantity(round(value * sessions * scale, 2), *span))
            scan.take(*span)
    return sorted(found, key=lambda q: q.start)


def find_weekly_hours(text: str) -> list[Quantity]:
    """Weekly study hours stated in `text` ("5h/week", "an hour a day" → 7), unvalidated."""
    return _hours_in(Scan.of(text))


def extract_hours(scan: Scan) -> None:
    if "hours_per_week" in scan.fields:
        return  # set from sessions a day (agent/understanding/sessions.py)
    found = _hours_in(scan)
    if not found and scan.expecting == "hours_per_week":
        found = _expected_hours(scan)
    if not found and scan.expecting == "confirm":
        found = _card_hours(scan)
    if not found:
        return
    value = found[-1].value
    if value > MAX_HOURS_PER_WEEK:
        scan.note(
            f"{fmt_number(value)} hours a week is more than I can plan for — "
            f"{MAX_HOURS_PER_WEEK:.0f} is the most. How many hours can you really give?"
        )
    elif value < MIN_HOURS_PER_WEEK:
        scan.note(
            "Less than an hour a week is too little to plan around — "
            "could you find at least 1 hour?"
        )
    else:
        scan.fields["hours_per_week"] = value


def _expected_hours(scan: Scan) -> list[Quantity]:
    for pattern, factor in (
        (_BARE_HOURS_RE, 1.0),
        (_BARE_MINUTES_RE, 1 / 60),
        (_ANY_HOURS_RE, 1.0),
    ):
        for match in scan.matches(pattern):
            value = range_value(match)
            if value is not None:
                scan.take(*match.span())
                return [Quantity(round(value * factor, 2), *match.span())]
    return []


def _card_hours(scan: Scan) -> list[Quantity]:
    """At the confirmation card, which shows hours a week, "make it 6 hours" is that field;
    an amount after "not" is the value being replaced ("6 hours not 5 hours")."""
    if _RELATIVE_RE.search(scan.work):
        return []  # "add an hour", "2 hours less": a change by, not a value
    for match in scan.matches(_ANY_HOURS_RE):
        if _NOT_BEFORE_RE.search(scan.work, 0, match.start()):
            continue
        value = range_value(match)
        if value is not None:
            scan.take(*match.span())
            return [Quantity(value, *match.span())]
    return []


def fmt_number(value: float) -> str:
    return f"{value:g}"


# ---- plan length --------------------------------------------------------------------

_NOT_A_PLAN_LENGTH = (
    r"(?!\s*(?:of\s+)?(?:experience|exp\b|ago|old|in\s+a\s+row|already)"
    r"|\s+of\s+(?:coding|programming|practice|study|studying|learning|work|working|using))"
)
_WEEK_PATTERNS: tuple[tuple[re.Pattern[str], float, bool], ...] = tuple(
    (re.compile(pattern, FLAGS), factor, half_down)
    for pattern, factor, half_down in (
        (rf"{_RANGE}\s*-?\s*(?:weeks?|wks?|w)\b{_NOT_A_PLAN_LENGTH}", 1.0, False),
        (rf"(?:{_RANGE}\s*)?fortnights?\b{_NOT_A_PLAN_LENGTH}", 2.0, False),
        (
            rf"{_RANGE}\s*-?\s*(?:months?|mos?|mths?)\b{_NOT_A_PLAN_LENGTH}",
            WEEKS_PER_MONTH,
            True,
        ),
        (rf"{_RANGE}\s*-?\s*(?:years?|yrs?)\b{_NOT_A_PLAN_LENGTH}", _WEEKS_PER_YEAR, False),
        (r"\b(?:in|for|within|over|next)\s+(?P<a>\d{1,3})\s*days?\b", 1 / 7, False),
    )
)
_YEAR_CUE_RE = re.compile(
    r"(?:\b(?:in|within|over|take|takes|plan|give\s+it|the\s+next|about|around|maybe)|^)\s*$",
    FLAGS,
)
_ARTICLE_CUE_RE = re.compile(
    r"\b(?:in|for|within|over|about|around|just|only|take|takes|need|needs|have|got|like|of"
    r"|than|under|maybe|plan|give\s+it)\s*$",
    FLAGS,
)
_WITHIN_RE = re.compile(r"\bin\s*$", FLAGS)
_PAST_CUE_RE = re.compile(r"\b(?:last|past|previous|first)\s*$", FLAGS)
_BARE_WEEKS_RE = re.compile(
    r"^\s*(?:(?:about|around|maybe|~|probably|like|roughly|say)\s+)?"
    rf"{_RANGE}\s*(?:weeks?|wks?)?\s*[.!]?\s*$",
    FLAGS,
)


_EVENTS = word_set("dated_events") | word_set("exam_words")
_CLAUSE_START_RE = re.compile(r"[,;.!?\n]")


def _weeks_value(match: re.Match[str], factor: float, half_down: bool) -> float | None:
    value = range_value(match)
    if value is None:
        return None
    value *= factor
    if factor == 1 / 7:
        return float(math.ceil(value))
    return float(math.ceil(value - 0.5)) if half_down else float(round(value))


def _dates_an_event(before: str) -> bool:
    """ "a trip to Napoli in 2 months": the months say when the event is, not how long."""
    clause = _CLAUSE_START_RE.split(before)[-1]
    return bool(_EVENTS & set(phrase_key(clause).split()))


def _weeks_in(scan: Scan, *, whole_answer: bool) -> list[Quantity]:
    found: list[Quantity] = []
    for pattern, factor, half_down in _WEEK_PATTERNS:
        for match in scan.matches(pattern):
            before = scan.work[max(0, match.start() - 60) : match.start()]
            if _PAST_CUE_RE.search(before):
                continue
            article = (match.group("a") or "a").lower() in {"a", "an"}
            if article and not whole_answer and not _ARTICLE_CUE_RE.search(before):
                continue
            if factor == _WEEKS_PER_YEAR and not whole_answer and not _YEAR_CUE_RE.search(before):
                continue  # "played for 10 years" is experience, "in a year" a plan
            if factor == WEEKS_PER_MONTH and _WITHIN_RE.search(before) and _dates_an_event(before):
                continue  # read by the date finder
            value = _weeks_value(match, factor, half_down)
            if value is not None:
                found.append(Quantity(value, *match.span()))
                scan.take(*match.span())
    return sorted(found, key=lambda q: q.start)


def find_plan_weeks(text: str) -> list[Quantity]:
    """Plan lengths stated in `text` ("6 weeks", "2 months" → 9), in weeks, unvalidated."""
    return _weeks_in(Scan.of(text), whole_answer=False)


def extract_weeks(scan: Scan) -> None:
    expecting = scan.expecting == "weeks"
    found = _weeks_in(scan, whole_answer=expecting)
    if not found and expecting:
        for match in scan.matches(_BARE_WEEKS_RE):
            value = range_value(match)
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
