"""Deadlines and start dates in free text, read with dateparser.

dateparser is slow on long text and eager (it reads "3 hours a week" as a date), so it
only sees short spans: the words after a cue ("by", "until", "before my exam on",
"starting", "from"), an "end of …"/"in a fortnight" phrase, or a calendar date written
out ("March 1", "2027-01-15"), and only spans with a date word in them. Month-only
dates are computed here: "till March" is the end of March, "by March" its first day.
A date is never in the past: one without a year rolls forward; a past one with a
year is dropped. `today` is always passed in.

Words that name no single day are `unclear` hits, with no value: a numeric date both of
whose numbers could be the month ("5/3": 5 March or May 3), and a season as a deadline
("by summer", "end of winter", which also differs by hemisphere). The bot asks about them.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from dateparser.date import DateDataParser
from pydantic import BaseModel

from agent.understanding.date_names import ISO_RE as _ISO_RE
from agent.understanding.date_names import YEAR_RE as _YEAR_RE
from agent.understanding.date_names import Token as _Token
from agent.understanding.date_names import data as _data
from agent.understanding.date_names import holiday as _holiday
from agent.understanding.date_names import holiday_ends_at as _holiday_ends_at
from agent.understanding.date_names import season_end as _season_end
from agent.understanding.date_names import unclear_numeric as _unclear_numeric
from agent.understanding.gazetteer import fold

__all__ = ["DateHit", "find_dates", "warm_up"]

MAX_CHARS = 4000
MAX_SPAN_WORDS = 7
MAX_FILLER_WORDS = 5

Kind = Literal["deadline", "start"]


class DateHit(BaseModel):
    """A date in the text; `unclear` (then `value` is None) is the question to ask when the
    words name no single day."""

    value: date | None
    kind: Kind
    start: int
    end: int
    unclear: str | None = None


_TOKEN_RE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.(?![\d.])|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?|[^\W_]+"
)
_NUMERIC_DATE_RE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.(?:\d{2,4})?"
)
"""Numeric dates; day-first with dots needs its closing dot without a year ("28.04.", the
German way), so "2.5 hours" stays a number."""
_ORDINAL_RE = re.compile(r"\d{1,2}(?:st|nd|rd|th)")
_DAY_RE = re.compile(r"\d{1,2}")
_BREAK_RE = re.compile(r"[,;!?\n()\x1f]|\.(?=\s|$)")
_JOIN_RE = re.compile(r"[ \t'’-]*")
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_WEEKDAYS = frozenset(
    name.lower()
    for number in range(7)
    for name in (calendar.day_name[number], calendar.day_abbr[number])
) | {"tues", "weds", "thur", "thurs"}
_RELATIVE_WORDS = frozenset({"today", "tomorrow", "tonight", "fortnight"})
_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years"})
_NEAR = frozenset({"next", "this", "coming"})
_PERIOD_WORDS = {
    "end": "end",
    "middle": "mid",
    "mid": "mid",
    "beginning": "start",
    "start": "start",
    "early": "start",
    "late": "end",
}
_AMOUNTS = frozenset(
    {
        "a",
        "an",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "couple",
    }
)


@lru_cache(maxsize=8)
def _parser(today: date) -> DateDataParser:
    settings = {
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "STRICT_PARSING": False,
    }
    return DateDataParser(languages=["en"], settings=settings)


def warm_up() -> None:
    """Load dateparser's language data now (about a second)."""
    _parser(date(2026, 1, 1)).get_date_data("next monday")


def _tokens(text: str) -> list[_Token]:
    return [
        _Token(
            m.group(),
            m.group().lower() if m.group()[0].isdigit() else fold(m.group()),
            m.start(),
            m.end(),
        )
        for m in _TOKEN_RE.finditer(text)
    ]


def _joined(text: str, tokens: list[_Token], first: int, last: int) -> bool:
    """The tokens first..last-1 (those that exist: a cue may end the message) are joined."""
    return all(
        _JOIN_RE.fullmatch(text, tokens[k - 1].end, tokens[k].start)
        for k in range(first + 1, min(last, len(tokens)))
    )


def _phrase_at(tokens: list[_Token], index: int, phrases: frozenset[str]) -> int:
    """Length (in tokens) of the longest phrase from `phrases` starting at `index`, or 0."""
    for size in range(4, 0, -1):
        if " ".join(t.key for t in tokens[index : index + size]) in phrases:
            return size
    return 0


