"""Conversation checkpoints on MongoDB: their own indexed collections, pruned, and
deleted with the chat by /forget."""

from __future__ import annotations

import pytest

from storage.checkpoints import CHECKPOINTS, KEEP, PRUNE_EVERY, WRITES
from tests.harness import BotUnderTest, texts

GOAL = "Learn Go, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: channels"
USER = 911

pytestmark = pytest.mark.parametrize("storage_kind", ["mongodb"], indirect=True)


async def test_checkpoints_are_indexed_pruned_and_forgotten(bot: BotUnderTest) -> None:
    store = bot.runtime.store  # type: ignore[union-attr]
    calls = await bot.say(USER, GOAL)
    await bot.press_button(USER, calls[-1], "Build my plan")
    for _ in range(6):
        assert "Week 1" in texts(await bot.say(USER, "/plan"))

    async def counts() -> tuple[int, int, list[str], list[str]]:
        db = store.db
        thread = {"thread_id": str(USER)}
        keys = [list(i["key"]) async for i in await db[CHECKPOINTS].list_indexes()]
        writes_keys = [list(i["key"]) async for i in await db[WRITES].list_indexes()]
        return (
            await db[CHECKPOINTS].count_documents(thread),
            await db[WRITES].count_documents(thread),
            [k[0] for k in keys],
            [k[0] for k in writes_keys],
        )

    checkpoints, _, keys, writes_keys = await store.run(counts)
    assert 0 < checkpoints <= KEEP + PRUNE_EVERY
    assert "thread_id" in keys and "thread_id" in writes_keys
    exported = await store.export_user(USER)
    assert CHECKPOINTS not in exported and WRITES not in exported
    calls = await bot.say(USER, "/forget")
    await bot.press_button(USER, calls[-1], "Delete")
    checkpoints, writes, _, _ = await store.run(counts)
    assert checkpoints == 0 and writes == 0
