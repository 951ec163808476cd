"""The graph's checkpointer: MongoDB with MONGODB_URI, else SQLite in the data directory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from storage.checkpoints import TurnCache, open_mongodb_saver
from storage.engine import Engine, EngineKind


def _sqlite_saver() -> type[BaseCheckpointSaver]:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    class TurnSqliteSaver(TurnCache, AsyncSqliteSaver):
        """The embedded engine's checkpoints, read once per turn (`TurnCache`)."""

    return TurnSqliteSaver


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
        from langgraph.checkpoint.mongodb import MongoDBSaver
        from pymongo import MongoClient

        client: MongoClient = MongoClient(mongodb_uri, serverSelectionTimeoutMS=5000)
        try:
            db_name = client.get_default_database(default="learnplan").name
            yield MongoDBSaver(client, db_name=db_name)
        finally:
            client.close()
        return
    assert data_dir is not None
    saver_type: Any = _sqlite_saver()
    async with saver_type.from_conn_string(str(data_dir / "checkpoints.sqlite")) as saver:
        await saver.setup()
        # WAL (set by setup) with NORMAL: a commit is in the OS's hands at once, so it
        # survives a kill -9 of the process (only a power cut could lose the newest
        # turns, as with the embedded store itself), without an fsync per turn.
        await saver.conn.execute("PRAGMA synchronous=NORMAL")
        yield saver
