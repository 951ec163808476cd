"""The chat's lease on its thread's checkpoint document (MongoDB): taking it hands the
checkpoint to the saver, it still keeps two instances apart and expires, /forget does not
end it, and a turn's checkpoint writes are one update made before the turn ends."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint

from storage.chat_turns import chat_turn
from storage.checkpoints import ThreadSaver, open_mongodb_saver
from storage.engine import Engine
from storage.leases import server_now
from storage.store import Store
from storage.thread_lease import CHECKPOINTS, chat_doc_id
from tests.harness import BotUnderTest

pytestmark = pytest.mark.parametrize("storage_kind", ["mongodb"], indirect=True)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    yield Store(engine)


@pytest.fixture
async def saver(engine: Engine) -> ThreadSaver:
    return await open_mongodb_saver(engine)


def _config(chat_id: int) -> Any:
    return {"configurable": {"thread_id": str(chat_id), "checkpoint_ns": ""}}


async def _save(saver: ThreadSaver, chat_id: int) -> str:
    checkpoint = empty_checkpoint()
    await saver.aput(_config(chat_id), checkpoint, {"step": 0}, {})
    return checkpoint["id"]


async def _doc(store: Store, chat_id: int) -> dict[str, Any] | None:
    return await store.run(store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(chat_id)})


async def _latest_id(saver: ThreadSaver, chat_id: int) -> str | None:
    found = await saver.aget_tuple(_config(chat_id))
    return None if found is None else found.checkpoint["id"]


async def test_a_lease_on_the_checkpoint_document_keeps_a_second_instance_out(
    store: Store, saver: ThreadSaver
) -> None:
    """a holds the chat's lease on a thread that has a checkpoint and writes a new one
    in its turn; b waits the whole turn, then its own take hands it a's checkpoint."""
    chat = 50
    first = await _save(saver, chat)
    inside: list[str] = []
    seen: dict[str, str | None] = {}
    written: list[str] = []

    async def turn(holder: str, *, write: bool) -> None:
        async with chat_turn(store, chat, holder=holder), saver.turn():
            inside.append(holder)
            assert len(inside) == 1, f"{inside} ran one chat's turns at once"
            seen[holder] = await _latest_id(saver, chat)
            if write:
                written.append(await _save(saver, chat))
                await asyncio.sleep(0.3)  # b is trying all along
            inside.remove(holder)

    a = asyncio.create_task(turn("a/1", write=True))
    await asyncio.sleep(0.05)
    await asyncio.gather(turn("b/1", write=False), a)
    assert seen == {"a/1": first, "b/1": written[0]}
    doc = await _doc(store, chat)
    assert doc is not None and doc["checkpoint_id"] == written[0]
    assert doc["holder"] is None, "the lease was not released"
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 1


async def test_an_expired_lease_on_the_checkpoint_document_is_taken_over(
    store: Store, saver: ThreadSaver
) -> None:
    """The holder died with the lease (judged by the server's clock): the next taker
    gets the chat once it runs out, with the checkpoint, which stays after the turn."""
    chat = 51
    saved = await _save(saver, chat)
    until = await server_now(store) + timedelta(seconds=1)
    await store.run(
        store.db[CHECKPOINTS].update_one,
        {"_id": chat_doc_id(chat)},
        {"$set": {"holder": "dead/1", "until": until}},
    )
    async with chat_turn(store, chat, holder="alive/1", ttl=timedelta(seconds=5)), saver.turn():
        doc = await _doc(store, chat)
        assert doc is not None and doc["holder"] == "alive/1"
        assert await _latest_id(saver, chat) == saved
    doc = await _doc(store, chat)
    assert doc is not None and doc["checkpoint_id"] == saved and doc["holder"] is None


