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


def _describe(event: monitoring.CommandStartedEvent) -> str:
    """One command as ``name collection {keys}``: what it touched, not its values."""
    command = event.command
    collection = command.get(event.command_name, "")
    parts = [event.command_name, str(collection)]
    for field in ("filter", "query", "update", "updates", "deletes", "documents", "pipeline"):
        value = command.get(field)
        if isinstance(value, dict):
            parts.append(f"{field}={sorted(value)}")
        elif isinstance(value, list):
            inner = [sorted(v.get("q", v)) if isinstance(v, dict) else "?" for v in value]
            parts.append(f"{field}[{len(value)}]={inner[:3]}")
    return " ".join(parts)


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.log: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.seen[event.command_name] += 1
        self.log.append(_describe(event))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def _run(
    listener: Commands, uri: str, data: Path
) -> list[tuple[str, Counter[str], list[str]]]:
    api = FakeTelegramAPI()
    await api.start()
    bot = BotUnderTest(api, data, env={"MONGODB_URI": uri})
    per_message: list[tuple[str, Counter[str], list[str]]] = []
    try:
        await bot.start()
        waiter = ReplyWaiter(api)
        await waiter.turn(api, 7, "/help")  # first contact: the user's document is created
        await settle(api, 0.3)
        for text in MESSAGES:
            listener.seen.clear()
            listener.log.clear()
            await waiter.turn(api, 7, text, limit=120)
            await settle(api, 0.3)
            per_message.append((text, Counter(listener.seen), list(listener.log)))
    finally:
        await bot.stop()
        await api.stop()
    return per_message


def main(options: list[str] | None = None) -> dict[str, Any]:
    """``--log``: also print every message's commands in order (collection and field names)."""
    show_log = "--log" in (options or [])
    listener = Commands()
    monitoring.register(listener)
    with tempfile.TemporaryDirectory() as tmp:
        server = start_secantus(Path(tmp) / "secantus" / "data")
        try:
            uri = uri_with_database(server.uri, "bench")
            rows = asyncio.run(_run(listener, uri, Path(tmp) / "data"))
        finally:
            server.stop()
    totals = [sum(c.values()) for _, c, _ in rows]
    print("## Database commands per message (MongoDB, pymongo command listener)")
    for text, counts, log in rows:
        detail = ", ".join(f"{name} {n}" for name, n in counts.most_common())
        print(f"{sum(counts.values()):3d}  {text[:28]:<28}  {detail}")
        if show_log:
            for line in log:
                print(f"       {line}")
    mean = sum(totals) / len(totals)
    print(f"mean {mean:.1f}, max {max(totals)} per message (target ≤ {TARGET})")
    return {"per_message": totals, "mean": mean, "max": max(totals)}


if __name__ == "__main__":
    main()
