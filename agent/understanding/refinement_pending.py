"""The reply to the bot's "How many weeks (or hours) should it have?", asked after a plan
change without a number ("make the plan longer"). Only the next message is read this way.

A reply is an answer when it is a number and at most filler ("9", "10 please", "ten",
"let's say 8 weeks", "5h", "two more", "+2"); a relative answer counts from the plan.
An answer naming the other unit ("5 hours a week" to the weeks question) is read as that
field. A reply that drops the question ("never mind", "cancel") is a dismissal. Anything
else is not a reply to the question and is understood as any message is. The words come
from ``data/refinement.yaml``; values are bounded as the refinement parser bounds them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from agent.numbers import CARDINALS
from agent.understanding.numbers import (
    MAX_HOURS_PER_WEEK,
    MAX_WEEKS,
    MIN_HOURS_PER_WEEK,
    MIN_WEEKS,
    find_plan_weeks,
    find_weekly_hours,
    normalise_amounts,
    parse_number,
)
from agent.understanding.refinement_weeks import alternation, translate, words

Field = Literal["weeks", "hours_per_week"]
PENDING_FIELDS: frozenset[str] = frozenset({"weeks", "hours_per_week"})

_FLAGS = re.IGNORECASE
_WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_DIGITS_RE = re.compile(r"\d")
_MAX_CHARS = 120
_COUPLE = r"a\s+couple(?:\s+of)?|couple(?:\s+of)?"
_NUMBER = (
    rf"(?<![\w.])\d{{1,3}}(?:\.\d{{1,2}})?(?![\w.]\d)|\b(?:{_COUPLE}|{alternation(CARDINALS)})\b"
)
_UNITS = {"weeks": r"(?:weeks?|wks?|w)\b", "hours_per_week": r"(?:hours?|hrs?|h)\b"}


@dataclass(frozen=True)
class PendingReply:
    """What a reply to the pending question says: a dismissal, or a value for `field`
    (unchecked: it may be out of bounds, see `problem`)."""

    kind: Literal["dismiss", "value"]
    field: Field | None = None
    value: float | None = None


def _filler() -> frozenset[str]:
    data = words()
    return frozenset(str(w) for w in [*data["vague_filler"], *data["answer_filler"]])


@cache
def _dismiss_re() -> re.Pattern[str]:
    return re.compile(rf"(?<![\w'])(?:{alternation(words()['answer_dismiss'])})(?![\w'])", _FLAGS)


@cache
def _relative_res(field: Field) -> tuple[tuple[int, bool, re.Pattern[str]], ...]:
    """(sign, has its unit, pattern with group n) for "two more", "2 fewer hours", "+2"."""
    data = words()
    n = rf"(?P<n>{_NUMBER}|another)"
    unit = _UNITS[field]
    per = rf"(?:\s*(?:{alternation(data['per_week'])}))?" if field == "hours_per_week" else ""
    more = alternation([*data["more_weeks"], "longer"])
    less = alternation([*data["shorter"], "less"])
    add = alternation([*data["add_verbs"], "plus", "another"])
    sources: list[tuple[int, str]] = [
        (+1, rf"\b{n}\s+(?:{more})(?:\s+(?P<u>{unit}))?{per}"),
        (+1, rf"\b{n}\s+(?P<u>{unit})\s+(?:{more}){per}"),
        (+1, rf"(?:\b(?:{add})\s+|(?<![\w+])\+\s*){n}(?:\s*(?P<u>{unit}))?{per}"),
        (+1, r"\b(?P<n>one)\s+more\b|\b(?P<n2>another)\b(?!\s+\d)"),
        (-1, rf"\b{n}\s+(?:{less})(?:\s+(?P<u>{unit}))?{per}"),
        (-1, rf"\b{n}\s+(?P<u>{unit})\s+(?:{less}){per}"),
        (-1, rf"(?:\bminus\s+|(?<![\w-])-\s*){n}(?:\s*(?P<u>{unit}))?{per}"),
    ]
    return tuple((sign, "(?P<u>" in source, re.compile(source, _FLAGS)) for sign, source in sources)


@cache
def _absolute_re(field: Field) -> re.Pattern[str]:
    """A number, its unit optional: "9", "ten", "8 weeks", "5h", "3 a week"."""
    unit = rf"(?:\s*-?\s*(?P<u>{_UNITS[field]}))?"
    if field == "hours_per_week":
        unit += rf"(?:\s*(?P<p>{alternation(words()['per_week'])}))?"
    return re.compile(rf"(?P<n>{_NUMBER}){unit}", _FLAGS)


def _only_filler(text: str, span: tuple[int, int]) -> bool:
    rest = text[: span[0]] + " " + text[span[1] :]
    filler = _filler()
    return not _DIGITS_RE.search(rest) and all(w in filler for w in _WORD_RE.findall(rest))


def _number(token: str | None) -> float | None:
    if token is None:
        return None
    word = " ".join(token.lower().split())
    if word == "another":
        return 1.0
    if "couple" in word:
        return 2.0
    return parse_number(word)


def _value(text: str, field: Field, current: float | None, *, unit_needed: bool) -> float | None:
    """The value `text` gives `field`, when nothing but filler surrounds it."""
    for sign, has_unit, pattern in _relative_res(field):
        if current is None or (unit_needed and not has_unit):
            continue
        for match in pattern.finditer(text):
            if unit_needed and not match.groupdict().get("u"):
                continue
            change = _number(match.groupdict().get("n") or match.groupdict().get("n2"))
            if change is not None and _only_filler(text, match.span()):
                return current + sign * change
    finder = find_plan_weeks if field == "weeks" else find_weekly_hours
    found = finder(text)
    if len(found) == 1 and _only_filler(text, (found[0].start, found[0].end)):
        return found[0].value
    for match in _absolute_re(field).finditer(text):
        if unit_needed and not (match["u"] or match.groupdict().get("p")):
            continue
        value = _number(match["n"])
        if value is not None and _only_filler(text, match.span()):
            return value
    return None


def pending_reply(
    text: str, field: str, *, plan_weeks: int | None, plan_hours: float | None
) -> PendingReply | None:
    """The reply `text` gives to "how many `field`?", or None when it is not one."""
    if field not in PENDING_FIELDS or not isinstance(text, str) or len(text) > _MAX_CHARS:
        return None
    cleaned = normalise_amounts(translate(" ".join(text.replace("\u2019", "'").split())))
    asked: Field = "weeks" if field == "weeks" else "hours_per_week"
    other: Field = "hours_per_week" if asked == "weeks" else "weeks"
    current = {"weeks": plan_weeks, "hours_per_week": plan_hours}
    for name, unit_needed in ((asked, False), (other, True)):
        value = _value(cleaned, name, current[name], unit_needed=unit_needed)
        if value is not None:
            return PendingReply("value", name, value)
    pattern = _dismiss_re()
    if pattern.search(cleaned) is not None and _only_filler(pattern.sub(" ", cleaned), (0, 0)):
        return PendingReply("dismiss")
    return None


def problem(reply: PendingReply) -> str | None:
    """Why the value can't be used (out of bounds, not a whole number of weeks), or None."""
    value = reply.value
    if value is None:
        return None
    if reply.field == "weeks":
        if value < MIN_WEEKS:
            return "A plan needs at least 1 week."
        if value > MAX_WEEKS:
            return f"{value:g} weeks is longer than I can plan — {MAX_WEEKS} weeks is the most."
        if not math.isclose(value, round(value)):
            return f"A plan runs in whole weeks — {value:g} isn't one."
        return None
    if value < MIN_HOURS_PER_WEEK:
        return f"A plan needs at least {MIN_HOURS_PER_WEEK:g} hour a week."
    if value > MAX_HOURS_PER_WEEK:
        return (
            f"{value:g} hours a week is more than I can plan — {MAX_HOURS_PER_WEEK:g} is the most."
        )
    return None
