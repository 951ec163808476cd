"""Leases on reminders, judged by one clock: the database server's.

A claim is a lease: the holder may send the reminder until ``lease_until``; after
that, anyone may take it over. Two rules keep that exactly-once:

* The lease is computed **when the claim is written**, not when the tick that
  found the reminder started — a claim made late in a long tick is still a full
  lease.
* Expiry is judged by **the server's clock**, never an instance's: on MongoDB the
  claim is an update pipeline that sets ``lease_until = $$NOW + lease``, and "is it
  expired?" compares with the server's ``localTime`` (from ``hello``). Instances
  whose clocks disagree by more than a lease still agree on whose lease it is.
  The embedded engine is one process (its data directory is locked), so its clock
  is the store's own.

Holders are ``<instance id>/<boot id>`` (`instance_name`); ``instance`` alone is kept
in the document so that an instance restarted under the same id can release its own
stale leases at start-up instead of waiting them out. Chats' turn leases use the same
names (`storage.chat_turns`).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ReturnDocument

from storage.engine import EngineKind
from storage.store import Store, as_utc

CLAIMED = "claimed"
RECLAIM_NOTE = "lease expired: the previous attempt may have been delivered"


async def server_now_raw(store: Store) -> datetime:
    """The lease clock, read from inside a storage call (`Store.run` bounds it)."""
    if store.engine.kind is EngineKind.MONGODB:
        answer = await store.db.client.admin.command("hello")
        local = answer.get("localTime")
        if isinstance(local, datetime):
            return as_utc(local)
    return as_utc(store.clock())


_OFFSETS: dict[int, tuple[float, timedelta]] = {}
OFFSET_MAX_AGE_S = 30.0


async def server_now_cached(store: Store) -> datetime:
    """The lease clock without a round trip: the server's offset from this machine's
    clock, measured with `server_now_raw` at most every `OFFSET_MAX_AGE_S` (off by
    at most one round trip)."""
    if store.engine.kind is not EngineKind.MONGODB:
        return as_utc(store.clock())
    key = id(store.engine)
    known = _OFFSETS.get(key)
    if known is None or time.monotonic() - known[0] > OFFSET_MAX_AGE_S:
        offset = await server_now_raw(store) - datetime.now(UTC)
        known = (time.monotonic(), offset)
        _OFFSETS[key] = known
    return datetime.now(UTC) + known[1]


async def server_now(store: Store) -> datetime:
    return await store.run(server_now_raw, store)


def instance_id() -> str:
    """This instance's stable name: ``LEARNPLAN_INSTANCE_ID``, else the host name (one
    instance per host or container; set the variable when running several on one)."""
    return os.environ.get("LEARNPLAN_INSTANCE_ID") or socket.gethostname()


def instance_name() -> str:
    """A lease holder: the instance id and this boot (a new one per process and per
    dispatcher), ``<instance id>/<pid>-<random>``."""
    return f"{instance_id()}/{os.getpid()}-{uuid.uuid4().hex[:8]}"


def instance_of(holder: str) -> str:
    return holder.split("/", 1)[0]


def _literal(value: Any) -> Any:
    """A constant inside an update pipeline (a string starting with ``$`` would be
    read as a field path)."""
    return {"$literal": value}


async def claim(
    store: Store, doc: dict[str, Any], *, holder: str, lease: timedelta
) -> dict[str, Any] | None:
    """Take a due reminder for sending, if it is unchanged since ``doc`` was read
    (same ``rev``). Reclaiming an expired lease counts the earlier attempt as
    uncertain: its holder may have sent it before it stopped."""
    reclaim = doc["status"] == CLAIMED
    guard = {"reminder_id": doc["reminder_id"], "rev": doc["rev"]}
    fixed: dict[str, Any] = {
        "status": CLAIMED,
        "claimed_by": holder,
        "instance": instance_of(holder),
    }
    if reclaim:
        fixed["last_error"] = RECLAIM_NOTE

    async def on_mongodb() -> dict[str, Any] | None:
        stage: dict[str, Any] = {k: _literal(v) for k, v in fixed.items()}
        stage["claimed_at"] = "$$NOW"
        stage["lease_until"] = {"$add": ["$$NOW", int(lease.total_seconds() * 1000)]}
        stage["rev"] = {"$add": ["$rev", 1]}
        if reclaim:
            stage["uncertain"] = {"$add": [{"$ifNull": ["$uncertain", 0]}, 1]}
        return await store.db.reminders.find_one_and_update(
            guard, [{"$set": stage}], return_document=ReturnDocument.AFTER
        )

    async def embedded() -> dict[str, Any] | None:
        now = as_utc(store.clock())
        update: dict[str, Any] = {
            "$set": {**fixed, "claimed_at": now, "lease_until": now + lease},
            "$inc": {"rev": 1, **({"uncertain": 1} if reclaim else {})},
        }
        return await store.db.reminders.find_one_and_update(
            guard, update, return_document=ReturnDocument.AFTER
        )

    op = on_mongodb if store.engine.kind is EngineKind.MONGODB else embedded
    return _clean(await store.run(op))


def _clean(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    from storage.reminders import _clean as clean  # storage.reminders imports this module

    return clean(doc)


async def release_stale_leases(store: Store, holder: str) -> int:
    """Start-up: leases held under this instance id by an earlier boot end now (that
    process is gone). On the embedded engine every lease does: no other process
    can hold one."""

    async def op() -> int:
        now = await server_now_raw(store)
        query: dict[str, Any] = {"status": CLAIMED}
        if store.engine.kind is EngineKind.MONGODB:
            query |= {"instance": instance_of(holder), "claimed_by": {"$ne": holder}}
        result = await store.db.reminders.update_many(
            query, {"$set": {"lease_until": now}, "$inc": {"rev": 1}}
        )
        return result.modified_count

    return await store.run(op)
