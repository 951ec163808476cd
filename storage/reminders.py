"""The ``reminders`` collection: every message the bot sends on its own, one document each.

The database, not the scheduler's memory, decides what is due and who sends it.

Document
--------
``reminder_id`` (unique, deterministic, e.g. ``s:<user>:<version>:<session>:<sequence>``),
``short_id`` (10 hex chars, for buttons), ``kind`` (session | custom | nudge |
weekly_summary | missed_digest | moved), ``user_id``, ``chat_id``, ``tz``, ``due_at`` (UTC)
and ``due_bucket`` (the UTC hour of ``due_at``, see below), ``status``, ``rev``,
``attempts``, ``throttles``, ``uncertain``, ``claimed_by``, ``lease_until``,
``last_error``, ``sent_at``, ``snoozed``/``snoozes``, ``cancel_reason``, ``payload``.

Life cycle
----------
``pending`` → ``claimed`` → ``sent``; or back to ``pending`` with a later ``due_at``
(retry), or ``failed`` (gave up, ``last_error`` says why), ``cancelled`` (no longer
wanted, ``cancel_reason``), ``folded`` (overdue after downtime, listed in one
``missed_digest`` instead).

Concurrency
-----------
Every write is one atomic single-document update. Each write that changes a
reminder increments ``rev``, and a dispatcher's writes are compare-and-set on
``(reminder_id, rev)``: a claim succeeds only if the document is still exactly the
due one it read, so of two instances (or a retry and a snooze) exactly one wins.
The claim sets a lease, judged by the server's clock (`storage.leases`); the
result of the send is written only while the claim is still the holder's
(``claimed_by`` and ``rev`` unchanged).

Finding due work cheaply
------------------------
A real MongoDB answers ``status``/``due_at`` range queries from the compound index.
The embedded engine only has hash indexes (equality and ``$in``), so each document
also carries ``due_bucket``; "due now" is asked as ``due_bucket $in [recent hours]``
plus the real conditions, which both engines answer without a full scan. A full
scan (`stream_due_reminders` with ``lookback=None``) is done once at start-up.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from storage.engine import EngineKind
from storage.leases import server_now_raw
from storage.store import Db, Store, as_utc, create_index

PENDING, CLAIMED, SENT = "pending", "claimed", "sent"
FAILED, CANCELLED, FOLDED = "failed", "cancelled", "folded"
KINDS = ("session", "custom", "nudge", "weekly_summary", "missed_digest", "moved")
BUCKET_SECONDS = 3600

_indexed: weakref.WeakSet[Store] = weakref.WeakSet()


async def ensure_reminder_indexes(db: Db, *, hashed: bool = False) -> None:
    """Indexes this module relies on (idempotent). An engine with only hash indexes
    (``hashed``: the embedded one) keeps every indexed field of every document in
    memory and cannot use an index for a range or for the second field of a pair: there
    ``status`` stands alone, and ``due_at`` and ``short_id`` (found among the user's
    few reminders) are not indexed, which kept 100,000 reminders' start-up under 300 MB."""
    reminders = db.reminders
    await create_index(reminders, [("reminder_id", ASCENDING)], unique=True)
    await create_index(reminders, [("due_bucket", ASCENDING)])
    await create_index(reminders, [("user_id", ASCENDING)])
    pairs = [
        [("status", ASCENDING), ("due_at", ASCENDING)],
        [("short_id", ASCENDING), ("user_id", ASCENDING)],
    ]
    if hashed:
        await create_index(reminders, [("status", ASCENDING)])
        existing = await reminders.index_information()
        for keys in pairs:
            name = "_".join(f"{field}_{direction}" for field, direction in keys)
            if name in existing:
                await reminders.drop_index(name)
    else:
        for keys in pairs:
            await create_index(reminders, keys)
    await create_index(db.schedules, [("ends_bucket", ASCENDING)])


async def ensure_indexes_once(store: Store) -> None:
    if store not in _indexed:
        hashed = store.engine.kind is not EngineKind.MONGODB
        await store.run(ensure_reminder_indexes, store.db, hashed=hashed)
        _indexed.add(store)


