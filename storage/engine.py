"""Engine selection: one pymongo-API database, whichever engine is behind it.

* ``MONGODB_URI`` set → a real MongoDB server through pymongo.
* otherwise → the embedded engine: litemongo, mongomock's query engine over one
  SQLite file per collection (WAL), persistent in the data directory.
* ``memory=True`` → litemongo's in-memory store, for unit tests.

The embedded engine's SQLite connections belong to the thread that opened them,
and its read-modify-write updates are only atomic within one process. So every
call goes through a single dedicated thread, and an exclusive lock file keeps a
second process off the same data directory. A real MongoDB gets a small pool
of threads instead; its single-document updates are atomic server-side.
"""

from __future__ import annotations

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

    def close(self) -> None:
        try:
            if self.kind is not EngineKind.MEMORY:  # litemongo's memory store has no close()
                self.executor.submit(self.client.close).result(timeout=10)
        finally:
            self.executor.shutdown(wait=True)
            if self._lock is not None:
                self._lock.close()


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


def _open_mongodb(uri: str) -> Engine:
    from pymongo import MongoClient
    from pymongo.errors import ConfigurationError, PyMongoError

    try:
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=5000
        )
        client.admin.command("ping")
        db = client.get_default_database(default=DB_NAME)
    except ConfigurationError as exc:
        raise StorageError(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc
    except PyMongoError as exc:
        raise StorageError(f"cannot reach the MongoDB server in MONGODB_URI: {exc}") from exc
    executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="learnplan-db")
    return Engine(EngineKind.MONGODB, client, db, executor, "mongodb")


def open_engine(
    *, mongodb_uri: str | None = None, data_dir: Path | None = None, memory: bool = False
) -> Engine:
    if memory:
        return _open_memory()
    if mongodb_uri:
        return _open_mongodb(mongodb_uri)
    if data_dir is None:
        raise StorageError("no data directory was given for the embedded store")
    return _open_embedded(data_dir)
