"""The word lists in `data/lexicon.yaml`, loaded once, and matching helpers over them.

`PhraseMatcher` finds listed phrases in a text by whole words ("*" stands for any one
word) and reports their character spans, so extractors can mask what they used.
`correct_typos` fixes misspelt vocabulary words ("begginer", "3 hrs a wek") with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

__all__ = [
    "LEXICON",
    "PhraseHit",
    "PhraseMatcher",
    "correct_typos",
    "expand_abbreviations",
    "phrase_key",
    "trim_edges",
    "word_set",
]

_PATH = Path(__file__).with_name("data") / "lexicon.yaml"
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z0-9]+)*")


def _load() -> dict[str, Any]:
    with _PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


LEXICON: dict[str, Any] = _load()


_STRETCHED_RE = re.compile(r"([a-z])\1{2,}")


def phrase_key(text: str) -> str:
    """The comparable form of a phrase: lower-case words joined by single spaces, letters
    stretched for effect cut to two ("ummm" → "umm", "hmmmm" → "hmm")."""
    key = " ".join(m.group().lower().replace("\u2019", "'") for m in _TOKEN_RE.finditer(text))
    return _STRETCHED_RE.sub(r"\1\1", key)


class PhraseHit(NamedTuple):
    label: str
    phrase: str
    start: int
    end: int


class PhraseMatcher:
    """Finds whole-word phrases (with "*" wildcards) in text, longest first at each word."""

    def __init__(self, phrases: dict[str, list[str]]) -> None:
        self._by_first: dict[str, list[tuple[list[str], str, str]]] = {}
        self._wild: list[tuple[list[str], str, str]] = []
        for label, items in phrases.items():
            for item in items:
                words = [w if w == "*" else phrase_key(w) for w in str(item).split()]
                words = [w for w in words if w]
                if not words:
                    continue
                entry = (words, label, " ".join(words))
                if words[0] == "*":
                    self._wild.append(entry)
                else:
                    self._by_first.setdefault(words[0], []).append(entry)
        for entries in self._by_first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def find(self, text: str) -> list[PhraseHit]:
        """Non-overlapping hits in text order; at each word the longest phrase wins."""
        tokens = [
            (m.group().lower().replace("\u2019", "'"), m.start(), m.end())
            for m in _TOKEN_RE.finditer(text)
        ]
        hits: list[PhraseHit] = []
        index = 0
        while index < len(tokens):
            hit = self._at(tokens, index)
            if hit is None:
                index += 1
                continue
            size, label, phrase = hit
            hits.append(PhraseHit(label, phrase, tokens[index][1], tokens[index + size - 1][2]))
            index += size
        return hits

    def _at(self, tokens: list[tuple[str, int, int]], index: int) -> tuple[int, str, str] | None:
        for words, label, phrase in self._by_first.get(tokens[index][0], []):
            if index + len(words) > len(tokens):
                continue
            window = tokens[index : index + len(words)]
            if all(w == "*" or w == t[0] for w, t in zip(words, window, strict=True)):
                return len(words), label, phrase
        return None

    def whole(self, text: str) -> str | None:
        """The label of the phrase that is all of `text`, or None."""
        key = phrase_key(text)
        for entries in self._by_first.values():
            for _words, label, phrase in entries:
                if phrase == key:
                    return label
        return None


@lru_cache(maxsize=1)
def _typo_vocabulary() -> tuple[frozenset[str], list[str], list[str], frozenset[str]]:
    units = [str(w) for w in LEXICON["typo_units"]]
    words = [str(w) for w in LEXICON["typo_words"]]
    keep = frozenset(str(w) for w in LEXICON["typo_keep"]) | frozenset(units) | frozenset(words)
    return keep, units, words, frozenset({"a", "an", "per", "each", "every", "/", "few", "of"})


def _allowed_distance(word: str) -> int:
    if len(word) >= 8:
        return 2
    return 1 if len(word) >= 4 else 0


def _correction(word: str, previous: str) -> str | None:
    keep, units, vocabulary, unit_cues = _typo_vocabulary()
    lower = word.lower()
    if lower in keep or not lower.isalpha():
        return None
    after_number = previous.isdigit() or previous in unit_cues
    candidates = vocabulary + (units if after_number else [])
    limit = _allowed_distance(lower) or (1 if after_number and len(lower) == 3 else 0)
    if not limit:
        return None
    found = process.extractOne(lower, candidates, scorer=Levenshtein.distance, score_cutoff=limit)
    if found is None or found[0][0] != lower[0]:
        return None
    return str(found[0])


def _abbreviation_re() -> re.Pattern[str]:
    names = sorted((str(k) for k in LEXICON["abbreviations"]), key=len, reverse=True)
    parts = [re.escape(n) + ("" if n.endswith("/") else r"\b") for n in names]
    return re.compile(r"(?<![\w/])(?:" + "|".join(parts) + r")\s*", re.IGNORECASE)


_ABBREVIATION_RE = _abbreviation_re()
_ABBREVIATIONS = {str(k).lower(): str(v) for k, v in LEXICON["abbreviations"].items()}
_TO_AS_TWO_RE = re.compile(
    r"\b(want|wanna|need|like|going|how)\s+2\s+(?=(?:learn|study|get|be|know|master|improve|pass"
    r"|understand|start|speak|read|write|play|cook|code|build|make|do)\b)",
    re.IGNORECASE,
)


def _alternation(words: Iterable[object]) -> str:
    ordered = sorted(map(str, words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


_FOREIGN_NUMBERS = {str(k).lower(): int(v) for k, v in LEXICON["foreign_numbers"].items()}
_FOREIGN_NUMBER_RE = re.compile(
    rf"(?<![\w-])({_alternation(_FOREIGN_NUMBERS)})\s+"
    rf"(?=(?:{_alternation(LEXICON['foreign_number_units'])})\b)",
    re.IGNORECASE,
)
_CLOCK_VALUE = (
    r"(?:\d{1,2}(?::\d{2})?|(?:mon|tues|wednes|thurs|fri|satur|sun)days?|weekdays?|weekends?)\b"
)
_CLOCK_BEFORE = {phrase_key(str(k)): str(v) for k, v in LEXICON["clock_before"].items()}
_CLOCK_BEFORE_RE = re.compile(
    rf"(?<![\w-])({_alternation(LEXICON['clock_before'])})\s+(?={_CLOCK_VALUE})", re.IGNORECASE
)
_CLOCK_RANGE_RES = tuple(
    re.compile(
        rf"(?<![\w-]){re.escape(str(start))}\s+({_CLOCK_VALUE})\s+{re.escape(str(end))}\s+"
        rf"(?={_CLOCK_VALUE})",
        re.IGNORECASE,
    )
    for start, end in LEXICON["clock_ranges"]
)
_CLOCK_AFTER = {phrase_key(str(k)): str(v) for k, v in LEXICON["clock_after"].items()}
_CLOCK_AFTER_RE = re.compile(
    rf"(\d)\s*({_alternation(LEXICON['clock_after'])})(?![\w-])", re.IGNORECASE
)


def _after_clock(match: re.Match[str]) -> str:
    word = _CLOCK_AFTER[phrase_key(match.group(2))]
    return match.group(1) + (word if word.startswith(":") else " " + word)


def foreign_clock(text: str) -> str:
    """Other languages' amounts and clock words in English, only where a number or a day
    names them: "trzy godziny" → "3 hours", "ab 18 Uhr" → "from 18:00", "de lunes a
    viernes" (days already English) → "from monday to friday"."""
    text = _FOREIGN_NUMBER_RE.sub(lambda m: f"{_FOREIGN_NUMBERS[m.group(1).lower()]} ", text)
    for pattern in _CLOCK_RANGE_RES:
        text = pattern.sub(lambda m: f"from {m.group(1)} to ", text)
    text = _CLOCK_BEFORE_RE.sub(lambda m: _CLOCK_BEFORE[phrase_key(m.group(1))] + " ", text)
    return _CLOCK_AFTER_RE.sub(_after_clock, text)


