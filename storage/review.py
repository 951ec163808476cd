"""Review items per user: one document in `review_items`, changed by single-document
atomic updates only (new items are added only when absent; an answer updates an item only
if nobody updated it since it was read). /forget and /export cover it like every
collection holding `user_id`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.errors import BulkWriteError

from storage.store import Store, as_utc

COLLECTION = "review_items"  # its unique user_id index is made by `storage.store`


async def _ensure(store: Store, user_id: int) -> None:
    async def op() -> None:
        await store.db[COLLECTION].update_one(
            {"user_id": user_id},
            {"$setOnInsert": {"user_id": user_id, "items": {}, "polls": {}}},
            upsert=True,
        )

    await store.run(op)


async def add_items(store: Store, user_id: int, items: list[dict[str, Any]]) -> int:
    """Add items that are not there yet (by `id`); returns how many were added.

    One unordered batch: per item an upsert guarded by "this item is absent", so the
    first one also creates the document. Where the document exists and already holds
    the item, that upsert's insert collides with the unique ``user_id`` index: the item
    was there, not an error."""
    if not items:
        return 0
    writes = [
        UpdateOne(
            {"user_id": user_id, f"items.{item['id']}": {"$exists": False}},
            {
                "$set": {f"items.{item['id']}": item},
                "$setOnInsert": {"polls": {}},
            },
            upsert=True,
        )
        for item in items
    ]

    async def op() -> int:
        try:
            result = await store.db[COLLECTION].bulk_write(writes, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise
            return int(exc.details.get("nModified", 0)) + int(exc.details.get("nUpserted", 0))
        return result.modified_count + result.upserted_count

    return await store.run(op)


async def load_items(store: Store, user_id: int) -> list[dict[str, Any]]:
    doc = await store.run(store.db[COLLECTION].find_one, {"user_id": user_id}, {"_id": 0})
    return list(((doc or {}).get("items") or {}).values())


async def replace_item(store: Store, user_id: int, item: dict[str, Any], expected_rev: int) -> bool:
    """Store an answered item if its revision is still `expected_rev` (no lost update)."""
    path = f"items.{item['id']}"
    result = await store.run(
        store.db[COLLECTION].update_one,
        {"user_id": user_id, f"{path}.rev": expected_rev},
        {"$set": {path: item}},
    )
    return result.modified_count == 1


async def remember_poll(store: Store, user_id: int, poll_id: str, item_id: str) -> None:
    await _ensure(store, user_id)
    await store.run(
        store.db[COLLECTION].update_one,
        {"user_id": user_id},
        {"$set": {f"polls.{poll_id}": item_id}},
    )


async def answered_poll(
    store: Store, user_id: int, poll_id: str
) -> tuple[str | None, dict[str, Any] | None]:
    """For an answer to `poll_id`: (review item id, None) for one of the user's review
    polls — the mapping is removed, so it counts once — or (None, quiz poll meta) for one
    of their unanswered quiz polls, or (None, None). One trip to the database."""
    if not poll_id or "." in poll_id or poll_id.startswith("$"):
        return None, None

    async def op() -> tuple[str | None, dict[str, Any] | None]:
        review = await store.db[COLLECTION].find_one_and_update(
            {"user_id": user_id, f"polls.{poll_id}": {"$exists": True}},
            {"$unset": {f"polls.{poll_id}": ""}},
            {"_id": 0, f"polls.{poll_id}": 1},
        )
        if review is not None:
            return str(review["polls"][poll_id]), None
        doc = await store.db.user_progress.find_one(
            {"user_id": user_id, f"polls.{poll_id}.week": {"$exists": True}},
            {"_id": 0, f"polls.{poll_id}": 1},
        )
        poll = None if doc is None else (doc.get("polls") or {}).get(poll_id)
        return None, poll if isinstance(poll, dict) and "answer" not in poll else None

    return await store.run(op)


async def due_count(store: Store, user_id: int, now: datetime) -> int:
    """How many of the user's review items are due at `now` (their FSRS card's ``due``,
    stored as an ISO string by `agent.review`), for reminders that cannot import the
    agent. Items whose due time cannot be read are not counted."""
    due = 0
    for item in await load_items(store, user_id):
        card = item.get("card") if isinstance(item, dict) else None
        try:
            when = datetime.fromisoformat(str((card or {}).get("due")))
        except ValueError:
            continue
        if as_utc(when) <= now:
            due += 1
    return due
