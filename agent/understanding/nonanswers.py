"""Non-answers: replies that carry no value for the field the bot asked about.

"hmm not sure", "later", a bare "yes" to an open question, "none", "whatever you think is
best", "why do you need that?" are recognised for every field and never stored as values.
The phrases live in `data/lexicon.yaml`; rapidfuzz tolerates small typos ("not sur").
"""

from __future__ import annotations

import re
from typing import Literal

from rapidfuzz import fuzz, process

from agent.understanding.lexicon import LEXICON, phrase_key

__all__ = [
    "NonAnswer",
    "after_hedge",
    "asks_back",
    "classify_nonanswer",
    "listed_nonanswer",
    "strip_filler",
]

NonAnswer = Literal["unsure", "later", "yes", "no", "none", "anything", "question"]

_KINDS: tuple[NonAnswer, ...] = ("later", "unsure", "none", "anything", "no", "yes")
_PHRASES: dict[str, NonAnswer] = {
    phrase_key(str(phrase)): kind
    for kind in reversed(_KINDS)
    for phrase in LEXICON["nonanswers"][kind]
}
_PHRASE_KEYS = tuple(_PHRASES)
_FILLER = sorted((phrase_key(str(f)) for f in LEXICON["filler"]), key=len, reverse=True)
_OPENERS = frozenset(str(w) for w in LEXICON["question_openers"])
_PART_RE = re.compile(r"[,;.!?]+|\s+-\s+")
_ANYTHING_OPENERS = sorted(
    (phrase_key(str(p)) for p in LEXICON["anything_openers"]), key=len, reverse=True
)
_MAX_OPENED_WORDS = 6
_UNSURE_OPENERS = sorted(
    (phrase_key(str(p)) for p in LEXICON["unsure_openers"]), key=len, reverse=True
)
_CUES: tuple[tuple[NonAnswer, tuple[tuple[str, ...], ...]], ...] = tuple(
    (kind, tuple(tuple(phrase_key(str(c)).split()) for c in cues))
    for kind, cues in LEXICON["nonanswer_cues"].items()
)
_FILLER_WORDS = frozenset(f for f in _FILLER if " " not in f)
_SPELLINGS = {str(k): str(v) for k, v in LEXICON["chat_spellings"].items()}
_FRAME = frozenset(phrase_key(str(w)) for w in LEXICON["nonanswer_frame"])
_YES_PHRASES = frozenset(k for k, kind in _PHRASES.items() if kind == "yes")
_LONGEST_YES = max(len(k.split()) for k in _YES_PHRASES)
_REASONS = frozenset(phrase_key(str(w)) for w in LEXICON["unsure_reasons"])
_RANK: tuple[NonAnswer, ...] = ("later", "anything", "none", "unsure", "no", "yes", "question")
_MAX_FRAMED_WORDS = 12
_MAX_REASON_WORDS = 8
_ASKS_BACK = frozenset(
    {"what", "whats", "which", "how", "why", "who", "is", "are", "should", "do", "does", "would"}
)
_PROPOSALS = (("what", "about"), ("how", "about"), ("what", "if"))
_FUZZY_MIN_CHARS = 6
_FUZZY_SCORE = 88
_MAX_WORDS = 8


def _key(text: str) -> str:
    """`phrase_key` with chat spellings read as words ("can u" → "can you")."""
    return " ".join(_SPELLINGS.get(w, w) for w in phrase_key(text).split())


def strip_filler(key: str) -> str:
    """`key` (a `phrase_key`) without filler words at its ends ("hmm not sure tbh" → "not sure")."""
    words = key.split()
    changed = True
    while changed and words:
        changed = False
        for filler in _FILLER:
            size = len(filler.split())
            if " ".join(words[:size]) == filler and len(words) > size:
                words, changed = words[size:], True
            elif " ".join(words[-size:]) == filler and len(words) > size:
                words, changed = words[:-size], True
    return " ".join(words)


_DOUBLED_RE = re.compile(r"([a-z])\1+")


