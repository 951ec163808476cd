"""The data layer: every collection, every query, behind async methods.

Written once against pymongo's async API (`storage.engine`: native on MongoDB, the
embedded engine behind `storage.aio`); every call goes through `Store.run`, which
bounds it by the engine's timeout and turns every driver failure into `StorageError`.
Every change is a single-document atomic update (``update_one``/
``find_one_and_update`` with a guarding filter) — never a read-modify-write — so
concurrent handlers and several instances on one MongoDB stay consistent.
"""

from __future__ import annotations

import asyncio
import copy
import sqlite3
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pymongo
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
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
# The user's latest plan versions' heads ({version, note, created_at}, oldest first, at
# most MAX_HISTORY), written with the version's activation: `storage.progress.plan_context`
# finds the lineage's root and the newest change there without reading every version.
PLAN_HEADS = "plan_heads"
# `touch_user` rewrites an unchanged user this often (keeps ``last_seen_at`` fresh, and
# recreates the document if another instance forgot the user meanwhile).
TOUCH_EVERY = timedelta(minutes=10)
SECRET_FIELDS = frozenset({"token_hash", "token", "secret"})
# Plan versions' documents kept in memory across turns (`Store.plan_doc`), newest used last.
PLAN_CACHE_SIZE = 64


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_FIELDS}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


def as_utc(value: datetime) -> datetime:
    """Stored datetimes are UTC; engines differ in whether they hand back tzinfo."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _plan_identity(user: dict[str, Any], version: int) -> tuple[Any, ...] | None:
    """What a kept plan document must match (`Store.plan_doc`): the version's
    ``created_at`` as the user's document lists it, and the user's zone; None when the
    version is not listed there."""
    for head in reversed(user.get(PLAN_HEADS) or []):
        if isinstance(head, dict) and head.get("version") == version:
            created = head.get("created_at")
            if isinstance(created, datetime):
                return as_utc(created), user.get("timezone")
    return None


Db = AsyncDatabase[dict[str, Any]]


async def create_index(
    collection: AsyncCollection[dict[str, Any]], keys: list[tuple[str, int]], **options: Any
) -> None:
    """``create_index`` unless an index of that name exists. The embedded engine checks a
    unique index against every document even when it exists: at start-up with 100,000
    reminders that was seconds before the bot could answer."""
    name = "_".join(f"{field}_{direction}" for field, direction in keys)
    if name not in await collection.index_information():
        await collection.create_index(keys, **options)


async def ensure_indexes(db: Db, *, hashed: bool = False) -> None:
    """Every collection's indexes; ``hashed``: the engine has only hash indexes (the
    embedded one, `storage.reminders.ensure_reminder_indexes`)."""
    await create_index(db.users, [("user_id", ASCENDING)], unique=True)
    await create_index(
        db.learning_plans, [("user_id", ASCENDING), ("version", ASCENDING)], unique=True
    )
    await create_index(db.user_progress, [("user_id", ASCENDING)], unique=True)
    await create_index(
        db.schedules,
        [("user_id", ASCENDING), ("plan_version", ASCENDING), ("session_id", ASCENDING)],
        unique=True,
    )
    await create_index(db.ical_tokens, [("token_hash", ASCENDING)], unique=True)
    await create_index(db.ical_tokens, [("user_id", ASCENDING)])
    await create_index(db.llm_cache, [("key", ASCENDING)], unique=True)
    await create_index(db.review_items, [("user_id", ASCENDING)], unique=True)
    from storage.reminders import ensure_reminder_indexes  # imports this module

    await ensure_reminder_indexes(db, hashed=hashed)


@dataclass(frozen=True)
class SavedPlan:
    """A plan version `Store.store_plan` just stored, and the user's document after it."""

    version: int
    created_at: datetime
    note: str
    user: dict[str, Any]


class TurnReads:
    """Documents one chat's turn has read (`Store.turn_reads`), served again from memory
    (a copy each time) until the turn's next other storage call. Any call that is not
    one of these reads — every write goes through `Store.run` — forgets them all, so a
    turn never sees its own writes' documents stale. Another writer (the reminder
    dispatcher, another instance) may change a document mid-turn; a turn that read it
    once would not see that either: the turn's guarded writes hold either way."""

    def __init__(self) -> None:
        self.docs: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.generation = 0
        self.open = True

    def forget(self, collections: tuple[str, ...] | None = None) -> None:
        """Forget every read (``None``), or those of these collections."""
        if collections is None:
            self.docs.clear()
        else:
            for key in [k for k in self.docs if k[0] in collections]:
                del self.docs[key]
        self.generation += 1


_TURN_READS: ContextVar[TurnReads | None] = ContextVar("store_turn_reads", default=None)


