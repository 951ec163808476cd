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

Mutual exclusion alone does not keep the chat's order: the receiver of a chat's first
message may take the lease after the receiver of its second one. So each instance
queues an update in the chat's document (``queue``: update id and expiry) before it
answers Telegram's webhook request, and a turn for update ``u`` takes the lease only
when no live entry of an earlier update is queued: turns run in the order their updates
were accepted. An entry expires after ``TURN_TTL`` (its receiver died before running it:
that update is lost anyway, and the chat waits at most that long). The document goes
when the last turn releases it with nothing else queued.

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


async def _queue(store: Store, chat_id: int, update_id: int, ttl: timedelta) -> None:
    now = await server_now_cached(store)
    entry = {"u": update_id, "exp": now + ttl}
    await store.db.chat_turns.update_one({"_id": chat_id}, {"$push": {"queue": entry}}, upsert=True)


async def queue_update(
    store: Store, chat_id: int, update_id: int, *, ttl: timedelta = TURN_TTL
) -> None:
    """Record that this instance accepted ``update_id`` of the chat: later updates'
    turns wait for its turn (MongoDB only). Call it before acknowledging the update."""
    if store.engine.kind is EngineKind.MONGODB:
        await store.run(_queue, store, chat_id, update_id, ttl)


async def _take(
    store: Store, chat_id: int, holder: str, ttl: timedelta, update_id: int | None
) -> bool:
    now = await server_now_cached(store)
    free: dict[str, Any] = {
        "_id": chat_id,
        "$or": [{"holder": holder}, {"holder": {"$exists": False}}, {"until": {"$lte": now}}],
    }
    if update_id is not None:  # no live entry of an earlier update queued
        free["queue"] = {"$not": {"$elemMatch": {"u": {"$lt": update_id}, "exp": {"$gt": now}}}}
    stage: dict[str, Any] = {
        "holder": {"$literal": holder},
        "until": {"$add": ["$$NOW", int(ttl.total_seconds() * 1000)]},
    }
    try:
        await store.db.chat_turns.update_one(free, [{"$set": stage}], upsert=True)
    except DuplicateKeyError:
        return False
    return True


async def _release(store: Store, chat_id: int, holder: str, update_id: int | None) -> None:
    """End the lease and dequeue the update. Usually one command: the document goes if
    nothing else live is queued (expired entries with it), else the lease and this
    entry do. The entry goes even if the lease ran out and another instance holds it."""
    now = await server_now_cached(store)
    others: dict[str, Any] = {"$exists": True} if update_id is None else {"$ne": update_id}
    idle = {"$not": {"$elemMatch": {"u": others, "exp": {"$gt": now}}}}
    mine = {"_id": chat_id, "holder": holder}
    if (await store.db.chat_turns.delete_one({**mine, "queue": idle})).deleted_count:
        return
    dequeue = {"$pull": {"queue": {"u": update_id}}} if update_id is not None else {}
    ended = await store.db.chat_turns.update_one(
        mine, {"$unset": {"holder": "", "until": ""}, **dequeue}
    )
    if not ended.matched_count and dequeue:
        await store.db.chat_turns.update_one({"_id": chat_id}, dequeue)


@asynccontextmanager
async def chat_turn(
    store: Store,
    chat_id: int,
    *,
    update_id: int | None = None,
    holder: str = HOLDER,
    ttl: timedelta = TURN_TTL,
) -> AsyncIterator[None]:
    """Hold the chat's lease for the duration of the block (MongoDB only); with
    ``update_id``, only once no earlier update of the chat is queued (`queue_update`),
    and dequeue it after. Within it, the turn's reads of one document are served again
    (`Store.turn_reads`)."""
    async with store.turn_reads():
        async with _lease(store, chat_id, holder, ttl, update_id):
            yield


@asynccontextmanager
async def _lease(
    store: Store, chat_id: int, holder: str, ttl: timedelta, update_id: int | None
) -> AsyncIterator[None]:
    if store.engine.kind is not EngineKind.MONGODB or chat_id in _HELD.get():
        yield
        return
    deadline = time.monotonic() + ttl.total_seconds() + 5
    while not await store.run(_take, store, chat_id, holder, ttl, update_id):
        if time.monotonic() > deadline:
            raise StorageError(f"chat {chat_id} stayed busy on another instance")
        await asyncio.sleep(RETRY_S)
    held = _HELD.set(_HELD.get() | {chat_id})
    try:
        yield
    finally:
        _HELD.reset(held)
        try:
            await asyncio.shield(store.run(_release, store, chat_id, holder, update_id))
        except StorageError as exc:  # the turn is done; the lease just runs out
            log.warning("could not release chat %s's turn lease: %s", chat_id, exc)
