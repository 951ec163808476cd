"""Engine selection: one pymongo-API database, whichever engine is behind it.

* ``MONGODB_URI`` set → a real MongoDB server through pymongo.
* otherwise → the embedded engine: litemongo, mongomock's query engine over one
  SQLite file per collection (WAL), persistent in the data directory.
* ``memory=True`` → litemongo's in-memory store, for unit tests.

The embedded engine's SQLite connections belong to the thread that opened them,
and its read-modify-write updates are only atomic within one process. So every
call goes through a single dedicated thread, and an exclusive lock file keeps a
second process off the same data directory. A real MongoDB gets a pool of
threads instead; its single-document updates are atomic server-side.

The MongoDB client is the sync ``MongoClient`` on that pool (the store's calls are
written against the sync API, shared with the embedded engine), configured to
fail safely: majority write and read concern, retryable writes and reads, and a
client-side operation timeout (``timeoutMS``, `LEARNPLAN_MONGODB_TIMEOUT_MS`,
default 10 s) that bounds every call, so a frozen server costs a user at most one
timeout, never a hung chat. The pool has more threads than the bot runs storage
calls at once, so calls never queue behind stalled ones; `Store.run` also bounds
the wait for each call by the same timeout. Opening and closing are blocking:
call them through `open_engine_async` / `Engine.aclose` on the event loop.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from pymongo.database import Database

DB_NAME = "learnplan"
DEFAULT_TIMEOUT_MS = 10_000
# Enough threads for every storage call the bot can have in flight at once (64
# concurrent updates, 16 reminder sends, the HTTP server), so none waits for a thread.
MONGODB_THREADS = 96


class StorageError(RuntimeError):
    """The store cannot be opened or used; the message is fit for an operator."""


class EngineKind(StrEnum):
    MONGODB = "mongodb"
    EMBEDDED = "embedded"
    MEMORY = "memory"


@dataclass
class Engine:
    kind: EngineKind
    client: Any
    db: Database
    executor: ThreadPoolExecutor
    location: str
    _lock: IO[str] | None = field(default=None, repr=False)
    timeout_s: float | None = None

    def close(self) -> None:
        try:
            if self.kind is not EngineKind.MEMORY:  # litemongo's memory store has no close()
                self.executor.submit(self.client.close).result(timeout=10)
        finally:
            # a call stuck on a frozen server ends at its timeout; don't wait for it here
            self.executor.shutdown(wait=self.kind is not EngineKind.MONGODB)
            if self._lock is not None:
                self._lock.close()

    async def aclose(self) -> None:
        """`close` off the event loop (closing a MongoDB client can take seconds)."""
        await asyncio.to_thread(self.close)


def _lock_data_dir(data_dir: Path) -> IO[str]:
    lock = open(data_dir / "learnplan.lock", "a+")
    try:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        lock.close()
        raise StorageError(
            f"another learnplan process is using the embedded store in {data_dir}; "
            "stop it, or set MONGODB_URI to share a MongoDB server between instances"
        ) from exc
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def _open_embedded(data_dir: Path) -> Engine:
    import litemongo

    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise StorageError(f"the data directory {data_dir} is not writable: {exc}") from exc
    lock = _lock_data_dir(data_dir)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="learnplan-db")
    path = str(data_dir / "mongo")

    def connect() -> Any:
        return litemongo.connect(path, tz_aware=True)

    try:
        client = executor.submit(connect).result()
    except Exception as exc:
        executor.shutdown()
        lock.close()
        raise StorageError(f"cannot open the embedded store in {data_dir}: {exc}") from exc
    return Engine(EngineKind.EMBEDDED, client, client[DB_NAME], executor, path, lock)


def _open_memory() -> Engine:
    import litemongo

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="learnplan-db")
    uri = f"mongodb://memory-{uuid.uuid4().hex}/?engine=memory"
    client = executor.submit(lambda: litemongo.connect(uri, tz_aware=True)).result()
    return Engine(EngineKind.MEMORY, client, client[DB_NAME], executor, "memory")


def mongo_client(uri: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Any:
    """A MongoDB client configured for the guarantees in the README: majority write
    and read concern (an acknowledged claim survives a failover), retryable writes
    and reads, every operation bounded by ``timeout_ms``. Options given in the URI
    take precedence."""
    from pymongo import MongoClient
    from pymongo.errors import ConfigurationError
    from pymongo.uri_parser import parse_uri

    try:
        given = {k.lower() for k in parse_uri(uri, validate=False)["options"]}
    except (ConfigurationError, ValueError) as exc:
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc
    options: dict[str, Any] = {
        "w": "majority",
        "readConcernLevel": "majority",
        "retryWrites": True,
        "retryReads": True,
        "timeoutMS": timeout_ms,
        "serverSelectionTimeoutMS": min(timeout_ms, 5000),
        "maxPoolSize": MONGODB_THREADS + 4,
    }
    options = {k: v for k, v in options.items() if k.lower() not in given}
    try:
        return MongoClient(uri, tz_aware=True, **options)
    except (ConfigurationError, ValueError, TypeError) as exc:
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc


def _open_mongodb(uri: str, timeout_ms: int) -> Engine:
    from pymongo.errors import ConfigurationError, PyMongoError

    client = mongo_client(uri, timeout_ms=timeout_ms)
    try:
        client.admin.command("ping")
        db = client.get_default_database(default=DB_NAME)
    except ConfigurationError as exc:
        client.close()
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc
    except PyMongoError as exc:
        client.close()
        raise StorageError(
            f"cannot reach the MongoDB server in MONGODB_URI within {timeout_ms} ms: {exc}"
        ) from exc
    executor = ThreadPoolExecutor(max_workers=MONGODB_THREADS, thread_name_prefix="learnplan-db")
    return Engine(EngineKind.MONGODB, client, db, executor, "mongodb", timeout_s=timeout_ms / 1000)


def open_engine(
    *,
    mongodb_uri: str | None = None,
    data_dir: Path | None = None,
    memory: bool = False,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Engine:
    """Open the engine (blocking: on the event loop use `open_engine_async`)."""
    if memory:
        return _open_memory()
    if mongodb_uri:
        return _open_mongodb(mongodb_uri, timeout_ms)
    if data_dir is None:
        raise StorageError("no data directory was given for the embedded store")
    return _open_embedded(data_dir)


async def open_engine_async(
    *,
    mongodb_uri: str | None = None,
    data_dir: Path | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Engine:
    """`open_engine` off the event loop: the start-up ping may wait for a server."""
    return await asyncio.to_thread(
        open_engine, mongodb_uri=mongodb_uri, data_dir=data_dir, timeout_ms=timeout_ms
    )
