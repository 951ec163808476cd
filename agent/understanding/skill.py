"""Skill level: beginner, intermediate or advanced, from cue phrases anywhere in a message.

Cue phrases (with CEFR levels A0–C2) live in `data/lexicon.yaml`; typos are fixed before
(`lexicon.correct_typos`). Each cue may name a subject: "advanced with Excel", "Linux
expert", "an intermediate JS dev". When several levels are stated, the one that applies to
the goal wins — a cue naming the goal beats a bare or generic one ("new to coding"), which
beats a cue about some other subject; a tie goes to the lower level. A level only about
another subject is no level at all when the goal is known. A level someone aims for
("become an expert", "get to C1"), a negated one ("not beginner") and one that is part of
a name ("French B2 exam") are not their current level.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rapidfuzz import fuzz, process

from agent.understanding.lexicon import (
    EDGE_WORDS,
    LEXICON,
    PhraseHit,
    PhraseMatcher,
    correct_typos,
    phrase_key,
    word_set,
)
from agent.understanding.nonanswers import strip_filler
from agent.understanding.numbers import NUMBER_WORDS
from agent.understanding.skill_exams import (
    EXAM_LEVEL_PHRASES,
    is_exam_level,
    stated_as_current,
    steps_up,
)
from agent.understanding.text import FLAGS, Scan
from storage.models import SkillLevel

__all__ = ["extract_skill", "skill_in"]

_MATCHER = PhraseMatcher(
    {
        label: [*phrases, *EXAM_LEVEL_PHRASES.get(label, [])]
        for label, phrases in LEXICON["skill"].items()
    }
)
_SAME_SUBJECTS = [frozenset(phrase_key(str(w)) for w in g) for g in LEXICON["skill_same_subjects"]]
_ANSWER_KEYS: dict[str, str] = {
    **{level.value: level.value for level in SkillLevel},
    **{phrase_key(str(p)): lv for lv, items in LEXICON["skill_answers"].items() for p in items},
}
_ANSWER_CHOICES = tuple(_ANSWER_KEYS)
_GENERIC = word_set("skill_generic_objects")
_CEFR_EXAMS = word_set("cefr_exam_names")
_ADJECTIVAL = word_set("skill_adjectival")
_FOLLOWERS = word_set("skill_followers")
_NOT_BEFORE = word_set("skill_not_before")
_NOUNS = word_set("skill_nouns")
_NEGATIONS = word_set("skill_negations")
_FUNCTION_WORDS = EDGE_WORDS | word_set("not_a_goal_start") | _FOLLOWERS | word_set("intensifiers")
_FILLER = word_set("filler")
_QUALIFIERS = word_set("experience_qualifiers")
_NOT_A_CUE = frozenset({"never mind", "never again"})
_ORDER = {SkillLevel.BEGINNER: 0, SkillLevel.INTERMEDIATE: 1, SkillLevel.ADVANCED: 2}

_WORD_RE = re.compile(r"[A-Za-z0-9+#'][A-Za-z0-9+#'.]*")
_NEXT_WORD_RE = re.compile(r"(?:[ \t]+|-)([A-Za-z0-9+#']+)")  # not across " - "
_PREVIOUS_WORD_RE = re.compile(r"([A-Za-z0-9+#']+)[ \t-]+$")
_TARGET_CUE_RE = re.compile(
    r"\b(?:become|becoming|be|reach|reaching|get\s+to|getting\s+to|go\s+to|grow\s+into|move\s+to"
    r"|progress\s+to|aim\s+for|aiming\s+for|from\s+\w+\s+to|->|=>|\u2192)\s*(?:an?\s+|the\s+)?"
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
_CEFR_RE = re.compile(r"[abc][0-2]")
_BEFORE_DURATION_RE = re.compile(r"\b(?:in|with)\s+([A-Za-z0-9+#]+)\s+$", FLAGS)
_POSSESSIONS = frozenset({"a", "an", "my", "our", "his", "her", "their", "some"})
_QUANTIFIERS = word_set("skill_quantifiers")
_FUZZY_SCORE = 88
_MIN_AGENT_CHARS = 5
_MIN_PART_CHARS = 3
_INTENSIFIERS = word_set("intensifiers")


class _Cue(NamedTuple):
    level: SkillLevel
    start: int
    end: int
    score: int
    subject: tuple[int, int] | None


def _next_word(work: str, pos: int) -> re.Match[str] | None:
    return _NEXT_WORD_RE.match(work, pos)


def _is_adjectival(work: str, hit: PhraseHit) -> bool:
    """ "advanced Rust" names the subject, not the learner's level."""
    if hit.phrase not in _ADJECTIVAL:
        return False
    following = _next_word(work, hit.end)
    if following is None or _follows(following.group(1).lower()):
        return False  # "beginner actually" is a level, "beginner Rust" a subject
    after = _next_word(work, following.end())
    return not (after and after.group(1).lower() in _FOLLOWERS)


