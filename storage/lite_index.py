"""A compact form of litemongo's in-process hash index, with the same answers.

litemongo answers equality and ``$in`` queries from a hash index per indexed field that
it builds in memory on a collection's first query (``_vendor/mongomock/indexing.py``:
the index is a superset filter; mongomock still checks every candidate). Its
``FieldIndex`` keeps, for every document, a ``set`` of that document's keys and, for
every key, a ``set`` of documents, each key a tagged tuple such as ``("s", value)``.
A one-element ``set`` is 216 bytes, so 100,000 reminders with five indexed fields
cost about 270 MB of index (measured with tracemalloc, `bench/RESULTS.md`).

`CompactFieldIndex` is that class with the same behaviour and smaller entries: a
document with one key (the usual case) stores the key itself, a key held by one
document stores that document itself, a ``set``/``frozenset`` only where there are
several; strings, ObjectIds and floats are their own keys (no tag: they never compare
equal to one another or to the remaining tagged tuples), short strings are interned.
`install` puts it in litemongo's indexing module, whose ``CollectionIndexes`` makes
every field index by that module-level name; it only does so on the litemongo version
it was written and tested against (`tests/test_lite_index.py` compares it with the
original on random documents and queries), and otherwise leaves litemongo as it is.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Hashable, Iterable
from typing import Any

log = logging.getLogger(__name__)

TESTED_VERSIONS = ("0.2.0",)
INTERN_MAX = 24  # strings up to this length (statuses, kinds) share one object

_UNKEYED = object()  # the document's value cannot be keyed: a candidate for every query
_MISSING = object()


def _compact(key: Any) -> Hashable:
    """The stored form of one of litemongo's tagged index keys."""
    tag, *rest = key
    if rest:
        value = rest[0]
        if tag == "s" and type(value) is str:
            return sys.intern(value) if len(value) <= INTERN_MAX else value
        if tag == "n" and type(value) is float:
            return value  # NaN is tagged ("nan",), so a bare float always equals itself
        if tag == "o":
            return value  # type: ignore[no-any-return]
    return key  # type: ignore[no-any-return]


def original_class() -> type:
    """litemongo's own ``FieldIndex``, installed or not."""
    from litemongo._vendor.mongomock import indexing

    return getattr(indexing, "_OriginalFieldIndex", indexing.FieldIndex)  # type: ignore[no-any-return]


@functools.cache
def compact_class() -> type:
    """`CompactFieldIndex`, a subclass of litemongo's ``FieldIndex``."""
    from litemongo._vendor.mongomock import indexing

    base = original_class()
    doc_keys = indexing._doc_keys

    class CompactFieldIndex(base):  # type: ignore[misc, valid-type]
        """litemongo's ``FieldIndex`` (same methods, same candidates), compact."""

        def __init__(self, path: str) -> None:
            self.path = path
            # index key -> store key, or a set of them
            self._entries: dict[Hashable, Any] = {}
            self._unkeyed: set[Hashable] = set()
            # store key -> its index key, a frozenset of them, or _UNKEYED; a document
            # with no key at this path (missing, None, a sub-document) is not listed
            self._doc_keys: dict[Hashable, Any] = {}

        def add(self, store_key: Hashable, doc: dict[str, Any]) -> None:
            keys = doc_keys(doc, self.path)
            if keys is None:
                self._unkeyed.add(store_key)
                self._doc_keys[store_key] = _UNKEYED
                return
            if not keys:
                return
            compact = {_compact(k) for k in keys}
            if len(compact) == 1:
                (one,) = compact
                self._doc_keys[store_key] = one
                self._link(one, store_key)
                return
            self._doc_keys[store_key] = frozenset(compact)
            for key in compact:
                self._link(key, store_key)

        def _link(self, key: Hashable, store_key: Hashable) -> None:
            held = self._entries.get(key, _MISSING)
            if held is _MISSING:
                self._entries[key] = store_key
            elif type(held) is set:
                held.add(store_key)
            elif held != store_key:
                self._entries[key] = {held, store_key}

        def remove(self, store_key: Hashable) -> None:
            keys = self._doc_keys.pop(store_key, _MISSING)
            if keys is _MISSING:
                return
            if keys is _UNKEYED:
                self._unkeyed.discard(store_key)
                return
            for key in keys if type(keys) is frozenset else (keys,):
                held = self._entries.get(key, _MISSING)
                if held is _MISSING:
                    continue
                if type(held) is set:
                    held.discard(store_key)
                    if len(held) == 1:
                        self._entries[key] = next(iter(held))
                    elif not held:
                        del self._entries[key]
                elif held == store_key:
                    del self._entries[key]

        def candidates(self, keys: Iterable[Hashable]) -> set[Hashable]:
            found = set(self._unkeyed)
            for key in keys:
                held = self._entries.get(_compact(key), _MISSING)
                if held is _MISSING:
                    continue
                if type(held) is set:
                    found.update(held)
                else:
                    found.add(held)
            return found

    return CompactFieldIndex


def installable() -> bool:
    """Whether the installed litemongo is one this index was checked against."""
    import litemongo
    from litemongo._vendor.mongomock import indexing

    return (
        getattr(litemongo, "__version__", None) in TESTED_VERSIONS
        and hasattr(indexing, "_doc_keys")
        and hasattr(indexing, "CollectionIndexes")
    )


def install() -> bool:
    """Make litemongo build its field indexes compact (idempotent). False, and litemongo
    unchanged, on a version this was not checked against."""
    from litemongo._vendor.mongomock import indexing

    if getattr(indexing, "_OriginalFieldIndex", None) is not None:
        return True
    if not installable():
        log.warning("litemongo is not a version the compact index was tested with: not used")
        return False
    compact = compact_class()
    indexing._OriginalFieldIndex = indexing.FieldIndex
    indexing.FieldIndex = compact
    return True
