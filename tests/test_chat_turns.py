"""Per-chat leases on MongoDB: two instances never run one chat's turns at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage.chat_turns import chat_turn, queue_update
from storage.engine import Engine
from storage.store import Store
from storage.thread_lease import CHECKPOINTS, chat_doc_id

pytestmark = pytest.mark.parametrize("storage_kind", ["mongodb"], indirect=True)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    yield Store(engine)


async def test_two_instances_never_run_one_chats_turns_at_once(store: Store) -> None:
    """Instances a and b (each with its own in-process lock, as `agent.service` has)
    get one chat's messages alternately; each turn yields to the loop in the middle.
    The turns never overlap, every one runs, and the lease is gone afterwards."""
    locks = {"a/1": asyncio.Lock(), "b/1": asyncio.Lock()}
    inside: list[str] = []
    done: list[int] = []

    async def turn(holder: str, n: int) -> None:
        async with locks[holder], chat_turn(store, 42, holder=holder):
            inside.append(holder)
            assert len(inside) == 1, f"{inside} ran one chat's turns at once"
            await asyncio.sleep(0.05)
            inside.remove(holder)
            done.append(n)

    tasks = []
    for n in range(6):
        tasks.append(asyncio.create_task(turn("a/1" if n % 2 == 0 else "b/1", n)))
        await asyncio.sleep(0.01)
    await asyncio.gather(*tasks)
    assert sorted(done) == list(range(6))
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 0


async def test_a_dead_holders_lease_expires(store: Store) -> None:
    ttl = timedelta(seconds=1)
    took = await store.run(
        store.db[CHECKPOINTS].insert_one,
        {"_id": chat_doc_id(7), "holder": "dead/1", "until": await _server_now_plus(store, ttl)},
    )
    assert took.inserted_id == chat_doc_id(7)
    async with chat_turn(store, 7, holder="alive/1", ttl=ttl):
        doc = await store.run(store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(7)})
        assert doc is not None and doc["holder"] == "alive/1"


async def _server_now_plus(store: Store, delta: timedelta):
    from storage.leases import server_now

    return await server_now(store) + delta


async def test_the_lease_is_reentrant_and_held_until_the_outer_turn_ends(store: Store) -> None:
    """The bot holds the lease around the agent's turn and the sending of its replies;
    the agent takes it again inside. The inner release must not end the outer lease,
    or another instance's next turn could overtake this turn's replies."""
    async with chat_turn(store, 43, holder="a/1"):
        async with chat_turn(store, 43, holder="a/1"):
            pass
        doc = await store.run(store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(43)})
        assert doc is not None and doc["holder"] == "a/1", "the inner turn released the lease"
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 0


async def test_turns_run_in_the_order_their_updates_were_queued(store: Store) -> None:
    """Update 1 reached instance a, update 2 instance b, both queued before they were
    acknowledged; b is ready first. b's turn waits for a's, and the queue is gone after."""
    await queue_update(store, 44, 1)
    await queue_update(store, 44, 2)
    done: list[int] = []

    async def turn(holder: str, update_id: int) -> None:
        async with chat_turn(store, 44, update_id=update_id, holder=holder):
            done.append(update_id)

    second = asyncio.create_task(turn("b/1", 2))
    # A head start for b (without the queue it would run first); the order below
    # holds however long it is.
    await asyncio.sleep(0.3)
    await turn("a/1", 1)
    await second
    assert done == [1, 2]
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 0


async def test_an_update_queued_by_a_dead_receiver_expires(store: Store) -> None:
    await queue_update(store, 45, 1, ttl=timedelta(seconds=1))  # its receiver then died
    await queue_update(store, 45, 2)
    async with chat_turn(store, 45, update_id=2, holder="b/1"):
        pass
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 0
