"""The graph's checkpointer: MongoDB with MONGODB_URI, else SQLite in the data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from storage.checkpoints import open_mongodb_saver
from storage.engine import Engine, EngineKind, open_engine_async


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
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    assert data_dir is not None
    async with AsyncSqliteSaver.from_conn_string(str(data_dir / "checkpoints.sqlite")) as saver:
        await saver.setup()
        yield saver
