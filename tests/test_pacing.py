"""The token buckets against an injected clock: exact over a run, bursts bounded,
late wake-ups made up, a 429's ``retry_after`` honoured; the shared bucket also when
two instances take their sends from one schedule."""

from __future__ import annotations

import asyncio
import random

from scheduler.pacing import Pace, SharedPace, TokenBucket


class FakeTime:
    """A clock that sleeping advances, optionally waking late (a busy event loop)."""

    def __init__(self, late: float = 0.0, seed: int = 7) -> None:
        self.now = 100.0
        self.late = late
        self.random = random.Random(seed)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + self.random.uniform(0, self.late)


class SharedTime(FakeTime):
    """Fake time for several coroutines sleeping at once: a sleeper advances the clock to
    its wake-up only when it is the earliest one and everything runnable has run."""

    def __init__(self, late: float = 0.0, seed: int = 7) -> None:
        super().__init__(late, seed)
        self.wakes: list[float] = []

    async def sleep(self, seconds: float) -> None:
        wake = self.now + seconds + self.random.uniform(0, self.late)
        self.wakes.append(wake)
        try:
            while True:
                for _ in range(5):
                    await asyncio.sleep(0)
                if wake <= min(self.wakes):
                    self.now = max(self.now, wake)
                    return
        finally:
            self.wakes.remove(wake)


class Members:
    """What `storage.pace` counts in the store, on the fake clock: who beat recently."""

    def __init__(self, time: FakeTime, expire: float = 2.0) -> None:
        self.time = time
        self.expire = expire
        self.seen: dict[str, float] = {}

    def pace(self, name: str, rate: float, burst: float) -> SharedPace:
        async def beat() -> int:
            self.seen[name] = self.time.now
            return sum(1 for at in self.seen.values() if at >= self.time.now - self.expire)

        async def leave() -> None:
            self.seen.pop(name, None)

        return SharedPace(rate, burst, beat, leave, clock=self.time.clock, sleep=self.time.sleep)


def bucket(time: FakeTime, rate: float, burst: float) -> TokenBucket:
    return TokenBucket(rate, burst, clock=time.clock, sleep=time.sleep)


async def sends(limiter: TokenBucket, time: FakeTime, count: int) -> list[float]:
    stamps = []
    for _ in range(count):
        await limiter.acquire()
        stamps.append(time.now)
    return stamps


def most_in_window(stamps: list[float], window: float) -> int:
    best, start = 0, 0
    for end, at in enumerate(stamps):
        while at - stamps[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_n_sends_take_n_over_rate_of_clock_time() -> None:
    time = FakeTime()
    stamps = await sends(bucket(time, 30.0, 1.0), time, 3001)
    assert abs((stamps[-1] - stamps[0]) - 3000 / 30.0) < 1e-6
    assert most_in_window(stamps, 1.0) == 30


async def test_late_wake_ups_within_the_burst_are_made_up_over_the_run() -> None:
    time = FakeTime(late=0.02)
    stamps = await sends(bucket(time, 29.0, 2.0), time, 2901)
    elapsed = stamps[-1] - stamps[0]
    assert 2900 / 29.0 <= elapsed + 1 / 29.0
    assert elapsed < 2900 / 29.0 * 1.01
    assert most_in_window(stamps, 1.0) <= 29 + 2


async def test_a_burst_is_bounded_then_the_rate_holds() -> None:
    time = FakeTime()
    limiter = bucket(time, 10.0, 3.0)
    stamps = await sends(limiter, time, 13)
    assert stamps[:3] == [100.0, 100.0, 100.0]
    assert stamps[3] > 100.0
    assert abs(stamps[-1] - (100.0 + 10 / 10.0)) < 1e-9


async def test_concurrent_waiters_share_the_rate() -> None:
    time = FakeTime()
    limiter = bucket(time, 20.0, 1.0)
    stamps: list[float] = []

    async def one() -> None:
        await limiter.acquire()
        stamps.append(time.now)

    await asyncio.gather(*(one() for _ in range(41)))
    assert len(stamps) == 41
    assert abs(max(stamps) - min(stamps) - 2.0) < 1e-9


async def test_retry_after_holds_every_send_and_resumes_without_a_burst() -> None:
    time = FakeTime()
    limiter = bucket(time, 10.0, 3.0)
    await sends(limiter, time, 3)
    limiter.hold(5.0)
    stamps = await sends(limiter, time, 3)
    assert stamps[0] >= 105.0 - 1e-9
    assert abs(stamps[2] - stamps[0] - 0.2) < 1e-9


def test_the_default_pace_keeps_any_second_under_telegrams_30() -> None:
    pace = Pace()
    assert pace.per_second + pace.burst <= 30.0
    assert pace.per_second / 30.0 >= 0.95


async def test_a_shared_pace_runs_at_its_share_of_the_rate() -> None:
    time = SharedTime()
    members = Members(time, expire=1000.0)  # b and c keep sending all along
    members.seen = {"b": time.now, "c": time.now}
    limiter = members.pace("a", 30.0, 1.0)
    stamps = await sends(limiter, time, 101)
    assert limiter.members == 3
    assert stamps[0] >= 100.0 + limiter.period, "a newcomer lets the others slow down first"
    assert abs((stamps[-1] - stamps[0]) - 100 / 10.0) < 1e-6


async def test_two_instances_sharing_the_pace_stay_under_the_limit_together() -> None:
    time = SharedTime(late=0.003)
    members = Members(time)
    a, b = members.pace("a", 30.0, 1.0), members.pace("b", 30.0, 1.0)
    stamps: list[float] = []

    async def instance(limiter: SharedPace, count: int) -> None:
        for _ in range(count):
            await limiter.acquire()
            stamps.append(time.now)
        await limiter.leave()

    await asyncio.gather(instance(a, 150), instance(b, 150))
    stamps.sort()
    assert len(stamps) == 300 and a.most == b.most == 2
    assert most_in_window(stamps, 1.0) <= 30 + 1
    assert members.seen == {}, "both left when done"
