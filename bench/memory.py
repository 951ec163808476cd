"""Memory per active user: users mid-conversation, held by the running service.

Baseline, in the same run: the size of one user's conversation state as JSON —
the information the bot must keep — so the ratio is the overhead per user.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

from bot.runtime import open_runtime
from bot.settings import Settings

USERS = 500
TURNS = ["/newplan", "Rust programming", "beginner", "5"]


def _event(user: int, text: str) -> dict[str, Any]:
    kind = "command" if text.startswith("/") else "text"
    return {"kind": kind, "command": text[1:], "args": "", "text": text,
            "user_id": user, "chat_id": user}  # fmt: skip


async def _measure() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(TELEGRAM_BOT_TOKEN="x", LEARNPLAN_DATA_DIR=Path(tmp))
        async with open_runtime(settings) as runtime:
            for text in TURNS:  # warm up caches, imports and the graph
                await runtime.service.handle(_event(1, text))
            gc.collect()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            before = tracemalloc.take_snapshot()
            for user in range(2, USERS + 2):
                for text in TURNS:
                    await runtime.service.handle(_event(user, text))
            gc.collect()
            after = tracemalloc.take_snapshot()
            tracemalloc.stop()
            rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            heap = sum(s.size_diff for s in after.compare_to(before, "filename"))
            state = await runtime.service.graph.aget_state({"configurable": {"thread_id": "2"}})
            state_bytes = len(json.dumps(state.values, default=str))
    return {
        "users": USERS,
        "heap_per_user": heap / USERS,
        "rss_per_user": (rss_after - rss_before) * 1024 / USERS,
        "state_bytes": state_bytes,
    }


def main() -> dict[str, Any]:
    result = asyncio.run(_measure())
    ratio = result["heap_per_user"] / result["state_bytes"]
    print(f"## Memory per active user ({result['users']} users mid-intake)")
    print(
        f"Python heap {result['heap_per_user'] / 1024:.1f} KiB/user, "
        f"peak RSS growth {result['rss_per_user'] / 1024:.1f} KiB/user; "
        f"state {result['state_bytes']} B/user → {ratio:.1f}x the state itself"
    )
    result["ratio"] = ratio
    return result


if __name__ == "__main__":
    main()