def _is_date_word(tokens: list[_Token], k: int) -> bool:
    key = tokens[k].key
    if key in _MONTHS or key in _WEEKDAYS or key in _RELATIVE_WORDS or _holiday_ends_at(tokens, k):
        return True
    if _NUMERIC_DATE_RE.fullmatch(key) or _ORDINAL_RE.fullmatch(key):
        return True
    if key in _UNITS and k > 0 and tokens[k - 1].key in _NEAR:
        return True
    if key in _UNITS and k > 1 and [t.key for t in tokens[k - 2 : k]] == ["of", "the"]:
        return True
    return (
        key in _UNITS
        and k > 1
        and tokens[k - 2].key == "in"
        and (tokens[k - 1].key in _AMOUNTS or tokens[k - 1].key.isdigit())
    )


def _month_only(tokens: list[_Token], today: date, through: bool) -> date | None:
    """ "March", "March 2027", "end of June", "mid-May": computed without dateparser."""
    keys = [t.key for t in tokens]
    months = [k for k in keys if k in _MONTHS]
    if len(months) != 1 or any(_DAY_RE.fullmatch(k) or _ORDINAL_RE.fullmatch(k) for k in keys):
        return None
    where = next(
        (_PERIOD_WORDS[k] for k in keys if k in _PERIOD_WORDS), "end" if through else "start"
    )
    others = [k for k in keys if k not in _MONTHS and k not in _PERIOD_WORDS]
    if any(k not in {"of", "the"} and not _YEAR_RE.fullmatch(k) for k in others):
        return None
    month = _MONTHS[months[0]]
    years = [int(k) for k in keys if _YEAR_RE.fullmatch(k)]
    year = years[0] if years else today.year
    last_day = calendar.monthrange(year, month)[1]
    day = {"start": 1, "mid": 15, "end": last_day}[where]
    value = date(year, month, day)
    if not years and value < today:
        value = _month_only(tokens, date(today.year + 1, 1, 1), through)
    return value if value is not None and value >= today else None


def _period(tokens: list[_Token], today: date) -> date | None:
    """ "end of next month", "end of the year", "next week" (its Monday), "beginning of
    next month", "next month" (its first day)."""
    keys = [t.key for t in tokens if t.key not in {"the", "of"}]
    if not keys or keys[-1] not in {"week", "month", "year"}:
        return None
    where = _PERIOD_WORDS.get(keys[0], "")
    rest = keys[1:] if where else keys
    if rest[:-1] not in (["next"], ["this"], ["coming"], []) or where == "mid":
        return None
    if not where and not rest[:-1]:
        return None  # a bare "week" or "month" is an amount, not a date
    ahead = 1 if rest[:-1] in (["next"], ["coming"]) else 0
    unit = rest[-1]
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=ahead)
        return monday + timedelta(days=6) if where == "end" else max(monday, today)
    if unit == "year":
        first, last = date(today.year + ahead, 1, 1), date(today.year + ahead, 12, 31)
    else:
        year, month = today.year, today.month + ahead
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
    return last if where == "end" else max(first, today)


def _numeric(tokens: list[_Token], today: date) -> date | None:
    """ "2027-01-15", "15/01", "3/15" (day first unless that is impossible), "1.3.2027"."""
    if len(tokens) != 1 or not _NUMERIC_DATE_RE.fullmatch(tokens[0].key):
        return None
    parts = [int(p) for p in re.split(r"[-/.]", tokens[0].key.rstrip("."))]
    if _ISO_RE.fullmatch(tokens[0].key):
        year, month, day = parts
        explicit = True
    else:
        day, month = (parts[1], parts[0]) if parts[1] > 12 else (parts[0], parts[1])
        explicit = len(parts) == 3
        year = (parts[2] + 2000 if parts[2] < 100 else parts[2]) if explicit else today.year
    try:
        value = date(year, month, day)
        if not explicit and value < today:
            value = date(year + 1, month, day)
    except ValueError:
        return None
    return value if value >= today else None


