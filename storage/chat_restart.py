"""Start-up: a restarted instance frees the chats its dead predecessor left busy.

A process killed mid-turn leaves, in its chats' thread documents (`storage.chat_turns`),
a lease (``holder``) and queue entries (``queue``: updates it had acknowledged) that
would block those chats until they expire (``TURN_TTL``, 90 s). Holders and entries name
their instance and boot (``<instance id>/<boot>``, `storage.leases.instance_name`), so an
instance restarted under the same ``LEARNPLAN_INSTANCE_ID``, before it serves updates,
ends what an earlier boot of its own left, with an update_many on ``holder`` and one on
``queue.by`` (both indexed, `storage.checkpoints.ThreadSaver.setup`), then reads back
the entries it took over (one find, when there were any):

* the lease is released;
* the entry of the update that lease was running (``turn``) is dropped: that turn may
  have stored its effect already (its checkpoint is written before its replies are
  sent), so running it again could apply the message twice; its replies may be lost;
* the other entries (acknowledged, never started) are re-stamped as this boot's, with a
  fresh expiry, and `release_own_turns` returns their updates for the bot to run now, in
  their order: acknowledged updates are not lost. An entry without its update (queued
  by an older version) is dropped.

Another instance's leases and entries, and this boot's, are left alone. On the embedded
engine there are no chat leases (one process): nothing to do.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from storage.chat_turns import HOLDER, TURN_TTL
from storage.engine import EngineKind
from storage.leases import instance_of
from storage.store import Store
from storage.thread_lease import CHECKPOINTS

log = logging.getLogger(__name__)


def _literal(value: Any) -> dict[str, Any]:
    return {"$literal": value}


def _bounds(holder: str) -> tuple[str, str]:
    """Every holder of ``holder``'s instance sorts in [low, high): ``"<id>/…"`` ("0"
    follows "/"), a range an index answers on every engine, unlike a regular expression."""
    instance = instance_of(holder)
    return f"{instance}/", f"{instance}0"


def _earlier(field: str, holder: str) -> dict[str, Any]:
    """Whether ``field`` names an earlier boot of ``holder``'s instance (an expression)."""
    low, high = _bounds(holder)
    return {
        "$and": [
            {"$gte": [field, _literal(low)]},
            {"$lt": [field, _literal(high)]},
            {"$ne": [field, _literal(holder)]},
        ]
    }


def _takeover(holder: str, ttl: timedelta) -> list[dict[str, Any]]:
    held = _earlier("$holder", holder)
    ours = _earlier("$$this.by", holder)
    interrupted = {"$and": [held, {"$eq": ["$$this.u", "$turn"]}]}
    unreadable = {"$and": [ours, {"$eq": [{"$ifNull": ["$$this.upd", None]}, None]}]}
    kept = {
        "$filter": {
            "input": "$queue",
            "cond": {"$not": [{"$or": [interrupted, unreadable]}]},
        }
    }
    fresh = {"by": _literal(holder), "exp": {"$add": ["$$NOW", int(ttl.total_seconds() * 1000)]}}
    restamped = {
        "$map": {
            "input": kept,
            "in": {"$cond": [ours, {"$mergeObjects": ["$$this", fresh]}, "$$this"]},
        }
    }
    stage = {
        "queue": {"$cond": [{"$isArray": "$queue"}, restamped, "$$REMOVE"]},
        **{field: {"$cond": [held, None, f"${field}"]} for field in ("holder", "until", "turn")},
    }
    return [{"$set": stage}]


async def _release_own(store: Store, holder: str, ttl: timedelta) -> tuple[int, list[str]]:
    """One update_many per field, each answered by its index: an ``$or`` of the two, or
    a ``$ne`` beside the range, is a collection scan on SecantusDB (its explain). The
    pipeline itself leaves this boot's holder and entries alone, and is idempotent."""
    turns = store.db[CHECKPOINTS]
    low, high = _bounds(holder)
    takeover = _takeover(holder, ttl)
    changed = 0
    for field in ("holder", "queue.by"):
        result = await turns.update_many({field: {"$gte": low, "$lt": high}}, takeover)
        changed += result.modified_count
    if not changed:
        return 0, []
    taken: list[tuple[int, str]] = []
    async for doc in turns.find({"queue.by": holder}, {"queue": 1}):
        taken += [(e["u"], e["upd"]) for e in doc.get("queue") or [] if e.get("by") == holder]
    return changed, [payload for _, payload in sorted(taken)]


async def release_own_turns(
    store: Store, *, holder: str = HOLDER, ttl: timedelta = TURN_TTL
) -> list[str]:
    """Before serving updates: end the chat leases and queue entries that earlier boots
    of this instance left; the updates (JSON) they had acknowledged but not started,
    oldest first, which are now this boot's to run (see the module docstring). Costs
    two commands when there is nothing to free, three otherwise."""
    if store.engine.kind is not EngineKind.MONGODB:
        return []
    chats, updates = await store.run(_release_own, store, holder, ttl)
    if chats:
        log.info(
            "freed %d chats left busy by this instance's earlier run; %d updates to run again",
            chats,
            len(updates),
        )
    return updates
