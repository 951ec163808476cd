"""The data layer: every collection, every query, behind async methods.

Written once against the pymongo API. Calls run on the engine's executor so
the event loop never blocks. Every change is a single-document atomic update
(``update_one``/``find_one_and_update`` with a guarding filter) — never a
read-modify-write — so concurrent handlers and several instances on one
MongoDB stay consistent.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pymongo
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from storage.engine import Engine, EngineKind, StorageError
from storage.models import Goal, Plan

T = TypeVar("T")

# Shared caches, and the conversation checkpoints: those are keyed by thread
# (the chat), found by their thread_id index and deleted with the thread; the shared
# sending pace (`storage.pace`).
NOT_USER_DATA = frozenset(
    {
        "llm_cache",
        "lg_checkpoints",
        "lg_checkpoint_writes",
        "checkpoints",
        "checkpoint_writes",
        "pace",
    }
)
MAX_HISTORY = 100
# `touch_user` rewrites an unchanged user this often (keeps ``last_seen_at`` fresh, and
# recreates the document if another instance forgot the user meanwhile).
TOUCH_EVERY = timedelta(minutes=10)
SECRET_FIELDS = frozenset({"token_hash", "token", "secret"})


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def as_utc(value: datetime) -> datetime:
    """Stored datetimes are UTC; engines differ in whether they hand back tzinfo."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _bounded(timeout: float, call: Callable[[], T]) -> T:
    """One call whose pymongo operations share one deadline (client-side timeout)."""
    with pymongo.timeout(timeout):
        return call()


def create_index(collection: Collection, keys: list[tuple[str, int]], **options: Any) -> None:
    """``create_index`` unless an index of that name exists. The embedded engine checks a
    unique index against every document even when it exists: at start-up with 100,000
    reminders that was seconds before the bot could answer."""
    name = "_".join(f"{field}_{direction}" for field, direction in keys)
    if name not in collection.index_information():
        collection.create_index(keys, **options)


def ensure_indexes(db: Database, *, hashed: bool = False) -> None:
    """Every collection's indexes; ``hashed``: the engine has only hash indexes (the
    embedded one, `storage.reminders.ensure_reminder_indexes`)."""
    create_index(db.users, [("user_id", ASCENDING)], unique=True)
    create_index(db.learning_plans, [("user_id", ASCENDING), ("version", ASCENDING)], unique=True)
    create_index(db.user_progress, [("user_id", ASCENDING)], unique=True)
    create_index(
        db.schedules,
        [("user_id", ASCENDING), ("plan_version", ASCENDING), ("session_id", ASCENDING)],
        unique=True,
    )
    create_index(db.ical_tokens, [("token_hash", ASCENDING)], unique=True)
    create_index(db.ical_tokens, [("user_id", ASCENDING)])
    create_index(db.llm_cache, [("key", ASCENDING)], unique=True)
    create_index(db.review_items, [("user_id", ASCENDING)], unique=True)
    from storage.reminders import ensure_reminder_indexes  # imports this module

    ensure_reminder_indexes(db, hashed=hashed)


