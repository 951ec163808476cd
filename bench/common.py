"""Shared pieces: percentiles, the Bot API stand-in, a bare echo bot as the baseline."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.fakes.telegram_api import FakeTelegramAPI


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "mean_ms": statistics.fmean(values) * 1000 if values else float("nan"),
    }


class ReplyWaiter:
    """Wakes the turn waiting on a chat when the bot sends it a message (no polling:
    200 concurrent waiters scanning the call log would starve the bot under test)."""

    def __init__(self, api: FakeTelegramAPI) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        api.listeners.append(self._on_call)

    def _on_call(self, call: Any) -> None:
        if call.method != "sendMessage":
            return
        future = self.waiting.pop(str(call.params.get("chat_id")), None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    async def turn(self, api: FakeTelegramAPI, user: int, text: str, *, limit: float = 30) -> float:
        """Seconds from a user's message entering the Bot API to the bot's first reply."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[str(user)] = future
        start = time.perf_counter()
        api.send_text(user, text)
        try:
            return await asyncio.wait_for(future, limit) - start
        except TimeoutError:
            raise TimeoutError(f"no reply to {user} within {limit}s") from None


async def settle(api: FakeTelegramAPI, quiet: float = 0.05) -> None:
    """Wait until the bot has stopped sending (its replies to the last turn are done)."""
    while True:
        count = len(api.calls)
        await asyncio.sleep(quiet)
        if len(api.calls) == count:
            return


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None and update.effective_message is not None
    await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "")


async def with_echo_bot(api: FakeTelegramAPI, body: Callable[[], Awaitable[Any]]) -> Any:
    """Run `body` while a bare python-telegram-bot echo bot polls the same stand-in."""
    app = Application.builder().token(api.token).base_url(api.base_url).concurrent_updates(64)
    application = app.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=1, poll_interval=0)
    try:
        return await body()
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
