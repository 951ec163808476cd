"""`scheduler.reconcile_writes`: the blind batch of conditional writes that reconciles a
just-scheduled version's reminders leaves exactly what the read-then-compare-and-set
path leaves, on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from agent.llm import deterministic
from scheduler.planning import schedule_plan
from scheduler.reminders import reconcile_user, user_facts
from storage.engine import Engine
from storage.models import Goal, SkillLevel, Slot
from storage.reminders import CANCELLED, set_reminder_fields, snooze, user_reminders
from storage.store import Store
from tests.harness import FrozenClock

BOTH_ENGINES = True
T0 = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
READ, BLIND = 41, 42


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    s = Store(engine, clock=FrozenClock(T0))
    await s.setup()
    yield s


def _goal() -> Goal:
    return Goal(
        goal="Rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=5,
        weeks=6,
        topics=["ownership"],
        topics_answered=True,
        availability=[Slot(weekday=d, start=time(19), end=time(21)) for d in range(5)],
        timezone="Europe/Berlin",
    )


async def _prepare(store: Store, uid: int) -> int:
    """A scheduled plan with a custom rule, then: one session reminder snoozed, one
    cancelled (wanted again), the custom rule gone, a new lead time and a pause."""
    await store.touch_user(uid, uid, "Ann")
    await set_reminder_fields(
        store, uid, {"custom": [{"id": "024-0800", "days": [0, 2, 4], "at": "08:00"}]}
    )
    g = _goal()
    plan = deterministic(g)
    version = await store.save_plan(uid, plan, g, note="created")
    await schedule_plan(store, uid, version, plan, g)
    sessions = sorted(
        (d for d in await user_reminders(store, uid) if d["kind"] == "session"),
        key=lambda d: d["due_at"],
    )
    assert await snooze(store, uid, sessions[0]["short_id"], T0 + timedelta(hours=3))
    await store.db.reminders.update_one(
        {"reminder_id": sessions[8]["reminder_id"]},
        {"$set": {"status": CANCELLED, "cancel_reason": "paused"}, "$inc": {"rev": 1}},
    )
    paused = sessions[6]["due_at"] + timedelta(hours=1)
    await set_reminder_fields(store, uid, {"custom": [], "lead_minutes": 45})
    await set_reminder_fields(store, uid, {"paused_until": paused})
    return version


def _comparable(docs: list[dict[str, Any]], uid: int) -> list[dict[str, Any]]:
    out = []
    for doc in docs:
        doc = {k: v for k, v in doc.items() if k not in {"short_id", "user_id", "chat_id"}}
        doc["reminder_id"] = doc["reminder_id"].replace(f":{uid}:", ":U:")
        out.append(doc)
    return sorted(out, key=lambda d: d["reminder_id"])


async def test_the_blind_batch_leaves_what_read_then_write_leaves(store: Store) -> None:
    now = T0 + timedelta(minutes=5)
    for uid in (READ, BLIND):
        version = await _prepare(store, uid)
        facts = await user_facts(store, uid, await store.get_user(uid))
        superseding = version if uid == BLIND else None
        await reconcile_user(store, uid, now=now, facts=facts, superseding=superseding)
    read = _comparable(await user_reminders(store, READ), READ)
    blind = _comparable(await user_reminders(store, BLIND), BLIND)
    assert blind == read
    reasons = {d.get("cancel_reason") for d in read if d["status"] == CANCELLED}
    assert {"superseded", "paused"} <= reasons, reasons
    assert any(d["snoozed"] and d["status"] == "pending" for d in read)
    assert any(d["rev"] >= 2 and d["status"] == "pending" for d in read), "one revived"


async def test_the_blind_batch_twice_changes_nothing(store: Store) -> None:
    version = await _prepare(store, BLIND)
    facts = await user_facts(store, BLIND, await store.get_user(BLIND))
    await reconcile_user(store, BLIND, now=T0, facts=facts, superseding=version)
    first = await user_reminders(store, BLIND)
    report = await reconcile_user(store, BLIND, now=T0, facts=facts, superseding=version)
    assert report.inserted == 0
    assert await user_reminders(store, BLIND) == first


async def test_a_reminder_due_and_wanted_in_the_past_is_left_for_the_dispatcher(
    store: Store,
) -> None:
    """18:30 in Berlin, the 19:00 session's reminder overdue since 18:20: with a longer
    lead time its wanted time is past too, so neither path moves it."""
    now = datetime(2026, 10, 19, 16, 30, tzinfo=UTC)
    overdue = now - timedelta(minutes=10)
    for uid in (READ, BLIND):
        await store.touch_user(uid, uid, "Ann")
        g = _goal()
        plan = deterministic(g)
        version = await store.save_plan(uid, plan, g, note="created")
        await schedule_plan(store, uid, version, plan, g)
        first = min(
            (d for d in await user_reminders(store, uid) if d["kind"] == "session"),
            key=lambda d: d["due_at"],
        )
        await store.db.reminders.update_one(
            {"reminder_id": first["reminder_id"]}, {"$set": {"due_at": overdue}}
        )
        await set_reminder_fields(store, uid, {"lead_minutes": 45})
        facts = await user_facts(store, uid, await store.get_user(uid))
        superseding = version if uid == BLIND else None
        await reconcile_user(store, uid, now=now, facts=facts, superseding=superseding)
    read = _comparable(await user_reminders(store, READ), READ)
    assert _comparable(await user_reminders(store, BLIND), BLIND) == read
    assert min(d["due_at"] for d in read if d["kind"] == "session") == overdue
