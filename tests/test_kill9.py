"""The bot process is killed with SIGKILL at random points of a scripted
conversation, then restarted on the same data: the conversation resumes and the
plan is intact."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.engine import open_engine
from storage.models import Plan
from tests.fakes.telegram_api import Call, FakeTelegramAPI

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
USER = 801
ANSWERS = [
    ("What do you want to learn", "Scala for data engineering"),
    ("current level", "intermediate"),
    ("hours a week", "4"),
    ("how many weeks", "3"),
    ("topics", "skip"),
    ("When can you study", "weekday evenings 19:00-21:00"),
    ("time zone", "Berlin"),
]


class BotProcess:
    def __init__(self, api: FakeTelegramAPI, data_dir: Path) -> None:
        self.api = api
        self.data_dir = data_dir
        self.proc: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        since = len(self.api.calls)
        env = {
            **{
                k: v for k, v in os.environ.items() if not k.startswith(("LEARNPLAN_", "TELEGRAM_"))
            },
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_BASE_URL": self.api.base_url,
            "LEARNPLAN_DATA_DIR": str(self.data_dir),
            "LEARNPLAN_LOG_LEVEL": "WARNING",
        }
        self.proc = self._spawn(env)
        deadline = time.monotonic() + 60
        while not any(c.method == "setMyCommands" for c in self.api.calls[since:]):
            assert self.proc.poll() is None, "the bot exited during start-up"
            assert time.monotonic() < deadline, "the bot did not start"
            await asyncio.sleep(0.05)

    @staticmethod
    def _spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen([LEARNPLAN, "run"], env=env, stderr=subprocess.DEVNULL)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)


async def _next_reply(api: FakeTelegramAPI, since: int, limit: float) -> list[Call]:
    try:
        return await api.wait_quiet(USER, since, quiet=0.3, limit=limit)
    except TimeoutError:
        return []


def _respond(text: str) -> str | None:
    if "Shall I build the plan?" in text:
        return "yes"
    for cue, answer in ANSWERS:
        if cue.lower() in text.lower():
            return answer
    return None


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_conversation_survives_sigkill(
    api: FakeTelegramAPI, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    bot = BotProcess(api, tmp_path / "data")
    await bot.start()
    kills = 0
    try:
        message = "/newplan"
        for _turn in range(40):
            since = len(api.calls)
            api.send_text(USER, message)
            if kills < 2 and rng.random() < 0.35:
                await asyncio.sleep(rng.uniform(0, 0.05))
                bot.kill()
                kills += 1
                await bot.start()
            replies = await _next_reply(api, since, limit=8)
            if not replies:  # the message died with the process: ask again
                message = "/help"
                continue
            text = "\n".join(str(c.params.get("text", "")) for c in replies)
            if "Week 3" in text and "Your plan is saved" in text:
                break
            answer = _respond(replies[-1].params.get("text", "")) or _respond(text)
            message = answer or "/help"
        else:
            pytest.fail("the conversation did not finish")
    finally:
        bot.stop()
    assert not api.rejected
    engine = open_engine(data_dir=tmp_path / "data")
    try:
        user = await engine.db.users.find_one({"user_id": USER})
        assert user is not None
        version = user["active_plan_version"]
        doc = await engine.db.learning_plans.find_one({"user_id": USER, "version": version})
        assert doc is not None
        plan = Plan.model_validate(doc["plan"])
        assert doc["goal"]["timezone"] == "Europe/Berlin"
        assert doc["goal"]["hours_per_week"] == 4 and len(plan.weeks) == 3
        assert "Scala" in plan.goal
    finally:
        await engine.aclose()
