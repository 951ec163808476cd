"""Fan-out: ≥ 10,000 users with a reminder due in the same minute.

Stack: embedded store → `scheduler.dispatcher.Dispatcher` → the bot's own
``Handlers.send_replies`` → python-telegram-bot (``AIORateLimiter``) → the Bot API
stand-in over HTTP. The stand-in enforces Telegram's limits, scaled by `SCALE` so
the run stays within a few minutes on 2 cores: at most ``30 × SCALE`` messages in any
1-second window overall and one message per ``1 / SCALE`` s per chat; above that
it answers 429 (retry_after 1). The dispatcher's shared token bucket runs at ``29.1 × SCALE``
msg/s with a burst of ``0.02 × 30 × SCALE`` (so no 1-second window can pass the limit)
and ``1.05 / SCALE`` s per chat; python-telegram-bot's limiter at ``30 × SCALE`` msg/s.
`SCALE` is 5 by default (``LEARNPLAN_FANOUT_SCALE`` overrides it). The stand-in runs
in its own process (it used to share the dispatcher's event loop and CPU, so the bench
measured the stand-in's HTTP server as part of the product's cost); it reports what it
accepted and refused when told to stop.

Every user has one reminder due in the same minute; one in twenty has two more (so
per-chat spacing matters). Reported: delivered/N, duplicates, 429s the stand-in
sent, and the time taken against the physical limit N / (30 × SCALE).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.handlers import Handlers
from scheduler.dispatcher import Dispatcher
from scheduler.pacing import Pace
from storage.engine import open_engine
from storage.reminders import (
    ensure_indexes_once,
    insert_many_if_absent,
    new_reminder,
    status_counts,
)
from storage.store import Store
from tests.fakes.telegram_api import FakeTelegramAPI

USERS = int(os.environ.get("LEARNPLAN_FANOUT_USERS", "10000"))
EXTRA_EVERY = 20
EXTRA_PER_USER = 2
SCALE = float(os.environ.get("LEARNPLAN_FANOUT_SCALE", "5"))
PACE_SHARE = 0.97
BURST_SHARE = 0.02
TELEGRAM_RATE = 30.0
DUE = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
FIRST_CHAT = 1_000_000
# Sends in flight (and HTTP connections): httpcore checks every pooled connection for
# expiry (a getpeername call each) on every request, so a pool of 32 cost more CPU than
# the sends; at ×5 four in flight keep the bucket busy (measured: 8 → 1.39x, 4 → 1.09–1.18x).
CONCURRENCY = int(os.environ.get("LEARNPLAN_FANOUT_CONCURRENCY", "4"))


class TelegramLimits:
    """The stand-in's fault hook: 429 above the (scaled) global and per-chat limits."""

    def __init__(self, per_second: float, per_chat_interval: float) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self.window: deque[float] = deque()
        self.last: dict[str, float] = {}
        self.refused = 0
        self.refused_per_chat = 0

    def __call__(self, method: str, params: dict[str, Any]) -> str | None:
        if method != "sendMessage":
            return None
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        chat = str(params.get("chat_id"))
        too_fast = now - self.last.get(chat, -1e9) < self.per_chat_interval
        if len(self.window) >= self.per_second or too_fast:
            self.refused += 1
            self.refused_per_chat += too_fast
            return "429"
        self.window.append(now)
        self.last[chat] = now
        return None


def _stand_in(conn: Any, per_second: float, per_chat_interval: float) -> None:
    """The Bot API stand-in's process: serve until told to stop, then answer the
    accepted sends per chat and the 429s sent."""

    async def serve() -> None:
        api = FakeTelegramAPI()
        await api.start()
        limits = TelegramLimits(per_second, per_chat_interval)
        api.fault = limits
        conn.send((api.token, api.base_url))
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        got = Counter(
            int(c.params["chat_id"])
            for c in api.calls
            if c.method == "sendMessage" and c.status == 200
        )
        conn.send((dict(got), limits.refused, limits.refused_per_chat))
        await api.stop()

    asyncio.run(serve())


class _NoService:
    """`Handlers.send_replies` only needs the service for "notify" replies."""

    async def reply_sent(self, reply: dict[str, Any], result: dict[str, Any]) -> None:
        return None


def _reminders() -> list[dict[str, Any]]:
    docs = []
    for i in range(USERS):
        chat = FIRST_CHAT + i
        count = 1 + (EXTRA_PER_USER if i % EXTRA_EVERY == 0 else 0)
        for n in range(count):
            due = DUE + timedelta(seconds=(i + 17 * n) % 60)
            docs.append(
                new_reminder(
                    reminder_id=f"c:{chat}:bench{n}:20261130",
                    kind="custom",
                    user_id=chat,
                    chat_id=chat,
                    due_at=due,
                    tz="Europe/Berlin",
                    now=DUE,
                    payload={"rule": "daily 18:00"},
                    rule_id=f"bench{n}",
                    occurrence="2026-11-30",
                )
            )
    return docs


