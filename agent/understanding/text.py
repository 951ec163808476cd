"""Text preparation shared by the rule extractors: cleaning, folding and masking.

A message is scanned by several extractors in turn. Each one masks the characters it
consumed (`Scan.take`), so later extractors never re-read them. Masking keeps the text
length, so a span found in the working text is the same span in the displayed text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from anyascii import anyascii

MAX_CHARS = 4000
MASK = "\x1f"
FLAGS = re.IGNORECASE | re.ASCII

DAY_NAMES = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|tues|weds|thurs|thur|mon|tue|wed|thu|fri|sat|sun"
)
"""A regex alternation of English weekday names and abbreviations."""
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
"""Weekday number (Monday = 0) by the first three letters of its name."""

_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

EMOJI = (
    "\u200d\u20e3\ufe0f"  # joiner, keycap and emoji-style selector inside a sequence
    "\u2300-\u23ff"  # technical symbols ("⌚", "⏰")
    "\u2600-\u27bf"  # symbols and dingbats ("☀", "✏", "✅")
    "\u2b00-\u2bff"  # stars, squares and arrows ("⭐", "⬆")
    "\U0001f000-\U0001faff"  # flags, enclosed letters, pictographs, emoticons
)
"""A regex character-class body (no brackets) of emoji and pictographic symbols.

The extractors read an emoji as a separator, as they do a comma ("Unity 🎮 for fun",
"Berlin 🇩🇪, 3h a week"). Regional indicators ("🇩🇪") are never folded to letters, so
a flag cannot be read as a word ("🇳🇴" as "NO", "🇮🇹" as "IT")."""
_EMOJI_RE = re.compile(f"[{EMOJI}]")


_KEYCAP_RE = re.compile("(?<=[0-9])\ufe0f?\u20e3")


def clean_text(text: str) -> str:
    """Cap the length; control, format and separator characters become spaces (same length).

    A keycap digit ("3️⃣") keeps its digit and loses the marks, so it reads as a number."""
    chars = []
    for ch in text[:MAX_CHARS]:
        if ch == "\n" or unicodedata.category(ch)[0] not in "CZ":
            chars.append(ch)
        else:
            chars.append(" ")
    return _KEYCAP_RE.sub(lambda m: " " * len(m.group()), "".join(chars))


@lru_cache(maxsize=4096)
def _ascii_char(ch: str) -> str:
    """One character in ASCII when that is one character too ("é" → "e", "–" → "-")."""
    if ch.isascii() or _EMOJI_RE.match(ch):
        return ch
    if unicodedata.category(ch) == "Pd":
        return "-"
    folded = anyascii(ch)
    return folded if len(folded) == 1 else ch


def ascii_same_length(text: str) -> str:
    """`text` with accents, curly quotes and dashes made ASCII, keeping every offset."""
    return "".join(_ascii_char(ch) for ch in text)


def fold(text: str) -> str:
    """Lower-case, ASCII, single-spaced form used for look-ups ("Kraków" → "krakow")."""
    return " ".join(anyascii(text).lower().split())


def words(text: str) -> list[str]:
    """The folded words of `text` ("I'm not sure!" → ["i'm", "not", "sure"])."""
    return _WORD_RE.findall(fold(text).replace("\u2019", "'"))


@dataclass
class Scan:
    """One message being parsed: the text, what is already consumed, and the findings."""

    display: str
    work: str
    today: date
    expecting: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, text: str, today: date = date.min, expecting: str | None = None) -> Scan:
        display = clean_text(text)
        return cls(display, ascii_same_length(display), today, expecting)

    def free(self, start: int, end: int) -> bool:
        return MASK not in self.work[start:end]

    def take(self, start: int, end: int) -> None:
        self.work = self.work[:start] + MASK * (end - start) + self.work[end:]

    def matches(self, pattern: re.Pattern[str], start: int = 0) -> Iterator[re.Match[str]]:
        """Matches in the text that do not touch anything consumed so far."""
        for match in list(pattern.finditer(self.work, start)):
            if self.free(*match.span()):
                yield match

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def rest(self) -> str:
        """The unconsumed text, masks dropped and whitespace trimmed."""
        return " ".join(self.work.replace(MASK, " ").split())

    def take_all(self) -> None:
        self.work = MASK * len(self.work)


@lru_cache(maxsize=8)
def _swap_re(pairs: tuple[tuple[str, str], ...], joiners: str) -> re.Pattern[str]:
    ordered = sorted({k for k, _ in pairs}, key=len, reverse=True)
    source = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in ordered)
    edge = rf"[\w{re.escape(joiners)}]"
    return re.compile(rf"(?<!{edge})(?:{source})(?!{edge})", re.IGNORECASE)


def swap_words(text: str, table: Mapping[str, str], *, joiners: str = "") -> str:
    """`text` with each whole phrase of `table` (lowercase keys; a space matches any
    whitespace) replaced by its value: the one word-swap step the progress rules
    (``foreign_words`` in data/progress.yaml) and the plan-change rules (``foreign`` in
    data/refinement.yaml) read other languages with. `joiners` are characters that, like
    letters, keep a phrase from matching inside a longer word ("'-" for progress)."""
    if not table:
        return text
    pattern = _swap_re(tuple(table.items()), joiners)
    return pattern.sub(lambda m: table.get(" ".join(m.group().lower().split()), m.group()), text)
