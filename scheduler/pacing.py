"""Sending pace: about 1 message per second per chat, a global rate, bounded concurrency.

Telegram allows roughly 30 messages per second overall and one per second per chat;
going faster gets 429s. The dispatcher paces every send through a `TokenBucket`
that is exact over the whole run (a late wake-up is made up by the next sends,
within ``burst``), keeps ``interval`` seconds between sends to one chat
(python-telegram-bot only spaces group chats) and bounds the sends in flight, so a
burst of thousands of due reminders queues up instead of being rejected. A 429's
``retry_after`` holds the whole bucket, not only the refused chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
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

    def hold(self, seconds: float) -> None:
        """Telegram said ``retry_after``: send nothing for ``seconds``, then resume
        without a catch-up burst."""
        resume = self._clock() + max(0.0, seconds) + self._tolerance
        self._next = resume if self._next is None else max(self._next, resume)


# (count, interval, tolerance) → ``(first, now)`` on the shared schedule's clock
# (`storage.pace.reserve`)
Reserve = Callable[[int, float, float], Awaitable[tuple[float, float]]]
# seconds → stop every instance for that long (`storage.pace.hold`)
Hold = Callable[[float], Awaitable[None]]


class SharedBucket:
    """`TokenBucket`'s pace, shared by several instances through one schedule in the
    store. Sends are reserved in small batches (about ``ahead`` seconds' worth) and the
    next batch is reserved while the current one is used, so the pace never waits for
    a store round trip. A reserved moment is mapped to this machine's clock by the
    smallest recent offset between the clocks (so a slow answer does not shift its
    batch onto the next one); one that passed by more than the burst and half an
    interval allow is dropped rather than sent late in a burst. Waiters are served in order."""

    def __init__(
        self,
        rate: float,
        burst: float,
        reserve: Reserve,
        hold: Hold,
        *,
        ahead: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst ≥ 1")
        self.rate = rate
        self.burst = burst
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1.0) / rate
        # how late a reserved moment may still be used: a 1-s window then holds the
        # moments of at most 1 s + lateness of the schedule, i.e. ≤ rate + burst sends
        self.lateness = self.tolerance + self.interval / 2
        self.batch = max(1, round(rate * ahead))
        self._reserve = reserve
        self._hold = hold
        self._clock = clock
        self._sleep = sleep
        self._slots: deque[float] = deque()
        self._refill: asyncio.Task[None] | None = None
        self._holding: set[asyncio.Task[None]] = set()
        self._resume = 0.0  # a 429's hold, by this machine's clock
        # this clock minus the schedule's, as seen on answers: each is late by that
        # answer's trip, so the smallest recent one is the truest
        self._offsets: deque[float] = deque(maxlen=64)
        self._lock = asyncio.Lock()

    async def _take(self) -> None:
        try:
            first, server_now = await self._reserve(self.batch, self.interval, self.tolerance)
            self._offsets.append(self._clock() - server_now)
            first += min(self._offsets)
        except Exception:
            log.warning("could not reserve sends from the shared pace; pacing alone")
            first = max(self._slots[-1] + self.interval if self._slots else 0.0, self._clock())
        self._slots.extend(first + i * self.interval for i in range(self.batch))

    def _refilling(self) -> asyncio.Task[None]:
        if self._refill is None or self._refill.done():
            self._refill = asyncio.get_running_loop().create_task(self._take())
        return self._refill

    async def acquire(self) -> None:
        """Wait until one more send fits under the shared rate."""
        async with self._lock:
            while True:
                now = self._clock()
                late = max(now - self.lateness, self._resume)
                while self._slots and self._slots[0] < late:
                    self._slots.popleft()  # passed while nobody was sending, or held
                if not self._slots:
                    await self._refilling()
                    continue
                if len(self._slots) <= self.batch:
                    self._refilling()  # the next batch, while this one is used
                wait = self._slots[0] - now
                if wait > 0:
                    await self._sleep(wait)
                    continue
                self._slots.popleft()
                return

    def hold(self, seconds: float) -> None:
        """Telegram said ``retry_after``: drop what was reserved and move the shared
        schedule past it, so no instance sends for ``seconds``."""
        self._slots.clear()
        self._resume = max(self._resume, self._clock() + max(0.0, seconds))
        task = asyncio.get_running_loop().create_task(self._hold(seconds))
        self._holding.add(task)
        task.add_done_callback(self._holding.discard)


@dataclass(frozen=True)
class Pace:
    """``per_second`` is the sustained global rate and ``burst`` how many sends may
    leave back to back; with the defaults no one-second window holds more than 30."""

    per_second: float = 29.0
    per_chat_interval: float = 1.0
    concurrency: int = 16
    burst: float = 1.0
    shared: bool = True  # through the store (`SharedBucket`), else this process alone

    def limiter(
        self, reserve: Reserve | None = None, hold: Hold | None = None
    ) -> TokenBucket | SharedBucket:
        if self.shared and reserve is not None and hold is not None:
            return SharedBucket(self.per_second, self.burst, reserve, hold)
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
