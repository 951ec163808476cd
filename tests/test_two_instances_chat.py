"""Two `learnplan run --webhook` processes on one MongoDB server (SecantusDB), one Bot
API stand-in: both receive updates of the same chat, and the chat's replies stay in order.

Several chats hold a whole conversation at once: the intake question by question, "yes"
to build the plan, "done", a "/log", "/progress". Consecutive updates of a chat go to
instance A and B in turn, as two webhook receivers behind a load balancer would get
them; many are posted as soon as the previous one was accepted (HTTP 200), before its
replies arrived.

"In order" means, per chat: the turns run one at a time in the order the chat's
updates were accepted. So the chat's messages (``sendMessage`` / ``sendPhoto``, in the
order the stand-in accepted them) are the concatenation of each update's replies, update
by update, with nothing interleaved, lost or repeated; every reply of an update comes
through the instance that received it; and what is stored (the goal's answers, the plan,
the progress) is what the conversation said, in its order. An update is accepted once
its POST is answered: Telegram sends a chat's next update only then.

Every wait is for a condition on what the stand-in recorded, with a generous bound.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.http_server import SECRET_HEADER
from bot.webhook import path_secret
from storage.engine import open_engine_async
from storage.progress_doc import load_progress
from storage.store import Store
from tests.bot_process import BotProcess
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.mongo_server import MongoServer, free_port, unique_database, uri_with_database

# Two bot start-ups at once and a few dozen turns, on a shared 2-core machine.
pytestmark = pytest.mark.timeout(480)

SECRET = "two-instances-chat-secret_0123456789"
PUBLIC_URL = "https://bot.example.test"
LIMIT_S = 120.0
# A hang guard: one start-up imports the whole stack, about 35 s of a loaded 2-core
# machine, and two run at once here.
START_LIMIT_S = 240.0
FIRST_CHAT = 6_100_000
CHATS = 4
REPLIES = ("sendMessage", "sendPhoto")


@dataclass(frozen=True)
class Turn:
    text: str
    replies: tuple[str, ...]  # a substring of each message the turn sends, in order


CONVERSATION = (
    Turn("/newplan", ("new plan", "What do you want to learn")),
    Turn("Spanish conversation", ("current level",)),
    Turn("intermediate", ("hours a week",)),
    Turn("4", ("how many weeks",)),
    Turn("8", ("topics",)),
    Turn("skip", ("When can you study",)),
    Turn("weekday evenings 19:00-21:00", ("time zone",)),
    Turn("Europe/Madrid", ("Shall I build the plan?",)),
    Turn("yes", ("Week 8", "study sessions scheduled", "Your plan is saved")),
    Turn("done", ("Marked", "Achievement unlocked")),
    Turn("/log 1h30 verbs", ("Logged 1 h 30 min",)),
    Turn("/progress", ("1/16 modules done", "")),
)


@pytest.fixture
def mongodb(mongo_server: MongoServer) -> Iterator[str]:
    database = unique_database()
    yield uri_with_database(mongo_server.uri, database)
    mongo_server.drop(database)


class Instance(BotProcess):
    def __init__(self, api: FakeTelegramAPI, tmp_path: Path, name: str, mongodb_uri: str):
        self.name = name
        self.port = free_port()
        env = {
            "MONGODB_URI": mongodb_uri,
            "LEARNPLAN_INSTANCE_ID": name,
            "LEARNPLAN_PUBLIC_URL": PUBLIC_URL,
            "LEARNPLAN_HTTP_LISTEN": f"127.0.0.1:{self.port}",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
        super().__init__(api, tmp_path / f"data-{name}", "--webhook", via=name, env=env)

    async def wait_started(self, since: int) -> None:
        deadline = time.monotonic() + START_LIMIT_S
        while not self.ready(since):
            assert self.proc is not None and self.proc.poll() is None, f"{self.name} exited"
            assert time.monotonic() < deadline, f"{self.name} did not start"
            await asyncio.sleep(0.05)

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/{path_secret(SECRET)}"


async def eventually(condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` came true within `LIMIT_S`."""
    deadline = time.monotonic() + LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def messages(api: FakeTelegramAPI, chat: int) -> list[Call]:
    """The chat's messages the stand-in accepted, in the order it accepted them."""
    return [
        c
        for c in api.calls
        if c.method in REPLIES and c.status == 200 and str(c.params.get("chat_id")) == str(chat)
    ]


