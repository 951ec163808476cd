"""Database commands per message on MongoDB, counted by a pymongo command listener.

The whole stack (Bot API stand-in → python-telegram-bot → graph → storage) on
``MONGODB_URI`` pointing at a SecantusDB started for the run. Each message of an
intake-and-plan conversation, then /plan, /progress, a "done" reply, a refinement
and /help, is sent alone;
every command the bot's clients start until its replies are done is counted
(server monitoring's heartbeats are not commands and are not counted).
"""

from __future__ import annotations

import asyncio
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from pymongo import monitoring

from bench.common import ReplyWaiter, settle
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.mongo_server import start_secantus, uri_with_database

MESSAGES = [
    "/newplan",
    "Rust programming",
    "beginner",
    "5",
    "6",
    "skip",
    "weekday evenings 19:00-21:00",
    "Berlin",
    "yes",
    "/plan",
    "/plan",
    "/progress",
    "done",
    "make week 2 lighter",
    "/help",
]
TARGET = 8


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.seen[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def _run(listener: Commands, uri: str, data: Path) -> list[tuple[str, Counter[str]]]:
    api = FakeTelegramAPI()
    await api.start()
    bot = BotUnderTest(api, data, env={"MONGODB_URI": uri})
    per_message: list[tuple[str, Counter[str]]] = []
    try:
        await bot.start()
        waiter = ReplyWaiter(api)
        await waiter.turn(api, 7, "/help")  # first contact: the user's document is created
        await settle(api, 0.3)
        for text in MESSAGES:
            listener.seen.clear()
            await waiter.turn(api, 7, text, limit=120)
            await settle(api, 0.3)
            per_message.append((text, Counter(listener.seen)))
    finally:
        await bot.stop()
        await api.stop()
    return per_message


def main() -> dict[str, Any]:
    listener = Commands()
    monitoring.register(listener)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_secantus(Path(tmp) / "secantus" / "data")
        try:
            uri = uri_with_database(server.uri, "bench")
            rows = asyncio.run(_run(listener, uri, Path(tmp) / "data"))
        finally:
            server.stop()
    totals = [sum(c.values()) for _, c in rows]
    print("## Database commands per message (MongoDB, pymongo command listener)")
    for text, counts in rows:
        detail = ", ".join(f"{name} {n}" for name, n in counts.most_common())
        print(f"{sum(counts.values()):3d}  {text[:28]:<28}  {detail}")
    mean = sum(totals) / len(totals)
    print(f"mean {mean:.1f}, max {max(totals)} per message (target ≤ {TARGET})")
    return {"per_message": totals, "mean": mean, "max": max(totals)}


if __name__ == "__main__":
    main()
