"""Engine selection: one database behind pymongo's async API, whichever engine it is.

* ``MONGODB_URI`` set → a real MongoDB server through pymongo's native
  `AsyncMongoClient`: no thread pool; every call is a coroutine on the event loop.
* otherwise → the embedded engine: litemongo, mongomock's query engine over one
  SQLite file per collection (WAL), persistent in the data directory.
* ``memory=True`` → litemongo's in-memory store, for unit tests.

Both litemongo kinds keep a hash index of every indexed field in memory; they build it
in `storage.lite_index`'s compact form (about a fifth of litemongo's own).

The store is written once against the async API (`AsyncDatabase`, `AsyncCollection`,
`AsyncCursor`). The embedded engine is synchronous, its SQLite connections belong to
the thread that opened them, and its read-modify-write updates are only atomic within
one process: `storage.aio` puts it behind the same async API by running every call on
a single dedicated thread, and an exclusive lock file keeps a second process off the
same data directory. A real MongoDB's single-document updates are atomic server-side.

The MongoDB client is configured to fail safely: majority write and read concern,
retryable writes and reads, and a client-side operation timeout (``timeoutMS``,
`LEARNPLAN_MONGODB_TIMEOUT_MS`, default 10 s) that bounds every call (`Store.run`
also bounds each store call, however many commands, by it), so a frozen or absent
server costs a user at most one timeout, never a hung chat, and the event loop keeps
running meanwhile. Opening (the start-up ping) and closing are coroutines
(`open_engine_async`, `Engine.aclose`); the sync `open_engine` opens only the
embedded and in-memory engines.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

from pymongo.asynchronous.database import AsyncDatabase

from storage import aio, lite_index

log = logging.getLogger(__name__)

DB_NAME = "learnplan"
DEFAULT_TIMEOUT_MS = 10_000
# Connections for every storage call the bot can have in flight at once (64 concurrent
# updates, 16 reminder sends, the HTTP server), so none waits for a connection.
MONGODB_POOL = 100


class StorageError(RuntimeError):
    """The store cannot be opened or used; the message is fit for an operator."""


class EngineKind(StrEnum):
    MONGODB = "mongodb"
    EMBEDDED = "embedded"
    MEMORY = "memory"


@dataclass
class Engine:
    """An open engine. ``db`` speaks pymongo's async API on every kind (on the embedded
    ones through `storage.aio`); ``thread`` is the embedded engine's database thread."""

    kind: EngineKind
    client: Any
    db: AsyncDatabase[dict[str, Any]]
    location: str
    thread: ThreadPoolExecutor | None = None
    _lock: IO[str] | None = field(default=None, repr=False)
    timeout_s: float | None = None

    async def aclose(self) -> None:
        """Close the client without blocking the event loop. On MongoDB it is bounded by
        the timeout: a frozen or gone server does not hold up shutdown."""
        if self.kind is EngineKind.MONGODB:
            try:
                await asyncio.wait_for(self.client.close(), (self.timeout_s or 10.0) + 1.0)
            except Exception as exc:  # shutting down: nothing left to do about it
                log.warning("closing the MongoDB client: %s", exc)
            return
        try:
            if self.kind is not EngineKind.MEMORY:  # litemongo's memory store has no close()
                await self.client.close()
        finally:
            await asyncio.to_thread(self._release)  # waits for the database thread

    def close(self) -> None:
        """Close an embedded or in-memory engine from synchronous code (tests, benches)."""
        if self.kind is EngineKind.MONGODB:
            raise RuntimeError("a MongoDB engine is closed with `await engine.aclose()`")
        try:
            if self.kind is not EngineKind.MEMORY and self.thread is not None:
                self.thread.submit(self.client.sync.close).result(timeout=10)
        finally:
            self._release()

    def _release(self) -> None:
        if self.thread is not None:
            self.thread.shutdown(wait=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None


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


def _embedded(
    kind: EngineKind,
    executor: ThreadPoolExecutor,
    sync_client: Any,
    where: str,
    lock: IO[str] | None = None,
) -> Engine:
    client = aio.AsyncClient(aio.Thread(executor), sync_client)
    db = cast("AsyncDatabase[dict[str, Any]]", client[DB_NAME])
    return Engine(kind, client, db, where, executor, lock)


def _open_embedded(data_dir: Path) -> Engine:
    import litemongo

    lite_index.install()

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
    return _embedded(EngineKind.EMBEDDED, executor, client, path, lock)


def _open_memory() -> Engine:
    import litemongo

    lite_index.install()

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="learnplan-db")
    uri = f"mongodb://memory-{uuid.uuid4().hex}/?engine=memory"
    client = executor.submit(lambda: litemongo.connect(uri, tz_aware=True)).result()
    return _embedded(EngineKind.MEMORY, executor, client, "memory")


def mongo_options(uri: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> dict[str, Any]:
    """The client options for the guarantees in the README: majority write and read
    concern (an acknowledged claim survives a failover), retryable writes and reads,
    every operation bounded by ``timeout_ms``. Options given in the URI take precedence."""
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
        "maxPoolSize": MONGODB_POOL,
    }
    return {k: v for k, v in options.items() if k.lower() not in given}


def mongo_client(uri: str, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Any:
    """The `AsyncMongoClient` for ``uri`` with `mongo_options` (it connects lazily)."""
    from pymongo import AsyncMongoClient
    from pymongo.errors import ConfigurationError

    options = mongo_options(uri, timeout_ms=timeout_ms)
    try:
        return AsyncMongoClient(uri, tz_aware=True, **options)
    except (ConfigurationError, ValueError, TypeError) as exc:
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc


async def _open_mongodb(uri: str, timeout_ms: int) -> Engine:
    from pymongo.errors import ConfigurationError, PyMongoError

    client = mongo_client(uri, timeout_ms=timeout_ms)
    try:
        db = client.get_default_database(default=DB_NAME)
        await asyncio.wait_for(client.admin.command("ping"), timeout_ms / 1000 + 1.0)
    except ConfigurationError as exc:
        await client.close()
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc
    except (PyMongoError, TimeoutError) as exc:
        await client.close()
        raise StorageError(
            f"cannot reach the MongoDB server in MONGODB_URI within {timeout_ms} ms: {exc}"
        ) from exc
    return Engine(EngineKind.MONGODB, client, db, "mongodb", timeout_s=timeout_ms / 1000)


def open_engine(*, data_dir: Path | None = None, memory: bool = False) -> Engine:
    """Open the embedded engine, or the in-memory one (blocking, briefly: it opens
    SQLite files). MongoDB is opened with `open_engine_async`."""
    if memory:
        return _open_memory()
    if data_dir is None:
        raise StorageError("no data directory was given for the embedded store")
    return _open_embedded(data_dir)


async def open_engine_async(
    *,
    mongodb_uri: str | None = None,
    data_dir: Path | None = None,
    memory: bool = False,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Engine:
    """Open the engine without blocking the event loop: MongoDB's start-up ping is
    awaited (bounded by the timeout), the embedded engine opens on a thread."""
    if mongodb_uri and not memory:
        return await _open_mongodb(mongodb_uri, timeout_ms)
    return await asyncio.to_thread(open_engine, data_dir=data_dir, memory=memory)