async def _run(data: Path, conn: Any) -> dict[str, Any]:
    token, base_url = conn.recv()
    engine = open_engine(data_dir=data)
    store = Store(engine, clock=lambda: DUE + timedelta(minutes=1))
    bot = ExtBot(
        token,
        base_url=base_url,
        request=HTTPXRequest(connection_pool_size=CONCURRENCY),
        rate_limiter=AIORateLimiter(overall_max_rate=TELEGRAM_RATE * SCALE, max_retries=5),
    )
    try:
        await store.setup()
        await ensure_indexes_once(store)
        docs = _reminders()
        rules: dict[int, list[dict[str, Any]]] = {}
        for d in docs:
            rule = {"id": d["rule_id"], "days": list(range(7)), "at": "18:00"}
            rules.setdefault(d["user_id"], []).append(rule)
        users = [
            {"user_id": u, "timezone": "Europe/Berlin", "reminders": {"custom": r}}
            for u, r in rules.items()
        ]
        await store.run(store.db.users.insert_many, users)
        assert await insert_many_if_absent(store, docs) == len(docs)
        expected = Counter(d["chat_id"] for d in docs)
        await bot.initialize()
        handlers = Handlers(_NoService())  # type: ignore[arg-type]

        async def sender(chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> None:
            await handlers.send_replies(bot, chat_id, user_id, replies)

        pace = Pace(
            per_second=PACE_SHARE * TELEGRAM_RATE * SCALE,
            per_chat_interval=1.05 / SCALE,
            concurrency=CONCURRENCY,
            burst=max(1.0, BURST_SHARE * TELEGRAM_RATE * SCALE),
        )
        dispatcher = Dispatcher(store, sender, instance="bench", pace=pace)
        start = time.perf_counter()
        cpu_start = time.process_time()
        report = await dispatcher.tick()
        while True:
            more = await dispatcher.tick(DUE + timedelta(minutes=5))
            report.add(more)
            if more.due == 0:
                break
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        statuses = await status_counts(store)
    finally:
        await bot.shutdown()
        engine.close()
    conn.send("stop")
    counts, refused, refused_per_chat = conn.recv()
    got = Counter(counts)
    messages = len(docs)
    delivered = sum(min(got[c], n) for c, n in expected.items())
    duplicates = sum(max(0, got[c] - n) for c, n in expected.items())
    physical = messages / (TELEGRAM_RATE * SCALE)
    return {
        "users": USERS,
        "messages": messages,
        "delivered": delivered,
        "duplicates": duplicates,
        "http_429": refused,
        "http_429_per_chat": refused_per_chat,
        "cpu_seconds": cpu,
        "dispatcher_retries": report.retried,
        "failed": report.failed,
        "seconds": elapsed,
        "physical_limit_seconds": physical,
        "ratio_to_limit": elapsed / physical,
        "ratio_to_pace": elapsed / (physical / PACE_SHARE),
        "rate_msg_per_s": messages / elapsed,
        "scale": SCALE,
        "statuses": statuses,
    }


def main() -> dict[str, Any]:
    ours, theirs = multiprocessing.Pipe()
    stand_in = multiprocessing.get_context("fork").Process(
        target=_stand_in, args=(theirs, TELEGRAM_RATE * SCALE, 1.0 / SCALE), daemon=True
    )
    stand_in.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(_run(Path(tmp) / "data", ours))
    finally:
        stand_in.join(timeout=10)
        if stand_in.is_alive():
            stand_in.kill()
    print("## Reminder fan-out (Telegram limits scaled ×{:g})".format(result["scale"]))
    print(f"{result['users']:,} users, {result['messages']:,} reminders due in the same minute")
    print(
        f"delivered {result['delivered']:,}/{result['messages']:,}; "
        f"duplicates {result['duplicates']}; 429s received {result['http_429']} "
        f"({result['http_429_per_chat']} per-chat); "
        f"failed {result['failed']}"
    )
    limit = result["physical_limit_seconds"]
    print(
        f"time {result['seconds']:.1f} s vs physical limit {limit:.1f} s "
        f"(N / {TELEGRAM_RATE * SCALE:g} msg/s) = {result['ratio_to_limit']:.2f}x; "
        f"{result['rate_msg_per_s']:.0f} msg/s; dispatcher CPU {result['cpu_seconds']:.1f} s "
        f"({1000 * result['cpu_seconds'] / result['messages']:.2f} ms per send)"
    )
    print(
        f"the dispatcher paces at {PACE_SHARE:.0%} of the limit, so the best possible is "
        f"{1 / PACE_SHARE:.2f}x; against its own pace: {result['ratio_to_pace']:.2f}x"
    )
    print(
        f"reminder statuses after the run: {result['statuses']} "
        "(pending = each rule's next occurrence, stored after its send)"
    )
    return result


if __name__ == "__main__":
    main()
