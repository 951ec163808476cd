"""The gazetteer's in-memory form: columns and one sorted key table instead of objects.

Built from `agent.understanding.gazetteer.Gazetteer` (the builder's dicts and lists of
`Place`s) and kept as a few `array`s and byte strings: 34,000 places and 114,000 names
held as Python objects took ~60 MB of a bot process, this form ~6 MB, and it is
written to and read from the cache file without making an object per entry. Read
access is the builder's: `names`/`codes` map a folded key to a list of ints, `place(i)`
gives a `Place` (made when asked for, a few thousand kept).
"""

from __future__ import annotations

import json
import struct
from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from agent.understanding.gazetteer import Gazetteer, Place

MAGIC = b"LPGZ1\n"
KINDS = ("city", "state", "country")
NO_ZONE = 0xFFFF
# Places made by `place()` and kept for the next call; cleared beyond this many.
KEPT_PLACES = 4096
# (section name, array type code); "blob" sections are bytes.
_SECTIONS = (
    ("name_blob", ""),
    ("name_starts", "I"),
    ("name_bounds", "I"),
    ("name_values", "i"),
    ("label_blob", ""),
    ("label_starts", "I"),
    ("country", "H"),
    ("region", "I"),
    ("kind", "B"),
    ("population", "q"),
    ("fame", "I"),
    ("zone", "H"),
)


class KeyTable(Mapping[str, list[int]]):
    """A read-only `str → list[int]` over one sorted UTF-8 blob of keys (binary search)."""

    def __init__(self, blob: bytes, starts: array[int], bounds: array[int], values: array[int]):
        self._blob, self._starts, self._bounds, self._values = blob, starts, bounds, values

    @classmethod
    def build(cls, table: Mapping[str, list[int]]) -> KeyTable:
        keys = sorted((key.encode(), key) for key in table)
        starts, bounds, values = array("I", [0]), array("I", [0]), array("i")
        parts = []
        for raw, key in keys:
            parts.append(raw)
            starts.append(starts[-1] + len(raw))
            values.extend(table[key])
            bounds.append(len(values))
        return cls(b"".join(parts), starts, bounds, values)

    def _find(self, key: object) -> int:
        if not isinstance(key, str):
            return -1
        wanted = key.encode()
        low, high = 0, len(self._starts) - 1
        blob, starts = self._blob, self._starts
        while low < high:
            middle = (low + high) // 2
            if blob[starts[middle] : starts[middle + 1]] < wanted:
                low = middle + 1
            else:
                high = middle
        found = low < len(starts) - 1 and blob[starts[low] : starts[low + 1]] == wanted
        return low if found else -1

    def __getitem__(self, key: str) -> list[int]:
        index = self._find(key)
        if index < 0:
            raise KeyError(key)
        return self._values[self._bounds[index] : self._bounds[index + 1]].tolist()

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __iter__(self) -> Iterator[str]:
        starts = self._starts
        for index in range(len(starts) - 1):
            yield self._blob[starts[index] : starts[index + 1]].decode()


class JoinedLists(Mapping[str, list[str]]):
    """A read-only `str → list[str]` whose lists are kept as one NUL-joined string each."""

    def __init__(self, joined: dict[str, str]) -> None:
        self._joined = joined

    def __getitem__(self, key: str) -> list[str]:
        return self._joined[key].split("\0")

    def __contains__(self, key: object) -> bool:
        return key in self._joined

    def __len__(self) -> int:
        return len(self._joined)

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)


class PlaceList(Sequence["Place"]):
    """`gazetteer().places` as before: place `i` is `place(i)`."""

    def __init__(self, owner: CompactGazetteer) -> None:
        self._owner = owner

    def __len__(self) -> int:
        return len(self._owner.columns["kind"])

    @overload
    def __getitem__(self, index: int) -> Place: ...
    @overload
    def __getitem__(self, index: slice) -> list[Place]: ...
    def __getitem__(self, index: int | slice) -> Place | list[Place]:
        if isinstance(index, slice):
            return [self._owner.place(i) for i in range(len(self))[index]]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._owner.place(index % len(self))


