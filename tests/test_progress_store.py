"""`storage.progress`: guarded atomic updates, safe field paths, lineages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from agent.llm import deterministic
from storage.engine import Engine
from storage.models import Goal, Slot
from storage.progress import (
    Activity,
    FieldError,
    announce_once,
    announced_path,
    module_key,
    plan_context,
    record_done,
    record_done_telling,
    record_work,
    revert_done,
    revert_work,
)
from storage.progress_doc import load_progress, read_with_user
from storage.quiz_polls import record_poll, record_poll_answer
from storage.store import Store

BOTH_ENGINES = True
NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    store = Store(engine, clock=lambda: NOW)
    await store.setup()
    yield store


def _goal(topic: str = "joins") -> Goal:
    return Goal(
        goal="Learn SQL",
        skill_level="beginner",
        hours_per_week=4,
        weeks=2,
        topics=[topic],
        topics_answered=True,
        availability=[Slot(weekday=0, start="19:00", end="21:00")],
        timezone="Europe/Berlin",
    )


def _done(module_id: str, minutes: int = 30, lineage: str = "p1") -> Activity:
    return Activity(
        kind="done", plan=lineage, at=NOW, tz="Europe/Berlin", module_id=module_id, week=1,
        minutes=minutes,
    )  # fmt: skip


async def test_concurrent_done_counts_once(store: Store) -> None:
    results = await asyncio.gather(*(record_done(store, 1, _done("w1m2"), "T") for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    doc = await load_progress(store, 1)
    assert list(doc.done("p1")) == ["w1m2"]
    assert doc.minutes_by_key("p1") == {"w1m2": 30}
    assert doc.minutes_total("p1") == 30
    assert doc.minutes_by_week("p1") == {1: 30}
    assert [a.kind for a in doc.activity()] == ["done"]
    assert doc.raw["last_activity_at"] == NOW


async def test_revert_done_only_reverts_the_same_completion(store: Store) -> None:
    first = _done("w1m1", 40)
    assert await record_done(store, 1, first, "T")
    assert await revert_done(store, 1, first, NOW)
    assert not await revert_done(store, 1, first, NOW), "a second undo must not count"
    again = _done("w1m1", 10)
    assert await record_done(store, 1, again, "T")
    assert not await revert_done(store, 1, first, NOW), "a stale undo must not touch a newer one"
    doc = await load_progress(store, 1)
    assert doc.done("p1")["w1m1"].id == again.id
    assert doc.minutes_total("p1") == 10 and doc.minutes_by_key("p1") == {"w1m1": 10}
    assert [a.id for a in doc.activity()] == [again.id]


async def test_logged_work_and_its_undo(store: Store) -> None:
    log = Activity(kind="log", plan="p1", at=NOW, tz="UTC", module_id=None, week=2, minutes=25)
    await record_work(store, 1, log)
    partial = Activity(
        kind="partial", plan="p1", at=NOW, tz="UTC", module_id="w2m1", week=2, minutes=15
    )
    await record_work(store, 1, partial)
    doc = await load_progress(store, 1)
    assert doc.minutes_total("p1") == 40 and doc.minutes_by_week("p1") == {2: 40}
    assert doc.minutes_by_key("p1") == {"w2m1": 15}
    assert await revert_work(store, 1, log, NOW)
    assert not await revert_work(store, 1, log, NOW)
    doc = await load_progress(store, 1)
    assert doc.minutes_total("p1") == 15 and [a.id for a in doc.activity()] == [partial.id]


@pytest.mark.parametrize(
    "bad", ["$where", "a.b", "w1m2.done", "", "x" * 40, "$inc", "w1m2 ", "w1m2\x00"]
)
def test_unsafe_module_ids_never_become_field_paths(bad: str) -> None:
    key = module_key(bad)
    assert "." not in key and not key.startswith("$") and len(key) <= 32
    assert key != bad
    assert module_key("w1m2") == "w1m2" and module_key(bad) == key


@pytest.mark.parametrize("lineage", ["$set", "p1.done", "x1", "p", "p1 "])
async def test_unsafe_lineages_and_poll_ids_are_refused(store: Store, lineage: str) -> None:
    with pytest.raises(FieldError):
        await record_done(store, 1, _done("w1m1", lineage=lineage), "T")
    with pytest.raises(FieldError):
        await record_poll(store, 1, "poll.$x", {"plan": "p1", "week": 1})
    with pytest.raises(FieldError):
        await record_poll(store, 1, "123", {"plan": lineage, "week": 1})
    unknown = await record_poll_answer(store, 1, "$where", 0, NOW, "UTC")
    assert unknown is None


async def test_poll_answers_count_once_and_only_for_the_owner(store: Store) -> None:
    meta = {"plan": "p1", "version": 1, "week": 2, "index": 0, "correct_index": 1,
            "option_count": 3, "batch": "b1", "count": 1}  # fmt: skip
    await record_poll(store, 1, "555", meta)
    assert await record_poll_answer(store, 2, "555", 1, NOW, "UTC") is None, "not user 2's poll"
    assert await record_poll_answer(store, 1, "555", 7, NOW, "UTC") is None, "no such option"
    answers = await asyncio.gather(
        *(record_poll_answer(store, 1, "555", 1, NOW, "UTC") for _ in range(5))
    )
    counted = [a for a in answers if a is not None]
    assert len(counted) == 1 and counted[0].correct is True
    doc = await load_progress(store, 1)
    assert doc.quiz_scores("p1") == {2: (1, 1)}
    assert [a.kind for a in doc.activity()] == ["quiz"]


async def test_announcements_happen_once(store: Store) -> None:
    results = await asyncio.gather(*(announce_once(store, 1, "p1", "half_way") for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    with pytest.raises(FieldError):
        await announce_once(store, 1, "p1", "a.b")


async def test_lineage_follows_refinements_and_restarts_with_a_new_plan(store: Store) -> None:
    goal = _goal()
    plan = deterministic(goal)
    await store.save_plan(7, plan, goal, note="created")
    first = await plan_context(store, 7)
    assert first is not None and first.lineage == "p1"
    await store.save_plan(7, plan, goal, note="make week 2 lighter")
    refined = await plan_context(store, 7)
    assert refined is not None and (refined.version, refined.lineage) == (2, "p1")
    other = _goal("window functions")
    await store.save_plan(7, deterministic(other), other, note="created")
    fresh = await plan_context(store, 7)
    assert fresh is not None and (fresh.version, fresh.lineage) == (3, "p3")
    assert await store.activate_version(7, 2, expected=3)
    back = await plan_context(store, 7)
    assert back is not None and back.lineage == "p1", "undoing back brings the old progress"
    assert back.timezone == "Europe/Berlin"
    await store.set_user_fields(7, {"timezone": "Asia/Tokyo", "last_reminded_module": "w2m1"})
    moved = await plan_context(store, 7)
    assert moved is not None and moved.timezone == "Asia/Tokyo"
    assert moved.last_reminded_module == "w2m1"
    assert moved.latest_plan_change <= NOW + timedelta(seconds=1)


async def test_concurrent_plan_saves_get_distinct_versions(store: Store) -> None:
    """Each save guesses the same next version from the user's document; the unique
    (user_id, version) index makes the losers take the next free numbers."""
    goal = _goal()
    plan = deterministic(goal)
    await store.touch_user(7, 7, "Ann")
    versions = await asyncio.gather(
        *(store.save_plan(7, plan, goal, note=f"change {i}") for i in range(4))
    )
    assert sorted(versions) == [1, 2, 3, 4]
    user = await store.get_user(7)
    assert user is not None and user["active_plan_version"] == 4
    history = user["plan_history"]
    # only upwards: a save whose activation comes after a newer one's is not activated
    assert user["plan_version"] == 4 and history[-1] == 4 and history == sorted(set(history))
    stored = [d["version"] for d in await store.plan_versions(7)]
    assert stored == [1, 2, 3, 4]


async def test_a_save_after_an_unactivated_version_takes_the_next_number(store: Store) -> None:
    """A crash between the insert and the activation leaves an inactive version that the
    user's document does not count: the next save collides once and goes above it."""
    goal = _goal()
    plan = deterministic(goal)
    assert await store.save_plan(7, plan, goal, note="created") == 1
    await store.db.learning_plans.insert_one(
        {"user_id": 7, "version": 2, "created_at": NOW, "note": "crashed", "plan": {}, "goal": {}}
    )
    assert await store.save_plan(7, plan, goal, note="after the crash") == 3
    context = await plan_context(store, 7)
    assert context is not None and context.version == 3


