"""How many days a message names before an amount "each day" ("weekends, like 2h each day")."""

from __future__ import annotations

import re

from agent.understanding.text import DAY_NAMES, FLAGS, WEEKDAY_INDEX

__all__ = ["named_days_before"]

_DAY_WORD_RE = re.compile(
    rf"\b(?:(?P<name>{DAY_NAMES})s?\b\.?|(?P<weekdays>week\s*-?\s*days?|work\s*-?\s*days?)\b"
    r"|(?P<weekend>week\s*-?\s*ends?)\b)",
    FLAGS,
)
_RANGE_GAP_RE = re.compile(r"^\s*(?:-|\u2013|to|through|thru|till|until)\s*$", FLAGS)
_NOT_THESE_RE = re.compile(
    r"\b(?:except|but|not|no|besides|excluding|apart\s+from|other\s+than|every\s*day|daily"
    r"|each\s+day|any\s*day)\b",
    FLAGS,
)


def named_days_before(text: str, end: int) -> int | None:
    """The number of weekdays named in `text[:end]` ("weekends" 2, "mon-fri" 5, "tue/thu" 2),
    or None when none are named or the text also says "every day" or leaves a day out
    ("every day except Sunday"): then a per-day amount is not per named day."""
    before = text[:end]
    if _NOT_THESE_RE.search(before):
        return None
    days: set[int] = set()
    previous, last_end = None, 0
    for match in _DAY_WORD_RE.finditer(before):
        index = None
        if match["weekdays"]:
            days |= set(range(5))
        elif match["weekend"]:
            days |= {5, 6}
        else:
            index = WEEKDAY_INDEX[match["name"].lower()[:3]]
            if previous is not None and _RANGE_GAP_RE.match(before[last_end : match.start()]):
                days |= {(previous + i) % 7 for i in range((index - previous) % 7 + 1)}
            days.add(index)
        previous, last_end = index, match.end()
    return len(days) or None
