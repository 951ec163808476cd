"""The words of a message as tokens, and time zones written out explicitly.

Shared by `agent.understanding.places`: a token knows its folded form and which
comma/sentence-separated part of the text it is in; `explicit_zone` finds IANA names
("Europe/Berlin"), UTC offsets ("UTC+2", "+05:30"), spoken zones ("pacific time") and
abbreviations ("CET", from the data file).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import NamedTuple
from zoneinfo import available_timezones

from agent.understanding.gazetteer import fold, zone_data
from agent.understanding.text import EMOJI

_TOKEN_RE = re.compile(r"[^\W_]+")
_JOIN_RE = re.compile(r"[ \t'’.-]*")
# Emoji separate parts of a message as commas do ("urban sketching ✏️ Sevilla").
BREAK_RE = re.compile(rf"[,;!?\n()\[\]/\x1f\u2013\u2014{EMOJI}]|[.:](?=\s|$)|(?<=\s)-+(?=\s)")
_IANA_RE = re.compile(r"(?<![\w/])[A-Za-z]+(?:/[A-Za-z0-9_+-]+){1,2}(?![\w/])")
_UTC_OFFSET_RE = re.compile(
    r"\b(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?(?!\d)", re.I
)
_BARE_OFFSET_RE = re.compile(r"(?<![\w:+\-−])(?P<sign>[+\-−])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)")
_LONE_OFFSET_RE = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*$", re.I
)


class Token(NamedTuple):
    text: str
    key: str
    start: int
    end: int
    segment: int  # which comma/semicolon/sentence-separated part of the text


@cache
def zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def cue_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    cues = zone_data()["cues"]
    strong, weak = frozenset(cues["strong"]), frozenset(cues["weak"])
    words = frozenset(w for phrase in strong | weak for w in phrase.split()) | {"the", "i", "a"}
    return strong, weak, frozenset(zone_data()["suffixes"]), words


def tokenize(text: str) -> list[Token]:
    breaks = [m.start() for m in BREAK_RE.finditer(text)]
    return [
        Token(m.group(), fold(m.group()), m.start(), m.end(), bisect_right(breaks, m.start()))
        for m in _TOKEN_RE.finditer(text)
    ]


def joined(text: str, tokens: list[Token], first: int, last: int) -> bool:
    """The tokens first..last-1 are written as one name (only spaces or hyphens between)."""
    return all(
        _JOIN_RE.fullmatch(text, tokens[k - 1].end, tokens[k].start) for k in range(first + 1, last)
    )


def span_key(tokens: list[Token], first: int, last: int) -> str:
    return " ".join(t.key for t in tokens[first:last])


# ---- explicit zones -------------------------------------------------------------------


def offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    """The IANA zone for a UTC offset; Etc/GMT zones have the sign inverted."""
    if minutes >= 60:
        return None
    total = (hours * 60 + minutes) * (-1 if sign in "-−" else 1)
    if minutes:
        zone = zone_data()["offsets"].get(total)
        return str(zone) if zone else None
    if hours == 0:
        return "UTC"
    if -12 * 60 <= total <= 14 * 60:
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return None


def core(tokens: list[Token]) -> tuple[int, int]:
    """The answer without its leading cue words and trailing "time": token bounds."""
    _, _, suffixes, cue_words = cue_sets()
    first, last = 0, len(tokens)
    while first < last and tokens[first].key in cue_words:
        first += 1
    while last > first and tokens[last - 1].key in {s for x in suffixes for s in x.split()}:
        last -= 1
    return first, last


def explicit_zone(
    text: str, tokens: list[Token], whole: bool
) -> tuple[str | None, int, int] | None:
    """A zone written out: an IANA name, a UTC offset, a spoken name or an abbreviation,
    as (zone, start, end); zone None for an impossible offset ("UTC+17")."""
    names = zone_names()
    for match in _IANA_RE.finditer(text):
        zone = names.get(match.group().lower())
        if zone:
            return zone, match.start(), match.end()
    for pattern in (_UTC_OFFSET_RE, _BARE_OFFSET_RE, *((_LONE_OFFSET_RE,) if whole else ())):
        for match in pattern.finditer(text):
            zone = offset_zone(match["sign"], int(match["h"]), int(match["m"] or 0))
            start, end = match.span()
            if pattern is _LONE_OFFSET_RE:
                start, end = match.start("sign"), match.end()
            return zone, start, end
    data = zone_data()
    phrases: dict[str, str] = data["phrases"]
    for first in range(len(tokens)):
        for last in range(min(len(tokens), first + 4), first, -1):
            zone = phrases.get(span_key(tokens, first, last))
            if zone and joined(text, tokens, first, last):
                return zone, tokens[first].start, tokens[last - 1].end
    abbreviations: dict[str, str] = data["abbreviations"]
    first, last = core(tokens)
    if whole and last - first == 1:
        word = tokens[first].text.upper()
        zone = abbreviations.get(word) or data["short_abbreviations"].get(word)
        if zone:
            return zone, tokens[first].start, tokens[first].end
    for token in tokens:
        zone = abbreviations.get(token.text)
        if zone is None and token.key in {"utc", "gmt", "zulu"}:
            zone = "Europe/London" if token.key == "gmt" else "UTC"
        if zone:
            return zone, token.start, token.end
    return None
