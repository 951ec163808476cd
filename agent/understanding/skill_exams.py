"""Levels on language exams' own scales ("JLPT N4", "HSK 2", "TOPIK 4"), read as beginner,
intermediate or advanced the way CEFR levels are. The scales, and the words that say a
level is the learner's own rather than the exam they sit, live in `data/lexicon.yaml`
(`exam_levels`, `exam_level_current_before`, `exam_level_current_after`)."""

from __future__ import annotations

import re

from agent.understanding.lexicon import LEXICON, phrase_key, word_set
from agent.understanding.text import FLAGS

__all__ = ["EXAM_LEVEL_PHRASES", "is_exam_level", "stated_as_current", "steps_up"]


def _phrases() -> dict[str, list[str]]:
    """Each level's phrases: "hsk 2", "hsk2", "hsk level 2"; a bare scale's also "n4"."""
    phrases: dict[str, list[str]] = {}
    for scale in LEXICON["exam_levels"].values():
        for level, label in scale["levels"].items():
            written = [f"{name} {level}" for name in scale["names"]]
            written += [f"{name}{level}" for name in scale["names"]]
            written += [f"{name} level {level}" for name in scale["names"]]
            if scale.get("bare"):
                written.append(str(level))
            phrases.setdefault(str(label), []).extend(written)
    return phrases


EXAM_LEVEL_PHRASES = _phrases()
_KEYS = frozenset(phrase_key(p) for items in EXAM_LEVEL_PHRASES.values() for p in items)
_BEFORE = word_set("exam_level_current_before")
_AFTER = word_set("exam_level_current_after")
_NAMES = "|".join(
    re.escape(str(name)) for scale in LEXICON["exam_levels"].values() for name in scale["names"]
)
_LEVELS = "|".join(
    sorted(
        {re.escape(str(lv)) for s in LEXICON["exam_levels"].values() for lv in s["levels"]},
        key=len,
        reverse=True,
    )
)
# "N4→N3", "HSK 2 to HSK 3", "TOPIK 3 -> 4", "N4 - N3": a step up from the current level.
_STEP_RE = re.compile(
    rf"\s*(?:-+>|=>|\u2192|>|\bto\b|-)\s*(?:(?:{_NAMES})\s*(?:level\s*)?)?"
    rf"(?:{_LEVELS}|[abc][0-2])\b",
    FLAGS,
)
_WORD_BEFORE_RE = re.compile(r"([A-Za-z']+)[^A-Za-z',;:.!?\n]*$")
_WORD_AFTER_RE = re.compile(r"[^A-Za-z',;:.!?\n]*([A-Za-z']+)")


def is_exam_level(phrase: str) -> bool:
    """The skill cue `phrase` is a level on an exam's scale."""
    return phrase in _KEYS


def steps_up(work: str, end: int) -> bool:
    """The level ending at `end` is the start of a step to another ("B1 to B2", "N4→N3")."""
    return _STEP_RE.match(work, end) is not None


def stated_as_current(work: str, start: int, end: int) -> bool:
    """The exam level at `start`..`end` is said to be the learner's own ("currently HSK 2",
    "passed TOPIK 4", "N4 now", "N4→N3"), not the exam ahead ("JLPT N3 on July 4th")."""
    if steps_up(work, end):
        return True
    before = _WORD_BEFORE_RE.search(work, max(0, start - 30), start)
    if before and phrase_key(before.group(1)) in _BEFORE:
        return True
    after = _WORD_AFTER_RE.match(work, end)
    return bool(after and phrase_key(after.group(1)) in _AFTER)
