"""Sending pace: about 1 message per second per chat, a global rate, bounded concurrency.

Telegram allows roughly 30 messages per second overall and one per second per chat;
going faster gets 429s. The bot's python-telegram-bot rate limiter already enforces
the global rate; the dispatcher adds its own (slightly lower) global rate, a bound
on sends in flight and the per-chat spacing (python-telegram-bot only spaces
group chats), so a burst of thousands of due reminders queues up instead of
being rejected.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiolimiter import AsyncLimiter


@dataclass(frozen=True)
class Pace:
    per_second: float = 25.0
    per_chat_interval: float = 1.0
    concurrency: int = 16

    def limiter(self) -> AsyncLimiter:
        """A leaky bucket refilled in small steps, so bursts stay small too."""
        period = max(0.05, 1 / self.per_second)
        return AsyncLimiter(max_rate=self.per_second * period, time_period=period)


class ChatSpacing:
    """At most one send per chat at a time, and ``interval`` seconds between the
    ends of two sends to the same chat. Time and sleep are injectable for tests."""

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[Callable[[], None]]:
        """Wait for the chat's turn; call the yielded function once something was sent."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._holders[chat_id] = self._holders.get(chat_id, 0) + 1
        try:
            async with lock:
                last = self._last.get(chat_id)
                if last is not None:
                    wait = last + self.interval - self._clock()
                    if wait > 0:
                        await self._sleep(wait)

                def sent() -> None:
                    self._last[chat_id] = self._clock()

                yield sent
        finally:
            self._holders[chat_id] -= 1
            if not self._holders[chat_id]:
                del self._holders[chat_id]
                del self._locks[chat_id]
                self._forget_old()

    def _forget_old(self) -> None:
        if len(self._last) < 4096:
            return
        cutoff = self._clock() - self.interval
        for chat_id in [c for c, at in self._last.items() if at < cutoff]:
            del self._last[chat_id]

    def tracked(self) -> int:
        return len(self._last) + len(self._locks)
