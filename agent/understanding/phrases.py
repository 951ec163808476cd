"""Whole-message cues (small talk, questions, undo/redo) from `data/phrases.yaml`."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from anyascii import anyascii
from rapidfuzz.distance import OSA

_DATA = Path(__file__).parent / "data" / "phrases.yaml"
_NON_WORD = re.compile(r"[^a-z0-9?]+")
_SYMBOLS = frozenset({"So", "Sk", "Cf", "Mn"})


@cache
def _phrases() -> dict[str, Any]:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def fold(text: str) -> str:
    """Lowercase ASCII words separated by single spaces ("What’s next?!" → "what s next ?");
    emoji and other symbols are dropped, not spelled out ("☀️" is not "sunny")."""
    text = "".join(" " if unicodedata.category(ch) in _SYMBOLS else ch for ch in text)
    ascii_text = anyascii(text).lower().replace("?", " ? ")
    return " ".join(_NON_WORD.sub(" ", ascii_text).split())


_ELONGATED = re.compile(r"([a-z])\1{2,}")


def _words(text: str) -> str:
    return fold(text).replace("?", " ").strip()


@cache
def _vocabulary() -> frozenset[str]:
    return frozenset(w for name in ("smalltalk", "filler") for p in _set(name) for w in p.split())


def _unstretched(word: str) -> str:
    """ "youuu" → "you", "sooo" → "so", "coool" → "cool": a letter typed three or more
    times in a row, as one or two letters, whichever is a known word; then laughter and a
    doubled last letter: "hahaha" → "haha", "lolol" → "lol", "okk" → "ok"."""
    if _ELONGATED.search(word):
        for repeat in (r"\1", r"\1\1"):
            candidate = _ELONGATED.sub(repeat, word)
            if candidate in _vocabulary():
                return candidate
        word = _ELONGATED.sub(r"\1\1", word)
    if word in _vocabulary():
        return word
    return next((c for c in _shortened(word) if c in _vocabulary()), word)


_SYLLABLES = re.compile(r"([a-z]{2})\1+[a-z]?")


def _shortened(word: str) -> list[str]:
    """Shorter spellings of a stretched word: a repeated syllable twice or as "lol", the
    word without a doubled last letter."""
    found: list[str] = []
    if _SYLLABLES.fullmatch(word):
        pair = word[:2]
        found += [pair * 2, pair + pair[0]]
    if len(word) >= 3 and word[-1] == word[-2]:
        found.append(word[:-1])
    return found


@cache
def _set(name: str) -> frozenset[str]:
    return frozenset(" ".join(p.split()) for p in _phrases()[name])


def word_list(name: str, key: str | None = None) -> frozenset[str]:
    """A list of `data/phrases.yaml` (or the list `key` of a mapping there), lowercased and
    unfolded, for patterns that keep symbols ("->", "hours/week")."""
    entries = _phrases()[name] if key is None else _phrases()[name][key]
    return frozenset(" ".join(str(e).lower().split()) for e in entries)


def _near(word: str, phrases: frozenset[str]) -> bool:
    """A one-edit typo of a one-word phrase of five letters or more ("thnaks")."""
    return len(word) >= 5 and any(
        len(p) >= 5 and " " not in p and OSA.distance(word, p, score_cutoff=1) <= 1 for p in phrases
    )


def _covered(words: list[str], phrases: frozenset[str], filler: frozenset[str]) -> bool:
    """Whether `words` is a sequence of `phrases` (or one-edit typos of them) and filler
    words, and at least one phrase."""
    longest = max((len(p.split()) for p in phrases), default=1)
    i, found = 0, False
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            if " ".join(words[i : i + size]) in phrases:
                i += size
                found = True
                break
        else:
            if words[i] not in filler and _near(words[i], phrases):
                i += 1
                found = True
                continue
            if words[i] not in filler:
                return False
            i += 1
    return found


def is_smalltalk(text: str) -> bool:
    """Greetings, thanks, praise — or only emoji and punctuation ("👍", "🙏🙏")."""
    stripped = text.strip()
    if stripped and "?" not in stripped and not any(c.isalnum() for c in stripped):
        return True
    words = [_unstretched(w) for w in _words(text).split()]
    return 0 < len(words) <= 8 and _covered(words, _set("smalltalk"), _set("filler"))


def is_question(text: str) -> bool:
    folded = fold(text)
    if folded.endswith("?"):
        return True
    words = folded.replace("?", " ").split()
    if " ".join(words[:2]) in _set("exclamations"):
        return False
    starts = _set("question_starts")
    if any(" ".join(words[:n]) in starts for n in (1, 2, 3, 4)):
        return True
    return 0 < len(words) <= 6 and _covered(words, _set("question_nouns"), _set("question_filler"))


def opens_with_wh_question(text: str) -> bool:
    """A question opening with a question word other than "how" ("whats the price", "what
    can u actually do"): it asks something. "how to knit" may name what to learn."""
    words = fold(text).replace("?", " ").split()
    if not words or words[0].startswith("how") or not is_question(text):
        return False
    return words[0] in {w for w in _set("question_starts") if " " not in w}


def asks(text: str) -> bool:
    """A weaker question cue for a message nothing else explains: a question word anywhere
    in a short message ("next lesson when"), or a question opening after a greeting ("hey
    can you help me"), or a plain "is/are ..." opening ("is pandas hard")."""
    words = _words(text).split()
    if not words or len(words) > 12 or " ".join(words[:2]) in _set("exclamations"):
        return False  # "what a lovely day"
    if set(words) & _set("question_words"):
        return True
    leads = _set("greeting_leads")
    while words and words[0] in leads:
        words = words[1:]
    starts = _set("question_starts") | {"is", "are", "can", "could", "would", "will"}
    return bool(words) and any(" ".join(words[:n]) in starts for n in (1, 2, 3, 4))


def is_info_question(text: str) -> bool:
    """A single question about the plan ("is 6 hours a week enough?", "why is week 3 so
    heavy?"), not a request in question form ("could week 5 be lighter?")."""
    folded = fold(text)
    if not folded.endswith("?") or folded.count("?") != 1:
        return False
    words = folded.replace("?", " ").split()
    head = [" ".join(words[:n]) for n in (1, 2, 3, 4, 5)]
    if any(h in _set("request_question_starts") for h in head):
        return False
    return any(h in _set("info_question_starts") for h in head)


def is_undo(text: str) -> bool:
    return _words(text) in _set("undo")


def is_redo(text: str) -> bool:
    return _words(text) in _set("redo")


def pointer(text: str) -> str:
    """The command whose output answers a question best (today, progress or plan)."""
    words = set(_words(text).split())
    for rule in _phrases()["pointers"]:
        if words & set(rule["words"]):
            return str(rule["command"])
    return "plan"
