"""Skill level: beginner, intermediate or advanced, from cue phrases anywhere in a message.

Cue phrases (with CEFR levels A1–C2) live in `data/lexicon.yaml`; typos are fixed before
(`lexicon.correct_typos`). When several levels are stated, the one that applies to the
goal wins: "advanced with Excel but new to coding" → beginner, because "Excel" is some
other subject while "coding" is the subject itself. A level someone aims for ("become an
expert", "reach C1") is not their current level.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rapidfuzz import fuzz, process

from agent.understanding.lexicon import LEXICON, PhraseHit, PhraseMatcher, phrase_key
from agent.understanding.nonanswers import strip_filler
from agent.understanding.text import FLAGS, Scan
from storage.models import SkillLevel

__all__ = ["extract_skill", "skill_in"]

_MATCHER = PhraseMatcher(LEXICON["skill"])
_ANSWERS = PhraseMatcher(LEXICON["skill_answers"])
_ANSWER_KEYS: dict[str, str] = {
    phrase_key(str(p)): level for level, items in LEXICON["skill_answers"].items() for p in items
}
_GENERIC = frozenset(phrase_key(str(w)) for w in LEXICON["skill_generic_objects"])
_ADJECTIVAL = frozenset(str(w) for w in LEXICON["skill_adjectival"])
_FOLLOWERS = frozenset(str(w) for w in LEXICON["skill_followers"])
_NOT_A_CUE = frozenset({"never mind", "never again"})

_NEXT_WORD_RE = re.compile(r"[ \t-]+([A-Za-z']+)")
_TARGET_CUE_RE = re.compile(
    r"\b(?:become|becoming|be|reach|reaching|get\s+to|getting\s+to|go\s+to|grow\s+into|move\s+to"
    r"|progress\s+to|aim\s+for|aiming\s+for|from\s+\w+\s+to)\s+(?:an?\s+|the\s+)?"
    r"(?:(?:real|really|true|truly|very|more|proper|fully)\s+)?$",
    FLAGS,
)
_PREPOSITIONS = frozenset({"with", "at", "in", "on", "to", "for", "of", "about"})
_OBJECT_RE = re.compile(
    r"\s*(?P<prep>(?:with|at|in|on|to|for|of|about|when\s+it\s+comes\s+to)\s+)?"
    r"(?P<obj>(?:(?!but\b|and\b|though\b|although\b|so\b|i\b|i'm\b)[A-Za-z0-9+#.']+\s*){1,3})",
    FLAGS,
)
_CLAUSE_END_RE = re.compile(r"[,;:!?\n()\x1f]|\.(?=\s|$)")
_ANSWER_PREFIX_RE = re.compile(
    r"^(?:i'?d\s+say|probably|maybe|i'?m|i\s+am|level|my\s+level\s+is|rather|pretty\s+much"
    r"|somewhere\s+around|around|about|kinda|kind\s+of)\s+",
    FLAGS,
)
_FUZZY_SCORE = 88


class _Cue(NamedTuple):
    level: SkillLevel
    start: int
    end: int
    score: int
    subject: tuple[int, int] | None


def _is_adjectival(work: str, hit: PhraseHit) -> bool:
    """ "advanced Rust" names the subject, not the learner's level."""
    if hit.phrase not in _ADJECTIVAL:
        return False
    following = _NEXT_WORD_RE.match(work, hit.end)
    if following is None:
        return False
    word = following.group(1).lower()
    if word in _FOLLOWERS:
        return False
    after = _NEXT_WORD_RE.match(work, following.end())
    return not (after and after.group(1).lower() in _FOLLOWERS)


def _object_score(
    work: str, hit: PhraseHit, goal_words: set[str]
) -> tuple[int, tuple[int, int] | None]:
    """How surely a cue is about the goal — 3 names it, 2 is generic or bare, 0 is some other
    subject ("advanced with Excel") — and the span of that other subject."""
    clause = _CLAUSE_END_RE.search(work, hit.end)
    stop = clause.start() if clause else len(work)
    match = _OBJECT_RE.match(work[:stop], hit.end)
    joined = hit.phrase.split()[-1] in _PREPOSITIONS
    if match is None or not match["obj"].strip() or not (joined or match["prep"]):
        return 2, None
    words = phrase_key(match["obj"]).split()
    if goal_words & set(words):
        return 3, None
    if any(" ".join(words[:n]) in _GENERIC for n in range(1, len(words) + 1)):
        return 2, None
    if words[0] in _FOLLOWERS or words[0] in {"level", "now", "already", "really"}:
        return 2, None
    obj_end = match.start("obj") + len(match["obj"].rstrip())
    return 0, (match.start("obj"), obj_end)


def _cues(scan: Scan, goal_words: set[str]) -> list[_Cue]:
    cues: list[_Cue] = []
    for hit in _MATCHER.find(scan.work):
        if not scan.free(hit.start, hit.end) or hit.phrase in _NOT_A_CUE:
            continue
        if " ".join(hit.phrase.split()[:2]) in _NOT_A_CUE:
            continue
        before = scan.work[max(0, hit.start - 40) : hit.start]
        if _TARGET_CUE_RE.search(before) or _is_adjectival(scan.work, hit):
            continue
        score, subject = _object_score(scan.work, hit, goal_words)
        cues.append(_Cue(SkillLevel(hit.label), hit.start, hit.end, score, subject))
    return cues


def skill_in(text: str, *, goal: str | None = None) -> SkillLevel | None:
    """The skill level stated in `text`, or None."""
    scan = Scan.of(text)
    extract_skill(scan, goal=goal)
    level = scan.fields.get("skill_level")
    return level if isinstance(level, SkillLevel) else None


def _answer_level(answer: str) -> SkillLevel | None:
    key = phrase_key(_ANSWER_PREFIX_RE.sub("", answer.strip().lower()))
    for candidate in (key, strip_filler(key)):
        if candidate in _ANSWER_KEYS:
            return SkillLevel(_ANSWER_KEYS[candidate])
    if len(key) >= 5:
        found = process.extractOne(
            key, list(_ANSWER_KEYS), scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE
        )
        if found:
            return SkillLevel(_ANSWER_KEYS[found[0]])
    return None


def extract_skill(scan: Scan, *, goal: str | None = None) -> tuple[int, int] | None:
    """Set `skill_level` from the clearest cue; a bare answer counts when it was asked for.

    Returns the span of the subject the chosen cue names ("a beginner at chess" → "chess"),
    which may be the goal when nothing else names one."""
    goal_words = set(phrase_key(goal or "").split()) - _GENERIC
    cues = _cues(scan, goal_words)
    if cues:
        best = max(cues, key=lambda c: (c.score, -c.start))
        for cue in cues:
            scan.take(cue.start, cue.end)
        scan.fields["skill_level"] = best.level
        return best.subject
    if scan.expecting == "skill_level":
        level = _answer_level(scan.rest())
        if level is not None:
            scan.take_all()
            scan.fields["skill_level"] = level
    return None
