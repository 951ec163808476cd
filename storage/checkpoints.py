"""Conversation checkpoints on MongoDB: one document per thread, read and written once
per turn.

The graph keeps one thread per chat and only ever resumes from its latest checkpoint,
so `ThreadSaver` stores just that: the thread's newest checkpoint and the pending
writes that belong to it, in ONE document of ``lg_checkpoints`` (``_id`` = thread and
namespace, indexed on ``thread_id`` for /export and /forget, and on the chat lease's
``holder`` and ``queue.by`` for a restart). A new checkpoint replaces
the old one (nothing to prune); a turn that stops at an ``interrupt()`` also has pending
writes. LangGraph submits those two concurrently, so both are update pipeline stages
that keep the other's half: the writes are tagged with the checkpoint id they belong to
(``writes_for``), a checkpoint keeps the writes already tagged with its own id and drops
older ones, and writes for a new id replace older ones. Within `ThreadSaver.turn` they
wait and are made as one update of the thread (`_LatestSaver.batched`) when the turn's
run is over, before the service returns its replies: so a turn writes its thread once.

It implements LangGraph's `BaseCheckpointSaver` natively on pymongo's async API, on the
engine's `AsyncMongoClient` (majority concerns, retryable writes); each call is bounded
by the engine's timeout like every `storage.store.Store` call, and every driver error
— its set-up's included — becomes `StorageError`. Only the async methods exist (the
graph is only ever run with ``ainvoke``). `TurnCache` (mixed in here, and into the
embedded engine's SQLite saver by `agent.checkpoint`) lets the service read a thread
once per turn: inside `TurnCache.turn`, the tuple the service peeked at is handed to the
run. And the chat's thread is not even read once: the chat's lease take returned its
document (`storage.thread_lease`), which the first read is served from.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import pymongo
from bson import Binary
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.base import CheckpointTuple as Tuple
from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError

from storage.engine import Engine, StorageError
from storage.thread_lease import CHECKPOINTS, doc_id, held_thread, held_threads_of

# Where the previous saver (LangGraph's MongoDBSaver) kept pending writes: /forget still
# empties it of the thread, so nothing of a chat outlives it after an upgrade.
LEGACY_WRITES = "lg_checkpoint_writes"
# What /forget empties from a document the chat's lease still uses (`_LatestSaver._delete`).
CHECKPOINT_FIELDS = (
    "checkpoint_id",
    "parent_checkpoint_id",
    "type",
    "checkpoint",
    "metadata_type",
    "metadata",
    "writes",
    "writes_for",
)
T = TypeVar("T")

# The current turn's tuples by (thread, namespace); None outside a turn.
_TURN: ContextVar[dict[tuple[str, str], Tuple | None] | None] = ContextVar(
    "checkpoint_turn", default=None
)


class _Batch:
    """A turn's writes not yet made, by (thread, namespace): update stages, in order."""

    def __init__(self) -> None:
        self.stages: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.open = True


_BATCH: ContextVar[_Batch | None] = ContextVar("checkpoint_batch", default=None)


def _scope(config: RunnableConfig) -> tuple[str, str]:
    configurable = config["configurable"]
    return str(configurable["thread_id"]), str(configurable.get("checkpoint_ns", ""))


class TurnCache:
    """Mixin for a `BaseCheckpointSaver`: within `turn()`, a thread's latest tuple is read
    from storage once. `apeek_tuple` reads it and keeps it; the turn's next `aget_tuple`
    (the run's) takes that same object over, uncopied, and a write to the thread forgets
    it. Only safe while nothing else writes the thread: the service holds the chat's lock
    (and, on MongoDB, its lease) for the whole turn."""

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        token = _TURN.set({})
        try:
            yield
        finally:
            _TURN.reset(token)

    async def apeek_tuple(self, config: RunnableConfig) -> Tuple | None:
        """The thread's latest tuple, kept for the turn's run: the caller only reads it
        (the run changes it in place)."""
        found = await super().aget_tuple(config)  # type: ignore[misc]
        cache = _TURN.get()
        if cache is not None and not get_checkpoint_id(config):
            cache[_scope(config)] = found
        return found  # type: ignore[no-any-return]

    async def aget_tuple(self, config: RunnableConfig) -> Tuple | None:
        cache = _TURN.get()
        key = _scope(config)
        if cache is None or get_checkpoint_id(config) or key not in cache:
            return await super().aget_tuple(config)  # type: ignore[misc,no-any-return]
        return cache.pop(key)

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._forget(config)
        return await super().aput(config, checkpoint, metadata, new_versions)  # type: ignore[misc]

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._forget(config)
        await super().aput_writes(config, writes, task_id, task_path)  # type: ignore[misc]

    async def adelete_thread(self, thread_id: str) -> None:
        cache = _TURN.get()
        if cache is not None:
            cache.clear()
        await super().adelete_thread(thread_id)  # type: ignore[misc]

    @staticmethod
    def _forget(config: RunnableConfig) -> None:
        cache = _TURN.get()
        if cache is not None:
            cache.pop(_scope(config), None)


