"""Clock times in availability phrases: reading "7", "19:30", "7pm" or "noon" and turning
clocks and ranges into minutes after midnight, with a missing am/pm inferred from the other end
of a range or the part of day named nearby ("evenings 7-9").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "LAST_MINUTE",
    "Clock",
    "clock_minutes",
    "clock_pattern",
    "fmt_minutes",
    "range_minutes",
    "read_clock",
]

LAST_MINUTE = 24 * 60 - 1


def clock_pattern(prefix: str) -> str:
    """A clock time ("7", "19:30", "7pm", "noon") as regex groups named `prefix` + h/m/ap/w."""
    return (
        rf"(?:(?P<{prefix}h>\d{{1,2}})(?:[:.](?P<{prefix}m>\d{{2}}))?\s*"
        rf"(?P<{prefix}ap>[ap]\.?m\b\.?|h\b)?|(?P<{prefix}w>noon|midday|midnight))"
    )


@dataclass
class Clock:
    hour: int
    minute: int
    meridiem: str | None  # "am", "pm", "24h" (an "h" suffix) or None
    explicit: bool  # minutes, am/pm or a word like "noon" were given


def read_clock(match: re.Match[str], prefix: str) -> Clock | None:
    """The clock `clock_pattern(prefix)` matched, or None when that part is absent."""
    word = match[f"{prefix}w"]
    if word:
        return Clock(0 if word.lower() == "midnight" else 12, 0, "24h", True)
    if match[f"{prefix}h"] is None:
        return None
    meridiem = (match[f"{prefix}ap"] or "").lower().replace(".", "")
    meridiem = {"am": "am", "pm": "pm", "h": "24h"}.get(meridiem)
    minute = match[f"{prefix}m"]
    return Clock(int(match[f"{prefix}h"]), int(minute or 0), meridiem, minute is not None)


def clock_minutes(clock: Clock, meridiem: str | None) -> int | None:
    """Minutes after midnight of `clock` read with `meridiem`; None when impossible."""
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


def range_minutes(first: Clock, second: Clock, daypart: str | None) -> tuple[int, int] | None:
    """Start and end minutes of a range, inferring a missing am/pm from the other end."""
    if first.meridiem in _AM_PM or second.meridiem in _AM_PM:
        start, end = _anchored_range(first, second)
    else:
        start, end = clock_minutes(first, None), clock_minutes(second, None)
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
    return start, LAST_MINUTE if end in {0, 1440} else min(end, LAST_MINUTE)


def _anchored_range(first: Clock, second: Clock) -> tuple[int | None, int | None]:
    """ "7-9pm", "10am-2": the end without am/pm borrows it from the other end."""
    anchor = second.meridiem if second.meridiem in _AM_PM else first.meridiem
    assert anchor is not None

    def borrowed(clock: Clock) -> str | None:
        if clock.meridiem in _AM_PM:
            return clock.meridiem
        return None if clock.meridiem == "24h" else anchor

    start, end = clock_minutes(first, borrowed(first)), clock_minutes(second, borrowed(second))
    if start is None or end is None:
        return start, end
    if first.meridiem is None and start >= end:
        start = clock_minutes(first, _flip(anchor))
    elif second.meridiem is None and end <= start:
        end = clock_minutes(second, _flip(anchor))
    return start, end


def fmt_minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
