"""Sending pace: about 1 message per second per chat, a global rate, bounded concurrency.

Telegram allows roughly 30 messages per second overall and one per second per chat;
going faster gets 429s. The dispatcher paces every send through a `TokenBucket`
that is exact over the whole run (a late wake-up is made up by the next sends,
within ``burst``), keeps ``interval`` seconds between sends to one chat
(python-telegram-bot only spaces group chats) and bounds the sends in flight, so a
burst of thousands of due reminders queues up instead of being rejected. A 429's
``retry_after`` holds the whole bucket, not only the refused chat. Several instances
split the bot's rate among those sending (`SharedPace`, counted through the store).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)


class TokenBucket:
    """A generic cell-rate algorithm: send ``n`` leaves no earlier than
    ``start + (n - burst) / rate``, so any window of ``T`` seconds holds at most
    ``rate * T + burst`` sends and a long run takes ``N / rate`` however the sleeps
    overshoot (unused credit is kept up to ``burst``). Waiters are served in order.
    Time and sleep are injectable for tests."""

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst ≥ 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1.0) / rate
        self._next: float | None = None  # theoretical arrival time of the next send
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more send fits under the rate."""
        async with self._lock:
            while True:
                now = self._clock()
                due = now if self._next is None else self._next
                wait = due - self._tolerance - now
                if wait <= 0:
                    self._next = max(due, now) + self._interval
                    return
                await self._sleep(wait)

    def set_rate(self, rate: float) -> None:
        """A new sustained rate from the next send on (same burst)."""
        self.rate = rate
        self._interval = 1.0 / rate
        self._tolerance = (self.burst - 1.0) / rate

    async def leave(self) -> None:
        return None

    def hold(self, seconds: float) -> None:
        """Telegram said ``retry_after``: send nothing for ``seconds``, then resume
        without a catch-up burst."""
        resume = self._clock() + max(0.0, seconds) + self._tolerance
        self._next = resume if self._next is None else max(self._next, resume)


# joining: record this instance as sending, answer how many are → `storage.pace.beat`
Beat = Callable[[], Awaitable[int]]
Leave = Callable[[], Awaitable[None]]


class SharedPace:
    """The bot's rate split among the instances sending right now, counted through the
    store: a heartbeat about every ``period`` seconds (in the background, so no send
    waits for the store) answers how many instances are sending, and this one's exact
    `TokenBucket` runs at ``rate / members``. A newcomer that finds others waits one
    period before its first send, so they have seen it and slowed down first; one
    that finishes leaves, so the others take its share at once."""

    def __init__(
        self,
        rate: float,
        burst: float,
        beat: Beat,
        leave: Leave,
        *,
        period: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.period = period
        self.members = 1
        self.most = 1  # the most instances seen sending at once
        self._bucket = TokenBucket(rate, burst, clock=clock, sleep=sleep)
        self._beat = beat
        self._leave = leave
        self._clock = clock
        self._sleep = sleep
        self._next_beat: float | None = None
        self._beating: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def _heartbeat(self) -> None:
        try:
            self._apply(await self._beat())
        except Exception:
            log.warning("could not reach the shared pace; keeping a share of %d", self.members)

    def _apply(self, members: int) -> None:
        self.members = max(1, members)
        self.most = max(self.most, self.members)
        self._bucket.set_rate(self.rate / self.members)

    async def acquire(self) -> None:
        """Wait until one more send fits under this instance's share of the rate."""
        async with self._lock:
            now = self._clock()
            if self._next_beat is None:  # joining
                self._next_beat = now + self.period
                await self._heartbeat()
                if self.members > 1:
                    await self._sleep(self.period)
            elif now >= self._next_beat and (self._beating is None or self._beating.done()):
                self._next_beat = now + self.period
                self._beating = asyncio.get_running_loop().create_task(self._heartbeat())
        await self._bucket.acquire()

    def hold(self, seconds: float) -> None:
        self._bucket.hold(seconds)

    async def leave(self) -> None:
        """Done sending for now: drop out of the count (joins again on the next send)."""
        if self._next_beat is None:
            return
        self._next_beat = None
        try:
            await self._leave()
        except Exception:
            log.warning("could not leave the shared pace; it expires")


@dataclass(frozen=True)
class Pace:
    """``per_second`` is the sustained global rate and ``burst`` how many sends may
    leave back to back; with the defaults no one-second window holds more than 30."""

    per_second: float = 29.0
    per_chat_interval: float = 1.0
    concurrency: int = 16
    burst: float = 1.0
    shared: bool = True  # split among instances through the store (`SharedPace`)

    def limiter(
        self, beat: Beat | None = None, leave: Leave | None = None
    ) -> TokenBucket | SharedPace:
        if self.shared and beat is not None and leave is not None:
            return SharedPace(self.per_second, self.burst, beat, leave)
        return TokenBucket(self.per_second, self.burst)


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