def expand_abbreviations(text: str) -> str:
    """ "w/ pytorch" → "with pytorch", "want 2 learn" → "want to learn"."""
    text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group().strip().lower()] + " ", text)
    text = foreign_clock(text)
    return _TO_AS_TWO_RE.sub(lambda m: m.group(1) + " to ", text)


def correct_typos(text: str) -> str:
    """`text` with misspelt vocabulary words corrected ("begginer" → "beginner")."""
    text = expand_abbreviations(text)
    pieces: list[str] = []
    last = 0
    previous = ""
    for match in _TOKEN_RE.finditer(text):
        word = match.group()
        fixed = _correction(word, previous)
        if fixed is not None:
            pieces.append(text[last : match.start()])
            pieces.append(fixed.capitalize() if word[0].isupper() else fixed)
            last = match.end()
        previous = re.sub(r"\d+([a-z]*)$", "0", word.lower())
    pieces.append(text[last:])
    return "".join(pieces)


def word_set(name: str) -> frozenset[str]:
    """A word list of the lexicon as a set of `phrase_key`s."""
    return frozenset(phrase_key(str(w)) for w in LEXICON[name])


EDGE_WORDS = word_set("edge_words")


def trim_edges(phrase: str) -> str:
    """Drop connector words ("in", "for", "I'm", …) and punctuation from the end."""
    words = phrase.split()
    while words and phrase_key(words[-1]) in EDGE_WORDS | {""}:
        words.pop()
    return " ".join(words).strip(" \t,;:.!?-\"'`")