def _day_only(tokens: list[_Token], today: date) -> date | None:
    """ "the 10th": the next such day of a month (dateparser would read a month)."""
    keys = [t.key for t in tokens if t.key != "the"]
    if len(keys) != 1 or not _ORDINAL_RE.fullmatch(keys[0]):
        return None
    day = int(keys[0][:-2])
    year, month = today.year, today.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _roll_forward(value: date, tokens: list[_Token], today: date) -> date | None:
    """A date without a year never lies in the past: the next such day."""
    if value >= today:
        return value
    keys = [t.key for t in tokens]
    if any(_YEAR_RE.fullmatch(k) or re.fullmatch(r"\d{4}-.*|.*/\d{4}|.*\.\d{4}", k) for k in keys):
        return None
    if not any(k in _MONTHS for k in keys) and not any(_NUMERIC_DATE_RE.fullmatch(k) for k in keys):
        month = value.month
        for _ in range(12):
            month = month % 12 + 1
            year = value.year + (1 if month == 1 else 0)
            try:
                value = value.replace(year=year, month=month)
            except ValueError:
                continue
            if value >= today:
                return value
        return None
    try:
        return value.replace(year=today.year + (1 if value.replace(year=today.year) < today else 0))
    except ValueError:
        return value.replace(year=value.year + 1, day=28)


def _parse(text: str, tokens: list[_Token], today: date, through: bool) -> date | None:
    value = (
        _month_only(tokens, today, through)
        or _period(tokens, today)
        or _day_only(tokens, today)
        or _holiday(tokens, today)
    )
    if value is not None:
        return value
    if len(tokens) == 1 and _NUMERIC_DATE_RE.fullmatch(tokens[0].key):
        return _numeric(tokens, today)
    span = text[tokens[0].start : tokens[-1].end]
    found = _parser(today).get_date_data(span).date_obj
    return _roll_forward(found.date(), tokens, today) if found else None


def _clause_end(text: str, tokens: list[_Token], first: int) -> int:
    """The index past the last token of the clause starting at `first`."""
    last = first
    while last < len(tokens) and (last == first or _joined(text, tokens, last - 1, last + 1)):
        last += 1
    return last


def _date_at(
    text: str, tokens: list[_Token], first: int, today: date, through: bool
) -> tuple[date, int] | None:
    """The longest date that starts at token `first` (its value and the index past it)."""
    if first >= len(tokens):
        return None  # a cue ending the message ("never played before")
    stop = min(_clause_end(text, tokens, first), first + MAX_SPAN_WORDS)
    if tokens[first].key == "the":
        first_word = first + 1
    else:
        first_word = first
    if first_word < len(tokens) and tokens[first_word].key == "in" and first_word + 1 < stop:
        nxt = tokens[first_word + 1].key
        if not (nxt.isdigit() or nxt in _AMOUNTS or nxt == "fortnight"):
            first_word += 1
    for last in range(stop, first_word, -1):
        if not any(_is_date_word(tokens, k) for k in range(first_word, last)):
            continue
        if any(tokens[k].key in _WEEKDAYS for k in range(first_word, last - 1)):
            continue  # "Friday 9-5" is a time of day, not a date
        if not (_is_date_word(tokens, last - 1) or tokens[last - 1].key.isdigit()):
            continue
        value = _parse(text, tokens[first_word:last], today, through)
        if value is not None:
            return value, last
    return None


def _after_filler(tokens: list[_Token], first: int, *, events_only: bool = True) -> list[int]:
    """ "my exam on 3 June", "uni in September", "exam in stats on thursday": where a date
    may start after a few words ending in "on"/"in" (for a deadline they must name an
    event), nearest first."""
    found = []
    for size in range(1, MAX_FILLER_WORDS + 2):
        at = first + size
        if at < len(tokens) and tokens[at - 1].key in {"on", "in", "from"}:
            words = {t.key for t in tokens[first : at - 1]}
            if not words or words & _data()["events"] or not events_only:
                found.append(at)
    return found


def _weekday_range(tokens: list[_Token], cue: int, first: int, last: int) -> bool:
    """ "from Monday to Friday", "Monday until Friday": study days, not dates."""
    if tokens[first].key not in _WEEKDAYS:
        return False
    before = tokens[cue - 1].key if cue >= 1 else ""
    after = tokens[last + 1].key if last + 1 < len(tokens) else ""
    return before in _WEEKDAYS or after in _WEEKDAYS


