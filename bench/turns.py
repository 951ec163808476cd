"""Turn latency and throughput through the whole stack, against a bare echo bot.

Stack: Bot API stand-in → python-telegram-bot → LangGraph graph → storage → reply,
deterministic planner, embedded store. Baseline: a python-telegram-bot echo
handler polling the same stand-in.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ReplyWaiter, settle, summary, with_echo_bot
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest

INTAKE = [
    "/newplan",
    "Rust programming",
    "beginner",
    "5",
    "6",
    "skip",
    "weekday evenings 19:00-21:00",
    "Berlin",
]
TURNS = 120
USERS = 200


async def _echo_latencies(api: FakeTelegramAPI, n: int) -> list[float]:
    waiter = ReplyWaiter(api)

    async def body() -> list[float]:
        out = []
        for i in range(n):
            out.append(await waiter.turn(api, 10_000 + i % 7, f"hello {i}"))
        return out

    return await with_echo_bot(api, body)


async def _stack_latencies(api: FakeTelegramAPI, data: Path, n: int) -> list[float]:
    bot = BotUnderTest(api, data)
    await bot.start()
    waiter = ReplyWaiter(api)
    try:
        out: list[float] = []
        user = 20_000
        while len(out) < n:
            for text in INTAKE:
                out.append(await waiter.turn(api, user, text))
                await settle(api)
            user += 1
        return out[:n]
    finally:
        await bot.stop()


async def _throughput(api: FakeTelegramAPI, data: Path, users: int) -> dict[str, Any]:
    bot = BotUnderTest(api, data)
    await bot.start()
    waiter = ReplyWaiter(api)
    latencies: list[float] = []

    async def chat(user: int) -> None:
        for text in INTAKE:
            latencies.append(await waiter.turn(api, user, text, limit=300))
            await settle(api, 0.01)

    try:
        start = time.perf_counter()
        await asyncio.gather(*(chat(30_000 + u) for u in range(users)))
        elapsed = time.perf_counter() - start
    finally:
        await bot.stop()
    return {"messages": len(latencies), "seconds": elapsed, **summary(latencies)}


async def _run() -> dict[str, Any]:
    api = FakeTelegramAPI()
    await api.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            echo = summary(await _echo_latencies(api, TURNS))
            stack = summary(await _stack_latencies(api, Path(tmp) / "a", TURNS))
            load = await _throughput(api, Path(tmp) / "b", USERS)
    finally:
        await api.stop()
    return {"echo": echo, "stack": stack, "throughput": load}


def main() -> dict[str, Any]:
    result = asyncio.run(_run())
    echo, stack, load = result["echo"], result["stack"], result["throughput"]
    p50 = stack["p50_ms"] / echo["p50_ms"]
    p99 = stack["p99_ms"] / echo["p99_ms"]
    print("## Turn latency (whole stack vs bare echo bot, same stand-in)")
    print(f"echo  : p50 {echo['p50_ms']:.1f} ms  p99 {echo['p99_ms']:.1f} ms  (n={echo['n']})")
    print(f"stack : p50 {stack['p50_ms']:.1f} ms  p99 {stack['p99_ms']:.1f} ms  (n={stack['n']})")
    print(f"ratio : p50 {p50:.2f}x (target ≤ 1.5x)  p99 {p99:.2f}x (target ≤ 3x)")
    print(f"## Throughput: {USERS} users chatting at once")
    rate = load["messages"] / load["seconds"]
    print(
        f"{load['messages']} messages in {load['seconds']:.1f} s = {rate:.1f} msg/s; "
        f"p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms"
    )
    result["ratios"] = {"p50": p50, "p99": p99, "msg_per_s": rate}
    return result


if __name__ == "__main__":
    main()