def _lookup(key: str, *, fuzzy: bool = True) -> NonAnswer | None:
    if key in _PHRASES:
        return _PHRASES[key]
    single = _DOUBLED_RE.sub(r"\1", key)  # "yess", "nooo", "laterr"
    if single != key and single in _PHRASES:
        return _PHRASES[single]
    if not fuzzy or len(key) < _FUZZY_MIN_CHARS:
        return None
    found = process.extractOne(key, _PHRASE_KEYS, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    return _PHRASES[found[0]] if found else None


def _is_question_back(text: str, key: str) -> bool:
    words = key.split()
    if words[:1] == ["why"] and len(words) <= _MAX_OPENED_WORDS:
        return True  # "why do you ask"
    if not text.rstrip().endswith("?"):
        return False
    while len(words) > 1 and (words[0] in _FILLER_WORDS or words[0] == "like"):
        words = words[1:]  # "like what?", "so what would you suggest?"
    return bool(words) and words[0] in _OPENERS


def _hedged_question(text: str) -> bool:
    """A question back after a shrug ("hmm idk, what do you recommend?"): the last part
    asks, every part before it is filler or a non-answer."""
    parts = [p for p in _PART_RE.split(text.rstrip(" ?")) if _key(p)]
    if len(parts) < 2 or not text.rstrip().endswith("?"):
        return False
    last = _key(parts[-1])
    if not _is_question_back(parts[-1] + "?", last):
        return False
    return all(_shrug(strip_filler(_key(p))) for p in parts[:-1])


def _shrug(key: str) -> bool:
    return key in _FILLER or _lookup(key) is not None or _unsure_opening(key) is not None


def classify_nonanswer(
    text: str, *, asking: str | None = None, loose: bool = False
) -> NonAnswer | None:
    """The kind of non-answer `text` is, or None when it may carry a value.

    `asking` is the field just asked for. `loose` (for a message in which nothing usable was
    found) also counts a message that merely opens with a non-answer ("idk how to rate
    myself") or has one among its parts ("not sure, something creative")."""
    key = _key(text)
    if not key and text.strip(" .!-\u2013\u2014"):
        return _question(text, key)
    if not key:
        return "none" if text.strip() else None
    if len(key.split()) > _MAX_WORDS:
        found = _framed(key) or _question(text, key)
        return found or (_unsure_opening(key) or _any_part(text) if loose else None)
    # Exact phrases and yes-phrases first: "ok thanks" is a yes, not a typo of "no thanks".
    for candidate in (key, strip_filler(key)):
        kind = _lookup(candidate, fuzzy=False)
        if kind is not None:
            return kind
    if len(key.split()) > 1 and _all_yes(key.split()):
        return "yes"
    for candidate in (key, strip_filler(key)):
        kind = _lookup(candidate)
        if kind is not None:
            return kind
    found = _parts(text) or _opened(key) or _framed(key) or _question(text, key)
    if found is None and asking in {"goal", "topics"}:
        found = _reasoned_unsure(text)
    if found is None and loose:
        found = _unsure_opening(key) or _any_part(text)
    return found


_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)?")


def after_hedge(text: str) -> str | None:
    """What follows an unsure opening ("idk maybe 4" → "maybe 4"), or None when the text
    does not open with one or nothing follows it."""
    words = list(_WORD_RE.finditer(text))
    keys = [_key(w.group()) for w in words]
    for opener in _UNSURE_OPENERS:
        size = len(opener.split())
        if " ".join(keys[:size]) == opener and len(words) > size:
            rest = text[words[size - 1].end() :].lstrip(" ,;.!-\u2013\u2014")
            return rest or None
    return None


def _unsure_opening(key: str) -> NonAnswer | None:
    words = strip_filler(key).split()
    for opener in _UNSURE_OPENERS:
        if words[: len(opener.split())] == opener.split():
            return "unsure"
    return None