def find_dates(text: str, *, today: date) -> list[DateHit]:
    """Every deadline and start date in `text`, in order, never before `today`."""
    text = text[:MAX_CHARS]
    tokens = _tokens(text)
    data = _data()
    hits: list[DateHit] = []
    index = 0
    while index < len(tokens):
        found = _hit_at(text, tokens, index, today, data)
        if found is None:
            index += 1
            continue
        hit, index = found
        hits.append(hit)
    return hits


def _hit_at(
    text: str, tokens: list[_Token], index: int, today: date, data: dict[str, Any]
) -> tuple[DateHit, int] | None:
    kind: Kind = "deadline"
    size = _phrase_at(tokens, index, data["start_cues"])
    if size:
        kind = "start"
    else:
        size = _phrase_at(tokens, index, data["deadline_cues"])
    if size and not _joined(text, tokens, index, index + size + 1):
        size = 0
    through = bool(size) and _phrase_at(tokens, index, data["through_cues"]) == size
    if kind == "start" and (_event_before(tokens, index, data) or _third_person(tokens, index)):
        kind = "deadline"  # "for a project starting Feb 1": be ready by then
    if size:
        begins = [
            index + size,
            *_after_filler(tokens, index + size, events_only=kind == "deadline"),
        ]
    elif tokens[index].key in data["events"]:
        begins = _after_filler(tokens, index)
    elif index == 0 and _season_end(tokens, 0) == len(tokens):
        begins = [0]  # a whole answer that is a season ("end of summer")
    else:
        begins = [index] if _bare_date_start(tokens, index, data) else []
    start = tokens[index].start
    for begin in begins:
        season = _season_end(tokens, begin) if size or begin == 0 else 0
        if season:
            words = text[tokens[begin].start : tokens[season - 1].end]
            question = f"Which date do you mean by “{words}”? A day like “August 31” helps."
            end = tokens[season - 1].end
            return DateHit(value=None, kind=kind, start=start, end=end, unclear=question), season
        found = _date_at(text, tokens, begin, today, through)
        if found is not None and not _weekday_range(tokens, index, begin, found[1]):
            break
    else:
        return None
    value, last = found
    span = tokens[begin:last]
    if size and tokens[index].key == "before" and _holiday(span, today) is not None:
        value -= timedelta(days=1)  # "before christmas": done before the holiday starts
    unclear = _unclear_numeric(span)
    end = tokens[last - 1].end
    return DateHit(
        value=None if unclear else value, kind=kind, start=start, end=end, unclear=unclear
    ), last


def _event_before(tokens: list[_Token], index: int, data: dict[str, Any]) -> bool:
    """An event noun just before a start cue ("a project starting", "my job starts")."""
    return any(t.key in data["events"] for t in tokens[max(0, index - 2) : index])


def _third_person(tokens: list[_Token], index: int) -> bool:
    """ "starts"/"begins" with no plan or user just before it: something else starts."""
    data = _data()
    if tokens[index].key not in data["event_start_verbs"]:
        return False
    return not any(t.key in data["plan_subjects"] for t in tokens[max(0, index - 2) : index])


def _bare_date_start(tokens: list[_Token], index: int, data: dict[str, Any]) -> bool:
    """Without a cue, only a written-out date, "end of …", "in a fortnight", or a date
    that is the whole message, is read."""
    key = tokens[index].key
    if index > 0 and tokens[index - 1].key in data["amount_units"]:
        return False
    if _NUMERIC_DATE_RE.fullmatch(key):
        return True
    nxt = tokens[index + 1].key if index + 1 < len(tokens) else ""
    if key in _MONTHS and (_DAY_RE.fullmatch(nxt) or _ORDINAL_RE.fullmatch(nxt)):
        return True
    if (_DAY_RE.fullmatch(key) or _ORDINAL_RE.fullmatch(key) or key == "the") and (
        nxt in _MONTHS or nxt == "of" or _ORDINAL_RE.fullmatch(nxt)
    ):
        return True
    if key == "end" and nxt == "of":
        return True
    if key == "in" and index + 2 <= len(tokens):
        return _is_date_word(tokens, min(index + 2, len(tokens) - 1)) or nxt == "fortnight"
    # A short answer that is a date ("next monday"); "a fortnight" alone is a length.
    return (
        index == 0
        and len(tokens) <= 4
        and any(
            _is_date_word(tokens, k) and tokens[k].key != "fortnight" for k in range(len(tokens))
        )
    )
