"""One chat's turns never run at once, across instances: a short lease per chat.

Within one process `agent.service` already runs a chat's turns one at a time. With
several instances on one MongoDB, two messages of one chat may reach two instances;
each takes the chat's lease document (``chat_turns``, ``_id`` = chat id) before the
turn and deletes it after. The lease is written with the server's clock
(``$$NOW + ttl``) and judged by it (`storage.leases`), so a dead holder blocks the
chat for at most ``ttl``. Taking it is one upsert: if another instance holds a live
lease, the upsert collides on ``_id`` and the taker waits and tries again.

The bot holds the lease until the turn's replies are sent, not just while the agent
runs: released earlier, the next message's turn could start on another instance and
its reply overtake this one's. The lease is re-entrant within one task (the agent
service takes it again inside the bot's turn).

The embedded engine is one process (its data directory is locked): nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from storage.engine import EngineKind, StorageError
from storage.leases import server_now_cached
from storage.store import Store

log = logging.getLogger(__name__)

HOLDER = f"{socket.gethostname()}/{os.getpid()}-{uuid.uuid4().hex[:8]}"
TURN_TTL = timedelta(seconds=90)  # longer than a turn (the LLM's timeout is 60 s)
RETRY_S = 0.05
_HELD: ContextVar[frozenset[int]] = ContextVar("chat_turns_held", default=frozenset())


async def _take(store: Store, chat_id: int, holder: str, ttl: timedelta) -> bool:
    now = await server_now_cached(store)
    free = {"_id": chat_id, "$or": [{"holder": holder}, {"until": {"$lte": now}}]}
    stage: dict[str, Any] = {
        "holder": {"$literal": holder},
        "until": {"$add": ["$$NOW", int(ttl.total_seconds() * 1000)]},
    }
    try:
        await store.db.chat_turns.update_one(free, [{"$set": stage}], upsert=True)
    except DuplicateKeyError:
        return False
    return True


async def _release(store: Store, chat_id: int, holder: str) -> None:
    await store.db.chat_turns.delete_one({"_id": chat_id, "holder": holder})


@asynccontextmanager
async def chat_turn(
    store: Store, chat_id: int, *, holder: str = HOLDER, ttl: timedelta = TURN_TTL
) -> AsyncIterator[None]:
    """Hold the chat's lease for the duration of the block (MongoDB only); within it,
    the turn's reads of one document are served again (`Store.turn_reads`)."""
    async with store.turn_reads():
        async with _lease(store, chat_id, holder, ttl):
            yield


@asynccontextmanager
async def _lease(store: Store, chat_id: int, holder: str, ttl: timedelta) -> AsyncIterator[None]:
    if store.engine.kind is not EngineKind.MONGODB or chat_id in _HELD.get():
        yield
        return
    deadline = time.monotonic() + ttl.total_seconds() + 5
    while not await store.run(_take, store, chat_id, holder, ttl):
        if time.monotonic() > deadline:
            raise StorageError(f"chat {chat_id} stayed busy on another instance")
        await asyncio.sleep(RETRY_S)
    held = _HELD.set(_HELD.get() | {chat_id})
    try:
        yield
    finally:
        _HELD.reset(held)
        try:
            await asyncio.shield(store.run(_release, store, chat_id, holder))
        except StorageError as exc:  # the turn is done; the lease just runs out
            log.warning("could not release chat %s's turn lease: %s", chat_id, exc)
