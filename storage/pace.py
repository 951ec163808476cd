"""The sending pace shared by every instance: one schedule document per bot.

Telegram's limit is per bot, not per process, so instances on one MongoDB take their
sends from one generic-cell-rate schedule in the ``pace`` collection: ``tat`` is the
time (milliseconds, server clock) at which the next send is due. Reserving ``count``
sends is one atomic update that moves ``tat`` on by ``count`` intervals from
``max(tat, now - tolerance)`` and answers where the reservation starts and what time
the server had, so instances whose clocks disagree still share one pace. The embedded
engine is one process (its data directory is locked): there the schedule is read and
written on the store's single thread, by this machine's clock.
"""

from __future__ import annotations

import time
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from storage.engine import EngineKind, StorageError
from storage.store import Store

_NOW_MS: dict[str, Any] = {"$toLong": "$$NOW"}


async def reserve(
    store: Store, key: str, count: int, interval: float, tolerance: float
) -> tuple[float, float]:
    """Take ``count`` sends from schedule ``key``. Returns ``(first, now)`` in seconds of
    the schedule's clock: reserved send ``i`` may leave at ``first + i * interval``."""
    step, slack = count * interval * 1000, tolerance * 1000

    def on_mongodb() -> tuple[float, float]:
        start = {"$max": [{"$ifNull": ["$tat", 0]}, {"$subtract": [_NOW_MS, slack]}]}
        update = [
            {"$set": {"first": start, "now": _NOW_MS}},
            {"$set": {"tat": {"$add": ["$first", step]}}},
        ]
        doc = None
        for _ in range(3):  # two first reservations at once: one upsert loses, then finds it
            try:
                doc = store.db.pace.find_one_and_update(
                    {"_id": key}, update, upsert=True, return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError:
                continue
            if doc is not None:
                break
        if doc is None:
            raise StorageError("the shared pace could not be reserved")
        return float(doc["first"]) / 1000, float(doc["now"]) / 1000

    def embedded() -> tuple[float, float]:
        now = time.time() * 1000
        doc = store.db.pace.find_one({"_id": key}) or {}
        first = max(float(doc.get("tat", 0)), now - slack)
        store.db.pace.update_one({"_id": key}, {"$set": {"tat": first + step}}, upsert=True)
        return first / 1000, now / 1000

    return await store.run(on_mongodb if store.engine.kind is EngineKind.MONGODB else embedded)


async def hold(store: Store, key: str, seconds: float) -> None:
    """Telegram answered ``retry_after``: no instance sends on ``key`` for ``seconds``."""
    wait = max(0.0, seconds) * 1000

    def on_mongodb() -> None:
        resume = {"$add": [_NOW_MS, wait]}
        store.db.pace.update_one(
            {"_id": key},
            [{"$set": {"tat": {"$max": [{"$ifNull": ["$tat", 0]}, resume]}}}],
            upsert=True,
        )

    def embedded() -> None:
        doc = store.db.pace.find_one({"_id": key}) or {}
        resume = max(float(doc.get("tat", 0)), time.time() * 1000 + wait)
        store.db.pace.update_one({"_id": key}, {"$set": {"tat": resume}}, upsert=True)

    await store.run(on_mongodb if store.engine.kind is EngineKind.MONGODB else embedded)
