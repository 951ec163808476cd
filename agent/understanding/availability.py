"""Weekly study windows in free text ("weekday evenings 19:00-21:00, Saturday morning").

Day tokens (names, ranges, "weekdays", "3 evenings a week") and time tokens (ranges,
points like "after 7pm", periods like "mornings") are grouped into phrases; each group
gives windows on its days. Periods without a clock get a default two-hour window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time

from agent.understanding.availability_clock import (
    LAST_MINUTE,
    Clock,
    clock_minutes,
    clock_pattern,
    fmt_minutes,
    range_minutes,
    read_clock,
)
from agent.understanding.numbers import TIMES_WORDS, parse_number
from agent.understanding.text import DAY_NAMES, FLAGS, WEEKDAY_INDEX, Scan
from storage.models import Slot

__all__ = ["ASSUMED_DAYS", "extract_availability", "parse_availability", "window_total"]

ASSUMED_DAYS = "_assumed_days"
"""The scan field listing the weekdays named without a clock ("weekends"): their window is a
default the card shows as assumed, and the output reports those days without a clock."""


_NOT_A_TIME = (
    r"(?!\s*(?:hours?|hrs?|minutes?|mins?|weeks?|wks?|months?|days?|years?|times|x\b|%"
    r"|people|pages))"
)
_AVAILABILITY_RE = re.compile(
    r"(?P<count>\b(?:(?P<cn>[1-7]|one|two|three|four|five|six|seven)\s+"
    r"(?:(?P<cp>evening|morning|afternoon|night)s?|days?|times)|(?P<cw>once|twice|thrice))"
    r"\s+(?:a|per|each|every)\s+week\b)"
    rf"|(?P<drange>\b(?:(?:from|on|every)\s+)?(?P<d1>{DAY_NAMES})s?\b\.?\s*(?:-|to|through|thru|till|until)"
    rf"\s*(?P<d2>{DAY_NAMES})s?\b\.?)"
    r"|(?P<weekdays>\b(?:week\s*-?\s*days?|work\s*-?\s*days?|working\s+days|business\s+days"
    r"|week\s*-?\s*nights?|school\s+nights?|work\s*-?\s*nights?)\b)"
    r"|(?P<weekends>\bweek\s*-?\s*ends?\b)"
    r"|(?P<otherday>\bevery\s+other\s+day\b)"
    r"|(?P<everyday>\b(?:every\s*day|any\s*day|every\s+single\s+day|each\s+day|daily|all\s+week(?:\s+long)?"
    r"|(?:7|seven)\s+days\s+a\s+week"
    r"|(?:a|per)\s+day(?=\s*,?\s*(?:except|but\s+not|apart\s+from|other\s+than|besides"
    r"|excluding)\b))\b)"
    rf"|(?P<range>(?:\b(?P<rkw>from|between)\s+)?(?<![\w:.+/]){clock_pattern('s')}\s*"
    rf"(?P<rsep>-|to|until|till|and)\s*{clock_pattern('e')}{_NOT_A_TIME})"
    r"|(?P<point>(?:\b(?P<pkw>after|from|starting\s+at|starting|at|around|before|until|till|by)"
    rf"\s+)?(?<![\w:.+/]){clock_pattern('p')}{_NOT_A_TIME})"
    r"|(?P<period>\b(?<!good\s)(?:(?:every|each)\s+)?(?P<pname>early\s+mornings?|late\s+(?:evenings?|nights?)|mornings?"
    r"|afternoons?|evenings?|nights?|lunch\s*(?:time|breaks?)?|after\s+work|before\s+work"
    r"|after\s+dinner|daytime|during\s+the\s+day)\b"
    r"(?!\s+(?:shifts?|owls?|classes|school|jobs?|person|people|out|life|sky|mode)\b))"
    rf"|(?P<day>\b(?:every\s+|on\s+)?(?P<dn>{DAY_NAMES})s?\b\.?)",
    FLAGS,
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
_WORKDAYS = frozenset(range(5))
_WORKDAY_PERIODS = frozenset({"before work", "after work"})
_WEEKDAY_DEFAULT = (1140, 1260)
_WEEKEND_DEFAULT = (600, 720)
_HARD_GAP_RE = re.compile(r"[,;.!?\n\x1f]")
_CONJUNCTION_RE = re.compile(r"\b(?:and|or|plus|also)\b|&|\+", FLAGS)
_MIN_WINDOW_MINUTES = 15
# Above this, stated windows say when the user is free ("mon-fri 9-5"), not how long they study.
_MAX_WINDOW_HOURS = 20
_EXCLUDE_CUE_RE = re.compile(
    r"\b(?:except(?:\s+for)?|but\s+not|not|busy|other\s+than|excluding|apart\s+from|besides|no"
    r"|never|can'?t\s+do|cannot\s+do|can'?t"
    # a bare "but" only after all days ("any day but friday", "weekdays but wed")
    r"|(?:every\s*day|any\s*day|daily|each\s+day|all\s+week|week\s*-?\s*days?)\s*,?\s*but)"
    r"\s+(?:on\s+)?(?:the\s+)?$",
    FLAGS,
)
_LIST_GAP_RE = re.compile(r"^\s*,?\s*(?:/|&|and|or|nor)\s*(?:on\s+)?$", FLAGS)


@dataclass
class _TimeToken:
    kind: str  # "range", "point" or "period"
    start: int
    end: int
    name: str = ""
    keyword: str = ""
    first: Clock | None = None
    second: Clock | None = None

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


def _period_name(text: str) -> str:
    words = [w.rstrip("s") if w not in {"during", "the"} else w for w in text.lower().split()]
    name = " ".join(words)
    if name.startswith("lunch"):
        return "lunch"
    return "daytime" if name in {"during the day", "daytime"} else name


def _point_minutes(token: _TimeToken, daypart: str | None) -> tuple[int, int] | None:
    clock = token.first
    assert clock is not None
    meridiem = clock.meridiem if clock.meridiem in {"am", "pm"} else None
    minutes = clock_minutes(clock, meridiem)
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
    return minutes, min(minutes + 120, LAST_MINUTE)


def _gap_kind(gap: str) -> str:
    if _HARD_GAP_RE.search(gap) or len(gap.split()) > 3:
        return "hard"
    return "conj" if _CONJUNCTION_RE.search(gap) else "none"


def _day_token(match: re.Match[str]) -> tuple[set[int], bool] | None:
    if match["count"]:
        count = TIMES_WORDS.get((match["cw"] or "").lower()) or parse_number(match["cn"] or "")
        return set(_DAY_SPREAD.get(int(count or 0), ())), bool(match["cp"])
    if match["drange"]:
        first = WEEKDAY_INDEX[match["d1"].lower()[:3]]
        last = WEEKDAY_INDEX[match["d2"].lower()[:3]]
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
        return {WEEKDAY_INDEX[match["dn"].lower()[:3]]}, True
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
        first, second = read_clock(match, "s"), read_clock(match, "e")
        return _TimeToken("range", start, end, keyword=keyword, first=first, second=second)
    if match["point"]:
        keyword = " ".join((match["pkw"] or "").lower().split())
        clock = read_clock(match, "p")
        if clock is None or not (keyword or clock.explicit or clock.meridiem in {"am", "pm"}):
            return None
        return _TimeToken("point", start, end, keyword=keyword, first=clock)
    return None


def _excluded_day(scan: Scan, match: re.Match[str], previous_excluded: int | None) -> bool:
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


def _availability_groups(scan: Scan) -> tuple[list[_Group], set[int]]:
    """Day and time tokens grouped into phrases like "weekday evenings 19:00-21:00", plus the
    days the text rules out ("except Sunday")."""
    groups: list[_Group] = []
    excluded: set[int] = set()
    current: _Group | None = None
    last_end = 0
    excluded_end: int | None = None
    for match in _availability_tokens(scan):
        if match["count"] and scan.expecting != "availability":
            continue  # "3 evenings a week" says how often, not when
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


def _availability_tokens(scan: Scan) -> Iterator[re.Match[str]]:
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
    window = range_minutes(token.first, token.second, daypart)
    if window is None:
        return None
    start, end = window
    if end <= start:
        problems.append(
            f"{fmt_minutes(start)}–{fmt_minutes(end)} ends before it starts — "
            "could you give me a window like 19:00–21:00?"
        )
        return None
    if end - start < _MIN_WINDOW_MINUTES:
        problems.append(
            f"{fmt_minutes(start)}–{fmt_minutes(end)} is too short to study in — "
            f"could you give me at least {_MIN_WINDOW_MINUTES} minutes?"
        )
        return None
    return window


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


def _accepted(group: _Group, asking: str | None) -> bool:
    if asking == "availability":
        return True
    if asking == "topics" and not group.days and all(t.kind == "period" for t in group.times):
        return False  # "portraits, maybe some night photography": a topic, not a study time
    if not group.times:
        return group.named_days
    return bool(group.days) or any(t.strong for t in group.times)


def _joined_groups(groups: list[_Group]) -> list[_Group]:
    """Times with no days of their own belong to the days before them when those had no
    clock time yet ("lunch breaks on weekdays, 12-1", "Mondays and Wednesdays, 7pm")."""
    joined: list[_Group] = []
    for group in groups:
        previous = joined[-1] if joined else None
        clocked = previous is not None and any(t.kind != "period" for t in previous.times)
        if previous is not None and previous.days and not group.days and not clocked:
            previous.times.extend(group.times)
            previous.end = group.end
            continue
        if (
            previous
            and previous.days
            and previous.times
            and not group.times
            and group.opener == "conj"
        ):
            previous.days |= group.days  # "7 to 9 pm on Mondays and Thursdays": both at 7-9
            previous.end = group.end
            continue
        joined.append(group)
    return joined


def _default_days(group: _Group) -> frozenset[int]:
    """Days for times named without days: work days for "before work", else every day."""
    if any(t.kind == "period" and t.name in _WORKDAY_PERIODS for t in group.times):
        return _WORKDAYS
    return _ALL_DAYS


def _availability(scan: Scan) -> tuple[list[Slot], list[_Group], list[str]]:
    problems: list[str] = []
    windows: list[tuple[int, int, int]] = []
    kept: list[_Group] = []
    previous_days: set[int] | None = None
    groups, excluded = _availability_groups(scan)
    for group in _joined_groups(groups):
        if not _accepted(group, scan.expecting) and not (excluded and group.days):
            continue  # "every day except Sunday" names the days by the one left out
        days = group.days or (previous_days if group.opener == "conj" and previous_days else None)
        days = set(days or _default_days(group)) - excluded
        if not days:
            continue
        windows.extend(_group_windows(group, days, problems))
        previous_days = days
        kept.append(group)
    return _merge_slots(windows), kept, problems


def parse_availability(text: str) -> list[Slot]:
    """Weekly study windows in `text` ("weekday evenings 19:00-21:00, Saturday morning")."""
    try:
        slots, _, _ = _availability(Scan.of(text, expecting="availability"))
    except Exception:
        return []
    return slots


def _unclocked_days(groups: list[_Group]) -> set[int]:
    """The days of groups that name days but no time at all ("weekends", "Tuesdays")."""
    days: set[int] = set()
    for group in groups:
        if not group.times:
            days |= group.days
    return days


def _window_hours(slots: list[Slot], groups: list[_Group]) -> float | None:
    """The weekly hours the windows add up to when every one has a stated start and end
    ("mon wed fri 7-8pm": 3); None when a window is a default or open-ended ("evenings",
    "after 7pm"), or so wide it says when the user is free rather than how long they study."""
    if not slots or not all(any(t.kind == "range" for t in g.times) for g in groups):
        return None
    return window_total(slots)


def window_total(slots: list[Slot]) -> float | None:
    """The weekly hours of stated windows, to the quarter hour; None past the bound, where
    the windows say when the user is free rather than how long they study. The one sum the
    card and both understanding paths (rules, LLM) use."""
    hours = round(sum(slot.minutes for slot in slots) / 15) / 4
    return hours if 0 < hours <= _MAX_WINDOW_HOURS else None


def extract_availability(scan: Scan) -> float | None:
    """Store the study windows `scan` states; return the weekly hours they add up to when
    each has a clock start and end (`_window_hours`), for the caller to use as computed."""
    slots, groups, problems = _availability(scan)
    for problem in problems:
        scan.note(problem)
    if not groups:
        return None
    first, last = groups[0].start, groups[-1].end
    if scan.free(first, last):
        phrase = scan.display[first:last]
    else:
        phrase = ", ".join(scan.display[g.start : g.end] for g in groups)
    for group in groups:
        scan.take(group.start, group.end)
    if not slots:
        return None
    scan.fields["availability"] = slots
    text = " ".join(phrase.split()).rstrip(" .,;:!?")
    assumed = sorted({s.weekday for s in slots} & _unclocked_days(groups))
    if assumed:
        scan.fields[ASSUMED_DAYS] = assumed
        windows = sorted({(s.start, s.end) for s in slots if s.weekday in assumed})
        shown = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in windows)
        text = f"{text} ({shown} assumed — tell me a time to change it)"
    scan.fields["availability_text"] = text
    return _window_hours(slots, groups)
