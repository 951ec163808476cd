"""Corrections at the confirmation card, read before the intake parser sees them.

At the card the user corrects what was understood, in two shapes the field parsers do not
read by themselves:

- a field named before its new value: "change weeks to 10", "hours: 4", "make weeks 12"
  are read as "10 weeks", "4 hours per week", "12 weeks";
- the new value against the old one: "intermediate not beginner", "5 hrs not 4": the
  negated old value is masked, so only the new one is read. "not 8 weeks" alone says what
  is wrong, not what is right: nothing is read, and the bot asks what to change. A "not"
  that negates the sentence ("I'm not a beginner") masks nothing.

A plain confirmation ("yep go ahead", "yes looks good") is a "yes" non-answer
(`agent.understanding.nonanswers`); the bot then builds the plan.
"""

from __future__ import annotations

import re
from datetime import date

from agent.numbers import CARDINALS
from agent.understanding.intake import IntakeUpdate, parse_intake
from agent.understanding.lexicon import phrase_key
from agent.understanding.phrases import word_list
from agent.understanding.text import DAY_NAMES
from storage.models import Goal

__all__ = ["card_text", "parse_card"]

_UNITS = {"weeks": "weeks", "hours": "hours per week"}


def _alternation(phrases: frozenset[str]) -> str:
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = [r"\S+" if w == "*" else re.escape(w) for w in phrase.split()]
        parts.append(r"\s*".join(words) if not phrase[:1].isalnum() else r"\s+".join(words))
    return "|".join(parts)


def _field_first_re() -> re.Pattern[str]:
    """ "change weeks to 10": an optional verb, the field, an optional link, the number, and
    no unit after it ("hours to 4 hours" already says it)."""
    units = {name: word_list("card_units", name) for name in _UNITS}
    fields = "|".join(f"(?P<{name}>{_alternation(words)})" for name, words in units.items())
    verbs = _alternation(word_list("card_verbs"))
    links = _alternation(word_list("card_links"))
    cardinals = "|".join(sorted(CARDINALS, key=len, reverse=True))
    number = rf"\d{{1,3}}(?:\.\d{{1,2}})?(?![\d.:])|\b(?:{cardinals})\b"
    after = _alternation(word_list("card_not_before").union(*units.values()))
    return re.compile(
        rf"\b(?:(?:{verbs})\s+(?:(?:it|my|the)\s+)?)?(?:the\s+)?(?:{fields})(?!\w)\s*"
        rf"(?:(?:{links})\s*)?(?P<number>{number})(?!\s*(?:{after})(?!\w))",
        re.IGNORECASE,
    )


_FIELD_FIRST_RE = _field_first_re()
_NOT_RE = re.compile(r"\bnot\s+[^,.;!?\n]+?(?=\s+but\b|[,.;!?\n]|$)", re.IGNORECASE)
_WORD_BEFORE_RE = re.compile(r"([\w']+)\W*$")
_NOT_AFTER = word_list("card_not_after")
_GOAL_LEAD_RE = re.compile(
    rf"\b(?:{_alternation(word_list('card_goal_leads'))})\b\s*:?\s*(?!\d)", re.IGNORECASE
)
_TOPIC_ADD_RE = re.compile(
    rf"\b(?:{_alternation(word_list('card_topic_adds'))})\s+(?P<topics>[^,.;!?\n]+)",
    re.IGNORECASE,
)
_DAY = rf"(?:{DAY_NAMES}|week\s*-?\s*ends?|weekdays?)s?\b"
_DAY_DROP_RE = re.compile(
    rf"\b(?:{_alternation(word_list('card_day_drops'))})\s+(?:the\s+|all\s+)?"
    rf"{_DAY}(?:\s*(?:and|&|/|\+)\s*(?:the\s+)?{_DAY})*",
    re.IGNORECASE,
)


def _value_first(match: re.Match[str]) -> str:
    unit = next(_UNITS[name] for name in _UNITS if match.group(name))
    return f"{match['number']} {unit}"


def _mask_negated(text: str) -> str:
    """ "intermediate not beginner" → "intermediate": the old value after "not" is blanked,
    unless "not" negates the sentence ("I'm not a beginner")."""

    def blank(match: re.Match[str]) -> str:
        before = _WORD_BEFORE_RE.search(text, 0, match.start())
        if before is not None and phrase_key(before.group(1)) in _NOT_AFTER:
            return match.group()
        return " " * len(match.group())

    return _NOT_RE.sub(blank, text)


def card_text(text: str) -> str:
    """The correction in the shapes the field parsers read: a field named before its value
    as the value and its unit, a goal named anew as "goal: …", added topics as "add … to
    the topics", and days taken off blanked."""
    text = _FIELD_FIRST_RE.sub(_value_first, text)
    text = _GOAL_LEAD_RE.sub("goal: ", text)
    text = _TOPIC_ADD_RE.sub(lambda m: f"add {m['topics'].strip()} to the topics", text)
    return _DAY_DROP_RE.sub(lambda m: " " * len(m.group()), text)


def parse_card(text: str, *, today: date, goal: Goal | None) -> IntakeUpdate:
    """What a message at the confirmation card changes (the intake parser at "confirm")."""
    rewritten = card_text(text)
    update = parse_intake(rewritten, today=today, expecting="confirm", goal=goal)
    masked = _mask_negated(rewritten)
    if update.nonanswer is not None or masked == rewritten:
        return update  # "not sure about the hours" is a non-answer, nothing to mask
    return parse_intake(masked, today=today, expecting="confirm", goal=goal)