class Store:
    """Async façade over the pymongo database of one engine."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.db: Database = engine.db
        self.clock = clock or (lambda: datetime.now(UTC))
        # user_id → (chat_id, name, when) as last written by `touch_user`
        self._touched: dict[int, tuple[int, str | None, datetime]] = {}

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one storage call on the engine's threads. On MongoDB the whole call
        (however many commands) is bounded by the engine's timeout, and so is the
        wait for it. Every failure but a duplicate key is a `StorageError`."""
        loop = asyncio.get_running_loop()
        call = functools.partial(fn, *args, **kwargs)
        timeout = self.engine.timeout_s
        if timeout is not None:
            call = functools.partial(_bounded, timeout, call)
        try:
            work = loop.run_in_executor(self.engine.executor, call)
            if timeout is None:
                return await work
            return await asyncio.wait_for(work, timeout + 1.0)
        except DuplicateKeyError:
            raise
        except (PyMongoError, sqlite3.Error) as exc:
            # sqlite3.Error: the embedded engine's file is locked, full or unwritable.
            raise StorageError(f"storage call failed: {exc}") from exc
        except TimeoutError as exc:
            raise StorageError(f"storage call did not finish within {timeout:.0f} s") from exc

    async def setup(self) -> None:
        await self.run(ensure_indexes, self.db, hashed=self.engine.kind is not EngineKind.MONGODB)

    # ---- users -------------------------------------------------------------

    async def touch_user(self, user_id: int, chat_id: int, name: str | None) -> bool:
        """Create or update the user's document — only when something changed: a new
        chat or name, or ``last_seen_at`` older than `TOUCH_EVERY`. True if written."""
        now = self.clock()
        seen = self._touched.get(user_id)
        if seen is not None and seen[:2] == (chat_id, name) and now - seen[2] < TOUCH_EVERY:
            return False

        def op() -> None:
            self.db.users.update_one(
                {"user_id": user_id},
                {
                    "$set": {"chat_id": chat_id, "name": name, "last_seen_at": now},
                    "$setOnInsert": {
                        "user_id": user_id,
                        "created_at": now,
                        "plan_version": 0,
                        "active_plan_version": None,
                    },
                },
                upsert=True,
            )

        await self.run(op)
        if len(self._touched) >= 10_000:
            self._touched.clear()
        self._touched[user_id] = (chat_id, name, now)
        return True

    async def get_user(self, user_id: int) -> dict[str, Any] | None:
        return await self.run(self.db.users.find_one, {"user_id": user_id}, {"_id": 0})

    async def set_user_fields(self, user_id: int, fields: dict[str, Any]) -> None:
        await self.run(self.db.users.update_one, {"user_id": user_id}, {"$set": fields})

    # ---- plans -------------------------------------------------------------

    async def save_plan(self, user_id: int, plan: Plan, goal: Goal, *, note: str) -> int:
        """Store a new plan version and make it the active one. Returns the version.

        The version is pushed onto the user's undo history and the redo list is cleared
        (a new change drops the redo branch; see `storage.plan_history`)."""
        now = self.clock()

        def op() -> int:
            user = self.db.users.find_one_and_update(
                {"user_id": user_id},
                {"$inc": {"plan_version": 1}, "$setOnInsert": {"created_at": now}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            version = int(user["plan_version"])
            self.db.learning_plans.insert_one(
                {
                    "user_id": user_id,
                    "version": version,
                    "created_at": now,
                    "note": note,
                    "plan": plan.model_dump(mode="json"),
                    "goal": goal.model_dump(mode="json"),
                }
            )
            # only upwards: of two saves racing, the newer version ends up active; a
            # crash before this line leaves an inactive version the next save supersedes.
            # (A filter, not $max: the embedded engine's $max fails on a null field.)
            lower = [{"active_plan_version": None}, {"active_plan_version": {"$lt": version}}]
            self.db.users.update_one(
                {"user_id": user_id, "$or": lower},
                {
                    "$set": {"active_plan_version": version, "plan_redo": []},
                    "$push": {"plan_history": {"$each": [version], "$slice": -MAX_HISTORY}},
                    "$inc": {"history_rev": 1},
                },
            )
            return version

        return await self.run(op)

    async def active_plan(self, user_id: int) -> tuple[int, Plan, Goal] | None:
        def op() -> dict[str, Any] | None:
            user = self.db.users.find_one({"user_id": user_id})
            if not user or not user.get("active_plan_version"):
                return None
            return self.db.learning_plans.find_one(
                {"user_id": user_id, "version": user["active_plan_version"]}
            )

        doc = await self.run(op)
        if doc is None:
            return None
        return (
            int(doc["version"]),
            Plan.model_validate(doc["plan"]),
            Goal.model_validate(doc["goal"]),
        )

    async def previous_version(self, user_id: int, version: int) -> int | None:
        def op() -> int | None:
            doc = self.db.learning_plans.find_one(
                {"user_id": user_id, "version": {"$lt": version}},
                sort=[("version", DESCENDING)],
            )
            return None if doc is None else int(doc["version"])

        return await self.run(op)

    async def activate_version(self, user_id: int, version: int, *, expected: int) -> bool:
        """Point the user at another stored version, only if the active one is still `expected`."""

        def op() -> bool:
            result = self.db.users.update_one(
                {"user_id": user_id, "active_plan_version": expected},
                {"$set": {"active_plan_version": version}},
            )
            return result.modified_count == 1

        return await self.run(op)

    async def set_timezone(self, user_id: int, timezone: str) -> int | None:
        """Record the user's zone, and the active plan's, so sessions follow it.
        Returns the active plan version that was updated, if any.

        Two idempotent ``$set`` writes: after a crash between them, calling it again
        (the user repeats the zone) completes it. One chat's turns never run at once
        (`agent.service`), so two of these for one user do not interleave."""

        def op() -> int | None:
            user = self.db.users.find_one_and_update(
                {"user_id": user_id},
                {"$set": {"timezone": timezone}, "$setOnInsert": {"created_at": self.clock()}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            version = (user or {}).get("active_plan_version")
            if not version:
                return None
            self.db.learning_plans.update_one(
                {"user_id": user_id, "version": version}, {"$set": {"goal.timezone": timezone}}
            )
            return int(version)

        return await self.run(op)

    async def plan_versions(self, user_id: int) -> list[dict[str, Any]]:
        def op() -> list[dict[str, Any]]:
            cursor = self.db.learning_plans.find(
                {"user_id": user_id}, {"_id": 0, "version": 1, "note": 1, "created_at": 1}
            ).sort("version", ASCENDING)
            return list(cursor)

        return await self.run(op)

    # ---- LLM results, by a hash of their normalized inputs --------------------

    async def cache_get(self, key: str) -> dict[str, Any] | None:
        doc = await self.run(self.db.llm_cache.find_one, {"key": key})
        return None if doc is None else dict(doc["value"])

    async def cache_put(self, key: str, value: dict[str, Any]) -> None:
        now = self.clock()
        await self.run(
            self.db.llm_cache.update_one,
            {"key": key},
            {"$setOnInsert": {"key": key, "value": value, "created_at": now}},
            upsert=True,
        )

    # ---- the user's data as a whole -----------------------------------------

    def _user_collections(self) -> list[str]:
        """Every collection that may hold a user's documents — including ones a later
        feature adds — except shared caches."""
        names = self.db.list_collection_names()
        return sorted(n for n in names if not n.startswith("system.") and n not in NOT_USER_DATA)

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every document of the user, by collection, without secrets (token hashes)."""

        def op() -> dict[str, list[dict[str, Any]]]:
            found = {}
            for name in self._user_collections():
                docs = list(self.db[name].find({"user_id": user_id}, {"_id": 0}))
                if docs:
                    found[name] = [_without_secrets(d) for d in docs]
            return found

        return await self.run(op)

    async def forget_user(self, user_id: int) -> int:
        """Delete every document of the user in every collection; returns how many."""

        self._touched.pop(user_id, None)

        def op() -> int:
            return sum(
                self.db[name].delete_many({key: user_id}).deleted_count
                for name in self._user_collections()
                for key in ("user_id", "chat_id")
            )

        return await self.run(op)
