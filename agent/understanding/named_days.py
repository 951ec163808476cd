"""How many days a message names before an amount "each day" ("weekends, like 2h each day").

The days are the availability parse's (`agent.understanding.availability`), not a second
reading of the day words here."""

from __future__ import annotations

import re

from agent.understanding.text import FLAGS

__all__ = ["named_days_before"]

_NOT_THESE_RE = re.compile(
    r"\b(?:except|but|not|no|besides|excluding|apart\s+from|other\s+than|every\s*day|daily"
    r"|each\s+day|any\s*day)\b",
    FLAGS,
)


def named_days_before(text: str, end: int) -> int | None:
    """The number of weekdays named in `text[:end]` ("weekends" 2, "mon-fri" 5, "tue/thu" 2),
    or None when none are named or the text also says "every day" or leaves a day out
    ("every day except Sunday"): then a per-day amount is not per named day."""
    # availability reads amounts with numbers, which imports this module: imported here
    from agent.understanding.availability import parse_availability

    before = text[:end]
    if _NOT_THESE_RE.search(before):
        return None
    return len({slot.weekday for slot in parse_availability(before)}) or None
