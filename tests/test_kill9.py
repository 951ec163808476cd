"""The bot process is killed with SIGKILL at random points of a scripted
conversation, then restarted on the same data: the conversation resumes and the
plan is intact."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from storage.engine import open_engine
from storage.models import Plan
from tests.bot_process import BotProcess
from tests.fakes.telegram_api import Call, FakeTelegramAPI

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
