"""/export and /forget end to end: the JSON holds the user's plan and progress and
nothing of anyone else; /forget (after the button) leaves no document with the user's id
in any collection, and the conversation starts afresh."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from storage.store import Store
from tests.fakes.progress_driver import (
    make_plan,
    press_unanswered,
    store_of,
)
from tests.harness import BotUnderTest, FrozenClock, texts

ALICE, BOB = 801, 802
BOB_GOAL = (
    "Learn Watercolor painting, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Tokyo, "
    "topics: washes"
)

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)


async def _other_features_data(store: Store, user: int) -> None:
    """Documents other features keep (reminders, calendar tokens, sessions, settings)."""
    now = store.clock()

    async def op() -> None:
        db = store.db
        await db.reminders.insert_one(
            {"reminder_id": f"r-{user}", "user_id": user, "chat_id": user, "due_at": now,
             "status": "pending"}
        )  # fmt: skip
        await db.ical_tokens.insert_one(
            {"token_hash": f"secret-hash-{user}", "user_id": user, "created_at": now}
        )
        await db.schedules.insert_one(
            {
                "user_id": user,
                "plan_version": 999,
                "session_id": f"s-{user}",
                "starts_at": now,
                "ends_at": now,
            }
        )
        await db.reminder_settings.insert_one({"user_id": user, "lead_minutes": 15})
        await db.llm_cache.update_one(
            {"key": "shared"}, {"$setOnInsert": {"value": {}}}, upsert=True
        )

    await store.run(op)


async def _two_users_with_data(bot: BotUnderTest) -> Store:
    await make_plan(bot, ALICE)
    await bot.say(ALICE, "done, took 45 min")
    await make_plan(bot, BOB, BOB_GOAL)
    await bot.say(BOB, "/log 30m")
    store = store_of(bot)
    await _other_features_data(store, ALICE)
    await _other_features_data(store, BOB)
    return store


async def _documents_of(store: Store, user: int) -> dict[str, int]:
    async def op() -> dict[str, int]:
        counts = {}
        for name in await store.db.list_collection_names():
            query = {"$or": [{"user_id": user}, {"chat_id": user}]}
            count = await store.db[name].count_documents(query)
            if count:
                counts[name] = count
        return counts

    return await store.run(op)


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value, *(x for v in value.values() for x in _walk(v))]
    if isinstance(value, list):
        return [x for v in value for x in _walk(v)]
    return [value]


async def test_export_has_my_plan_and_progress_and_nothing_of_anyone_else(
    bot: BotUnderTest,
) -> None:
    await _two_users_with_data(bot)
    calls = await bot.say(ALICE, "/export")
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 1
    raw = next(iter(documents[0].files.values()))
    exported = json.loads(raw)
    assert exported["user_id"] == ALICE
    collections = exported["collections"]
    assert {"users", "learning_plans", "user_progress", "schedules", "reminders"} <= set(
        collections
    )
    assert {"ical_tokens", "reminder_settings"} <= set(collections)
    assert "llm_cache" not in collections
    plan = collections["learning_plans"][0]
    assert plan["plan"]["title"].startswith("SQL") and plan["goal"]["timezone"] == "Europe/Berlin"
    progress = collections["user_progress"][0]
    assert progress["plans"]["p1"]["done"]["w1m1"]["minutes"] == 45
    assert datetime.fromisoformat(plan["created_at"]).tzinfo is not None
    everything = _walk(collections)
    owners = {d["user_id"] for d in everything if isinstance(d, dict) and "user_id" in d}
    assert owners == {ALICE}
    text = raw.decode()
    assert "Watercolor" not in text and "secret-hash" not in text
    assert "token_hash" not in text


async def test_forget_after_confirmation_deletes_everything(bot: BotUnderTest) -> None:
    store = await _two_users_with_data(bot)
    bob_before = await _documents_of(store, BOB)
    calls = await bot.say(ALICE, "/forget")
    assert "cannot be undone" in texts(calls)
    calls = await bot.press_button(ALICE, calls[-1], "Cancel")
    assert "Nothing was deleted" in texts(calls)
    assert set(await _documents_of(store, ALICE)) >= {"users", "learning_plans", "user_progress"}

    calls = await bot.say(ALICE, "/forget")
    calls = await bot.press_button(ALICE, calls[-1], "Yes, delete everything")
    assert "deleted all your data" in texts(calls)
    assert await _documents_of(store, ALICE) == {}
    assert await _documents_of(store, BOB) == bob_before
    assert await store.run(store.db.llm_cache.count_documents, {}) == 1

    assert bot.runtime is not None
    config: Any = {"configurable": {"thread_id": str(ALICE)}}
    state = await bot.runtime.service.graph.aget_state(config)
    assert not state.values, "the conversation state is gone"
    calls = await bot.say(ALICE, "/plan")
    assert "don't have a plan" in texts(calls)
    calls = await bot.say(ALICE, "/progress")
    assert "don't have a plan" in texts(calls)
    calls = await bot.say(BOB, "/plan")
    assert "Watercolor" in texts(calls)


async def test_forget_confirmation_expires_and_cannot_be_forged(bot: BotUnderTest) -> None:
    store = await _two_users_with_data(bot)
    before = await _documents_of(store, ALICE)
    calls = await bot.say(ALICE, "/forget")
    yes = next(data for label, data in bot.api.buttons(calls[-1]) if "Yes" in label)
    await press_unanswered(bot, BOB, yes)
    assert await _documents_of(store, ALICE) == before, "someone else's press does nothing"
    offered = yes.split("|")[0]
    calls = await bot.press(ALICE, f"acct:forget:yes:0|{ALICE}")
    assert "expired" in texts(calls)
    calls = await bot.press(ALICE, f"acct:forget:yes:x{offered[-3:]}|{ALICE}")
    assert "Nothing was deleted" in texts(calls)
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now += timedelta(minutes=11)
    calls = await bot.press(ALICE, yes)
    assert "expired" in texts(calls)
    assert await _documents_of(store, ALICE) == before


async def test_forget_mid_intake_confirms_and_deletes(bot: BotUnderTest) -> None:
    user = 777
    await make_plan(bot, user)
    calls = await bot.say(user, "/newplan")
    await bot.press_button(user, calls[-1], "Start a new plan")
    calls = await bot.say(user, "/forget")
    confirm = next(c for c in calls if any("Yes" in label for label, _ in bot.api.buttons(c)))
    assert "What do you want to learn" in texts(calls), "the open question is asked again"
    calls = await bot.press_button(user, confirm, "Yes")
    assert "deleted" in texts(calls).lower()
    assert await store_of(bot).active_plan(user) is None
