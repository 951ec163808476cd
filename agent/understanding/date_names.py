"""Named days and words that name no single day, for `agent.understanding.dates`.

Holidays come from `data/dates.yaml` ("christmas 12-25"; Easter from dateutil). Seasons
("by summer") and slashed dates whose two numbers could each be the month ("5/3") name no
single day: the bot asks about them instead of guessing.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from dateutil.easter import easter

from agent.understanding.gazetteer import fold

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_FILE = Path(__file__).with_name("data") / "dates.yaml"
ISO_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
YEAR_RE = re.compile(r"(?:19|20)\d{2}")


class Token(NamedTuple):
    text: str
    key: str
    start: int
    end: int


@cache
def data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        raw: dict[str, Any] = yaml.load(handle, Loader=_YAML_LOADER)
    return {key: frozenset(values) for key, values in raw.items()}


_NOT_IN_NAMES = frozenset({"the", "this", "next", "s"})


def _name_key(words: list[str]) -> str:
    return " ".join(w for w in words if w not in _NOT_IN_NAMES)


@cache
def _holidays() -> dict[str, tuple[int, int] | None]:
    """Holiday name → (month, day), from "christmas 12-25" lines of the data file; None for
    Easter ("easter easter"), whose day changes every year."""
    days: dict[str, tuple[int, int] | None] = {}
    for line in data()["holidays"]:
        name, _, when = str(line).rpartition(" ")
        key = _name_key(fold(name).split())
        if when == "easter":
            days[key] = None
        else:
            month, day = when.split("-")
            days[key] = (int(month), int(day))
    return days


def _holiday_in(year: int, name: str) -> date:
    fixed = _holidays()[name]
    return easter(year) if fixed is None else date(year, *fixed)


@cache
def _longest_holiday() -> int:
    return max(len(name.split()) for name in _holidays())


def holiday_ends_at(tokens: list[Token], k: int) -> bool:
    """A holiday's name ends with token `k` ("new year s", "christmas")."""
    if tokens[k].key in _NOT_IN_NAMES:
        return False
    for size in range(1, _longest_holiday() + 2):
        if size > k + 1:
            break
        if _name_key([t.key for t in tokens[k + 1 - size : k + 1]]) in _holidays():
            return True
    return False


def holiday(tokens: list[Token], today: date) -> date | None:
    """ "christmas", "new year's eve": its next day on or after `today`."""
    name = _name_key([t.key for t in tokens])
    if name not in _holidays():
        return None
    value = _holiday_in(today.year, name)
    return value if value >= today else _holiday_in(today.year + 1, name)


def season_end(tokens: list[Token], first: int) -> int:
    """The index past a season phrase starting at `first` ("the end of this summer",
    "summer 2027"), or 0."""
    words = data()
    k = first
    while k < len(tokens) and tokens[k].key in words["season_lead"]:
        k += 1
    if k >= len(tokens) or tokens[k].key not in words["seasons"]:
        return 0
    k += 1
    return k + 1 if k < len(tokens) and YEAR_RE.fullmatch(tokens[k].key) else k


def _month_name(month: int) -> str:
    return calendar.month_name[month]


def unclear_numeric(tokens: list[Token]) -> str | None:
    """ "5/3" could be 5 March or May 3: a slashed date whose two numbers could each be the
    month (and differ). Dotted dates are day first ("28.04.", the German way)."""
    if len(tokens) != 1 or "/" not in tokens[0].key or ISO_RE.fullmatch(tokens[0].key):
        return None
    first, second = (int(p) for p in tokens[0].key.split("/")[:2])
    if first == second or not (1 <= first <= 12 and 1 <= second <= 12):
        return None
    return (
        f"Does “{tokens[0].text}” mean {first} {_month_name(second)} or "
        f"{_month_name(first)} {second}? Could you write the month as a word?"
    )
