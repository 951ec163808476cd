"""Scoring rules for the understanding evaluation: one expected meaning against one output line.

Pure functions over plain JSON values (dicts, lists, strings), so the tests can feed them
hand-made outputs. `score_item` returns one boolean per check that applies to the item; an
item is fully right when every check is true.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIELDS = (
    "goal",
    "skill_level",
    "hours_per_week",
    "weeks",
    "deadline",
    "topics",
    "availability",
    "timezone",
)
GOAL_PREFIXES = (
    "to learn",
    "learning",
    "learn",
    "how to",
    "study",
    "get better at",
    "improve my",
    "master",
)
OFFSET_DAYS = (datetime(2027, 1, 15, 12, tzinfo=UTC), datetime(2027, 7, 15, 12, tzinfo=UTC))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_goal(text: str) -> str:
    """Lowercase, fold accents, turn punctuation into spaces, collapse spaces, drop a leading
    "learn"/"how to"/... (repeatedly: "learn how to cook" → "cook")."""
    words = re.sub(r"[^\w\s]|_", " ", _fold(text)).split()
    changed = True
    while changed and words:
        changed = False
        for prefix in GOAL_PREFIXES:
            head = prefix.split()
            if words[: len(head)] == head and len(words) > len(head):
                words = words[len(head) :]
                changed = True
                break
    return " ".join(words)


def same_goal(expected: str | None, got: Any, alternatives: list[str] | None = None) -> bool:
    if expected is None:
        return got is None or got == ""
    if not isinstance(got, str):
        return False
    wanted = {normalize_goal(g) for g in [expected, *(alternatives or [])]}
    return normalize_goal(got) in wanted


def _topic_set(topics: list[Any]) -> set[str]:
    return {str(t).strip().casefold() for t in topics}


def same_topics(expected: list[str] | None, got: Any) -> bool:
    """`None` (not mentioned) and `[]` (explicitly none) are different answers."""
    if expected is None:
        return got is None
    return isinstance(got, list) and _topic_set(expected) == _topic_set(got)


def same_hours(expected: float | None, got: Any) -> bool:
    if expected is None:
        return got is None
    return (
        isinstance(got, int | float) and not isinstance(got, bool) and abs(got - expected) <= 0.01
    )


def same_weeks(expected: int | None, got: Any) -> bool:
    if expected is None:
        return got is None
    return isinstance(got, int | float) and not isinstance(got, bool) and got == expected


def same_deadline(expected: str | None, got: Any) -> bool:
    if expected is None:
        return got is None
    if not isinstance(got, str):
        return False
    try:
        return date.fromisoformat(got[:10]) == date.fromisoformat(expected)
    except ValueError:
        return False


def same_skill(expected: str | None, got: Any) -> bool:
    if expected is None:
        return got is None
    return isinstance(got, str) and got.strip().lower() == expected


Slot = tuple[str, str | None, str | None]


def _slots(availability: list[dict[str, Any]]) -> list[Slot]:
    return [
        (str(day).lower()[:3], slot.get("start"), slot.get("end"))
        for slot in availability
        for day in slot.get("days") or []
    ]


def _fits(expected: Slot, got: Slot) -> bool:
    """Same day; start/end compared only where the expected slot gives them."""
    return (
        expected[0] == got[0]
        and (expected[1] is None or expected[1] == got[1])
        and (expected[2] is None or expected[2] == got[2])
    )


def same_availability(expected: list[dict[str, Any]] | None, got: Any) -> bool:
    """Compares the sets of (day, start, end); an empty list counts as not stated."""
    if not expected:
        return not got
    if not isinstance(got, list) or not all(isinstance(s, dict) for s in got):
        return False
    wanted, found = _slots(expected), _slots(got)
    return all(any(_fits(w, f) for f in found) for w in wanted) and all(
        any(_fits(w, f) for w in wanted) for f in found
    )


def _offsets(name: str) -> tuple[Any, ...] | None:
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return tuple(moment.astimezone(zone).utcoffset() for moment in OFFSET_DAYS)


def same_timezone(expected: str | None, got: Any) -> bool:
    """Same IANA name, or zones with identical UTC offsets on 2027-01-15 and 2027-07-15."""
    if expected is None:
        return got is None
    if not isinstance(got, str):
        return False
    if got == expected:
        return True
    wanted, found = _offsets(expected), _offsets(got)
    return wanted is not None and wanted == found


def compare_fields(
    expected: dict[str, Any],
    got: Any,
    alternatives: list[str] | None = None,
    card: dict[str, Any] | None = None,
) -> dict[str, bool]:
    """All eight fields; a field missing from `expected` is expected to be null.

    At the confirmation card (`card` is the goal it shows) writers differ on what `fields` holds:
    only the changed field, or the whole card after the change. Both read the message the same
    way, so a field the card already held is right when it is either repeated or left null.
    """
    got = got if isinstance(got, dict) else {}
    if card:
        got = dict(got)
        for name, value in card.items():
            if got.get(name) is None and expected.get(name) == value:
                got[name] = value
            elif expected.get(name) is None and got.get(name) == value:
                got[name] = None
    return {
        "goal": same_goal(expected.get("goal"), got.get("goal"), alternatives),
        "skill_level": same_skill(expected.get("skill_level"), got.get("skill_level")),
        "hours_per_week": same_hours(expected.get("hours_per_week"), got.get("hours_per_week")),
        "weeks": same_weeks(expected.get("weeks"), got.get("weeks")),
        "deadline": same_deadline(expected.get("deadline"), got.get("deadline")),
        "topics": same_topics(expected.get("topics"), got.get("topics")),
        "availability": same_availability(expected.get("availability"), got.get("availability")),
        "timezone": same_timezone(expected.get("timezone"), got.get("timezone")),
    }


def _op_value(key: str, value: Any) -> Any:
    if key == "topic" and isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


def _op_key(op: Any) -> tuple[Any, ...]:
    if not isinstance(op, dict):
        return ("<not an op>", repr(op))
    values = {k: _op_value(k, v) for k, v in op.items() if k != "op" and v is not None}
    if op.get("op") == "swap_weeks":
        pair = sorted(v for v in (values.pop("week", None), values.pop("other_week", None)) if v)
        values["weeks"] = tuple(pair)
    return (op.get("op"), tuple(sorted(values.items(), key=lambda kv: kv[0])))


def same_ops(expected: list[dict[str, Any]], got: Any) -> bool:
    """Multisets of operations; topics case-insensitive, numbers as numbers, swaps unordered."""
    if not isinstance(got, list):
        return False
    return Counter(map(_op_key, expected)) == Counter(map(_op_key, got))


def score_item(
    expect: dict[str, Any], output: Any, context: dict[str, Any] | None = None
) -> dict[str, bool]:
    """One check per part of `expect`: intent, fields, module, minutes, ops, ambiguous...

    `context` is the item's input; at the confirmation card its goal is the card shown.
    """
    out = output if isinstance(output, dict) else {}
    checks = {"intent": out.get("intent") == expect["intent"]}
    card = (context or {}).get("goal") if (context or {}).get("asking") == "confirm" else None
    if "fields" in expect:
        checks.update(
            compare_fields(
                expect["fields"], out.get("fields"), expect.get("goal_alternatives"), card
            )
        )
    for key in ("module", "minutes", "nonanswer"):
        if key in expect:
            checks[key] = out.get(key) == expect[key]
    if "ops" in expect:
        checks["ops"] = same_ops(expect["ops"], out.get("ops", []))
    if "ambiguous" in expect:
        got = out.get("ambiguous")
        checks["ambiguous"] = isinstance(got, list) and set(got) == set(expect["ambiguous"])
    return checks
