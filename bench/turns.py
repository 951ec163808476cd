"""Turn latency and throughput through the whole stack, against a bare echo bot.

Stack: Bot API stand-in → python-telegram-bot → LangGraph graph → storage → reply,
deterministic planner, on the embedded store and on MongoDB (a SecantusDB started for
the run). Baseline: a python-telegram-bot echo handler polling the same stand-in.

Options: ``--no-throughput`` skips the 200-user run; ``--profile`` prints a
pyinstrument profile of the stack's turns on each engine.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ReplyWaiter, settle, summary, with_echo_bot
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.mongo_server import start_secantus, uri_with_database

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
# Process CPU seconds from a message's arrival to its first reply, per turn (bot, stand-in
# and clients share the process): less sensitive than latency to a busy machine.
CPU: dict[str, list[float]] = {"echo": [], "embedded": [], "mongodb": []}
TURNS = int(os.environ.get("LEARNPLAN_BENCH_TURNS", "120"))
USERS = 200


async def _echo_latencies(api: FakeTelegramAPI, n: int) -> list[float]:
    waiter = ReplyWaiter(api)

    async def body() -> list[float]:
        out = []
        for i in range(n):
            cpu = time.process_time()
            out.append(await waiter.turn(api, 10_000 + i % 7, f"hello {i}"))
            CPU["echo"].append(time.process_time() - cpu)
        return out

    return await with_echo_bot(api, body)


async def _stack_latencies(
    api: FakeTelegramAPI, data: Path, n: int, env: dict[str, str], profile: bool
) -> list[float]:
    bot = BotUnderTest(api, data, env=env)
    await bot.start()
    waiter = ReplyWaiter(api)
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="disabled", interval=0.0005)
    try:
        for text in INTAKE:  # warm-up: imports, caches, first documents
            await waiter.turn(api, 19_999, text)
            await settle(api)
        out: list[float] = []
        user = 20_000
        while len(out) < n:
            for text in INTAKE:
                if profiler is not None:
                    profiler.start()
                cpu = time.process_time()
                out.append(await waiter.turn(api, user, text))
                CPU["mongodb" if env else "embedded"].append(time.process_time() - cpu)
                if profiler is not None:
                    profiler.stop()
                await settle(api)
            user += 1
        if profiler is not None:
            print(profiler.output_text(unicode=False, color=False, show_all=False))
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


async def _run(tmp: Path, uri: str, throughput: bool, profile: bool) -> dict[str, Any]:
    api = FakeTelegramAPI()
    await api.start()
    try:
        echo = summary(await _echo_latencies(api, TURNS))
        embedded = await _stack_latencies(api, tmp / "a", TURNS, {}, profile)
        mongodb = await _stack_latencies(api, tmp / "m", TURNS, {"MONGODB_URI": uri}, profile)
        load = await _throughput(api, tmp / "b", USERS) if throughput else None
    finally:
        await api.stop()
    return {
        "echo": echo,
        "stack": summary(embedded),
        "stack_mongodb": summary(mongodb),
        "throughput": load,
    }


def _ratios(
    name: str, stack: dict[str, float], echo: dict[str, float], cpu: str
) -> dict[str, float]:
    p50 = stack["p50_ms"] / echo["p50_ms"]
    p99 = stack["p99_ms"] / echo["p99_ms"]
    print(
        f"{name}: p50 {stack['p50_ms']:.1f} ms  p99 {stack['p99_ms']:.1f} ms  (n={stack['n']}); "
        f"CPU {_cpu_ms(cpu):.1f} ms/turn"
    )
    print(f"{'':{len(name)}}  ratio p50 {p50:.2f}x (target ≤ 1.5x)  p99 {p99:.2f}x (target ≤ 3x)")
    return {"p50": p50, "p99": p99}


def _cpu_ms(name: str) -> float:
    values = sorted(CPU[name])
    return 1000 * values[len(values) // 2] if values else float("nan")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    options = set(argv or [])
    with tempfile.TemporaryDirectory() as tmp:
        server = start_secantus(Path(tmp) / "secantus" / "data")
        try:
            uri = uri_with_database(server.uri, "bench")
            result = asyncio.run(
                _run(Path(tmp), uri, "--no-throughput" not in options, "--profile" in options)
            )
        finally:
            server.stop()
    echo, load = result["echo"], result["throughput"]
    print("## Turn latency (whole stack vs bare echo bot, same stand-in)")
    print(
        f"echo           : p50 {echo['p50_ms']:.1f} ms  p99 {echo['p99_ms']:.1f} ms; "
        f"CPU {_cpu_ms('echo'):.1f} ms/turn (median)"
    )
    result["ratios"] = _ratios("stack, embedded", result["stack"], echo, "embedded")
    result["ratios_mongodb"] = _ratios("stack, MongoDB ", result["stack_mongodb"], echo, "mongodb")
    if load is not None:
        print(f"## Throughput: {USERS} users chatting at once (embedded)")
        rate = load["messages"] / load["seconds"]
        print(
            f"{load['messages']} messages in {load['seconds']:.1f} s = {rate:.1f} msg/s; "
            f"p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms"
        )
        result["ratios"]["msg_per_s"] = rate
    return result


if __name__ == "__main__":
    main()
