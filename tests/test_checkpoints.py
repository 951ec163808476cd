"""Conversation checkpoints on MongoDB: one document per thread in their own indexed
collection (so nothing to prune), not exported, and deleted with the chat by /forget."""

from __future__ import annotations

import pytest

from storage.checkpoints import CHECKPOINTS
from tests.harness import BotUnderTest, texts

GOAL = "Learn Go, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: channels"
USER = 911

pytestmark = pytest.mark.parametrize("storage_kind", ["mongodb"], indirect=True)


async def test_one_checkpoint_document_per_thread_indexed_and_forgotten(
    bot: BotUnderTest,
) -> None:
    store = bot.runtime.store  # type: ignore[union-attr]
    calls = await bot.say(USER, GOAL)
    await bot.press_button(USER, calls[-1], "Build my plan")
    for _ in range(6):
        assert "Week 1" in texts(await bot.say(USER, "/plan"))

    def counts() -> tuple[int, list[str]]:
        db = store.db
        keys = [next(iter(i["key"])) for i in db[CHECKPOINTS].list_indexes()]
        return db[CHECKPOINTS].count_documents({"thread_id": str(USER)}), keys

    checkpoints, keys = await store.run(counts)
    assert checkpoints == 1
    assert "thread_id" in keys
    exported = await store.export_user(USER)
    assert CHECKPOINTS not in exported
    calls = await bot.say(USER, "/forget")
    assert "cannot be undone" in texts(calls)  # a question: the thread waits at it
    assert (await store.run(counts))[0] == 1
    await bot.press_button(USER, calls[-1], "Delete")
    checkpoints, _ = await store.run(counts)
    assert checkpoints == 0
