"""The graph's checkpointer: MongoDB with MONGODB_URI, else SQLite in the data directory."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, closing, contextmanager
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.memory import InMemorySaver

from storage.checkpoints import TurnCache, open_mongodb_saver
from storage.engine import Engine, EngineKind, open_engine_async


def _sqlite_saver() -> type[BaseCheckpointSaver]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    class InlineSqliteSaver(SqliteSaver):
        """LangGraph's SQLite saver (the same file and tables as its async one), with its
        synchronous calls made on the event loop instead of aiosqlite's thread. A turn is
        one read and one or two writes, each a statement or two on a local WAL file
        whose commit does not wait for the disk (``synchronous=NORMAL``): a fraction of a
        millisecond, less than the ten or so thread hops (each a wake-up of another
        thread and then of the loop) the async saver made of them."""

        async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
            return self.get_tuple(config)

        async def alist(
            self,
            config: RunnableConfig | None,
            *,
            filter: dict[str, Any] | None = None,
            before: RunnableConfig | None = None,
            limit: int | None = None,
        ) -> AsyncIterator[CheckpointTuple]:
            for found in self.list(config, filter=filter, before=before, limit=limit):
                yield found

        async def aput(
            self,
            config: RunnableConfig,
            checkpoint: Checkpoint,
            metadata: CheckpointMetadata,
            new_versions: ChannelVersions,
        ) -> RunnableConfig:
            return self.put(config, checkpoint, metadata, new_versions)

        async def aput_writes(
            self,
            config: RunnableConfig,
            writes: Sequence[tuple[str, Any]],
            task_id: str,
            task_path: str = "",
        ) -> None:
            self.put_writes(config, writes, task_id, task_path)

        async def adelete_thread(self, thread_id: str) -> None:
            self.delete_thread(thread_id)

    class TurnSqliteSaver(TurnCache, InlineSqliteSaver):
        """The embedded engine's checkpoints, read once per turn (`TurnCache`)."""

    return TurnSqliteSaver


@contextmanager
def _sqlite_checkpointer(path: Path) -> Iterator[BaseCheckpointSaver]:
    saver_type: Any = _sqlite_saver()
    with closing(sqlite3.connect(path, check_same_thread=False)) as conn:
        saver = saver_type(conn)
        saver.setup()  # WAL
        # With NORMAL, a commit is in the OS's hands at once, so it survives a kill -9 of
        # the process (only a power cut could lose the newest turns, as with the embedded
        # store itself), without an fsync per turn.
        conn.execute("PRAGMA synchronous=NORMAL")
        yield saver


@asynccontextmanager
async def open_checkpointer(
    *,
    mongodb_uri: str | None,
    data_dir: Path | None,
    memory: bool = False,
    engine: Engine | None = None,
) -> AsyncIterator[BaseCheckpointSaver]:
    """With ``engine`` on MongoDB, the checkpoints share its client (`storage.checkpoints`)."""
    if memory:
        yield InMemorySaver()
        return
    if engine is not None and engine.kind is EngineKind.MONGODB:
        yield await open_mongodb_saver(engine)
        return
    if mongodb_uri:
        own = await open_engine_async(mongodb_uri=mongodb_uri)
        try:
            yield await open_mongodb_saver(own)
        finally:
            await own.aclose()
        return
    assert data_dir is not None
    with _sqlite_checkpointer(data_dir / "checkpoints.sqlite") as saver:
        yield saver