def has_messages(api: FakeTelegramAPI, chat: int, count: int) -> bool:
    return len(messages(api, chat)) >= count


def posted_at_once(chat_index: int, turn: int) -> bool:
    """Whether a turn's update is posted without waiting for the previous turn's
    replies: chat 0 sends everything at once, the others every second or third."""
    return chat_index == 0 or turn % (chat_index + 1) != 0


async def converse(
    http: aiohttp.ClientSession, api: FakeTelegramAPI, pair: tuple[Instance, Instance], index: int
) -> list[str]:
    """Post the conversation of one chat, alternating instances; returns the instance
    each turn went to."""
    chat = FIRST_CHAT + index
    receivers = []
    expected = 0
    for number, turn in enumerate(CONVERSATION):
        if not posted_at_once(index, number):
            if not await eventually(functools.partial(has_messages, api, chat, expected)):
                break  # `check_order` reports what arrived
        instance = pair[(number + index) % 2]
        update = api.text_update(chat, turn.text)
        headers = {SECRET_HEADER: SECRET}
        async with http.post(instance.webhook, json=update, headers=headers) as response:
            assert response.status == 200, f"{instance.name} refused {turn.text!r}"
        receivers.append(instance.name)
        expected += len(turn.replies)
    return receivers


def check_order(api: FakeTelegramAPI, chat: int, receivers: list[str]) -> None:
    sent = messages(api, chat)
    got = [(c.via, str(c.params.get("text") or c.params.get("caption") or "")) for c in sent]
    want = [(via, r) for via, t in zip(receivers, CONVERSATION, strict=False) for r in t.replies]
    report = "\n".join(f"  {v}: {text[:70]!r}" for v, text in got)
    assert len(got) == len(want), f"chat {chat}: {len(got)} messages, not {len(want)}:\n{report}"
    for (via, text), (want_via, part) in zip(got, want, strict=True):
        assert via == want_via and part in text, (
            f"chat {chat}: {want_via} should have sent {part!r} here:\n{report}"
        )


async def check_stored(mongodb_uri: str, data: Path, chat: int) -> None:
    engine = await open_engine_async(mongodb_uri=mongodb_uri, data_dir=data)
    try:
        store = Store(engine)
        stored = await store.active_plan(chat)
        assert stored is not None, f"chat {chat} has no plan"
        version, plan, goal = stored
        assert version == 1 and len(plan.weeks) == 8
        assert goal.hours_per_week == 4 and goal.timezone == "Europe/Madrid"
        assert goal.skill_level is not None and goal.skill_level.value == "intermediate"
        activity = (await load_progress(store, chat)).activity()
        # "done" marked module 1; the log went to the next one, as its reply said
        assert sorted((a.kind, a.module_id) for a in activity) == [
            ("done", "w1m1"),
            ("log", "w1m2"),
        ], activity
        assert [a.minutes for a in activity if a.kind == "log"] == [90]
    finally:
        await engine.aclose()


async def test_one_chat_on_two_instances_gets_its_replies_in_order(
    api: FakeTelegramAPI, tmp_path: Path, mongodb: str
) -> None:
    a = Instance(api, tmp_path, "A", mongodb)
    b = Instance(api, tmp_path, "B", mongodb)
    try:
        marks = [a.spawn(), b.spawn()]
        await a.wait_started(marks[0])
        await b.wait_started(marks[1])
        async with aiohttp.ClientSession() as http:
            receivers = await asyncio.gather(
                *(converse(http, api, (a, b), i) for i in range(CHATS))
            )
        total = sum(len(t.replies) for t in CONVERSATION)
        replied = await eventually(
            lambda: all(len(messages(api, FIRST_CHAT + i)) >= total for i in range(CHATS))
        )
    finally:
        # A graceful stop finishes what is queued: nothing can arrive after this.
        a.stop()
        b.stop()
    assert not api.rejected, api.rejected
    for i in range(CHATS):
        check_order(api, FIRST_CHAT + i, receivers[i])
    assert replied, "some replies never arrived"
    for i in range(CHATS):
        await check_stored(mongodb, tmp_path / "check", FIRST_CHAT + i)
