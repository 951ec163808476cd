"""One-edit typos of a rule set's key words ("ligther", "finshed"), read as the word itself.

Only words of five letters or more are corrected, never a word the caller keeps (its own
vocabulary, the plan's titles), and only toward the caller's short list of key words, so an
ordinary word is not turned into another ordinary word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz.distance import OSA

from storage.models import Plan

_WORD_RE = re.compile(r"[a-z]+")
_LOOSE_WORD_RE = re.compile(r"(?<!['\w])[a-z]+(?!['\w])")


def plan_words(plan: Plan | None) -> frozenset[str]:
    """The lowercase words of the plan's module titles and topics."""
    if plan is None:
        return frozenset()
    text = " ".join(f"{m.title} {' '.join(m.topics)}" for m in plan.modules()).lower()
    return frozenset(_WORD_RE.findall(text))


def corrected(word: str, targets: Iterable[str], keep: frozenset[str]) -> str:
    """`word`, or the target it is one edit away from."""
    if len(word) < 5 or word in keep:
        return word
    for target in targets:
        if abs(len(target) - len(word)) <= 1 and OSA.distance(word, target, score_cutoff=1) <= 1:
            return target
    return word


def fix_typos(
    text: str, targets: tuple[str, ...], keep: frozenset[str], fixed: dict[str, str] | None = None
) -> str:
    """Lowercase `text` with each loose word replaced by `fixed[word]` or its corrected form."""
    table = fixed or {}
    return _LOOSE_WORD_RE.sub(
        lambda m: table.get(m.group()) or corrected(m.group(), targets, keep), text
    )
