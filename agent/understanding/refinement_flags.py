"""Whole-plan wishes in plan-change requests: more practice, less reading, easier, harder
("more playing, less reading", "it'd be great if the plan were a bit harder"), and weekly
hours stated as a bare number once hours are mentioned ("cut the hours to 5 a week").
The vocabulary comes from ``data/refinement.yaml``."""

from __future__ import annotations

import re

from agent.understanding.numbers import NUMBER_PATTERN, parse_number
from agent.understanding.refinement_weeks import alternation, words
from agent.understanding.typos import fix_typos, plan_words
from storage.models import Plan

_FLAGS = re.IGNORECASE | re.ASCII
_DATA = words()
_PRACTICE = alternation(_DATA["practice_words"])
_READING = alternation(_DATA["reading_words"])
_HARDER = alternation(_DATA["harder_words"])
_EASIER = alternation(_DATA["easier_words"])
_SUBJECTS = alternation(_DATA["difficulty_subjects"])
_OBJECTS = alternation(_DATA["difficulty_objects"])
_DEGREE = r"(?:(?:a\s+(?:bit|little|lot)|much|slightly|way|somewhat|even|far)\s+)?"
_MORE = r"(?:more|extra|additional|add(?:\s+more)?|increase(?:\s+the)?|lots\s+of|a\s+lot\s+more)"
_LESS = (
    r"(?:less|fewer|reduce(?:\s+the)?|cut(?:\s+down)?(?:\s+(?:on|the))?|not\s+(?:so|as|that)"
    r"\s+much|too\s+much|no\s+more|skip(?:\s+the)?|drop(?:\s+the)?|minimi[sz]e(?:\s+the)?)"
)


def _compiled(*sources: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(source, _FLAGS) for source in sources)


def _difficulty(comparative: str) -> tuple[str, ...]:
    """A comparative about the whole plan: after a subject ("the plan were a bit harder",
    "make it tougher", "I'd like it more challenging") or before a plan word ("a harder
    plan", "tougher questions"); "harder than I thought" is a remark, not a wish."""
    return (
        rf"\b(?:{_SUBJECTS})\b(?:\s+[a-z']+){{0,4}}?\s+{_DEGREE}(?:{comparative})\b(?!\s+than\b)",
        rf"\b(?:{comparative})\s+(?:{_OBJECTS})\b",
        rf"^\s*{_DEGREE}(?:{comparative})(?:\s*,?\s*(?:please|pls|plz))?\s*[.!]*\s*$",
    )


PRACTICE_RES = _compiled(
    rf"\b{_MORE}\s+(?:(?:on|about|of)\s+(?:the\s+)?)?(?:{_PRACTICE})\b",
    r"\b(?:make\s+it\s+|be\s+)?more\s+(?:practical|hands[\s-]*on)\b",
    r"\bfocus\s+(?:more\s+)?on\s+practi[cs]e\b",
    r"\blearn(?:ing)?\s+by\s+doing\b",
)
READING_RES = _compiled(
    rf"\b{_LESS}\s+(?:(?:on|about|of)\s+(?:the\s+)?)?(?:{_READING})\b",
    r"\b(?:hate|dislike|don'?t\s+like|not\s+a\s+fan\s+of)\s+reading\b",
)
EASIER_RES = _compiled(
    r"\btoo\s+(?:hard|difficult|advanced|complex|complicated|challenging|tough|intense)\b",
    r"\b(?:it'?s|this\s+is|that'?s|the\s+plan\s+is)\s+(?:way\s+|a\s+bit\s+)?too\s+much\b",
    r"\b(?:dumb\s+it\s+down|simplify(?:\s+it|\s+the\s+plan)?|tone\s+it\s+down)\b",
    *_difficulty(_EASIER),
)
HARDER_RES = _compiled(
    r"\btoo\s+(?:easy|basic|simple|slow)\b",
    r"\b(?:challenge\s+me(?:\s+more)?|step\s+it\s+up|kick\s+it\s+up\s+a\s+notch)\b",
    *_difficulty(_HARDER),
)
FLAG_RES: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = (
    ("more_practice", PRACTICE_RES),
    ("less_reading", READING_RES),
    ("easier", EASIER_RES),
    ("harder", HARDER_RES),
)

