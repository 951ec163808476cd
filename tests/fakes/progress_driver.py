"""Test helpers for progress features: build a plan, answer quiz polls, read progress.

Additions on top of `tests.harness.BotUnderTest` without editing it: a poll answer is an
update the Bot API stand-in feeds through ``getUpdates`` like any other (``api._push``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from storage.models import Goal, Plan
from storage.progress_doc import ProgressDoc, load_progress
from storage.store import Store
from tests.fakes.telegram_api import Call
from tests.harness import BotUnderTest, texts

SQL_GOAL = (
    "Learn SQL, 4 weeks, 4h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
    "topics: joins, indexes"
)


def store_of(bot: BotUnderTest) -> Store:
    assert bot.runtime is not None
    return bot.runtime.store


async def make_plan(bot: BotUnderTest, user: int, goal: str = SQL_GOAL) -> tuple[int, Plan, Goal]:
    """Intake in one message, then "Build my plan"; returns the stored active plan."""
    calls = await bot.say(user, goal)
    await bot.press_button(user, calls[-1], "Build my plan")
    active = await store_of(bot).active_plan(user)
    assert active is not None, texts(calls)
    return active


async def progress_doc(bot: BotUnderTest, user: int) -> ProgressDoc:
    return await load_progress(store_of(bot), user)


async def wait_until(check: Callable[[], Awaitable[bool]], limit: float = 15.0) -> None:
    """Poll `check` (real time, for HTTP round trips only) until it holds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached in time")


def push_poll_answer(bot: BotUnderTest, user: int, poll_id: str, options: list[int]) -> int:
    update = {
        "poll_answer": {
            "poll_id": poll_id,
            "user": {"id": user, "is_bot": False, "first_name": f"User{user}"},
            "option_ids": options,
            "option_persistent_ids": [str(o) for o in options],
        }
    }
    return bot.api._push(update)


async def answer_poll(
    bot: BotUnderTest, user: int, poll_id: str, option: int, *, expect_reply: bool
) -> list[Call]:
    """Answer a poll as `user`. With `expect_reply`, wait for the bot's messages; otherwise
    wait until the answer is stored."""
    since = len(bot.api.calls)
    push_poll_answer(bot, user, poll_id, [option])
    if expect_reply:
        return await bot.api.wait_quiet(user, since)

    async def stored() -> bool:
        poll = ((await progress_doc(bot, user)).raw.get("polls") or {}).get(poll_id) or {}
        return "answer" in poll

    await wait_until(stored)
    return []


def sent_polls(calls: list[Call]) -> list[dict[str, Any]]:
    """The polls the bot sent among `calls`: question, options, type, correct id, poll id."""
    out = []
    for call in calls:
        if call.method == "sendPoll" and call.status == 200:
            out.append(
                {
                    "poll_id": call.params["_poll_id"],
                    "question": call.params.get("question"),
                    "type": call.params.get("type", "regular"),
                    "is_anonymous": call.params.get("is_anonymous"),
                    "correct": _correct_option(call.params),
                }
            )
    return out


def _correct_option(params: dict[str, Any]) -> int | None:
    raw = params.get("correct_option_ids")
    if raw is None:
        single = params.get("correct_option_id")
        return None if single is None else int(single)
    ids = json.loads(raw) if isinstance(raw, str) else raw
    return int(ids[0])


def all_calls(bot: BotUnderTest, user: int, since: int) -> list[Call]:
    """Every successful call to `user`'s chat after index `since` (any method)."""
    return [
        c
        for c in bot.api.calls[since:]
        if str(c.params.get("chat_id")) == str(user) and c.status == 200
    ]


async def press_unanswered(bot: BotUnderTest, user: int, data: str) -> None:
    """Press a button whose press the bot only acknowledges (e.g. someone else's button):
    wait for the answerCallbackQuery instead of a message."""
    since = len(bot.api.calls)
    bot.api.press(user, data)

    async def acknowledged() -> bool:
        return any(c.method == "answerCallbackQuery" for c in bot.api.calls[since:])

    await wait_until(acknowledged)
