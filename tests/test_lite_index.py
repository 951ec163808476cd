"""The compact litemongo field index gives the original's candidates, and the embedded
store uses it."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path
from typing import Any

from bson import Decimal128, ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from storage import lite_index
from storage.engine import open_engine

# Values chosen to collide across types the way MongoDB (and the index) compares them:
# 1 == 1.0 == True, "1" is not 1, an ObjectId is not its hex string, NaN, big ints.
OID = ObjectId("65a000000000000000000001")
SCALARS = [
    1, 1.0, True, 0, False, 2, -0.0, 2**70, float("nan"), Decimal128("1"), "1", "a", "",
    "pending", "x" * 40, OID, str(OID), None, b"\x01", uuid.UUID(int=1),
    datetime.datetime(2026, 1, 1, 12, 0, 0, 500),
    datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC),
]  # fmt: skip
values = st.recursive(
    st.sampled_from(SCALARS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("ab"), inner),
    max_leaves=4,
)
docs = st.dictionaries(st.sampled_from(["a", "b"]), values, max_size=2)
conditions = st.sampled_from(SCALARS) | st.lists(st.sampled_from(SCALARS), max_size=3).map(
    lambda vs: {"$in": vs}
)
ops = st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 5), docs), max_size=25)


def _replay(cls: type, path: str, steps: list[tuple[str, int, dict[str, Any]]]) -> Any:
    index = cls(path)
    for op, key, doc in steps:
        if op == "add":
            index.remove(key)  # as CollectionIndexes does before re-adding a document
            index.add(key, doc)
        else:
            index.remove(key)
    return index


@settings(max_examples=300, deadline=None)
@given(steps=ops, path=st.sampled_from(["a", "a.b"]), condition=conditions)
def test_compact_index_gives_the_original_candidates(
    steps: list[tuple[str, int, dict[str, Any]]], path: str, condition: Any
) -> None:
    from litemongo._vendor.mongomock import indexing

    keys = indexing.query_keys(condition)
    original = _replay(lite_index.original_class(), path, steps)
    compact = _replay(lite_index.compact_class(), path, steps)
    if keys is not None:
        assert compact.candidates(keys) == original.candidates(keys)
    every = {k for _, k, _ in steps}
    probe = [indexing._key_for(v) for v in SCALARS if v is not None]
    assert compact.candidates(k for k in probe if k is not indexing._NO_KEY) == (
        original.candidates(k for k in probe if k is not indexing._NO_KEY)
    )
    for key in every:  # removing every document leaves both empty
        original.remove(key)
        compact.remove(key)
    assert compact.candidates(probe) == original.candidates(probe) == set()
    assert not compact._entries and not compact._doc_keys and not compact._unkeyed


def test_the_embedded_store_builds_compact_indexes(tmp_path: Path) -> None:
    from litemongo._vendor.mongomock import indexing

    engine = open_engine(data_dir=tmp_path)

    def field_index_types() -> set[type]:  # litemongo's SQLite belongs to the engine thread
        reminders = engine.client.sync["learnplan"]["reminders"]
        reminders.create_index("status")
        reminders.insert_many([{"status": "pending", "n": i} for i in range(3)])
        assert reminders.count_documents({"status": "pending"}) == 3
        return {type(f) for f in reminders._store._get_query_index()._fields.values()}

    try:
        assert engine.thread is not None
        assert engine.thread.submit(field_index_types).result() == {lite_index.compact_class()}
        assert indexing.FieldIndex is lite_index.compact_class()
    finally:
        engine.close()