def bucket_of(instant: datetime) -> int:
    return int(as_utc(instant).timestamp() // BUCKET_SECONDS)


def buckets_between(start: datetime, end: datetime) -> list[int]:
    return list(range(bucket_of(start), bucket_of(end) + 1))


def short_id_of(reminder_id: str) -> str:
    return hashlib.sha256(reminder_id.encode()).hexdigest()[:10]


def due_fields(due_at: datetime) -> dict[str, Any]:
    """``due_at`` always moves together with its bucket."""
    due = as_utc(due_at)
    return {"due_at": due, "due_bucket": bucket_of(due)}


def new_reminder(
    *,
    reminder_id: str,
    kind: str,
    user_id: int,
    chat_id: int,
    due_at: datetime,
    tz: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A fresh pending reminder document (not stored)."""
    if kind not in KINDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    return {
        "reminder_id": reminder_id,
        "short_id": short_id_of(reminder_id),
        "kind": kind,
        "user_id": user_id,
        "chat_id": chat_id,
        "tz": tz,
        **due_fields(due_at),
        "status": PENDING,
        "rev": 0,
        "attempts": 0,
        "throttles": 0,
        "uncertain": 0,
        "snoozed": False,
        "snoozes": 0,
        "created_at": now,
        "payload": payload or {},
        **extra,
    }


def _clean(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored document as returned to callers: no ``_id``, UTC datetimes. (``_id`` is
    dropped here rather than by a projection: the embedded engine's
    ``find_one_and_update`` returns None when given one.)"""
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    for key in ("due_at", "lease_until", "sent_at", "created_at", "claimed_at"):
        if isinstance(doc.get(key), datetime):
            doc[key] = as_utc(doc[key])
    return doc


# ---- creating --------------------------------------------------------------------


async def insert_if_absent(store: Store, doc: dict[str, Any]) -> bool:
    """Store ``doc`` unless its ``reminder_id`` exists. True if it was inserted."""

    async def op() -> bool:
        try:
            result = await store.db.reminders.update_one(
                {"reminder_id": doc["reminder_id"]}, {"$setOnInsert": doc}, upsert=True
            )
        except DuplicateKeyError:
            return False
        return result.upserted_id is not None

    return await store.run(op)


async def insert_many_if_absent(store: Store, docs: list[dict[str, Any]]) -> int:
    """Bulk form of `insert_if_absent` (unordered; existing ids are skipped)."""
    if not docs:
        return 0

    async def op() -> int:
        try:
            return len((await store.db.reminders.insert_many(docs, ordered=False)).inserted_ids)
        except BulkWriteError as exc:
            return int(exc.details.get("nInserted", 0))

    return await store.run(op)


async def write_reconciled(store: Store, writes: list[UpdateOne | UpdateMany]) -> int:
    """Send `scheduler.reconcile_writes`' batch: conditional writes in order, in one
    command. Returns how many reminders were inserted. Should another writer insert
    one of the new reminders first, the batch stops at that duplicate key and is sent
    once more: each of its writes is guarded by the state it changes, so what was done
    is not done again."""
    if not writes:
        return 0

    async def op() -> int:
        try:
            return (await store.db.reminders.bulk_write(writes, ordered=True)).upserted_count
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise
        return (await store.db.reminders.bulk_write(writes, ordered=True)).upserted_count

    return await store.run(op)


# ---- reading ---------------------------------------------------------------------


def _due_filter(now: datetime, server_now: datetime) -> dict[str, Any]:
    """Pending and due by the caller's clock, or claimed with a lease expired by the
    lease clock (`storage.leases`)."""
    return {
        "$or": [
            {"status": PENDING, "due_at": {"$lte": now}},
            {"status": CLAIMED, "lease_until": {"$lte": server_now}},
        ]
    }


async def due_reminders(
    store: Store, now: datetime, *, lookback: timedelta | None, limit: int
) -> list[dict[str, Any]]:
    """Due pending reminders and expired claims, oldest first.

    ``lookback`` bounds how old a due time is looked at (the cheap periodic query);
    ``None`` scans everything (start-up catch-up).
    """

    async def op() -> list[dict[str, Any]]:
        query = _due_filter(now, await server_now_raw(store))
        if lookback is not None:
            query = {"due_bucket": {"$in": buckets_between(now - lookback, now)}, **query}
        cursor = store.db.reminders.find(query, {"_id": 0}).sort("due_at", ASCENDING).limit(limit)
        return await cursor.to_list()

    return [d for d in (_clean(doc) for doc in await store.run(op)) if d is not None]


async def stream_due_reminders(
    store: Store, now: datetime, *, lookback: timedelta | None, batch: int
) -> AsyncIterator[list[dict[str, Any]]]:
    """`due_reminders` through one cursor, ``batch`` documents per storage call: the
    start-up scan of a large collection neither holds every due reminder in memory nor
    keeps the store busy for one long call (a user's message waits for one batch)."""

    async def open_cursor() -> Any:
        query = _due_filter(now, await server_now_raw(store))
        if lookback is not None:
            query = {"due_bucket": {"$in": buckets_between(now - lookback, now)}, **query}
        return (
            store.db.reminders.find(query, {"_id": 0}).sort("due_at", ASCENDING).batch_size(batch)
        )

    cursor = await store.run(open_cursor)
    try:
        while True:
            docs = await store.run(cursor.to_list, batch)
            cleaned = [d for d in (_clean(doc) for doc in docs) if d is not None]
            if cleaned:
                yield cleaned
            if len(docs) < batch:
                return
    finally:
        await store.run(cursor.close)


async def next_due_at(store: Store, now: datetime, horizon: timedelta) -> datetime | None:
    """The earliest pending due time within ``horizon`` from now (for arming a timer)."""
    query = {
        "due_bucket": {"$in": buckets_between(now, now + horizon)},
        "status": PENDING,
        "due_at": {"$lte": now + horizon},
    }

    async def op() -> datetime | None:
        doc = await store.db.reminders.find_one(
            query, {"_id": 0, "due_at": 1}, sort=[("due_at", ASCENDING)]
        )
        return None if doc is None else as_utc(doc["due_at"])

    return await store.run(op)


async def get_reminder(store: Store, reminder_id: str) -> dict[str, Any] | None:
    doc = await store.run(store.db.reminders.find_one, {"reminder_id": reminder_id}, {"_id": 0})
    return _clean(doc)


async def find_by_short_id(store: Store, user_id: int, short_id: str) -> dict[str, Any] | None:
    """The user's reminder with this button id; another user's is never found."""
    doc = await store.run(
        store.db.reminders.find_one, {"short_id": short_id, "user_id": user_id}, {"_id": 0}
    )
    return _clean(doc)


async def user_reminders(
    store: Store, user_id: int, statuses: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"user_id": user_id}
    if statuses is not None:
        query["status"] = {"$in": list(statuses)}

    async def op() -> list[dict[str, Any]]:
        return await store.db.reminders.find(query, {"_id": 0}).sort("due_at", ASCENDING).to_list()

    return [d for d in (_clean(doc) for doc in await store.run(op)) if d is not None]


async def status_counts(store: Store) -> dict[str, int]:
    """How many reminders are in each status (by the status index: the embedded
    engine's ``$group`` is far slower)."""

    async def op() -> dict[str, int]:
        statuses = (PENDING, CLAIMED, SENT, FAILED, CANCELLED, FOLDED)
        counts = {s: await store.db.reminders.count_documents({"status": s}) for s in statuses}
        return {s: n for s, n in counts.items() if n}

    return await store.run(op)


# ---- compare-and-set writes --------------------------------------------------------


async def compare_and_set(
    store: Store,
    doc: dict[str, Any],
    fields: dict[str, Any],
    *,
    inc: dict[str, int] | None = None,
    holder: str | None = None,
) -> dict[str, Any] | None:
    """Apply ``fields`` if the reminder is unchanged since ``doc`` was read
    (same ``rev``, and still claimed by ``holder`` when given). Returns the new
    document, or None if someone else changed it first."""
    guard: dict[str, Any] = {"reminder_id": doc["reminder_id"], "rev": doc["rev"]}
    if holder is not None:
        guard["claimed_by"] = holder
    update: dict[str, Any] = {"$inc": {"rev": 1, **(inc or {})}}
    if fields:
        update["$set"] = fields

    async def op() -> dict[str, Any] | None:
        return await store.db.reminders.find_one_and_update(
            guard, update, return_document=ReturnDocument.AFTER
        )

    return _clean(await store.run(op))


async def cancel_pending(
    store: Store,
    user_id: int,
    *,
    kinds: Iterable[str],
    reason: str,
    except_version: int | None = None,
) -> int:
    """Cancel a user's pending reminders of these kinds (optionally all but one plan
    version's), in one multi-document update where each document is guarded by its
    status."""
    query: dict[str, Any] = {"user_id": user_id, "status": PENDING, "kind": {"$in": list(kinds)}}
    if except_version is not None:
        query["version"] = {"$ne": except_version}
    update = {"$set": {"status": CANCELLED, "cancel_reason": reason}, "$inc": {"rev": 1}}

    async def op() -> int:
        return (await store.db.reminders.update_many(query, update)).modified_count

    return await store.run(op)


async def snooze(
    store: Store, user_id: int, short_id: str, due_at: datetime
) -> dict[str, Any] | None:
    """Move one of the user's reminders (sent, or already snoozed and pending) to a new
    time. Only this occurrence moves; no other reminder is touched."""
    guard = {"short_id": short_id, "user_id": user_id, "status": {"$in": [SENT, PENDING]}}
    update = {
        "$set": {**due_fields(due_at), "status": PENDING, "snoozed": True, "attempts": 0},
        "$inc": {"rev": 1, "snoozes": 1},
    }

    async def op() -> dict[str, Any] | None:
        return await store.db.reminders.find_one_and_update(
            guard, update, return_document=ReturnDocument.AFTER
        )

    return _clean(await store.run(op))


# ---- what reminders are computed from ---------------------------------------------


async def last_activity_at(store: Store, user_id: int) -> datetime | None:
    """When the user last did something for their plan (written by the progress
    feature to ``user_progress.last_activity_at``), if known."""
    doc = await store.run(
        store.db.user_progress.find_one, {"user_id": user_id}, {"last_activity_at": 1}
    )
    value = (doc or {}).get("last_activity_at")
    return as_utc(value) if isinstance(value, datetime) else None


async def plan_created_at(store: Store, user_id: int, version: int) -> datetime | None:
    doc = await store.run(
        store.db.learning_plans.find_one,
        {"user_id": user_id, "version": version},
        {"created_at": 1},
    )
    value = (doc or {}).get("created_at")
    return as_utc(value) if isinstance(value, datetime) else None


async def users_by_id(store: Store, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(user_ids))

    async def op() -> dict[int, dict[str, Any]]:
        cursor = store.db.users.find({"user_id": {"$in": ids}}, {"_id": 0})
        return {int(d["user_id"]): dict(d) async for d in cursor}

    return await store.run(op) if ids else {}


async def set_reminder_fields(store: Store, user_id: int, fields: dict[str, Any]) -> None:
    """``$set`` settings under ``reminders.*`` in the users document (created if absent)."""
    now = store.clock()
    update = {
        "$set": {f"reminders.{k}": v for k, v in fields.items()},
        "$setOnInsert": {"user_id": user_id, "created_at": now},
    }
    await store.run(store.db.users.update_one, {"user_id": user_id}, update, upsert=True)


async def add_custom_rule(store: Store, user_id: int, rule: dict[str, Any], *, limit: int) -> str:
    """Add a recurring-reminder rule unless it exists or the user has ``limit`` rules.
    Returns "added", "exists" or "full"."""
    now = store.clock()

    async def op() -> str:
        db = store.db.users
        guard = {
            "user_id": user_id,
            "reminders.custom.id": {"$ne": rule["id"]},
            f"reminders.custom.{limit - 1}": {"$exists": False},
        }
        update = {
            "$push": {"reminders.custom": rule},
            "$setOnInsert": {"created_at": now},
        }
        try:  # one write: an upsert whose guard fails on an existing user collides
            result = await db.update_one(guard, update, upsert=True)
        except DuplicateKeyError:
            result = None
        if result is not None and (result.modified_count == 1 or result.upserted_id):
            return "added"
        if await db.find_one({"user_id": user_id, "reminders.custom.id": rule["id"]}, {"_id": 1}):
            return "exists"
        return "full"

    return await store.run(op)