def _writes_of(doc: dict[str, Any], checkpoint_id: str) -> list[dict[str, Any]]:
    if doc.get("writes_for") != checkpoint_id:
        return []
    return list(doc.get("writes") or [])


class _LatestSaver(BaseCheckpointSaver[int]):
    """The latest checkpoint of each thread, with its pending writes, in one document."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.collection: AsyncCollection[dict[str, Any]] = engine.db[CHECKPOINTS]

    # ---- the storage calls (awaited through `_run`) ---------------------------------

    async def _find(self, thread_id: str, ns: str) -> dict[str, Any] | None:
        held = held_thread(thread_id, ns)
        doc = held.take_doc() if held is not None else None
        if doc is not None:  # what the chat's lease take returned: no find
            return doc
        return await self.collection.find_one({"_id": doc_id(thread_id, ns)})

    async def _update(self, thread_id: str, ns: str, stages: list[dict[str, Any]]) -> None:
        """One update of the thread's document: the stages in the order they were made
        (each one's result is the next one's input, as if they were separate updates)."""
        held = held_thread(thread_id, ns)
        if held is not None:
            held.written(stored=True if any("checkpoint" in s for s in stages) else None)
        await self.collection.update_one(
            {"_id": doc_id(thread_id, ns)}, [{"$set": s} for s in stages], upsert=True
        )

    async def _delete(self, thread_id: str) -> None:
        """The thread's documents go; one that a chat's lease or a queued update still
        uses (`storage.thread_lease`) is emptied instead, and goes with the lease."""
        for held in held_threads_of(thread_id):
            held.written(stored=False)
        idle = {"thread_id": thread_id, "holder": None, "queue.0": {"$exists": False}}
        await self.collection.delete_many(idle)
        await self.collection.update_many(
            {"thread_id": thread_id}, {"$unset": dict.fromkeys(CHECKPOINT_FIELDS, "")}
        )
        await self.engine.db[LEGACY_WRITES].delete_many({"thread_id": thread_id})

    async def setup(self) -> None:
        await self.collection.create_index([("thread_id", ASCENDING)])
        # A restarted instance finds its earlier boot's leases and queue entries by
        # these (`storage.chat_restart`).
        await self.collection.create_index([("holder", ASCENDING)])
        await self.collection.create_index([("queue.by", ASCENDING)])

    async def _run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Like `Store.run`: one deadline (the engine's timeout), `StorageError`."""
        timeout = self.engine.timeout_s
        try:
            if timeout is None:
                return await fn(*args)
            with pymongo.timeout(timeout):
                async with asyncio.timeout(timeout + 1.0):
                    return await fn(*args)
        except PyMongoError as exc:
            raise StorageError(f"conversation checkpoints: storage call failed: {exc}") from exc
        except TimeoutError as exc:
            if timeout is None:
                raise
            raise StorageError(
                f"conversation checkpoints: no answer within {timeout:.0f} s"
            ) from exc

    # ---- documents <-> tuples ------------------------------------------------------

    def _tuple(self, doc: dict[str, Any]) -> Tuple:
        thread_id, ns = doc["thread_id"], doc["checkpoint_ns"]
        checkpoint_id = doc["checkpoint_id"]
        parent = doc.get("parent_checkpoint_id")
        configurable = {"thread_id": thread_id, "checkpoint_ns": ns}
        return Tuple(
            config={"configurable": {**configurable, "checkpoint_id": checkpoint_id}},
            checkpoint=self.serde.loads_typed((doc["type"], doc["checkpoint"])),
            metadata=self.serde.loads_typed((doc["metadata_type"], doc["metadata"])),
            parent_config=(
                {"configurable": {**configurable, "checkpoint_id": parent}} if parent else None
            ),
            pending_writes=[
                (w["task_id"], w["channel"], self.serde.loads_typed((w["type"], w["value"])))
                for w in _writes_of(doc, checkpoint_id)
            ],
        )

    async def _get_tuple(self, config: RunnableConfig) -> Tuple | None:
        doc = await self._find(*_scope(config))
        if doc is None or "checkpoint" not in doc:
            return None
        wanted = get_checkpoint_id(config)
        if wanted and wanted != doc["checkpoint_id"]:
            return None  # only the latest checkpoint is kept
        return self._tuple(doc)

    def _checkpoint_stage(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata
    ) -> dict[str, Any]:
        thread_id, ns = _scope(config)
        checkpoint_id = checkpoint["id"]
        type_, blob = self.serde.dumps_typed(checkpoint)
        meta_type, meta = self.serde.dumps_typed(
            get_serializable_checkpoint_metadata(config, metadata)
        )
        mine = {"$eq": ["$writes_for", checkpoint_id]}
        return {
            "thread_id": {"$literal": thread_id},
            "checkpoint_ns": {"$literal": ns},
            "checkpoint_id": {"$literal": checkpoint_id},
            "parent_checkpoint_id": {"$literal": get_checkpoint_id(config)},
            "type": {"$literal": type_},
            "checkpoint": {"$literal": Binary(blob)},
            "metadata_type": {"$literal": meta_type},
            "metadata": {"$literal": Binary(meta)},
            "writes": {"$cond": [mine, {"$ifNull": ["$writes", []]}, []]},
            "writes_for": {"$literal": checkpoint_id},
        }

    def _writes_stage(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> dict[str, Any]:
        thread_id, ns = _scope(config)
        checkpoint_id = str(config["configurable"]["checkpoint_id"])
        new = []
        for index, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, index)
            type_, blob = self.serde.dumps_typed(value)
            new.append(
                {
                    "key": f"{task_id}:{idx}",
                    "task_id": task_id,
                    "task_path": task_path,
                    "idx": idx,
                    "channel": channel,
                    "type": type_,
                    "value": Binary(blob),
                }
            )
        keys = [w["key"] for w in new]
        kept = {
            "$filter": {
                "input": {"$ifNull": ["$writes", []]},
                "cond": {"$not": [{"$in": ["$$this.key", keys]}]},
            }
        }
        mine = {"$eq": ["$writes_for", checkpoint_id]}
        return {
            "thread_id": {"$literal": thread_id},
            "checkpoint_ns": {"$literal": ns},
            "writes": {
                "$cond": [mine, {"$concatArrays": [kept, {"$literal": new}]}, {"$literal": new}]
            },
            "writes_for": {"$literal": checkpoint_id},
        }

    # ---- BaseCheckpointSaver -------------------------------------------------------

    @asynccontextmanager
    async def batched(self) -> AsyncIterator[None]:
        """Within the block, a thread's writes wait, and are made as ONE update when the
        block ends (or before the thread is read): a turn that stops at an
        ``interrupt()`` writes its checkpoint and its pending writes together. The block
        must end before anything of the turn is acknowledged (its replies sent)."""
        batch = _Batch()
        token = _BATCH.set(batch)
        try:
            yield
        except Exception:
            # LangGraph saves what a failed run had reached, so does the batch; the
            # run's own error is the one to report.
            with contextlib.suppress(StorageError):
                await self._flush(batch)
            raise
        else:
            await self._flush(batch)
        finally:
            batch.open = False
            _BATCH.reset(token)

    async def _write(self, thread_id: str, ns: str, stage: dict[str, Any]) -> None:
        batch = _BATCH.get()
        if batch is None or not batch.open:
            await self._run(self._update, thread_id, ns, [stage])
            return
        batch.stages.setdefault((thread_id, ns), []).append(stage)

    async def _flush(self, batch: _Batch | None, only: tuple[str, str] | None = None) -> None:
        if batch is None:
            return
        for key in [only] if only is not None else list(batch.stages):
            stages = batch.stages.pop(key, None)
            if stages:
                await self._run(self._update, *key, stages)

    async def aget_tuple(self, config: RunnableConfig) -> Tuple | None:
        await self._flush(_BATCH.get(), _scope(config))
        return await self._run(self._get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Tuple]:
        """The thread's latest checkpoint (the only one kept), if it matches."""
        if config is None or limit == 0:
            return
        await self._flush(_BATCH.get(), _scope(config))
        found = await self._run(self._get_tuple, config)
        if found is None:
            return
        if before is not None and get_checkpoint_id(before):
            if found.config["configurable"]["checkpoint_id"] >= get_checkpoint_id(before):
                return
        if filter and any(found.metadata.get(k) != v for k, v in filter.items()):
            return
        yield found

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        thread_id, ns = _scope(config)
        await self._write(thread_id, ns, self._checkpoint_stage(config, checkpoint, metadata))
        return {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": ns,
                "checkpoint_id": checkpoint["id"],
            }
        }

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if not writes:
            return
        thread_id, ns = _scope(config)
        await self._write(thread_id, ns, self._writes_stage(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        batch = _BATCH.get()
        if batch is not None:  # what the thread was about to be written goes with it
            for key in [k for k in batch.stages if k[0] == str(thread_id)]:
                del batch.stages[key]
        await self._run(self._delete, str(thread_id))


class ThreadSaver(TurnCache, _LatestSaver):
    """`_LatestSaver` whose turns read each thread once and write it once."""

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with super().turn(), self.batched():
            yield


async def open_mongodb_saver(engine: Engine) -> ThreadSaver:
    """The saver, its index made (a `StorageError` if the server cannot be reached)."""
    saver = ThreadSaver(engine)
    try:
        await saver._run(saver.setup)
    except StorageError as exc:
        raise StorageError(
            f"cannot prepare the conversation checkpoints in MongoDB: {exc}"
        ) from exc
    return saver
