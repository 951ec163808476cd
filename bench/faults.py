"""Soak: the fault conversation of `tests/test_telegram_faults.py` under 20 seeds.

Telegram misbehaves on 20% of calls (5xx, 429, slow answers, answers after the bot
gave up); two users run the whole intake-plan-refine conversation at once. For each
seed: whether every expected reply was delivered, how many accepted replies were
duplicates, and how many sends the bot counted as uncertain (timed out, so perhaps
accepted: the only allowed cause of a duplicate; injected "late" answers are among
them), how many of those timed out on their retry too (unconfirmed: not sent a third
time, the turn goes on), and how many expected replies never arrived (lost: the
conversation of that chat stops at the first). ``./dev bench faults [--seeds N]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.test_telegram_faults import (
    LATE_LIMIT_S,
    READ_TIMEOUT_S,
    _accepted,
    _conversation,
    _injector,
)

SEEDS = 20
SETTLE_LIMIT_S = 120.0  # a hang guard: backoff and read timeouts of the last turns


def uncertain_sends(bot: BotUnderTest) -> tuple[int, int]:
    """Sends the bot itself counted as uncertain (timed out, maybe accepted), and those
    of them that timed out on their retry too (unconfirmed)."""
    assert bot.application is not None
    delivery = bot.application.bot_data["handlers"].delivery
    return delivery.uncertain, delivery.unconfirmed


CHATS = (1001, 1002)


async def _one(seed: int, data: Path) -> dict[str, Any]:
    api = FakeTelegramAPI()
    await api.start()
    fault, injected = _injector(seed=seed)
    bot = BotUnderTest(api, data, read_timeout=READ_TIMEOUT_S)
    api.late_seconds = LATE_LIMIT_S
    delivered = True
    error = ""
    uncertain = unconfirmed = lost = 0
    try:
        await bot.start()
        api.fault = fault
        outcomes = await asyncio.gather(
            *(_conversation(api, chat) for chat in CHATS), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, AssertionError):
                delivered, error, lost = False, str(outcome), lost + 1
            elif isinstance(outcome, BaseException):
                raise outcome
        # The conversation ends when the last expected reply is accepted, but a send
        # Telegram accepted late is retried only once its read timeout fires: count the
        # uncertain sends once every turn, retries included, is over (not after a
        # guessed pause, which a 2 s read timeout outlasted).
        await api.wait_settled(limit=SETTLE_LIMIT_S)
    finally:
        api.fault = None
        if bot.application is not None:
            uncertain, unconfirmed = uncertain_sends(bot)
        await bot.stop()
        await api.stop()
    duplicates = 0
    for chat in CHATS:
        texts = Counter(str(c.params.get("text")) for c in _accepted(api, chat))
        duplicates += sum(n - 1 for n in texts.values() if n > 1)
    return {
        "seed": seed,
        "delivered": delivered,
        "duplicates": duplicates,
        "uncertain": uncertain,
        "unconfirmed": unconfirmed,
        "lost": lost,
        "late": injected["late"],
        "faults": sum(injected.values()),
        "error": error,
    }


def main(options: list[str] | None = None) -> list[dict[str, Any]]:
    """``--seeds N`` runs seeds 0..N-1 (default 20)."""
    args = options or []
    seeds = int(args[args.index("--seeds") + 1]) if "--seeds" in args else SEEDS
    rows = []
    print(f"## Telegram faults soak: {seeds} seeds, 20% of calls faulty, 2 chats at once")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            r = asyncio.run(_one(seed, Path(tmp) / f"s{seed}"))
            rows.append(r)
            state = "delivered" if r["delivered"] else f"NOT delivered: {r['error']}"
            print(
                f"seed {r['seed']:2d}: {state}; duplicates {r['duplicates']}, "
                f"uncertain {r['uncertain']} (unconfirmed {r['unconfirmed']}; "
                f"late answers {r['late']}), lost {r['lost']}, faults {r['faults']}",
                flush=True,
            )
    ok = sum(r["delivered"] for r in rows)
    bad = [r["seed"] for r in rows if r["duplicates"] > r["uncertain"]]
    print(
        f"delivered {ok}/{seeds}; duplicates {sum(r['duplicates'] for r in rows)}, "
        f"uncertain {sum(r['uncertain'] for r in rows)}, "
        f"unconfirmed {sum(r['unconfirmed'] for r in rows)}, lost {sum(r['lost'] for r in rows)}; "
        f"seeds with more duplicates than uncertain sends: {bad or 'none'}"
    )
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
