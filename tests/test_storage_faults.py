"""Storage faults: clear errors at start-up, a friendly "try again" at run time, and
nothing half-written."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, texts
from tests.mongo_server import start_secantus, uri_with_database

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
GOAL = "Learn Clojure, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin, topics: macros"


def test_unwritable_data_dir_is_a_clear_startup_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    result = subprocess.run(
        [LEARNPLAN, "chat"],
        input="",
        capture_output=True,
        text=True,
        env={"LEARNPLAN_DATA_DIR": str(blocker / "data"), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not writable" in result.stderr and "Traceback" not in result.stderr


async def test_locked_store_gives_try_again_and_nothing_half_written(
    bot: BotUnderTest, tmp_path: Path
) -> None:
    user = 701
    calls = await bot.say(user, GOAL)
    plans_file = bot.data_dir / "mongo" / "learnplan" / "learning_plans"
    assert plans_file.exists()
    blocker = sqlite3.connect(plans_file, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # another writer holds the file: writes fail
    try:
        failed = await bot.press_button(user, calls[-1], "Build my plan")
    finally:
        blocker.rollback()
        blocker.close()
    assert "try again" in texts(failed)
    store = bot.runtime.store  # type: ignore[union-attr]
    assert await store.active_plan(user) is None, "no plan may be half-stored"
    assert await store.plan_versions(user) == []
    calls = await bot.say(user, "yes")
    if "Shall I build the plan?" in texts(calls):
        calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert "Week 3" in texts(calls)
    stored = await store.active_plan(user)
    assert stored is not None and len(stored[1].weeks) == 3
    assert [v["version"] for v in await store.plan_versions(user)] == [stored[0]]


async def test_a_frozen_server_gives_a_clear_reply_within_the_timeout(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    """The MongoDB server stops answering (SIGSTOP): the user is told the storage
    can't be reached — the call ends at its timeout, not never — the event loop keeps
    running meanwhile, and once the server is back the bot works again."""
    server = await asyncio.to_thread(start_secantus, tmp_path / "secantus" / "data")
    assert server.process is not None
    env = {
        "MONGODB_URI": uri_with_database(server.uri, "frozen"),
        "LEARNPLAN_MONGODB_TIMEOUT_MS": "2000",
    }
    bot = BotUnderTest(api, tmp_path / "data", env=env)
    user = 702
    since = 0
    beats_before_reply: list[int] = []

    async def heartbeat() -> None:
        while not [c for c in api.calls[since:] if c.method == "sendMessage"]:
            beats_before_reply.append(len(api.calls))
            await asyncio.sleep(0.05)

    try:
        await bot.start()
        assert "/newplan" in texts(await bot.say(user, "/help"))
        server.freeze()
        since = len(api.calls)
        beating = asyncio.create_task(heartbeat())
        try:
            api.send_text(user, GOAL)
            calls = await api.wait_quiet(user, since, limit=60)
        finally:
            beating.cancel()
            server.process.send_signal(signal.SIGCONT)
        assert "couldn't reach my storage" in texts(calls), texts(calls)
        assert len(beats_before_reply) > 1, "the event loop ran while the server was frozen"
        calls = await bot.say(user, GOAL)
        assert "Shall I build the plan?" in texts(calls), texts(calls)
    finally:
        server.process.send_signal(signal.SIGCONT)
        await bot.stop()
        server.stop()
