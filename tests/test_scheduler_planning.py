"""Scheduling a plan version, and keeping its sessions and reminders in line (storage in
memory, clock injected)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from agent.llm import deterministic
from scheduler.dispatcher import Dispatcher
from scheduler.pacing import Pace
from scheduler.planning import schedule_plan, today_text, upcoming_sessions_text
from scheduler.reminders import reconcile_user
from storage.engine import open_engine
from storage.models import Goal, Plan, SkillLevel, Slot, StudySession
from storage.reminders import (
    get_reminder,
    set_reminder_fields,
    snooze,
    user_reminders,
)
from storage.schedules import list_sessions, save_sessions
from storage.session_status import active_schedule_version, mark_module_sessions
from storage.store import Store
from tests.harness import FrozenClock

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)  # Monday, 10:00 in Berlin
USER = 42


def goal(**changes: Any) -> Goal:
    base = Goal(
        goal="Rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=5,
        weeks=6,
        topics=["ownership"],
        topics_answered=True,
        availability=[Slot(weekday=d, start=time(19), end=time(21)) for d in range(5)],
        timezone="Europe/Berlin",
    )
    return base.model_copy(update=changes)


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    engine = open_engine(memory=True)
    s = Store(engine, clock=FrozenClock(T0))
    await s.setup()
    yield s
    engine.close()


def now_of(store: Store) -> FrozenClock:
    assert isinstance(store.clock, FrozenClock)
    return store.clock


async def plan_version(store: Store, g: Goal | None = None) -> tuple[int, Any, Goal]:
    g = g or goal()
    plan = deterministic(g)
    version = await store.save_plan(USER, plan, g, note="created")
    return version, plan, g


def by_id(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["reminder_id"]: d for d in docs}


class Recorder:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def __call__(self, chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> None:
        self.texts.extend(str(r["text"]) for r in replies)


def dispatcher(store: Store, sender: Recorder) -> Dispatcher:
    pace = Pace(per_second=1000, per_chat_interval=0, concurrency=4)
    return Dispatcher(store, sender, instance="t", pace=pace)


def first_slot_text(plan: Plan, start_hour: int) -> str:
    """ "19:00–20:30": the first session starts the first evening slot (2 h, 19–21) and
    lasts as long as the first module, up to the slot."""
    minutes = min(round(plan.weeks[0].modules[0].hours * 60), 120)
    end = start_hour * 60 + minutes
    return f"{start_hour:02d}:00–{end // 60:02d}:{end % 60:02d}"


async def test_scheduling_twice_changes_nothing(store: Store) -> None:
    version, plan, g = await plan_version(store)
    replies = await schedule_plan(store, USER, version, plan, g)
    text = replies[0]["text"]
    assert "Next sessions:" in text and f"• Mon 19 Oct {first_slot_text(plan, 19)} — " in text
    first = by_id(await user_reminders(store, USER))
    sessions = await list_sessions(store, USER, version)
    assert len([d for d in first.values() if d["kind"] == "session"]) == len(sessions)
    assert {d["kind"] for d in first.values()} == {"session", "nudge", "weekly_summary"}
    again = await schedule_plan(store, USER, version, plan, g)
    assert again == replies
    assert by_id(await user_reminders(store, USER)) == first
    assert [s.sequence for s in await list_sessions(store, USER, version)] == [0] * len(sessions)


async def test_a_new_version_takes_over_and_keeps_done_modules(store: Store) -> None:
    v1, plan1, g = await plan_version(store)
    await schedule_plan(store, USER, v1, plan1, g)
    first_module = plan1.weeks[0].modules[0].id
    assert await mark_module_sessions(store, USER, v1, first_module, "done") >= 1
    done_before = [s for s in await list_sessions(store, USER, v1) if s.module_id == first_module]
    now_of(store).now = T0 + timedelta(days=3)
    v2, plan2, g2 = await plan_version(store, goal(hours_per_week=4))
    await schedule_plan(store, USER, v2, plan2, g2)
    assert await active_schedule_version(store, USER) == v2
    old = [d for d in await user_reminders(store, USER) if d.get("version") == v1]
    assert old and all(d["status"] in {"cancelled"} for d in old if d["due_at"] > T0)
    sessions = await list_sessions(store, USER, v2)
    kept = [s for s in sessions if s.module_id == first_module]
    assert [(s.starts_at, s.status) for s in kept] == [(s.starts_at, "done") for s in done_before]
    planned = [s for s in sessions if s.status == "planned"]
    assert planned[0].starts_at >= now_of(store).now
    pending = [d for d in await user_reminders(store, USER, ["pending"]) if d["kind"] == "session"]
    assert pending and all(d["version"] == v2 for d in pending)


async def test_save_sessions_bumps_the_sequence_only_on_change(store: Store) -> None:
    start = datetime(2026, 10, 19, 17, tzinfo=UTC)
    one = StudySession(
        session_id="a-p1",
        module_id="a",
        week=1,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    other = one.model_copy(update={"session_id": "b-p1", "module_id": "b"})
    await save_sessions(store, USER, 1, [one, other])
    await save_sessions(store, USER, 1, [one, other])
    moved = one.model_copy(update={"starts_at": start + timedelta(days=1)})
    stored = await save_sessions(store, USER, 1, [moved, other])
    assert {s.session_id: s.sequence for s in stored} == {"a-p1": 1, "b-p1": 0}
    stored = await save_sessions(store, USER, 1, [moved])
    assert [s.session_id for s in stored] == ["a-p1"]


async def test_a_lead_change_moves_pending_reminders_but_not_snoozed_ones(store: Store) -> None:
    version, plan, g = await plan_version(store)
    await schedule_plan(store, USER, version, plan, g)
    ids = [d for d in await user_reminders(store, USER) if d["kind"] == "session"]
    first, second = ids[0], ids[1]
    snoozed_to = T0 + timedelta(hours=3)
    assert await snooze(store, USER, first["short_id"], snoozed_to)
    await set_reminder_fields(store, USER, {"lead_minutes": 60})
    report = await reconcile_user(store, USER, now=T0)
    assert report.moved >= 1
    after = by_id(await user_reminders(store, USER))
    assert after[first["reminder_id"]]["due_at"] == snoozed_to
    expected = second["payload"]["starts_at"] - timedelta(minutes=60)
    assert after[second["reminder_id"]]["due_at"] == expected


async def test_a_done_session_is_not_reminded(store: Store) -> None:
    version, plan, g = await plan_version(store)
    await schedule_plan(store, USER, version, plan, g)
    module = plan.weeks[0].modules[0].id
    await mark_module_sessions(store, USER, version, module, "done")
    sender = Recorder()
    report = await dispatcher(store, sender).tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    assert report.cancelled == 1 and sender.texts == []
    doc = await get_reminder(store, f"s:{USER}:{version}:{module}-p1:0")
    assert doc is not None and doc["cancel_reason"] == "superseded"


async def test_nudge_follows_the_last_activity(store: Store) -> None:
    version, plan, g = await plan_version(store)
    await schedule_plan(store, USER, version, plan, g)
    (nudge,) = [d for d in await user_reminders(store, USER) if d["kind"] == "nudge"]
    assert nudge["due_at"] == T0 + timedelta(days=2)
    active_at = T0 + timedelta(days=1)
    await store.run(
        store.db.user_progress.insert_one, {"user_id": USER, "last_activity_at": active_at}
    )
    sender = Recorder()
    now_of(store).now = nudge["due_at"]
    await dispatcher(store, sender).tick()
    assert not any("since you last studied" in t for t in sender.texts)
    nudges = [d for d in await user_reminders(store, USER) if d["kind"] == "nudge"]
    assert {d["status"] for d in nudges} == {"cancelled", "pending"}
    (later,) = [d for d in nudges if d["status"] == "pending"]
    assert later["due_at"] == active_at + timedelta(days=2)
    now_of(store).now = later["due_at"]
    await dispatcher(store, sender).tick()
    assert any(t.startswith("👋 It's been 2 days since you last studied") for t in sender.texts)
    user = await store.get_user(USER)
    assert user is not None and user["reminders"]["last_nudge_at"] == later["due_at"]


async def test_a_new_plan_counts_as_activity_for_the_nudge(store: Store) -> None:
    """Studied 10 days ago on an older plan, then a new plan from intake: the nudge
    counts from the new plan, not "10 days since you last studied" at once (the new
    plan's progress is not even read)."""
    await store.run(
        store.db.user_progress.insert_one,
        {"user_id": USER, "last_activity_at": T0 - timedelta(days=10)},
    )
    g = goal()
    plan = deterministic(g)
    saved = await store.store_plan(USER, plan, g, note="created")
    await schedule_plan(store, USER, saved.version, plan, g, saved=saved)
    (nudge,) = [d for d in await user_reminders(store, USER) if d["kind"] == "nudge"]
    assert nudge["due_at"] == T0 + timedelta(days=2)


async def test_weekly_summary_counts_the_week_on_sunday_evening(store: Store) -> None:
    version, plan, g = await plan_version(store)
    await schedule_plan(store, USER, version, plan, g)
    (weekly,) = [d for d in await user_reminders(store, USER) if d["kind"] == "weekly_summary"]
    assert weekly["due_at"].astimezone(BERLIN).strftime("%a %d %H:%M") == "Sun 25 19:00"
    sessions = await list_sessions(store, USER, version)
    await mark_module_sessions(store, USER, version, sessions[0].module_id, "done")
    sender = Recorder()
    now_of(store).now = weekly["due_at"]
    await dispatcher(store, sender).tick()
    (summary,) = [t for t in sender.texts if t.startswith("📊")]
    assert "Your week (Mon 19 Oct – Sun 25 Oct)" in summary
    this_week = [s for s in sessions if s.starts_at < weekly["due_at"]]
    assert f"1 of {len(this_week)} sessions done, {len(this_week) - 1} missed" in summary
    next_week = [
        s for s in sessions if weekly["due_at"] < s.starts_at < weekly["due_at"] + timedelta(days=7)
    ]
    assert f"Next week: {len(next_week)} sessions, 5 h planned." in summary
    follow = [d for d in await user_reminders(store, USER) if d["kind"] == "weekly_summary"]
    assert [d["occurrence"] for d in follow] == ["2026-10-25", "2026-11-01"]


async def test_texts_for_plan_and_today(store: Store) -> None:
    version, plan, g = await plan_version(store)
    await schedule_plan(store, USER, version, plan, g)
    text = await upcoming_sessions_text(store, USER, version, "Europe/Berlin", T0, limit=2)
    assert text is not None and text.count("\n• ") == 2
    assert text.startswith(f"Next sessions:\n• Mon 19 Oct {first_slot_text(plan, 19)} — ")
    tokyo = await upcoming_sessions_text(store, USER, version, "Asia/Tokyo", T0, limit=1)
    assert tokyo is not None and f"Tue 20 Oct {first_slot_text(plan, 2)}" in tokyo
    today = await today_text(store, USER, T0)
    assert today is not None and today.startswith("Today, Mon 19 Oct:")
    assert "Next:\n• Tue 20 Oct 19:00" in today
    assert await upcoming_sessions_text(store, 999, 1, "UTC", T0) is None
    assert await today_text(store, 999, T0) is None