def _any_part(text: str) -> NonAnswer | None:
    kinds = []
    for part in _PART_RE.split(text):
        key = strip_filler(_key(part))
        kind = (_lookup(key) or _unsure_opening(key) or _framed(key)) if key else None
        if kind in {"unsure", "anything", "later"}:
            kinds.append(kind)
    return _best(kinds)


def _best(kinds: list[NonAnswer]) -> NonAnswer | None:
    """The kind that says most when several meet ("hm let me think, later" is a deferral)."""
    return min(kinds, key=_RANK.index) if kinds else None


def _framed(key: str) -> NonAnswer | None:
    """A short message made of frame words around non-answer cues ("could you ask me that
    later?", "however much you recommend"), or of yes-words only ("yeah sure")."""
    words = key.split()
    if not words or len(words) > _MAX_FRAMED_WORDS:
        return None
    if len(words) > 1 and _all_yes(words):
        return "yes"
    covered = [False] * len(words)
    kinds: list[NonAnswer] = []
    for kind, cues in _CUES:
        for cue in cues:
            size = len(cue)
            for i in range(len(words) - size + 1):
                if tuple(words[i : i + size]) == cue:
                    kinds.append(kind)
                    covered[i : i + size] = [True] * size
    if not kinds:
        return None
    loose = _FRAME | _FILLER_WORDS
    framed = all(c or w in loose for w, c in zip(words, covered, strict=True))
    return _best(kinds) if framed else None


def _all_yes(words: list[str]) -> bool:
    """Only yes-phrases and filler ("yes looks good", "yep go ahead, build it")."""
    i, found = 0, False
    while i < len(words):
        for size in range(min(_LONGEST_YES, len(words) - i), 0, -1):
            if " ".join(words[i : i + size]) in _YES_PHRASES:
                i, found = i + size, True
                break
        else:
            if words[i] not in _FILLER_WORDS:
                return False
            i += 1
    return found


def _reasoned_unsure(text: str) -> NonAnswer | None:
    """An unsure opening followed by a reason, not a value ("not sure, I'm new to this")."""
    rest = after_hedge(text)
    words = _key(rest).split() if rest else []
    if words and len(words) <= _MAX_REASON_WORDS and _REASONS.intersection(words):
        return "unsure"
    return None


def asks_back(text: str) -> bool:
    """A question back about the field being asked ("what counts as intermediate?",
    "is beginner or intermediate better for me?"); a proposal ("what about 5?") is not."""
    words = _key(text).split()
    if not text.rstrip().endswith("?") or not words:
        return False
    if tuple(words[:2]) in _PROPOSALS:
        return False
    return words[0].replace("'s", "s") in _ASKS_BACK


def _opened(key: str) -> NonAnswer | None:
    """ "anything you think", "whatever is easiest": a short answer leaving the choice."""
    words = [w.removesuffix("'s") for w in strip_filler(key).split()]
    if not words or len(words) > _MAX_OPENED_WORDS:
        return None
    for opener in _ANYTHING_OPENERS:
        if words[: len(opener.split())] == opener.split():
            return "anything"
    return None


def _parts(text: str) -> NonAnswer | None:
    """ "whatever, you pick", "not really, just the general stuff": every part is one."""
    parts = [_key(p) for p in _PART_RE.split(text)]
    parts = [p for p in parts if p and strip_filler(p) not in _FILLER]
    if len(parts) < 2:
        return None
    kinds = [_lookup(p) or _lookup(strip_filler(p)) for p in parts]
    if not all(kinds):
        return None
    return "later" if "later" in kinds else kinds[0]  # a deferral anywhere: ask again later


def _question(text: str, key: str) -> NonAnswer | None:
    return "question" if _is_question_back(text, key) or _hedged_question(text) else None


def listed_nonanswer(text: str) -> NonAnswer | None:
    """The kind of a message that is, filler aside, exactly a listed non-answer ("any day
    really"): no field parser may read a value into it."""
    key = _key(text)
    if not key:
        return None
    return _PHRASES.get(key) or _PHRASES.get(strip_filler(key))