class Store:
    """Async façade over the pymongo database of one engine."""

    def __init__(self, engine: Engine, *, clock: Callable[[], datetime] | None = None) -> None:
        self.engine = engine
        self.db: Db = engine.db
        self.clock = clock or (lambda: datetime.now(UTC))
        # user_id → (chat_id, name, when) as last written by `touch_user`
        self._touched: dict[int, tuple[int, str | None, datetime]] = {}
        # (user_id, version) → (identity, document): see `plan_doc`
        self._plans: OrderedDict[tuple[int, int], tuple[tuple[Any, ...], dict[str, Any]]] = (
            OrderedDict()
        )

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Await one storage call: ``fn(*args, **kwargs)``, a coroutine function (an
        async collection method, or a body of several awaited commands). On MongoDB
        the whole call, however many commands, shares one deadline: the engine's
        timeout (``pymongo.timeout``, and an event-loop timeout just above it). Every
        failure but a duplicate key is a `StorageError`. Forgets the turn's reads
        (`TurnReads`): the call may write."""
        reads = _TURN_READS.get()
        if reads is not None:
            reads.forget()
        return await self._run(fn, *args, **kwargs)

    @asynccontextmanager
    async def turn_reads(self) -> AsyncIterator[None]:
        """Within the block (one chat's turn), `read_once` serves a document read again
        from memory (`TurnReads`). Re-entrant: an inner block shares the outer one's."""
        if _TURN_READS.get() is not None:
            yield
            return
        reads = TurnReads()
        token = _TURN_READS.set(reads)
        try:
            yield
        finally:
            reads.open = False
            _TURN_READS.reset(token)

    async def read_once(
        self, key: tuple[Any, ...], fn: Callable[[], Awaitable[dict[str, Any] | None]]
    ) -> dict[str, Any] | None:
        """``fn()``, one read of one document (without ``_id``), named ``key`` — served
        from the turn's reads if this turn has read it since its last other call."""
        reads = _TURN_READS.get()
        if reads is None or not reads.open:
            return await self._run(fn)
        if key not in reads.docs:
            generation = reads.generation
            doc = await self._run(fn)
            if reads.generation != generation:
                return doc
            reads.docs[key] = doc
        return copy.deepcopy(reads.docs[key])

    async def read_together(
        self,
        keys: tuple[tuple[Any, ...], ...],
        fn: Callable[[], Awaitable[dict[tuple[Any, ...], dict[str, Any] | None]]],
    ) -> None:
        """One read that answers several `read_once` keys (``fn`` returns each one's
        document without ``_id``, None for a missing one): the turn's next `read_once`
        of each is served from it. Does nothing outside a turn, or where the turn has
        already read one of ``keys``."""
        reads = _TURN_READS.get()
        if reads is None or not reads.open or any(k in reads.docs for k in keys):
            return
        generation = reads.generation
        docs = await self._run(fn)
        if reads.generation == generation:
            for key, doc in docs.items():
                reads.docs.setdefault(key, doc)

    async def write(
        self, collections: tuple[str, ...], fn: Callable[..., Awaitable[T]], *args: Any
    ) -> T:
        """`run` for a call that writes only to ``collections``: the turn's reads of
        other collections stay (`TurnReads`)."""
        reads = _TURN_READS.get()
        if reads is not None:
            reads.forget(collections)
        return await self._run(fn, *args)

    def remember(self, key: tuple[Any, ...], doc: dict[str, Any]) -> None:
        """A document as a write of this turn just returned it (without ``_id``): the
        turn's next `read_once` of ``key`` is served from it."""
        reads = _TURN_READS.get()
        if reads is not None and reads.open:
            reads.docs[key] = copy.deepcopy({k: v for k, v in doc.items() if k != "_id"})

    async def read(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """`run` for a call that only reads: the turn's reads stay (`TurnReads`)."""
        return await self._run(fn, *args, **kwargs)

    async def _run(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        timeout = self.engine.timeout_s
        try:
            if timeout is None:
                return await fn(*args, **kwargs)
            with pymongo.timeout(timeout):
                async with asyncio.timeout(timeout + 1.0):
                    return await fn(*args, **kwargs)
        except DuplicateKeyError:
            raise
        except (PyMongoError, sqlite3.Error) as exc:
            # sqlite3.Error: the embedded engine's file is locked, full or unwritable.
            raise StorageError(f"storage call failed: {exc}") from exc
        except TimeoutError as exc:
            if timeout is None:
                raise
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

        async def op() -> None:
            await self.db.users.update_one(
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
        """The user's document (without ``_id``); read once per turn (`read_once`)."""

        async def op() -> dict[str, Any] | None:
            return await self.db.users.find_one({"user_id": user_id}, {"_id": 0})

        return await self.read_once(("users", user_id), op)

    async def plan_doc(
        self, user_id: int, version: int, *, user: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """One stored plan version's document (without ``_id``); read once per turn.

        With ``user`` (the user's document, read in this turn) it is also served from
        memory across turns: a version's document is written once (`store_plan`), and
        the user's document lists the version's ``created_at`` (`PLAN_HEADS`), which
        tells it from a version of the same number stored again after /forget — on
        this instance or another. Its one later change, the goal's zone
        (`set_timezone`), comes with a change of the user's ``timezone``, which is part
        of what the kept document must match (`_plan_identity`)."""
        identity = None if user is None else _plan_identity(user, version)
        kept = self._plans.get((user_id, version))
        if identity is not None and kept is not None and kept[0] == identity:
            self._plans.move_to_end((user_id, version))
            return copy.deepcopy(kept[1])

        async def op() -> dict[str, Any] | None:
            return await self.db.learning_plans.find_one(
                {"user_id": user_id, "version": version}, {"_id": 0}
            )

        doc = await self.read_once(("learning_plans", user_id, version), op)
        if doc is not None and user is not None:
            self.keep_plan(user, doc)
        return doc

    def keep_plan(self, user: dict[str, Any], doc: dict[str, Any]) -> None:
        """Keep a plan version's document (as stored, without ``_id``) for `plan_doc`,
        if the user's document (``user``) lists that very version."""
        user_id, version = int(doc["user_id"]), int(doc["version"])
        identity = _plan_identity(user, version)
        if identity is None or identity[0] != as_utc(doc["created_at"]):
            return
        self._plans[(user_id, version)] = (identity, copy.deepcopy(doc))
        self._plans.move_to_end((user_id, version))
        while len(self._plans) > PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)

    def _forget_plans(self, user_id: int) -> None:
        for key in [k for k in self._plans if k[0] == user_id]:
            del self._plans[key]

    async def set_user_fields(self, user_id: int, fields: dict[str, Any]) -> None:
        await self.run(self.db.users.update_one, {"user_id": user_id}, {"$set": fields})

    # ---- plans -------------------------------------------------------------

    async def save_plan(self, user_id: int, plan: Plan, goal: Goal, *, note: str) -> int:
        """Store a new plan version and make it the active one. Returns the version."""
        return (await self.store_plan(user_id, plan, goal, note=note)).version

    async def store_plan(
        self,
        user_id: int,
        plan: Plan,
        goal: Goal,
        *,
        note: str,
        user_fields: dict[str, Any] | None = None,
    ) -> SavedPlan:
        """Store a new plan version and make it the active one (`save_plan`), returning
        what the save knows (`SavedPlan`); see `storage.plan_save.store_plan`."""
        from storage.plan_save import store_plan  # imports this module

        return await store_plan(self, user_id, plan, goal, note=note, user_fields=user_fields)

    async def active_plan(self, user_id: int) -> tuple[int, Plan, Goal] | None:
        user = await self.get_user(user_id)
        if not user or not user.get("active_plan_version"):
            return None
        doc = await self.plan_doc(user_id, int(user["active_plan_version"]), user=user)
        if doc is None:
            return None
        return (
            int(doc["version"]),
            Plan.model_validate(doc["plan"]),
            Goal.model_validate(doc["goal"]),
        )

    async def previous_version(self, user_id: int, version: int) -> int | None:
        async def op() -> int | None:
            doc = await self.db.learning_plans.find_one(
                {"user_id": user_id, "version": {"$lt": version}},
                sort=[("version", DESCENDING)],
            )
            return None if doc is None else int(doc["version"])

        return await self.run(op)

    async def activate_version(self, user_id: int, version: int, *, expected: int) -> bool:
        """Point the user at another stored version, only if the active one is still `expected`."""

        async def op() -> bool:
            result = await self.db.users.update_one(
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
        self._forget_plans(user_id)

        async def op() -> int | None:
            user = await self.db.users.find_one_and_update(
                {"user_id": user_id},
                {"$set": {"timezone": timezone}, "$setOnInsert": {"created_at": self.clock()}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
            version = (user or {}).get("active_plan_version")
            if not version:
                return None
            await self.db.learning_plans.update_one(
                {"user_id": user_id, "version": version}, {"$set": {"goal.timezone": timezone}}
            )
            return int(version)

        return await self.run(op)

    async def plan_versions(self, user_id: int) -> list[dict[str, Any]]:
        async def op() -> list[dict[str, Any]]:
            cursor = self.db.learning_plans.find(
                {"user_id": user_id}, {"_id": 0, "version": 1, "note": 1, "created_at": 1}
            ).sort("version", ASCENDING)
            return await cursor.to_list()

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

    async def _user_collections(self) -> list[str]:
        """Every collection that may hold a user's documents — including ones a later
        feature adds — except shared caches."""
        names = await self.db.list_collection_names()
        return sorted(n for n in names if not n.startswith("system.") and n not in NOT_USER_DATA)

    async def export_user(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every document of the user, by collection, without secrets (token hashes)."""

        async def op() -> dict[str, list[dict[str, Any]]]:
            found = {}
            for name in await self._user_collections():
                docs = await self.db[name].find({"user_id": user_id}, {"_id": 0}).to_list()
                if docs:
                    found[name] = [_without_secrets(d) for d in docs]
            return found

        return await self.run(op)

    async def forget_user(self, user_id: int) -> int:
        """Delete every document of the user in every collection; returns how many."""

        self._touched.pop(user_id, None)
        self._forget_plans(user_id)

        async def op() -> int:
            deleted = 0
            for name in await self._user_collections():
                for key in ("user_id", "chat_id"):
                    deleted += (await self.db[name].delete_many({key: user_id})).deleted_count
            return deleted

        return await self.run(op)
