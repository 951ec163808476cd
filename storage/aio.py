"""The embedded engine behind pymongo's async API.

The store is written once, against `AsyncDatabase` / `AsyncCollection` / `AsyncCursor`
(pymongo's native async client on MongoDB). litemongo is synchronous and its SQLite
connections belong to the thread that opened them, and its updates are atomic only
because nothing else runs beside them; so this façade runs every litemongo call on
the engine's one database thread and awaits it. It exposes the subset of the async API
the store uses, with the same shapes:

* coroutine methods: ``find_one``, ``insert_one``/``insert_many``, ``update_one``/
  ``update_many``, ``replace_one``, ``delete_one``/``delete_many``, ``find_one_and_*``,
  ``count_documents``, ``distinct``, ``bulk_write``, ``create_index``, ``drop``, …
  (any method of the litemongo collection, run on the thread);
* ``find(...)`` returns a cursor at once (``sort``/``skip``/``limit``/``batch_size``
  chain), read with ``await cursor.to_list(n)`` or ``async for``, in batches fetched on
  the thread, and closed with ``await cursor.close()``;
* ``await aggregate(...)`` and ``await list_indexes()`` return such a cursor.

Each call is atomic (the one thread runs it whole); a body of several awaited calls is
not: other coroutines' calls may run between them, exactly as on MongoDB. So store
bodies rely on guarded single-document updates, never on a read and a write in a row.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar

T = TypeVar("T")
BATCH = 200


class Thread:
    """The one database thread, awaited from the event loop."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))


class AsyncCursor:
    """A lazily built litemongo cursor: built and read on the database thread."""

    def __init__(self, thread: Thread, make: Callable[[], Any]) -> None:
        self._thread = thread
        self._make = make
        self._steps: list[tuple[str, tuple[Any, ...]]] = []
        self._cursor: Any = None
        self._buffer: list[Any] = []
        self._done = False

    def sort(self, *args: Any) -> Self:
        self._steps.append(("sort", args))
        return self

    def skip(self, count: int) -> Self:
        self._steps.append(("skip", (count,)))
        return self

    def limit(self, count: int) -> Self:
        self._steps.append(("limit", (count,)))
        return self

    def batch_size(self, count: int) -> Self:
        self._steps.append(("batch_size", (count,)))
        return self

    async def close(self) -> None:
        self._buffer, self._done = [], True
        if self._cursor is not None:
            cursor, self._cursor = self._cursor, None
            await self._thread.call(getattr(cursor, "close", lambda: None))

    def _open(self) -> Any:
        cursor = self._make()
        for name, args in self._steps:
            cursor = getattr(cursor, name)(*args)
        return cursor

    def _fetch(self, count: int | None) -> list[Any]:
        if self._cursor is None:
            self._cursor = iter(self._open())
        return list(itertools.islice(self._cursor, count))

    async def to_list(self, length: int | None = None) -> list[Any]:
        """The remaining documents (at most ``length``), as `AsyncCursor.to_list`."""
        out, self._buffer = self._buffer, []
        if not self._done and (length is None or len(out) < length):
            more = None if length is None else length - len(out)
            fetched = await self._thread.call(self._fetch, more)
            if more is None or len(fetched) < more:
                self._done = True
            out += fetched
        if length is not None and len(out) > length:
            out, self._buffer = out[:length], out[length:]
        return out

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Any:
        if not self._buffer and not self._done:
            self._buffer = await self._thread.call(self._fetch, BATCH)
            self._done = len(self._buffer) < BATCH
        if not self._buffer:
            raise StopAsyncIteration
        return self._buffer.pop(0)


class AsyncCollection:
    """A litemongo collection whose calls are awaited (see the module docstring)."""

    def __init__(self, thread: Thread, collection: Any) -> None:
        self._thread = thread
        self._sync = collection
        self.name: str = collection.name

    def find(self, *args: Any, **kwargs: Any) -> AsyncCursor:
        return AsyncCursor(self._thread, functools.partial(self._sync.find, *args, **kwargs))

    async def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any) -> AsyncCursor:
        docs = await self._thread.call(lambda: list(self._sync.aggregate(pipeline, **kwargs)))
        return AsyncCursor(self._thread, lambda: docs)

    async def list_indexes(self) -> AsyncCursor:
        docs = await self._thread.call(lambda: list(self._sync.list_indexes()))
        return AsyncCursor(self._thread, lambda: docs)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._sync, name)
        if not callable(method):
            return method  # type: ignore[no-any-return]

        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._thread.call(method, *args, **kwargs)

        return call


class AsyncDatabase:
    """A litemongo database whose collections and commands are awaited."""

    def __init__(self, thread: Thread, database: Any, client: AsyncClient) -> None:
        self._thread = thread
        self._sync = database
        self.name: str = database.name
        self.client = client

    def __getitem__(self, name: str) -> AsyncCollection:
        return AsyncCollection(self._thread, self._sync[name])

    def __getattr__(self, name: str) -> AsyncCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def get_collection(self, name: str) -> AsyncCollection:
        return self[name]

    async def list_collection_names(self) -> list[str]:
        return await self._thread.call(self._sync.list_collection_names)

    async def drop_collection(self, name: str) -> None:
        await self._thread.call(self._sync.drop_collection, name)

    async def command(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return await self._thread.call(self._sync.command, *args, **kwargs)


class AsyncClient:
    """A litemongo client: databases by name, ``admin``, and an awaited ``close``."""

    def __init__(self, thread: Thread, client: Any) -> None:
        self._thread = thread
        self.sync = client

    def __getitem__(self, name: str) -> AsyncDatabase:
        return AsyncDatabase(self._thread, self.sync[name], self)

    @property
    def admin(self) -> AsyncDatabase:
        return self["admin"]

    async def close(self) -> None:
        await self._thread.call(self.sync.close)
