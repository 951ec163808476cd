"""One chat's turns never run at once, across instances: a short lease per chat.

Within one process `agent.service` already runs a chat's turns one at a time. With
several instances on one MongoDB, two messages of one chat may reach two instances;
each takes the chat's lease before the turn and releases it after. The lease lives on
the chat's conversation-thread document in ``lg_checkpoints`` (`storage.thread_lease`):
taking it is one findOneAndUpdate (an upsert) that also returns the thread's
checkpoint, which the checkpoint saver then needs not find; releasing it is one update.
The lease is written with the server's clock (``$$NOW + ttl``) and judged by it
(`storage.leases`), so a dead holder blocks the chat for at most ``ttl``, less if its
instance restarts first (`storage.chat_restart`). If another instance holds a live
lease, the upsert collides on ``_id`` and the taker waits and tries again.

The bot holds the lease until the turn's replies are sent, not just while the agent
runs: released earlier, the next message's turn could start on another instance and
its reply overtake this one's. (So a turn costs three commands of its own: the take,
the checkpoint's write before the replies, the release after them.) The lease is
re-entrant within one task (the agent service takes it again inside the bot's turn).

Mutual exclusion alone does not keep the chat's order: the receiver of a chat's first
message may take the lease after the receiver of its second one. So each instance
queues an update in the chat's document (``queue``: update id, expiry, its receiver's
holder name, the update itself) before it answers Telegram's webhook request, and a
turn for update ``u`` takes the lease (recording ``turn``: ``u``) only when no live
entry of an earlier update is queued: turns run in the order their updates were
accepted. An entry expires after ``TURN_TTL`` (its receiver died before running it: the
chat waits at most that long, and the update is lost unless the receiver's instance
restarts within it and runs it, `storage.chat_restart`); the release drops
expired entries with its own. The document stays with the checkpoint; one without a
checkpoint goes when the last turn releases it with nothing else queued.

The embedded engine is one process (its data directory is locked): nothing to do.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from storage.engine import EngineKind, StorageError
from storage.leases import instance_name, server_now_cached
from storage.store import Store
from storage.thread_lease import CHAT_NS, CHECKPOINTS, chat_doc_id, holding, taken

log = logging.getLogger(__name__)

HOLDER = instance_name()  # this process: its instance id (`storage.leases`) and boot
TURN_TTL = timedelta(seconds=90)  # longer than a turn (the LLM's timeout is 60 s)
RETRY_S = 0.05
_HELD: ContextVar[frozenset[int]] = ContextVar("chat_turns_held", default=frozenset())


def _turns(store: Store) -> AsyncCollection[dict[str, Any]]:
    return store.db[CHECKPOINTS]


def _thread_fields(chat_id: int) -> dict[str, Any]:
    """What a lease or a queue entry gives a document it creates: the thread's id, for
    /forget's ``thread_id`` index."""
    return {"thread_id": str(chat_id), "checkpoint_ns": CHAT_NS}


async def _queue(
    store: Store, chat_id: int, update_id: int, payload: str | None, holder: str, ttl: timedelta
) -> None:
    now = await server_now_cached(store)
    entry: dict[str, Any] = {"u": update_id, "exp": now + ttl, "by": holder}
    if payload is not None:
        entry["upd"] = payload
    await _turns(store).update_one(
        {"_id": chat_doc_id(chat_id)},
        {"$push": {"queue": entry}, "$setOnInsert": _thread_fields(chat_id)},
        upsert=True,
    )


async def queue_update(
    store: Store,
    chat_id: int,
    update_id: int,
    *,
    payload: str | None = None,
    holder: str = HOLDER,
    ttl: timedelta = TURN_TTL,
) -> None:
    """Record that this instance accepted ``update_id`` of the chat: later updates'
    turns wait for its turn (MongoDB only). Call it before acknowledging the update.
    ``payload`` (the update's JSON) lets this instance run it after a restart, should
    it die before its turn (`storage.chat_restart`)."""
    if store.engine.kind is EngineKind.MONGODB:
        await store.run(_queue, store, chat_id, update_id, payload, holder, ttl)


async def _take(
    store: Store, chat_id: int, holder: str, ttl: timedelta, update_id: int | None
) -> dict[str, Any] | None:
    """The chat's thread document with the lease taken, or None (another holds it)."""
    now = await server_now_cached(store)
    free: dict[str, Any] = {
        "_id": chat_doc_id(chat_id),
        "$or": [{"holder": holder}, {"holder": None}, {"until": {"$lte": now}}],
    }
    if update_id is not None:  # no live entry of an earlier update queued
        free["queue"] = {"$not": {"$elemMatch": {"u": {"$lt": update_id}, "exp": {"$gt": now}}}}
    stage: dict[str, Any] = {
        "holder": {"$literal": holder},
        "until": {"$add": ["$$NOW", int(ttl.total_seconds() * 1000)]},
        "turn": {"$literal": update_id},  # the update being run (`storage.chat_restart`)
        **{k: {"$literal": v} for k, v in _thread_fields(chat_id).items()},
    }
    try:
        doc: dict[str, Any] | None = await _turns(store).find_one_and_update(
            free, [{"$set": stage}], upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:
        return None
    return doc


async def _release(
    store: Store, chat_id: int, holder: str, update_id: int | None, stored: bool
) -> None:
    """End the lease and dequeue the update (expired entries with it), in one update of
    the thread's document; the entry goes even if the lease ran out and another
    instance holds it. A document without a checkpoint goes instead, if nothing else
    live is queued (a first turn that wrote nothing, or /forget)."""
    now = await server_now_cached(store)
    live: dict[str, Any] = {"$gt": ["$$this.exp", now]}
    if not stored:
        others: dict[str, Any] = {"$exists": True} if update_id is None else {"$ne": update_id}
        idle = {"$not": {"$elemMatch": {"u": others, "exp": {"$gt": now}}}}
        unused = {
            "_id": chat_doc_id(chat_id),
            "holder": holder,
            "queue": idle,
            "checkpoint": {"$exists": False},
        }
        if (await _turns(store).delete_one(unused)).deleted_count:
            return
    keep = live if update_id is None else {"$and": [live, {"$ne": ["$$this.u", update_id]}]}
    mine = {"$eq": ["$holder", holder]}
    stage = {
        "holder": {"$cond": [mine, None, "$holder"]},
        "until": {"$cond": [mine, None, "$until"]},
        "turn": {"$cond": [mine, None, "$turn"]},
        "queue": {"$filter": {"input": {"$ifNull": ["$queue", []]}, "cond": keep}},
    }
    await _turns(store).update_one({"_id": chat_doc_id(chat_id)}, [{"$set": stage}])


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
    while (doc := await store.run(_take, store, chat_id, holder, ttl, update_id)) is None:
        if time.monotonic() > deadline:
            raise StorageError(f"chat {chat_id} stayed busy on another instance")
        await asyncio.sleep(RETRY_S)
    thread = taken(doc)
    held = _HELD.set(_HELD.get() | {chat_id})
    try:
        with holding(chat_id, thread):
            yield
    finally:
        _HELD.reset(held)
        release = store.run(_release, store, chat_id, holder, update_id, thread.stored)
        try:
            await asyncio.shield(release)
        except StorageError as exc:  # the turn is done; the lease just runs out
            log.warning("could not release chat %s's turn lease: %s", chat_id, exc)