class CompactGazetteer:
    """The same look-ups as `Gazetteer`, over columns (see the module's docstring)."""

    def __init__(self, header: dict[str, Any], columns: dict[str, Any], data: dict[str, Any]):
        self.columns = columns
        self.data = data
        self.names = KeyTable(
            columns["name_blob"],
            columns["name_starts"],
            columns["name_bounds"],
            columns["name_values"],
        )
        self.codes = KeyTable.build(header.pop("codes"))
        self.regions: dict[str, set[str]] = {k: set(v) for k, v in header["regions"].items()}
        self.region_codes: dict[str, list[str]] = header["region_codes"]
        self.fuzzy = JoinedLists(header["fuzzy"])
        self._countries: list[str] = header["countries"]
        self._region_names: list[str] = header["region_names"]
        self._zones: list[str] = header["zones"]
        self._areas: dict[int, list[list[Any]]] = {int(k): v for k, v in header["areas"].items()}
        self._header = header
        self._made: dict[int, Place] = {}
        self.places = PlaceList(self)

    @classmethod
    def from_built(cls, gaz: Gazetteer) -> CompactGazetteer:
        countries: dict[str, int] = {}
        regions: dict[str, int] = {}
        zones: dict[str, int] = {}
        columns: dict[str, Any] = {name: array(code) for name, code in _SECTIONS if code}
        labels: list[bytes] = []
        areas: dict[str, list[list[Any]]] = {}
        for index in range(len(gaz.places)):
            place = gaz.place(index)
            raw = place.label.encode()
            labels.append(raw)
            columns["country"].append(countries.setdefault(place.country, len(countries)))
            columns["region"].append(regions.setdefault(place.region, len(regions)))
            columns["kind"].append(KINDS.index(place.kind))
            columns["population"].append(place.population)
            columns["fame"].append(place.fame)
            share = place.zones[0] if len(place.zones) == 1 else None
            if share is not None and share.label == place.label and share.weight == 1:
                columns["zone"].append(zones.setdefault(share.zone, len(zones)))
            else:
                columns["zone"].append(NO_ZONE)
                areas[str(index)] = [list(z) for z in place.zones]
        starts = columns["label_starts"]
        starts.append(0)
        for raw in labels:
            starts.append(starts[-1] + len(raw))
        names = KeyTable.build(gaz.names)
        columns.update(
            name_blob=names._blob,
            name_starts=names._starts,
            name_bounds=names._bounds,
            name_values=names._values,
            label_blob=b"".join(labels),
        )
        header = {
            "codes": dict(gaz.codes),
            "regions": {k: sorted(v) for k, v in gaz.regions.items()},
            "region_codes": gaz.region_codes,
            "fuzzy": {letter: "\0".join(keys) for letter, keys in gaz.fuzzy.items()},
            "countries": list(countries),
            "region_names": list(regions),
            "zones": list(zones),
            "areas": areas,
        }
        return cls(header, columns, gaz.data)

    def place(self, index: int) -> Place:
        """The place at `index`, made from its columns on first use."""
        made = self._made.get(index)
        if made is not None:
            return made
        from agent.understanding.gazetteer import Place, ZoneShare

        columns = self.columns
        starts = columns["label_starts"]
        label = columns["label_blob"][starts[index] : starts[index + 1]].decode()
        zone = columns["zone"][index]
        if zone == NO_ZONE:
            zones = tuple(ZoneShare(*share) for share in self._areas[index])
        else:
            zones = (ZoneShare(self._zones[zone], label, 1),)
        made = Place(
            label,
            self._countries[columns["country"][index]],
            self._region_names[columns["region"][index]],
            KINDS[columns["kind"][index]],
            columns["population"][index],
            zones,
            columns["fame"][index],
        )
        if len(self._made) >= KEPT_PLACES:
            self._made.clear()
        self._made[index] = made
        return made

    def entries(self, key: str) -> list[tuple[int, bool]]:
        """(place index, matched by its own name) for each place called `key`."""
        return [(code >> 1, bool(code & 1)) for code in self.names.get(key, ())]

    def to_bytes(self) -> bytes:
        """The cache file: a JSON header, then each column's raw bytes."""
        sections = []
        for name, _ in _SECTIONS:
            value = self.columns[name]
            sections.append(value if isinstance(value, bytes) else value.tobytes())
        header = dict(self._header, codes=dict(self.codes), sizes=[len(s) for s in sections])
        encoded = json.dumps(header, separators=(",", ":")).encode()
        return b"".join([MAGIC, struct.pack("<Q", len(encoded)), encoded, *sections])

    @classmethod
    def from_bytes(cls, raw: bytes, data: dict[str, Any]) -> CompactGazetteer:
        if not raw.startswith(MAGIC):
            raise ValueError("not a gazetteer cache file")
        offset = len(MAGIC) + 8
        (length,) = struct.unpack_from("<Q", raw, len(MAGIC))
        header = json.loads(raw[offset : offset + length])
        offset += length
        columns: dict[str, Any] = {}
        for (name, code), size in zip(_SECTIONS, header.pop("sizes"), strict=True):
            chunk = raw[offset : offset + size]
            offset += size
            if code:
                column = array(code)
                column.frombytes(chunk)
                columns[name] = column
            else:
                columns[name] = chunk
        if offset != len(raw):
            raise ValueError("truncated gazetteer cache file")
        return cls(header, columns, data)