def _follows(word: str) -> bool:
    """A word after a level that keeps it a level: "beginner actually", "advanced pianist"
    (a person named by what they do: the listed ones and any "-ist")."""
    if word in _FOLLOWERS or word in EDGE_WORDS or word in _FILLER:
        return True
    return len(word) > _MIN_AGENT_CHARS and word.endswith(("ist", "ists"))


def _skipped(work: str, hit: PhraseHit, goal_words: set[str]) -> bool:
    """A target ("get to C1"), a negation ("not beginner") or part of a name ("B2 exam");
    "intermediate python" names a subject unless that subject is the goal's ("web scraping
    w/ python, intermediate python")."""
    if phrase_key(work[hit.start : hit.end]) in _NOT_A_CUE:
        return True
    before = work[max(0, hit.start - 40) : hit.start]
    if _TARGET_CUE_RE.search(before):
        return True
    clause = _CLAUSE_END_RE.split(before)[-1]
    previous = phrase_key(clause).split()[-2:]
    if hit.phrase.split()[0] not in _NEGATIONS and any(w in _NEGATIONS for w in previous):
        return True
    if previous and previous[-1] in _CEFR_EXAMS and _CEFR_RE.fullmatch(hit.phrase):
        return True  # "DELF B2": the exam's level
    following = _next_word(work, hit.end)
    if following and following.group(1).lower() in _NOT_BEFORE:
        return True
    if following and following.group(1).lower() in goal_words:
        return False
    return _is_adjectival(work, hit)


def _subject(work: str, hit: PhraseHit) -> tuple[int, int] | None:
    """What a cue says the level is about: "with Excel", "Linux expert", "intermediate JS dev"."""
    inside = _wildcard_subject(work, hit)
    if inside is not None:
        return inside
    clause = _CLAUSE_END_RE.search(work, hit.end)
    stop = clause.start() if clause else len(work)
    match = _OBJECT_RE.match(work[:stop], hit.end)
    joined = hit.phrase.split()[-1] in _PREPOSITIONS
    if match and match["obj"].strip() and (joined or match["prep"]):
        if _possession(match):
            return None  # "a beginner with a new camera": what they have, not what they know
        return match.start("obj"), match.start("obj") + len(match["obj"].rstrip())
    if hit.phrase.split()[0] == "for":  # "coding in Java for 8 years": the subject comes first
        start = _CLAUSE_END_RE.split(work[: hit.start])[-1]
        before = _BEFORE_DURATION_RE.search(start)
        if before:
            offset = hit.start - len(start)
            return offset + before.start(1), offset + before.end(1)
    following = _next_word(work, hit.end)
    if following and hit.phrase in _QUANTIFIERS:
        return following.span(1)  # "zero Korean"
    if following and following.group(1).lower() not in _FUNCTION_WORDS:
        after = _next_word(work, following.end())
        if after and after.group(1).lower() in _FOLLOWERS:
            return following.span(1)
    previous = _PREVIOUS_WORD_RE.search(work, 0, hit.start)
    if hit.phrase not in _NOUNS:
        return None
    named = previous and not previous.group(1).islower()  # "Linux expert", not "nervous beginner"
    if named and previous.group(1).lower() not in _FUNCTION_WORDS | _NEGATIONS:
        return previous.span(1)
    return None


