"""Status and time changes of stored sessions (`storage.schedules` stores them).

Which version is scheduled (``active``), a module's sessions done or planned again, one
session skipped, missed or moved, and the sessions that just ended. Every change is a
guarded update — a single document, or one ``update_many`` whose filter guards each
document — never a read-modify-write; each change of a session raises its ``sequence``
so calendars update.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from storage.models import StudySession
from storage.schedules import SESSION_STATUSES, hour_bucket
from storage.store import Store


async def activate_schedule(store: Store, user_id: int, plan_version: int) -> None:
    """Mark ``plan_version`` as the user's scheduled version (and no other).

    The new version is activated before the others are deactivated: a crash (or a
    failed, non-retryable ``update_many``) in between leaves two active versions, never
    none, and both writes are idempotent, so the next call for the plan repairs it."""

    async def op() -> None:
        await store.db.schedules.update_many(
            {"user_id": user_id, "plan_version": plan_version, "active": {"$ne": True}},
            {"$set": {"active": True}},
        )
        await store.db.schedules.update_many(
            {"user_id": user_id, "plan_version": {"$ne": plan_version}, "active": True},
            {"$set": {"active": False}},
        )

    await store.run(op)


async def active_schedule_version(store: Store, user_id: int) -> int | None:
    """The version whose sessions are currently scheduled, if any."""
    doc = await store.run(
        store.db.schedules.find_one, {"user_id": user_id, "active": True}, {"plan_version": 1}
    )
    return None if doc is None else int(doc["plan_version"])


async def mark_module_sessions(
    store: Store, user_id: int, plan_version: int, module_id: str, status: str
) -> int:
    """Set the status of every session of a module — e.g. "done" when the user reports
    the module finished (or "planned" to take that back). Returns how many changed.

    Called by the progress feature; each session's sequence rises, so calendars
    update, and its pending reminder is dropped when it falls due.
    """
    if status not in SESSION_STATUSES:
        raise ValueError(f"unknown session status {status!r}")
    now = store.clock()

    async def op() -> int:
        result = await store.db.schedules.update_many(
            {
                "user_id": user_id,
                "plan_version": plan_version,
                "module_id": module_id,
                "status": {"$ne": status},
            },
            {"$set": {"status": status, "updated_at": now}, "$inc": {"sequence": 1}},
        )
        return result.modified_count

    return await store.write(("schedules",), op)


async def set_session_status(
    store: Store, user_id: int, plan_version: int, session_id: str, status: str, *, expected: str
) -> bool:
    """Change one session's status if it is still ``expected``."""
    now = store.clock()

    async def op() -> bool:
        result = await store.db.schedules.update_one(
            {
                "user_id": user_id,
                "plan_version": plan_version,
                "session_id": session_id,
                "status": expected,
            },
            {"$set": {"status": status, "updated_at": now}, "$inc": {"sequence": 1}},
        )
        return result.modified_count == 1

    return await store.run(op)


async def move_session(
    store: Store, user_id: int, plan_version: int, old: StudySession, new: StudySession
) -> bool:
    """Give a still-planned session new times, if it is unchanged since it was read."""
    now = store.clock()

    async def op() -> bool:
        result = await store.db.schedules.update_one(
            {
                "user_id": user_id,
                "plan_version": plan_version,
                "session_id": old.session_id,
                "status": "planned",
                "starts_at": old.starts_at,
                "ends_at": old.ends_at,
            },
            {
                "$set": {
                    "starts_at": new.starts_at,
                    "ends_at": new.ends_at,
                    "ends_bucket": hour_bucket(new.ends_at),
                    "updated_at": now,
                },
                "$inc": {"sequence": 1},
            },
        )
        return result.modified_count == 1

    return await store.run(op)


async def ended_unfinished(
    store: Store, cutoff: datetime, *, lookback: timedelta | None
) -> list[tuple[int, int]]:
    """(user_id, plan_version) of scheduled versions with a planned session that ended
    at or before ``cutoff`` — within ``lookback`` of it, or ever when ``None``."""
    query: dict[str, Any] = {"active": True, "status": "planned", "ends_at": {"$lte": cutoff}}
    if lookback is not None:
        first, last = hour_bucket(cutoff - lookback), hour_bucket(cutoff)
        query = {"ends_bucket": {"$in": list(range(first, last + 1))}, **query}

    async def op() -> list[tuple[int, int]]:
        cursor = store.db.schedules.find(query, {"_id": 0, "user_id": 1, "plan_version": 1})
        return sorted({(int(d["user_id"]), int(d["plan_version"])) async for d in cursor})

    return await store.run(op)


async def deactivate_schedule(store: Store, user_id: int, plan_version: int) -> None:
    await store.run(
        store.db.schedules.update_many,
        {"user_id": user_id, "plan_version": plan_version},
        {"$set": {"active": False}},
    )
