"""Conversation checkpoints on MongoDB: a native async saver on the engine's client.

LangGraph's `MongoDBSaver` is synchronous (it runs its sync client on a thread for
each async call). This saver is written against pymongo's async API instead, in the
same document layout (so stored checkpoints stay readable), and

* shares the engine's `AsyncMongoClient` (majority concerns, retryable writes,
  ``timeoutMS``) instead of opening a second, unconfigured one;
* bounds every call by the engine's timeout (``pymongo.timeout``) and turns every
  driver error — its set-up's included — into `StorageError`, so the user gets the
  "can't reach my storage" reply, not a generic one, and start-up exits cleanly;
* keeps checkpoints in their own collections (``lg_checkpoints``,
  ``lg_checkpoint_writes``), indexed on ``thread_id``, and keeps only the newest
  checkpoints of a thread: every `PRUNE_EVERY` steps, all but the newest `KEEP`
  (and their writes) are deleted.

Only the async methods exist (the graph is only ever run with ``ainvoke``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pymongo
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    get_checkpoint_id,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.base import CheckpointTuple as Tuple
from langgraph.checkpoint.mongodb.utils import (
    _validate_filter,
    _validate_identifier,
    dumps_metadata,
    loads_metadata,
)
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import PyMongoError

from storage.engine import DEFAULT_TIMEOUT_MS, Engine, StorageError

CHECKPOINTS = "lg_checkpoints"
WRITES = "lg_checkpoint_writes"
KEEP = 2  # the newest, and the one before it (a resume may still read its writes)
PRUNE_EVERY = 8  # steps of a thread between prunes: at most KEEP + PRUNE_EVERY are kept
_CHECKPOINT_KEY = [("thread_id", 1), ("checkpoint_ns", 1), ("checkpoint_id", -1)]
_WRITES_KEY = [*_CHECKPOINT_KEY, ("task_id", 1), ("idx", 1)]


class StoredSaver(BaseCheckpointSaver[int]):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.db = engine.db
        self.checkpoint_collection = engine.db[CHECKPOINTS]
        self.writes_collection = engine.db[WRITES]
        self.timeout_s = engine.timeout_s or DEFAULT_TIMEOUT_MS / 1000

    @asynccontextmanager
    async def _bounded(self, what: str) -> AsyncIterator[None]:
        """One call of the graph: one deadline, and failures as `StorageError`."""
        try:
            with pymongo.timeout(self.timeout_s):
                async with asyncio.timeout(self.timeout_s + 1.0):
                    yield
        except PyMongoError as exc:
            raise StorageError(f"conversation checkpoints: {what} failed: {exc}") from exc
        except TimeoutError as exc:
            raise StorageError(
                f"conversation checkpoints: {what} did not finish within {self.timeout_s:.0f} s"
            ) from exc

    async def setup(self) -> None:
        """The indexes the queries rely on (idempotent)."""
        async with self._bounded("creating indexes"):
            await self.checkpoint_collection.create_index(_CHECKPOINT_KEY, unique=True)
            await self.writes_collection.create_index(_WRITES_KEY, unique=True)
            await self.checkpoint_collection.create_index([("thread_id", ASCENDING)])
            await self.writes_collection.create_index([("thread_id", ASCENDING)])

    async def _pending_writes(self, key: dict[str, Any]) -> list[tuple[str, str, Any]]:
        docs = await self.writes_collection.find(key).sort([("task_id", 1), ("idx", 1)]).to_list()
        return [
            (w["task_id"], w["channel"], self.serde.loads_typed((w["type"], w["value"])))
            for w in docs
        ]

    async def _tuple(self, doc: dict[str, Any]) -> Tuple:
        key = {
            "thread_id": doc["thread_id"],
            "checkpoint_ns": doc["checkpoint_ns"],
            "checkpoint_id": doc["checkpoint_id"],
        }
        parent = doc.get("parent_checkpoint_id")
        return Tuple(
            config={"configurable": dict(key)},
            checkpoint=self.serde.loads_typed((doc["type"], doc["checkpoint"])),
            metadata=loads_metadata(self.serde, doc["metadata"]),
            parent_config=({"configurable": {**key, "checkpoint_id": parent}} if parent else None),
            pending_writes=await self._pending_writes(key),
        )

    async def aget_tuple(self, config: RunnableConfig) -> Tuple | None:
        configurable = config["configurable"]
        query: dict[str, Any] = {
            "thread_id": _validate_identifier(configurable["thread_id"], "thread_id"),
            "checkpoint_ns": _validate_identifier(
                configurable.get("checkpoint_ns", ""), "checkpoint_ns"
            ),
        }
        checkpoint_id = _validate_identifier(
            get_checkpoint_id(config), "checkpoint_id", optional=True
        )
        if checkpoint_id:
            query["checkpoint_id"] = checkpoint_id
        async with self._bounded("reading"):
            docs = (
                await self.checkpoint_collection.find(query)
                .sort("checkpoint_id", DESCENDING)
                .limit(1)
                .to_list()
            )
            return await self._tuple(docs[0]) if docs else None

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Tuple]:
        query: dict[str, Any] = {}
        configurable = (config or {}).get("configurable", {})
        for name in ("thread_id", "checkpoint_ns"):
            if name in configurable:
                query[name] = _validate_identifier(configurable[name], name)
        if filter:
            _validate_filter(filter)
            for key, value in filter.items():
                query[f"metadata.{key}"] = dumps_metadata(self.serde, value)
        if before is not None:
            before_id = before["configurable"]["checkpoint_id"]
            query["checkpoint_id"] = {"$lt": _validate_identifier(before_id, "checkpoint_id")}
        async with self._bounded("listing"):  # read whole: the deadline is not the caller's
            cursor = self.checkpoint_collection.find(query).sort("checkpoint_id", DESCENDING)
            if limit:
                cursor = cursor.limit(limit)
            found = [await self._tuple(doc) for doc in await cursor.to_list()]
        for item in found:
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        configurable = config["configurable"]
        key = {
            "thread_id": _validate_identifier(configurable["thread_id"], "thread_id"),
            "checkpoint_ns": _validate_identifier(configurable["checkpoint_ns"], "checkpoint_ns"),
            "checkpoint_id": _validate_identifier(checkpoint["id"], "checkpoint id"),
        }
        parent = _validate_identifier(
            configurable.get("checkpoint_id"), "checkpoint_id", optional=True
        )
        type_, serialized = self.serde.dumps_typed(checkpoint)
        doc = {
            "parent_checkpoint_id": parent,
            "type": type_,
            "checkpoint": serialized,
            "metadata": dumps_metadata(self.serde, get_checkpoint_metadata(config, metadata)),
        }
        stored: RunnableConfig = {"configurable": dict(key)}
        async with self._bounded("saving"):
            await self.checkpoint_collection.update_one(key, {"$set": doc}, upsert=True)
            if int(metadata.get("step") or 0) % PRUNE_EVERY == 0:
                await self.prune(stored)
        return stored

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        configurable = config["configurable"]
        key = {
            "thread_id": _validate_identifier(configurable["thread_id"], "thread_id"),
            "checkpoint_ns": _validate_identifier(configurable["checkpoint_ns"], "checkpoint_ns"),
            "checkpoint_id": _validate_identifier(configurable["checkpoint_id"], "checkpoint_id"),
            "task_id": _validate_identifier(task_id, "task_id"),
            "task_path": _validate_identifier(task_path, "task_path"),
        }
        # replace existing writes only when they are all special (error, interrupt…) ones
        method = "$set" if all(w[0] in WRITES_IDX_MAP for w in writes) else "$setOnInsert"
        operations = []
        for idx, (channel, value) in enumerate(writes):
            type_, serialized = self.serde.dumps_typed(value)
            operations.append(
                UpdateOne(
                    {**key, "idx": WRITES_IDX_MAP.get(channel, idx)},
                    {method: {"channel": channel, "type": type_, "value": serialized}},
                    upsert=True,
                )
            )
        if not operations:
            return
        async with self._bounded("saving writes"):
            await self.writes_collection.bulk_write(operations)

    async def adelete_thread(self, thread_id: str) -> None:
        _validate_identifier(thread_id, "thread_id")
        async with self._bounded("deleting"):
            await self.checkpoint_collection.delete_many({"thread_id": thread_id})
            await self.writes_collection.delete_many({"thread_id": thread_id})

    async def prune(self, config: RunnableConfig) -> int:
        """Delete all but the newest `KEEP` checkpoints of the thread (and namespace)
        just written to, and their pending writes."""
        configurable = config["configurable"]
        scope = {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        }
        oldest_kept = (
            await self.checkpoint_collection.find(scope, {"checkpoint_id": 1, "_id": 0})
            .sort("checkpoint_id", DESCENDING)
            .skip(KEEP)
            .limit(1)
            .to_list()
        )
        if not oldest_kept:
            return 0
        older = {**scope, "checkpoint_id": {"$lte": oldest_kept[0]["checkpoint_id"]}}
        await self.writes_collection.delete_many(older)
        return (await self.checkpoint_collection.delete_many(older)).deleted_count


async def open_mongodb_saver(engine: Engine) -> StoredSaver:
    """The saver on the engine's client, its indexes made (a `StorageError` if not)."""
    saver = StoredSaver(engine)
    try:
        await saver.setup()
    except StorageError as exc:
        raise StorageError(
            f"cannot prepare the conversation checkpoints in MongoDB: {exc}"
        ) from exc
    return saver