async def test_forget_in_a_turn_keeps_the_lease_until_the_turn_ends(
    store: Store, saver: ThreadSaver
) -> None:
    """/forget deletes the thread inside the turn: the document's checkpoint goes at
    once, the lease stays (another instance's next turn must not overtake this turn's
    replies), and the document goes with the lease's release."""
    chat = 52
    await _save(saver, chat)
    order: list[str] = []

    async def later() -> None:
        async with chat_turn(store, chat, holder="b/1"):
            order.append("b")

    async with chat_turn(store, chat, holder="a/1"), saver.turn():
        await saver.adelete_thread(str(chat))
        doc = await _doc(store, chat)
        assert doc is not None and doc["holder"] == "a/1" and "checkpoint" not in doc
        assert await _latest_id(saver, chat) is None
        # Another instance: none of this turn's context (its lease is re-entrant).
        b = asyncio.create_task(later(), context=contextvars.Context())
        await asyncio.sleep(0.3)
        order.append("a")  # the replies, still under a's lease
    await b
    assert order == ["a", "b"]
    assert await store.run(store.db[CHECKPOINTS].count_documents, {}) == 0


async def test_a_turns_checkpoint_and_its_pending_writes_are_one_update(
    store: Store, saver: ThreadSaver
) -> None:
    """A turn that stops at an ``interrupt()`` writes its checkpoint and the question's
    pending write: both wait for the turn's end and are made together, before it ends;
    a read in the turn still sees them."""
    chat = 53
    async with saver.turn():
        checkpoint = empty_checkpoint()
        config = await saver.aput(_config(chat), checkpoint, {"step": 0}, {})
        await saver.aput_writes(config, [("__interrupt__", "how many hours?")], "task-1")
        assert await _doc(store, chat) is None, "written before the turn ended"
    found = await saver.aget_tuple(_config(chat))
    assert found is not None and found.checkpoint["id"] == checkpoint["id"]
    assert found.pending_writes == [("task-1", "__interrupt__", "how many hours?")]
    async with saver.turn():
        newer = empty_checkpoint()
        await saver.aput(_config(chat), newer, {"step": 1}, {})
        assert await _latest_id(saver, chat) == newer["id"], "a read in the turn missed a write"


async def test_a_failed_run_still_saves_what_it_wrote(store: Store, saver: ThreadSaver) -> None:
    """As LangGraph saves what a failed run reached, the turn's waiting writes are made
    when the turn ends with an error too."""
    chat = 54
    with pytest.raises(RuntimeError):
        async with saver.turn():
            saved = await _save(saver, chat)
            raise RuntimeError("the run failed")
    assert await _latest_id(saver, chat) == saved


async def test_each_reply_goes_out_after_its_turn_is_stored_and_before_the_release(
    bot: BotUnderTest,
) -> None:
    """The whole bot on MongoDB: as each intake question reaches Telegram, the turn's
    checkpoint and the question's pending write are already stored (a kill -9 right
    after the reply loses nothing), and the chat's lease is still held (another
    instance's next turn cannot overtake the reply)."""
    user = 55
    store = bot.runtime.store  # type: ignore[union-attr]
    seen: list[tuple[str | None, bool, str | None]] = []

    async def gate(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and int(params["chat_id"]) == user:
            doc = await _doc(store, user) or {}
            question = doc.get("writes_for") == doc.get("checkpoint_id") and any(
                w["channel"] == "__interrupt__" for w in doc.get("writes") or []
            )
            seen.append((doc.get("checkpoint_id"), question, doc.get("holder")))

    bot.api.gate = gate
    try:
        await bot.say(user, "/newplan")
        await bot.say(user, "Rust programming")
    finally:
        bot.api.gate = None
    assert len(seen) >= 2, seen
    assert all(checkpoint and question and holder for checkpoint, question, holder in seen), seen
    assert seen[0][0] != seen[-1][0], "the second turn's checkpoint was not stored first"
    doc = await _doc(store, user)
    assert doc is not None and doc["holder"] is None, "the lease outlived the turn"