_HOURS_WORD_RE = re.compile(
    rf"\b(?:{alternation(_DATA['hours_words'])})\b|\d\s*(?:h|hrs?)\b", _FLAGS
)
_PER_WEEK = alternation(_DATA["per_week"])
_TARGETS = tuple(str(w) for w in _DATA["typo_targets"])
_TOO_RE = re.compile(rf"\bto(?=\s+(?:{alternation(_DATA['too_words'])})\b)", _FLAGS)


def repair(text: str, plan: Plan | None) -> str:
    """ "plese make week 2 ligther" → "please make week 2 lighter"; "to heavy" → "too
    heavy". Case is kept where nothing was corrected."""
    fixed = fix_typos(text.lower(), _TARGETS, frozenset(_TARGETS) | plan_words(plan))
    if fixed != text.lower():
        words_in, words_out = text.split(" "), fixed.split(" ")
        if len(words_in) == len(words_out):
            text = " ".join(
                w if w.lower() == f else f for w, f in zip(words_in, words_out, strict=True)
            )
    return _TOO_RE.sub("too", text)


_CORRECTION_RE = re.compile(
    rf"[\s,.;:!-]*\b(?:{alternation(_DATA['correction_markers'])})\b[\s,.;:!-]*"
    r"(?P<fix>[^\s,.;:!?]+(?:\s+[^\s,.;:!?]+){0,2})\s*[.!]*\s*$",
    _FLAGS,
)
_REMARKS = frozenset(str(w) for w in _DATA["remark_starts"])


def corrected(text: str) -> str:
    """ "add a module on phrasal... i mean idioms" → "add a module on idioms": a short fix
    at the end replaces as many words before the marker — from the last word it starts
    with, or the last number for a number ("week 4 heavier, no wait week 5" → "week 5
    heavier", "6 weeks, i mean 7" → "7 weeks"). A remark
    after the marker ("i mean it's a lot") is not a fix."""
    match = _CORRECTION_RE.search(text)
    if match is None:
        return text
    fix = match.group("fix").split()
    before = text[: match.start()].split()
    if fix[0].lower() in _REMARKS or len(before) <= len(fix):
        return text
    start = len(before) - len(fix)
    for i in range(len(before) - len(fix), -1, -1):
        word = before[i].lower()
        if word == fix[0].lower() or (word.isdigit() and fix[0].isdigit()):
            start = i  # the fix starts where its first word (or a number) was
            break
    return " ".join([*before[:start], *fix, *before[start + len(fix) :]])


_BARE_RES = _compiled(
    rf"(?P<n>{NUMBER_PATTERN})\s*(?:{_PER_WEEK})(?![\w/])",
    r"\b(?:to|down\s+to|up\s+to)\s+(?:just\s+|only\s+|about\s+|around\s+)?(?P<n>\d{1,2}"
    r"(?:\.\d)?)\b(?!\s*(?:weeks?|wks?|w|days?|%|:|\.\d|am|pm)\b)(?!\s*[/:%])",
)
# "5 hours instead": hours without "a week" count when the clause says they replace the plan's.
_NEW_HOURS_RE = re.compile(
    r"(?P<n>\d{1,2}(?:\.\d)?)\s*(?:hours|hour|hrs|hr|h)\b"
    r"(?!\s*(?:on|of|in|for|per\s+day|a\s+day)\b)"
    rf"(?=.*\b(?:{alternation(_DATA['new_hours_cues'])})\b)",
    _FLAGS,
)


def bare_weekly_hours(work: str, message: str) -> list[tuple[float, int, int]]:
    """(hours, start, end) of a bare number in `work` that `message` makes weekly hours:
    "cut the hours to 5 a week", "I need less hours, maybe 4 a week"."""
    if not _HOURS_WORD_RE.search(message):
        return []
    found: list[tuple[float, int, int]] = []
    for pattern in _BARE_RES:
        for match in pattern.finditer(work):
            value = parse_number(match.group("n").strip())
            if value is not None:
                found.append((float(value), *match.span()))
        if found:
            break
    if not found:
        found = [(float(m.group("n")), *m.span()) for m in _NEW_HOURS_RE.finditer(work)]
    return found
