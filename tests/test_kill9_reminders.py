"""SIGKILL the bot while it delivers a burst of due reminders, restart it on the same
data: every reminder arrives, and one arrives twice only if it was mid-send when the
process died (counted in the reminder as ``uncertain``)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.engine import open_engine
from storage.reminders import insert_many_if_absent, new_reminder
from storage.store import Store
from tests.bot_process import BotProcess
from tests.fakes.telegram_api import FakeTelegramAPI

USERS = 30
FIRST_USER = 5_000_000


async def _seed(data: Path) -> None:
    now = datetime.now(UTC)
    engine = open_engine(data_dir=data)
    try:
        store = Store(engine)
        await store.setup()
        docs = [
            new_reminder(
                reminder_id=f"c:{FIRST_USER + i}:kill9:{now:%Y%m%d%H%M}",
                kind="custom",
                user_id=FIRST_USER + i,
                chat_id=FIRST_USER + i,
                due_at=now - timedelta(minutes=1),
                tz="Europe/Berlin",
                now=now - timedelta(hours=1),
                payload={"rule": "daily 08:00"},
                rule_id="kill9",
                occurrence=now.date().isoformat(),
            )
            for i in range(USERS)
        ]
        await insert_many_if_absent(store, docs)
    finally:
        await engine.aclose()


def _delivered(api: FakeTelegramAPI) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in api.calls
        if c.method == "sendMessage" and c.status == 200 and int(c.params["chat_id"]) >= FIRST_USER
    )


async def test_reminder_burst_survives_sigkill(api: FakeTelegramAPI, tmp_path: Path) -> None:
    data = tmp_path / "data"
    await _seed(data)
    api.slow_seconds = 0.2
    api.fault = lambda method, params: "slow" if method == "sendMessage" else None
    bot = BotProcess(api, data)
    await bot.start()  # start-up, however long it takes, comes before the burst
    try:
        deadline = time.monotonic() + 60
        while sum(_delivered(api).values()) < 5:
            assert time.monotonic() < deadline, "no reminder was sent before the kill"
            await asyncio.sleep(0.02)
        bot.kill()
        killed_after = sum(_delivered(api).values())
        assert killed_after < USERS, "the burst finished before the kill; nothing was tested"
        await bot.start()
        deadline = time.monotonic() + 90
        while len(_delivered(api)) < USERS:
            assert time.monotonic() < deadline, f"only {len(_delivered(api))}/{USERS} delivered"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.5)
    finally:
        bot.stop()
    delivered = _delivered(api)
    assert set(delivered) == {FIRST_USER + i for i in range(USERS)}
    engine = open_engine(data_dir=data)
    try:
        docs = await engine.db.reminders.find({"rule_id": "kill9"}).to_list()
    finally:
        await engine.aclose()
    assert all(d["status"] == "sent" for d in docs), Counter(d["status"] for d in docs)
    uncertain = {d["chat_id"] for d in docs if d.get("uncertain", 0) > 0}
    doubled = {chat for chat, n in delivered.items() if n > 1}
    assert doubled <= uncertain, "a reminder arrived twice without being counted as uncertain"
    assert max(delivered.values()) <= 2
