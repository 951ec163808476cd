"""Start-up with 100,000 pending reminders: time until the runner is ready, peak memory.

A data directory is seeded with `REMINDERS` pending reminders for `USERS` users (the
embedded store): most are due in the coming month, `RECENT` fell due within the
grace window while the bot was down (sent at start-up) and `OLD` fell due longer
ago (folded into one "you missed" message per user). The start-up is measured in a
fresh child process, so its peak RSS is the start-up's own: open the store, build
its indexes and start the runner with the catch-up in the background, as
`bot.app.start_polling` does ("ready": polling could start here), then wait for the
catch-up (full scan, claims, sends, folds) to finish, then one regular tick.

It is measured twice on copies of the same seeded data: in a process that imports only
the store and the runner, and as the whole bot process — `bot.runtime`'s imports and
its warm-ups (the gazetteer, dateparser, the curricula, the chart thread's sample chart)
done first, as `open_runtime` does before it opens the store. The issue's target
(< 300 MB) is for the latter.

Sending goes to a no-op sender paced at 10,000 msg/s — this measures the start-up,
not Telegram; the fan-out benchmark measures pacing.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.pacing import Pace
from scheduler.runner import ReminderRunner
from storage.engine import open_engine
from storage.reminders import (
    ensure_indexes_once,
    insert_many_if_absent,
    new_reminder,
    status_counts,
)
from storage.store import Store

REMINDERS = 100_000
USERS = 10_000
RECENT = 500
OLD = 500
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CHUNK = 10_000


def _due(i: int) -> datetime:
    if i < RECENT:
        return NOW - timedelta(minutes=1 + i % 100)
    if i < RECENT + OLD:
        return NOW - timedelta(hours=3 + i % 48)
    return NOW + timedelta(minutes=5 + (i * 7) % (30 * 24 * 60))


def _reminder(i: int) -> dict[str, Any]:
    user = 2_000_000 + i % USERS
    due = _due(i)
    return new_reminder(
        reminder_id=f"c:{user}:r{i}:{due:%Y%m%d%H%M}",
        kind="custom",
        user_id=user,
        chat_id=user,
        due_at=due,
        tz="Europe/Berlin",
        now=NOW - timedelta(days=1),
        payload={"rule": "daily 08:00"},
        rule_id=f"r{i}",
        occurrence=due.date().isoformat(),
    )


async def _seed(data: Path) -> None:
    engine = open_engine(data_dir=data)
    try:
        store = Store(engine)
        await store.setup()
        await ensure_indexes_once(store)
        users = [{"user_id": 2_000_000 + u, "timezone": "Europe/Berlin"} for u in range(USERS)]
        await store.run(store.db.users.insert_many, users)
        for start in range(0, REMINDERS, CHUNK):
            docs = [_reminder(i) for i in range(start, min(REMINDERS, start + CHUNK))]
            await insert_many_if_absent(store, docs)
    finally:
        engine.close()


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's ``ru_maxrss`` survives exec (a child
    would report its parent's peak), so VmHWM is read where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _warm_up_the_bot() -> None:
    """What `bot.runtime.open_runtime` loads before it opens the store."""
    from agent.charts import warm_up_in_background
    from bot.runtime import warm_up

    charts = warm_up_in_background()
    warm_up()
    charts.result()


async def _measure(data: Path, *, whole: bool = False) -> dict[str, Any]:
    if whole:
        _warm_up_the_bot()
    baseline = _peak_rss_mb()
    sent = 0

    async def sender(chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> None:
        nonlocal sent
        sent += 1

    start = time.perf_counter()
    engine = open_engine(data_dir=data)
    try:
        store = Store(engine, clock=lambda: NOW)
        await store.setup()
        opened = time.perf_counter()
        pace = Pace(per_second=10_000, per_chat_interval=0.0, concurrency=32)
        runner = ReminderRunner(store, sender, pace=pace, schedule=False)
        await runner.start(background=True)
        ready = time.perf_counter()
        await runner.settled()
        caught_up = time.perf_counter()
        tick_start = time.perf_counter()
        await runner.tick(NOW + timedelta(seconds=30))
        tick = time.perf_counter() - tick_start
        await runner.stop()
        statuses = await status_counts(store)
    finally:
        engine.close()
    peak = _peak_rss_mb()
    return {
        "reminders": REMINDERS,
        "open_seconds": opened - start,
        "start_seconds": ready - opened,
        "catch_up_seconds": caught_up - ready,
        "ready_seconds": ready - start,
        "next_tick_ms": tick * 1000,
        "sent": sent,
        "folded": statuses.get("folded", 0),
        "digests": sent - RECENT,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak,
        "statuses": statuses,
    }


def _child(mode: str, data: Path) -> subprocess.CompletedProcess[str]:
    """Seed and measure in their own processes: the measurement starts cold, and this
    process stays small for whatever benchmark runs next."""
    command = [sys.executable, "-m", "bench.startup", mode, str(data)]
    return subprocess.run(command, capture_output=True, text=True, check=True)


def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        seeded = time.perf_counter()
        _child("--seed", data)
        seeded = time.perf_counter() - seeded
        shutil.copytree(data, Path(tmp) / "copy")
        child = _child("--measure", data)
        whole = _child("--measure-whole", Path(tmp) / "copy")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    result["whole"] = json.loads(whole.stdout.strip().splitlines()[-1])
    result["seed_seconds"] = seeded
    print(f"## Start-up with {result['reminders']:,} pending reminders (embedded store)")
    print(
        f"ready in {result['ready_seconds']:.1f} s (open {result['open_seconds']:.1f} s, "
        f"indexes + runner start {result['start_seconds']:.1f} s); the catch-up then "
        f"finished in the background {result['catch_up_seconds']:.1f} s later; "
        f"then a regular tick takes {result['next_tick_ms']:.0f} ms"
    )
    print(
        f"caught up: {RECENT} recent reminders + {result['digests']} digests sent "
        f"({result['sent']} messages), {result['folded']} old ones folded"
    )
    print(
        f"peak RSS {result['peak_rss_mb']:.0f} MB "
        f"(after imports {result['baseline_rss_mb']:.0f} MB); seeding took {seeded:.0f} s"
    )
    print(f"reminder statuses after start-up: {result['statuses']}")
    bot = result["whole"]
    print(
        f"the whole bot process (bot.runtime imported, its warm-ups done, then the same "
        f"start-up): peak RSS {bot['peak_rss_mb']:.0f} MB (target < 300 MB; after imports "
        f"and warm-ups {bot['baseline_rss_mb']:.0f} MB), ready in {bot['ready_seconds']:.1f} s"
    )
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seed":
        asyncio.run(_seed(Path(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(asyncio.run(_measure(Path(sys.argv[2]))), default=str))
    elif len(sys.argv) == 3 and sys.argv[1] == "--measure-whole":
        print(json.dumps(asyncio.run(_measure(Path(sys.argv[2]), whole=True)), default=str))
    else:
        main()
