"""A restarted instance frees what its earlier boot left in the chats' thread documents,
and nothing of another instance's (`storage.chat_restart`), on MongoDB."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from storage.chat_restart import release_own_turns
from storage.chat_turns import _take, chat_turn, queue_update
from storage.checkpoints import ThreadSaver
from storage.engine import Engine
from storage.leases import server_now
from storage.store import Store
from storage.thread_lease import CHECKPOINTS, chat_doc_id

pytestmark = pytest.mark.parametrize("storage_kind", ["mongodb"], indirect=True)

DEAD = "A/100-dead0000"  # instance A's killed boot
RESTARTED = "A/200-new00000"  # instance A again, restarted
OTHER = "B/300-live0000"  # another instance, alive
LOOKALIKE = "AB/400-live0000"  # an instance whose id starts with A's


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    await ThreadSaver(engine).setup()  # the indexes the bot makes at start-up
    yield Store(engine)


def _update(update_id: int) -> str:
    return json.dumps({"update_id": update_id, "message": {"text": f"message {update_id}"}})


async def _doc(store: Store, chat: int) -> dict[str, Any]:
    doc = await store.run(store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(chat)})
    assert doc is not None
    return doc


async def _die_mid_turn(store: Store, chat: int, holder: str, update_id: int) -> None:
    """What a process killed while running ``update_id``'s turn leaves: its lease taken
    (as `chat_turn` takes it), never released."""
    assert await store.run(_take, store, chat, holder, timedelta(seconds=90), update_id)


async def test_a_restart_frees_its_earlier_boots_chats_and_keeps_what_it_acknowledged(
    store: Store,
) -> None:
    """Chat 60: the dead boot ran update 10 and had acknowledged 11; B then queued 12.
    The restart drops 10 (it may have been applied), makes 11 its own and returns it to
    run, and leaves B's entry. Then 11's turn starts at once, and 12's after it."""
    for update_id in (10, 11):
        await queue_update(store, 60, update_id, payload=_update(update_id), holder=DEAD)
    await _die_mid_turn(store, 60, DEAD, 10)
    await queue_update(store, 60, 12, payload=_update(12), holder=OTHER)
    before = await _doc(store, 60)
    assert before["holder"] == DEAD and before["turn"] == 10

    assert await release_own_turns(store, holder=RESTARTED) == [_update(11)]

    doc = await _doc(store, 60)
    assert (doc["holder"], doc["until"], doc["turn"]) == (None, None, None)
    assert [(e["u"], e["by"]) for e in doc["queue"]] == [(11, RESTARTED), (12, OTHER)]
    assert doc["queue"][0]["exp"] >= await server_now(store), "the taken-over entry expired"
    assert doc["queue"][1] == before["queue"][2], "another instance's entry changed"

    done: list[int] = []

    async def turn(holder: str, update_id: int) -> None:
        # a short ttl: a turn still waiting on update 10 fails in seconds, not 95 s
        async with chat_turn(store, 60, update_id=update_id, holder=holder, ttl=timedelta(1)):
            done.append(update_id)

    later = asyncio.create_task(turn(OTHER, 12))
    await asyncio.sleep(0.2)
    assert not done, "update 12 ran before 11"
    await turn(RESTARTED, 11)
    await later
    assert done == [11, 12]


async def test_another_instances_live_lease_is_left_alone(store: Store) -> None:
    """B's lease (held by a turn running now) and its queue entry, and those of an
    instance whose id merely starts with A's, survive A's restart; so does a lease of
    A's new boot itself."""
    await _die_mid_turn(store, 62, LOOKALIKE, 5)
    await queue_update(store, 63, 6, payload=_update(6), holder=LOOKALIKE)
    await _die_mid_turn(store, 64, RESTARTED, 7)
    await queue_update(store, 61, 8, payload=_update(8), holder=OTHER)
    inside, leave = asyncio.Event(), asyncio.Event()

    async def running() -> None:
        async with chat_turn(store, 61, update_id=8, holder=OTHER):
            inside.set()
            await leave.wait()

    task = asyncio.create_task(running())
    await inside.wait()
    before = {chat: await _doc(store, chat) for chat in (61, 62, 63, 64)}
    try:
        assert await release_own_turns(store, holder=RESTARTED) == []
        for chat, doc in before.items():
            assert await _doc(store, chat) == doc, f"chat {chat}'s document changed"
    finally:
        leave.set()
        await task
    # B's own release still works: its turn wrote no checkpoint, so the document goes
    assert not await store.run(store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(61)})


async def test_an_entry_without_its_update_is_dropped(store: Store) -> None:
    """Queued by an earlier version (no update stored): nothing to run, so it goes
    rather than block the chat until it expires."""
    await queue_update(store, 65, 9, holder=DEAD)
    await queue_update(store, 65, 10, payload=_update(10), holder=DEAD)
    assert await release_own_turns(store, holder=RESTARTED) == [_update(10)]
    assert [e["u"] for e in (await _doc(store, 65))["queue"]] == [10]


async def test_the_restart_finds_leases_by_index(store: Store) -> None:
    indexes = await store.run(store.db[CHECKPOINTS].index_information)
    keys = {tuple(k for k, _ in index["key"]) for index in indexes.values()}
    assert {("holder",), ("queue.by",)} <= keys