def _possession(match: re.Match[str]) -> bool:
    first = match["obj"].split()[0].lower()
    return (match["prep"] or "").strip().lower() in {"with", "w/"} and first in _POSSESSIONS


def _keys(text: str) -> list[str]:
    """Words of a subject or goal as compared: "C++" and "C#" keep their signs, so "C" is
    another subject."""
    keys: list[str] = []
    for token in _WORD_RE.findall(text):
        token = token.rstrip(".")
        keys.extend([token.lower()] if any(c in token for c in "+#") else phrase_key(token).split())
    return keys


def _wildcard_subject(work: str, hit: PhraseHit) -> tuple[int, int] | None:
    """ "some Python experience": the word standing for the "*" names the subject, unless it
    only qualifies the experience ("no prior experience")."""
    words = hit.phrase.split()
    if "*" not in words[1:-1]:
        return None
    tokens = list(_WORD_RE.finditer(work, hit.start, hit.end))
    if len(tokens) != len(words):
        return None
    token = tokens[words.index("*")]
    key = phrase_key(token.group())
    if key in _QUALIFIERS or key in _FUNCTION_WORDS or key in _GENERIC:
        return None
    if key.isdigit() or key in NUMBER_WORDS:
        return None  # "for 5 years": how long, not what
    return token.span()


def _score(work: str, subject: tuple[int, int] | None, goal_words: set[str]) -> int:
    """3: the cue names the goal; 2: bare or generic ("new to coding"); 0: another subject."""
    if subject is None:
        return 2
    words = _keys(work[subject[0] : subject[1]])
    if goal_words & set(words) or any(_part_of(w, goal_words) for w in words):
        return 3
    if any(" ".join(words[:n]) in _GENERIC for n in range(1, len(words) + 1)):
        return 2
    if words and (words[0] in _FOLLOWERS or words[0] in {"level", "now", "already", "really"}):
        return 2
    return 0


def _part_of(word: str, goal_words: set[str]) -> bool:
    """ "advanced at SQL" for "PostgreSQL query tuning": the subject ends a goal word."""
    return len(word) >= _MIN_PART_CHARS and any(
        len(g) > len(word) and g.endswith(word) for g in goal_words
    )


def _intensified(work: str, start: int) -> int:
    """Where a cue starts with the intensifier before it ("totally new to", "pretty
    intermediate"), so the intensifier is not left over as a goal."""
    previous = _PREVIOUS_WORD_RE.search(work, 0, start)
    if previous and previous.group(1).lower() in _INTENSIFIERS:
        return previous.start(1)
    return start


def _cues(scan: Scan, goal_words: set[str]) -> list[_Cue]:
    cues: list[_Cue] = []
    for hit in _MATCHER.find(scan.work):
        if not scan.free(hit.start, hit.end):
            continue
        if _skipped(scan.work, hit, goal_words):
            window = max(0, hit.start - 40)
            target = _TARGET_CUE_RE.search(scan.work[window : hit.start])
            level_name = _CEFR_RE.fullmatch(hit.phrase) or is_exam_level(hit.phrase)
            if target and level_name:  # "want to get to C1": no goal either
                scan.take(window + target.start(), hit.end)
            continue
        exam = is_exam_level(hit.phrase) and scan.expecting != "skill_level"
        if exam and not stated_as_current(scan.work, hit.start, hit.end):
            continue  # "JLPT N3 on July 4th": the exam they sit, not their level
        level_name = _CEFR_RE.fullmatch(hit.phrase) or is_exam_level(hit.phrase)
        stepped = level_name and steps_up(scan.work, hit.end)  # "B1 to B2": B2 is no subject
        subject = None if stepped else _subject(scan.work, hit)
        score = _score(scan.work, subject, goal_words)
        if hit.phrase in _QUANTIFIERS and score != 3:
            continue  # "zero budget" says nothing about the level
        start = _intensified(scan.work, hit.start)
        cues.append(_Cue(SkillLevel(hit.label), start, hit.end, score, subject))
    return cues


