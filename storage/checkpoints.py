"""Conversation checkpoints on MongoDB: the engine's own client, failing as `StorageError`.

LangGraph's `MongoDBSaver` runs its sync client on a thread for each async call. This
subclass

* shares the engine's client (majority concerns, retryable writes, ``timeoutMS``)
  instead of opening a second, unconfigured one;
* is built off the event loop (its constructor lists and creates indexes);
* turns every driver error of the calls the graph makes into `StorageError`, so the
  user gets the "can't reach my storage" reply, not a generic one;
* keeps checkpoints in their own collections (``lg_checkpoints``,
  ``lg_checkpoint_writes``), indexed on ``thread_id``, and keeps only the newest
  checkpoints of a thread: every `PRUNE_EVERY` steps, all but the newest `KEEP`
  (and their writes) are deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.base import CheckpointTuple as Tuple
from langgraph.checkpoint.mongodb import MongoDBSaver
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import PyMongoError

from storage.engine import Engine, StorageError

CHECKPOINTS = "lg_checkpoints"
WRITES = "lg_checkpoint_writes"
KEEP = 2  # the newest, and the one before it (a resume may still read its writes)
PRUNE_EVERY = 8  # steps of a thread between prunes: at most KEEP + PRUNE_EVERY are kept


def _storage_error(exc: PyMongoError) -> StorageError:
    return StorageError(f"conversation checkpoints: storage call failed: {exc}")


class StoredSaver(MongoDBSaver):
    async def aget_tuple(self, config: RunnableConfig) -> Tuple | None:
        try:
            return await super().aget_tuple(config)
        except PyMongoError as exc:
            raise _storage_error(exc) from exc

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Tuple]:
        try:
            async for item in super().alist(config, filter=filter, before=before, limit=limit):
                yield item
        except PyMongoError as exc:
            raise _storage_error(exc) from exc

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        try:
            stored = await super().aput(config, checkpoint, metadata, new_versions)
            if int(metadata.get("step") or 0) % PRUNE_EVERY == 0:
                await asyncio.to_thread(self.prune, stored)
        except PyMongoError as exc:
            raise _storage_error(exc) from exc
        return stored

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        try:
            await super().aput_writes(config, writes, task_id, task_path)
        except PyMongoError as exc:
            raise _storage_error(exc) from exc

    async def adelete_thread(self, thread_id: str) -> None:
        try:
            await super().adelete_thread(thread_id)
        except PyMongoError as exc:
            raise _storage_error(exc) from exc

    def prune(self, config: RunnableConfig) -> int:
        """Delete all but the newest `KEEP` checkpoints of the thread (and namespace)
        just written to, and their pending writes."""
        configurable = config["configurable"]
        scope = {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": configurable.get("checkpoint_ns", ""),
        }
        cursor = (
            self.checkpoint_collection.find(scope, {"checkpoint_id": 1, "_id": 0})
            .sort("checkpoint_id", DESCENDING)
            .skip(KEEP)
            .limit(1)
        )
        oldest_kept = next(iter(cursor), None)
        if oldest_kept is None:
            return 0
        older = {**scope, "checkpoint_id": {"$lte": oldest_kept["checkpoint_id"]}}
        self.writes_collection.delete_many(older)
        return self.checkpoint_collection.delete_many(older).deleted_count


def _open_saver(engine: Engine) -> StoredSaver:
    saver = StoredSaver(
        engine.client,
        db_name=engine.db.name,
        checkpoint_collection_name=CHECKPOINTS,
        writes_collection_name=WRITES,
    )
    saver.checkpoint_collection.create_index([("thread_id", ASCENDING)])
    saver.writes_collection.create_index([("thread_id", ASCENDING)])
    return saver


async def open_mongodb_saver(engine: Engine) -> StoredSaver:
    """The saver, built on a thread (its constructor talks to the server)."""
    try:
        return await asyncio.to_thread(_open_saver, engine)
    except PyMongoError as exc:
        raise StorageError(
            f"cannot prepare the conversation checkpoints in MongoDB: {exc}"
        ) from exc
