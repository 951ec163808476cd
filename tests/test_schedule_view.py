"""The schedule view a turn reads with the user's document (`storage.schedule_view`)
says what reading every schedule document says, for a version about to be stored, on
both engines (the embedded engine reads the documents themselves)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from storage.engine import Engine, EngineKind
from storage.models import Goal, Module, Plan, Slot, StudySession, Week
from storage.progress_doc import read_with_user
from storage.schedule_view import read_user_and_schedules, version_and_active
from storage.schedules import save_sessions
from storage.session_status import mark_module_sessions, move_session, set_session_status
from storage.store import Store

BOTH_ENGINES = True
USER = 5
T0 = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
START = datetime(2026, 10, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    s = Store(engine, clock=lambda: T0)
    await s.setup()
    await s.touch_user(USER, USER, "Ada")
    yield s


def session(session_id: str, day: int, *, hour: int = 0) -> StudySession:
    starts_at = START + timedelta(days=day, hours=hour)
    return StudySession(
        session_id=session_id,
        module_id=session_id.split("-p")[0],
        week=1 + day // 7,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )


async def _history(store: Store) -> None:
    """Three versions with moves, statuses and a dropped session; version 2 active,
    and version 3 left active too (a crash between activating and deactivating)."""
    await save_sessions(
        store, USER, 1, [session("w1m1-p1", 0), session("w1m2-p1", 1)], activate=True
    )
    v2 = [session("w1m1-p1", 0), session("w1m2-p1", 2), session("w2m1-p1", 7)]
    stored = await save_sessions(store, USER, 2, v2, activate=True)
    assert await move_session(store, USER, 2, stored[1], session("w1m2-p1", 3))
    assert await mark_module_sessions(store, USER, 2, "w1m1", "done") == 1
    assert await set_session_status(store, USER, 2, "w2m1-p1", "skipped", expected="planned")
    await save_sessions(store, USER, 3, [session("w1m1-p1", 4), session("w3m1-p1", 14)])
    await store.db.schedules.update_many(
        {"user_id": USER, "plan_version": 3}, {"$set": {"active": True}}
    )


@pytest.mark.parametrize("reader", [read_user_and_schedules, read_with_user])
async def test_the_turns_view_is_what_reading_the_schedules_says(
    store: Store, reader: Callable[[Store, int], Awaitable[None]]
) -> None:
    await _history(store)
    user = await store.get_user(USER)
    for version in (4, 3, 2, 1):  # 4: a new version; the others hold documents
        alone = await version_and_active(store, USER, version)
        async with store.turn_reads():
            await reader(store, USER)
            served = await version_and_active(store, USER, version)
            assert await store.get_user(USER) == user
        assert served == alone, version
    assert alone.own and (await version_and_active(store, USER, 4)).active == 3


async def test_a_user_without_schedules_or_document(store: Store) -> None:
    async with store.turn_reads():
        await read_user_and_schedules(store, USER)
        view = await version_and_active(store, USER, 1)
    assert (view.own, view.active, view.previous, view.elsewhere) == ([], None, [], {})
    async with store.turn_reads():
        await read_user_and_schedules(store, 99)
        assert await store.get_user(99) is None
        view = await version_and_active(store, 99, 1)
    assert view.active is None and not view.elsewhere


async def test_a_write_to_the_schedules_forgets_the_view(store: Store) -> None:
    await _history(store)
    async with store.turn_reads():
        await read_user_and_schedules(store, USER)
        await save_sessions(store, USER, 5, [session("w9m9-p1", 1)], activate=True)
        view = await version_and_active(store, USER, 6)
    assert view.active == 5 and "w9m9-p1" in view.elsewhere


async def test_storing_a_plan_keeps_the_view_for_scheduling_it(store: Store) -> None:
    """A plan save writes plans and users only: on MongoDB the view read with the user
    at the turn's start serves the scheduling (a change made behind the store's back
    meanwhile is not seen); the embedded engine reads the schedules then."""
    await _history(store)
    await store.db.users.update_one({"user_id": USER}, {"$set": {"plan_version": 3}})
    plan_goal = await _a_plan(store)
    async with store.turn_reads():
        await read_user_and_schedules(store, USER)
        await store.db.schedules.update_many({"user_id": USER}, {"$inc": {"sequence": 10}})
        saved = await store.store_plan(USER, *plan_goal, note="test")
        view = await version_and_active(store, USER, saved.version)
    assert saved.version == 4
    alone = await version_and_active(store, USER, saved.version)
    if store.engine.kind is EngineKind.MONGODB:
        assert {k: v + 10 for k, v in view.elsewhere.items()} == alone.elsewhere
    else:
        assert view == alone


async def _a_plan(store: Store) -> tuple[Plan, Goal]:
    goal = Goal(
        goal="Learn SQL",
        skill_level="beginner",
        hours_per_week=2,
        weeks=1,
        topics=["joins"],
        topics_answered=True,
        availability=[Slot(weekday=0, start="19:00", end="21:00")],
        timezone="Europe/Berlin",
    )
    module = Module(id="w1m1", title="Joins", hours=1, difficulty=1, topics=["joins"])
    weeks = [Week(number=1, modules=[module])]
    plan = Plan(
        title="SQL", goal="Learn SQL", skill_level="beginner", hours_per_week=2, weeks=weeks
    )
    return plan, goal