async def test_an_announcement_folded_into_two_completions_is_told_once(store: Store) -> None:
    """Two turns complete different modules at once, both judging from a read where
    "first_module" is not announced yet: both completions count, one claims it."""
    path = announced_path("p1", "first_module")
    results = await asyncio.gather(
        record_done_telling(store, 1, _done("w1m1"), "A", once=[path], longest=1),
        record_done_telling(store, 1, _done("w1m2"), "B", once=[path], longest=1),
    )
    assert sorted(len(r or ()) for r in results) == [0, 1], results
    doc = await load_progress(store, 1)
    assert set(doc.done("p1")) == {"w1m1", "w1m2"}
    assert doc.announced("p1") == {"first_module"} and doc.longest_streak() == 1
    again = await record_done_telling(store, 1, _done("w1m1"), "A", once=[], longest=1)
    assert again is None, "a module done already is not counted again"
    assert not await announce_once(store, 1, "p1", "first_module")


async def test_a_kept_plan_document_is_never_served_for_another_stored_version(
    store: Store,
) -> None:
    """Two instances (two stores on one database): one keeps the plan document in
    memory; the other forgets the user and stores a new plan under the same version
    number, then changes the zone. The first serves neither stale document."""
    other = Store(store.engine, clock=lambda: NOW + timedelta(seconds=5))
    goal = _goal()
    await store.save_plan(7, deterministic(goal), goal, note="created")
    first = await store.active_plan(7)
    assert first is not None and first[2].topics == ["joins"]
    await other.forget_user(7)
    fresh = _goal("window functions")
    assert await other.save_plan(7, deterministic(fresh), fresh, note="created") == 1
    again = await store.active_plan(7)
    assert again is not None and again[2].topics == ["window functions"]
    assert await other.set_timezone(7, "Asia/Tokyo") == 1
    moved = await store.active_plan(7)
    assert moved is not None and moved[2].timezone == "Asia/Tokyo"


async def test_a_progress_turn_reads_the_user_and_their_progress_together(store: Store) -> None:
    """On MongoDB one aggregate serves the turn's reads of both documents (as plain
    reads return them); the embedded engine reads each on its own."""
    await store.touch_user(7, 7, "Ann")
    assert await record_done(store, 7, _done("w1m1"), "Joins")
    user, progress = await store.get_user(7), (await load_progress(store, 7)).raw
    async with store.turn_reads():
        await read_with_user(store, 7)
        await store.db.users.update_one({"user_id": 7}, {"$set": {"name": "Bo"}})
        served_user, served = await store.get_user(7), (await load_progress(store, 7)).raw
    assert served == progress and "_id" not in served
    if store.engine.kind.value == "mongodb":
        assert served_user == user, "served from the one read, before the change"
    else:
        assert served_user == {**(user or {}), "name": "Bo"}
    async with store.turn_reads():
        await read_with_user(store, 8)
        assert await store.get_user(8) is None
        assert (await load_progress(store, 8)).raw == {}
