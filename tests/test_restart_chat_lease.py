"""A `learnplan run --webhook` process on MongoDB (SecantusDB) is SIGKILLed while a
chat's turn holds the chat's lease, with the chat's next update acknowledged and
waiting behind it; restarted under the same ``LEARNPLAN_INSTANCE_ID``, it frees the chat
at start-up (not 90 s later, when the lease would expire), runs the acknowledged update,
and answers the chat's next message after it.

The turn is made to hang by the Bot API stand-in, which holds the turn's first reply
until the process is dead (the turn's checkpoint is stored by then). The proof that the
chat was freed by the restart, not by expiry, is read when the restarted process registers
its commands (it frees its chats just before): the lease is gone while, on the
server's clock, it would still be live; and the chat whose lease another instance holds
meanwhile (this test) is untouched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.http_server import SECRET_HEADER
from storage.chat_turns import chat_turn
from storage.engine import open_engine_async
from storage.leases import server_now
from storage.store import Store, as_utc
from storage.thread_lease import CHECKPOINTS, chat_doc_id
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.mongo_server import MongoServer, unique_database, uri_with_database
from tests.test_two_instances_chat import SECRET, Instance, eventually, messages

pytestmark = pytest.mark.timeout(480)

CHAT = 6_200_000
OTHER_CHAT = 6_200_001
OTHER = "B/1-alive000"  # another instance, holding OTHER_CHAT's lease throughout


@pytest.fixture
def mongodb(mongo_server: MongoServer) -> Iterator[str]:
    database = unique_database()
    yield uri_with_database(mongo_server.uri, database)
    mongo_server.drop(database)


@pytest.fixture
async def store(mongodb: str, tmp_path: Path) -> AsyncIterator[Store]:
    engine = await open_engine_async(mongodb_uri=mongodb, data_dir=tmp_path / "check")
    yield Store(engine)
    await engine.aclose()


async def _doc(store: Store, chat: int) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await store.run(
        store.db[CHECKPOINTS].find_one, {"_id": chat_doc_id(chat)}
    )
    return found


class Stand:
    """The Bot API stand-in's gate: holds the chat's replies while ``hold`` is set (and
    fails them once the holding process is dead); records the thread documents when the
    restarted process registers its commands (just after it freed its chats)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hold = True
        self.holding = asyncio.Event()
        self.killed = asyncio.Event()
        self.restarting = False
        self.at_restart: tuple[datetime, dict[str, Any] | None, dict[str, Any] | None] | None
        self.at_restart = None

    async def gate(self, method: str, params: dict[str, Any]) -> None:
        if self.restarting and method == "setMyCommands" and self.at_restart is None:
            now = await server_now(self.store)
            chats = await _doc(self.store, CHAT), await _doc(self.store, OTHER_CHAT)
            self.at_restart = (now, *chats)
        if self.hold and method == "sendMessage" and int(params["chat_id"]) == CHAT:
            self.holding.set()
            await self.killed.wait()
            raise ConnectionResetError("the bot that sent this is dead")


async def _post(http: aiohttp.ClientSession, bot: Instance, api: FakeTelegramAPI, text: str) -> int:
    update = api.text_update(CHAT, text)
    async with http.post(bot.webhook, json=update, headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 200, f"{text!r} was not acknowledged"
    return int(update["update_id"])


def _texts(api: FakeTelegramAPI) -> list[str]:
    return [str(c.params.get("text", "")) for c in messages(api, CHAT)]


async def test_a_restart_frees_the_chat_its_killed_run_left_busy(
    api: FakeTelegramAPI, tmp_path: Path, mongodb: str, store: Store
) -> None:
    stand = Stand(store)
    api.gate = stand.gate
    bot = Instance(api, tmp_path, "A", mongodb)
    other_inside, other_leave = asyncio.Event(), asyncio.Event()

    async def other_instance() -> None:
        async with chat_turn(store, OTHER_CHAT, holder=OTHER):
            other_inside.set()
            await other_leave.wait()

    other = asyncio.create_task(other_instance())
    try:
        await bot.wait_started(bot.spawn())
        async with aiohttp.ClientSession() as http:
            running = await _post(http, bot, api, "/newplan")
            assert await eventually(stand.holding.is_set), "the turn never sent its reply"
            waiting = await _post(http, bot, api, "Spanish conversation")
            left = await _doc(store, CHAT)
            assert bot.proc is not None
            assert left is not None and left["holder"].startswith(f"A/{bot.proc.pid}-")
            assert left["turn"] == running
            assert [e["u"] for e in left["queue"]] == [running, waiting]
            await other_inside.wait()
            other_before = await _doc(store, OTHER_CHAT)

            bot.kill()
            stand.killed.set()
            stand.hold = False
            stand.restarting = True
            await bot.wait_started(bot.spawn())

            assert stand.at_restart is not None
            now, freed, other_after = stand.at_restart
            assert now < as_utc(left["until"]), "the restart outlasted the lease: nothing shown"
            assert freed is not None and freed["holder"] is None, "the lease was not freed"
            assert [e["u"] for e in freed["queue"]] == [waiting]
            by = freed["queue"][0]["by"]
            assert by.startswith("A/") and by != left["holder"], "not taken over by the restart"
            assert other_after == other_before, "another instance's live lease was touched"

            # The acknowledged update is run, then the next message is answered after it.
            assert await eventually(lambda: any("current level" in t for t in _texts(api)))
            await _post(http, bot, api, "intermediate")
            assert await eventually(lambda: any("hours a week" in t for t in _texts(api)))
    finally:
        other_leave.set()
        await other
        bot.stop()
        stand.killed.set()
    assert not api.rejected, api.rejected
    texts = _texts(api)
    # The killed turn's replies are lost (held until the kill); nothing else is.
    assert len(texts) == 2 and "current level" in texts[0] and "hours a week" in texts[1], texts
    done = await _doc(store, CHAT)
    assert done is not None and done["holder"] is None and not done["queue"]