_CONTRAST_RE = re.compile(r"\b(?:but|though|although|however|yet|whereas)\b[^,;.!?]*$", FLAGS)


def _contrasted(work: str, cues: list[_Cue]) -> _Cue | None:
    """ "advanced in Java but new to frontend": when every level is about some other
    subject, two different levels set against each other by "but" describe the known one
    and then the new one, which is what they came to learn."""
    if len({c.level for c in cues}) < 2:
        return None
    for cue in sorted(cues, key=lambda c: c.start):
        if cue.start > min(c.start for c in cues) and _CONTRAST_RE.search(work, 0, cue.start):
            return cue
    return None


def skill_in(text: str, *, goal: str | None = None) -> SkillLevel | None:
    """The skill level stated in `text`, or None."""
    scan = Scan.of(correct_typos(text))
    extract_skill(scan, goal=goal)
    level = scan.fields.get("skill_level")
    return level if isinstance(level, SkillLevel) else None


def _answer_level(answer: str) -> SkillLevel | None:
    """The level a bare answer names; an answer said twice over ("zero. nada.", "in the
    middle, not new not great") names it when every sentence or clause names the same one."""
    parts = [p for p in re.split(r"[.!;,]+", answer) if p.strip()]
    if len(parts) > 1:
        levels = {_one_answer_level(p) for p in parts}
        return levels.pop() if len(levels) == 1 else None
    return _one_answer_level(answer)


def _one_answer_level(answer: str) -> SkillLevel | None:
    key = phrase_key(_ANSWER_PREFIX_RE.sub("", answer.strip().lower()))
    for candidate in (key, strip_filler(key)):
        if candidate in _ANSWER_KEYS:
            return SkillLevel(_ANSWER_KEYS[candidate])
    if len(key) >= 5:
        found = process.extractOne(
            key, _ANSWER_CHOICES, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE
        )
        if found:
            return SkillLevel(_ANSWER_KEYS[found[0]])
    return None


def extract_skill(
    scan: Scan, *, goal: str | None = None, hint: tuple[str, int, int] | None = None
) -> tuple[int, int] | None:
    """Set `skill_level` from the cue that applies to the goal; a bare answer counts when
    it was asked for. `goal` is the known goal, `hint` (text, start, end) a guess at the goal
    in this message, ignored when it contains a cue.

    Returns the span of the subject the chosen cue names ("a beginner at chess" → "chess"),
    which may be the goal when nothing else names one."""
    hits = [h for h in _MATCHER.find(scan.work) if scan.free(h.start, h.end)]
    if hint is not None and not any(h.start < hint[2] and hint[1] < h.end for h in hits):
        goal = " ".join(filter(None, [goal, hint[0]]))
    named = _keys(goal or "")
    goal_words = set(named) - _GENERIC - _FUNCTION_WORDS
    if len(named) > 1:
        goal_words.add("".join(w[0] for w in named))  # "ML" for "machine learning"
    for same in _SAME_SUBJECTS:  # "advanced dart dev" for Flutter
        if goal_words & same:
            goal_words |= same
    cues = _cues(scan, goal_words)
    for cue in cues:
        scan.take(cue.start, cue.end)
    if cues:
        best = max(cues, key=lambda c: (c.score, -_ORDER[c.level], -c.start))
        if best.score == 0 and goal_words:
            contrasted = _contrasted(scan.work, cues)
            if contrasted is None:
                return None
            best = contrasted
        scan.fields["skill_level"] = best.level
        return best.subject if best.score == 0 else None
    if scan.expecting == "skill_level":
        level = _answer_level(scan.rest())
        if level is not None:
            scan.take_all()
            scan.fields["skill_level"] = level
    return None
