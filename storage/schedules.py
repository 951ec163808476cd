"""The `schedules` collection: a plan version's study sessions, stored in UTC.

One document per (user_id, plan_version, session_id). Replacing a version's
timetable upserts each session and bumps `sequence` only when its times change,
so calendar exports keep stable UIDs and a rising SEQUENCE.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from storage.models import StudySession
from storage.store import Store, as_utc


def _to_session(doc: dict[str, Any]) -> StudySession:
    doc = {k: v for k, v in doc.items() if k in StudySession.model_fields}
    doc["starts_at"] = as_utc(doc["starts_at"])
    doc["ends_at"] = as_utc(doc["ends_at"])
    return StudySession.model_validate(doc)


async def list_sessions(store: Store, user_id: int, plan_version: int) -> list[StudySession]:
    def op() -> list[dict[str, Any]]:
        cursor = store.db.schedules.find(
            {"user_id": user_id, "plan_version": plan_version}, {"_id": 0}
        ).sort("starts_at", ASCENDING)
        return list(cursor)

    return [_to_session(d) for d in await store.run(op)]


async def save_sessions(
    store: Store, user_id: int, plan_version: int, sessions: list[StudySession]
) -> list[StudySession]:
    """Store a version's sessions; returns them with the sequence numbers as stored."""
    now = store.clock()

    def op() -> None:
        keep = [s.session_id for s in sessions]
        for session in sessions:
            key = {
                "user_id": user_id,
                "plan_version": plan_version,
                "session_id": session.session_id,
            }
            fields = session.model_dump(exclude={"sequence"})
            existing = store.db.schedules.find_one(key, {"starts_at": 1, "ends_at": 1, "status": 1})
            changed = existing is not None and (
                as_utc(existing["starts_at"]) != session.starts_at
                or as_utc(existing["ends_at"]) != session.ends_at
                or existing.get("status") != session.status
            )
            update: dict[str, Any] = {
                "$set": {**fields, "updated_at": now},
                "$setOnInsert": {"created_at": now},
            }
            if changed:
                update["$inc"] = {"sequence": 1}
            else:
                update["$setOnInsert"]["sequence"] = session.sequence
            store.db.schedules.update_one(key, update, upsert=True)
        store.db.schedules.delete_many(
            {"user_id": user_id, "plan_version": plan_version, "session_id": {"$nin": keep}}
        )

    await store.run(op)
    return await list_sessions(store, user_id, plan_version)
