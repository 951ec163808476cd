"""The sending pace shared by every instance: who is sending right now, per bot.

Telegram's limit is per bot, not per process. Each instance that is sending writes a
heartbeat document ``{_id: "<key>:<instance>", key, seen}`` into the ``pace``
collection about twice a second and counts the members seen recently; each then
sends at ``rate / members`` (`scheduler.pacing.SharedPace`), so together they stay
under the bot's limit. On MongoDB ``seen`` is the server's clock (``$currentDate``)
and compared with the server's clock (`storage.leases`), so instances whose clocks
disagree still agree on who is there. The embedded engine is one process (its data
directory is locked); there the schedule is kept by this machine's clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.engine import EngineKind
from storage.leases import server_now_cached_sync
from storage.store import Store


async def beat(store: Store, key: str, instance: str, *, expire: float) -> int:
    """Record that ``instance`` is sending on ``key``; returns how many instances
    (this one included) did so within the last ``expire`` seconds."""
    member = {"_id": f"{key}:{instance}"}

    def op() -> int:
        if store.engine.kind is EngineKind.MONGODB:
            update = {"$set": {"key": key}, "$currentDate": {"seen": True}}
            store.db.pace.update_one(member, update, upsert=True)
            now = server_now_cached_sync(store)
        else:
            now = datetime.now(UTC)
            store.db.pace.update_one(member, {"$set": {"key": key, "seen": now}}, upsert=True)
        since = now - timedelta(seconds=expire)
        return max(1, store.db.pace.count_documents({"key": key, "seen": {"$gte": since}}))

    return await store.run(op)


async def leave(store: Store, key: str, instance: str) -> None:
    """``instance`` stopped sending: the others may take its share at once."""
    await store.run(store.db.pace.delete_one, {"_id": f"{key}:{instance}"})
