"""Calendar SEQUENCE never goes down for a UID, across plan versions.

Event UIDs are ``<session_id>.u<user>@learnplan`` and session ids repeat in every
plan version, so a refinement or an undo must store each session with a sequence
above anything the user's calendar may already hold for that UID, or calendar apps
ignore the update (RFC 5545 §3.8.7.4). Storage in memory, clock injected; the last
test goes through the bot and the calendar feed.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from scheduler.calendar_feed import user_calendar
from storage.calendar_tokens import calendar_uid
from storage.engine import Engine
from storage.models import StudySession
from storage.schedules import list_sessions, save_sessions
from storage.session_status import mark_module_sessions, move_session, set_session_status
from storage.store import Store
from tests.harness import BotUnderTest, FrozenClock, texts

BOTH_ENGINES = True
USER = 77
T0 = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
START = datetime(2026, 10, 20, 17, 0, tzinfo=UTC)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    s = Store(engine, clock=FrozenClock(T0))
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


def sequences(sessions: list[StudySession]) -> dict[str, int]:
    return {s.session_id: s.sequence for s in sessions}


@dataclass(frozen=True)
class Shown:
    """What a calendar app last imported for one UID."""

    version: int
    sequence: int
    starts_at: datetime
    ends_at: datetime
    status: str


class CalendarApp:
    """Remembers the last export of every UID and checks each new export against it:
    the sequence never drops, and rises whenever the event may look different (other
    times or status, or another plan version, whose module text may differ)."""

    def __init__(self) -> None:
        self.shown: dict[str, Shown] = {}

    def export(self, version: int, sessions: list[StudySession]) -> None:
        for s in sessions:
            now = Shown(version, s.sequence, s.starts_at, s.ends_at, s.status)
            before = self.shown.get(s.session_id)
            if before is not None:
                assert now.sequence >= before.sequence, (s.session_id, before, now)
                same = (before.version, before.starts_at, before.ends_at, before.status) == (
                    now.version,
                    now.starts_at,
                    now.ends_at,
                    now.status,
                )
                if not same:
                    assert now.sequence > before.sequence, (s.session_id, before, now)
            self.shown[s.session_id] = now


async def test_a_new_version_raises_moved_and_unchanged_sessions(store: Store) -> None:
    v1 = [session("w1m1-p1", 0), session("w1m2-p1", 1)]
    await save_sessions(store, USER, 1, v1)
    # the first version's first session already moved twice (SEQUENCE 2 was exported)
    stored = await list_sessions(store, USER, 1)
    assert await move_session(store, USER, 1, stored[0], session("w1m1-p1", 0, hour=1))
    stored = await list_sessions(store, USER, 1)
    assert await move_session(store, USER, 1, stored[0], session("w1m1-p1", 0, hour=2))
    exported_v1 = sequences(await list_sessions(store, USER, 1))
    assert exported_v1 == {"w1m1-p1": 2, "w1m2-p1": 0}

    moved = session("w1m1-p1", 3)
    unchanged = session("w1m2-p1", 1)
    exported_v2 = sequences(await save_sessions(store, USER, 2, [moved, unchanged]))
    assert exported_v2["w1m1-p1"] > exported_v1["w1m1-p1"]
    assert exported_v2["w1m2-p1"] >= exported_v1["w1m2-p1"]

    # a second save of the same version changes nothing
    again = sequences(await save_sessions(store, USER, 2, [moved, unchanged]))
    assert again == exported_v2

    # undo: the first version's sessions are saved again (as schedule_plan does)
    seen = {sid: max(exported_v1[sid], exported_v2[sid]) for sid in exported_v1}
    restored = await save_sessions(store, USER, 1, await list_sessions(store, USER, 1))
    for s in restored:
        assert s.sequence > seen[s.session_id], (s.session_id, s.sequence, seen)
    # the old version's documents themselves moved up, they were not copied
    assert sequences(await list_sessions(store, USER, 1)) == sequences(restored)


async def test_status_changes_in_a_newer_version_are_not_undercut_by_undo(store: Store) -> None:
    await save_sessions(store, USER, 1, [session("w1m1-p1", 0), session("w1m2-p1", 1)])
    await save_sessions(store, USER, 2, [session("w1m1-p1", 0), session("w1m2-p1", 2)])
    assert await mark_module_sessions(store, USER, 2, "w1m1", "done") == 1
    assert await set_session_status(store, USER, 2, "w1m2-p1", "skipped", expected="planned")
    assert await set_session_status(store, USER, 2, "w1m2-p1", "planned", expected="skipped")
    newest = sequences(await list_sessions(store, USER, 2))

    restored = await save_sessions(store, USER, 1, await list_sessions(store, USER, 1))
    assert all(s.sequence > newest[s.session_id] for s in restored), (restored, newest)


async def test_a_session_dropped_and_placed_again_comes_back_higher(store: Store) -> None:
    odd = "w1.m$2-p1"  # ids are stored under their hex on the users document
    await save_sessions(store, USER, 1, [session("w1m1-p1", 0), session(odd, 1)])
    stored = {s.session_id: s for s in await list_sessions(store, USER, 1)}
    assert await move_session(store, USER, 1, stored[odd], session(odd, 2))
    assert await set_session_status(store, USER, 1, odd, "skipped", expected="planned")
    before_drop = sequences(await list_sessions(store, USER, 1))[odd]

    kept = await save_sessions(store, USER, 1, [session("w1m1-p1", 0)])
    assert [s.session_id for s in kept] == ["w1m1-p1"]
    back = sequences(await save_sessions(store, USER, 1, [session("w1m1-p1", 0), session(odd, 2)]))
    assert back[odd] > before_drop
    assert back["w1m1-p1"] == 0


async def test_random_refinements_undos_and_updates_never_lower_a_sequence(
    store: Store,
) -> None:
    """Many seeded runs of refinements, undos, same-version re-saves (which drop and
    re-add sessions) and status changes, each followed by an export of the active
    version; `CalendarApp` checks every export."""
    rng = random.Random(20261019)
    pool = [f"w{w}m{m}-p{p}" for w in (1, 2) for m in (1, 2) for p in (1, 2)]

    def timetable() -> list[StudySession]:
        chosen = rng.sample(pool, rng.randint(1, len(pool)))
        return [session(sid, rng.randrange(4), hour=rng.randrange(2)) for sid in chosen]

    for run in range(12):
        user = 1000 + run
        await store.touch_user(user, user, None)
        app = CalendarApp()
        versions = [1]
        active = 1
        app.export(active, await save_sessions(store, user, active, timetable()))
        for _step in range(25):
            action = rng.choice(["refine", "undo", "resave", "status", "move"])
            current = await list_sessions(store, user, active)
            if action == "refine":
                active = versions[-1] + 1
                versions.append(active)
                await save_sessions(store, user, active, timetable())
            elif action == "undo":
                active = rng.choice(versions)
                own = await list_sessions(store, user, active)
                replaced = [
                    s.model_copy(update={"starts_at": s.starts_at + timedelta(days=7)})
                    if rng.random() < 0.3
                    else s
                    for s in own
                ]
                await save_sessions(store, user, active, replaced or timetable())
            elif action == "resave":
                await save_sessions(store, user, active, timetable())
            elif current and action == "status":
                target = rng.choice(current)
                new = rng.choice(["done", "skipped", "planned"])
                await set_session_status(
                    store, user, active, target.session_id, new, expected=target.status
                )
            elif current:
                target = rng.choice(current)
                later = session(target.session_id, rng.randrange(4), hour=3)
                await move_session(store, user, active, target, later)
            app.export(active, await list_sessions(store, user, active))
        assert len(versions) > 1 and app.shown


def _feed_events(body: bytes) -> dict[str, tuple[int, datetime]]:
    events = Calendar.from_ical(body).walk("VEVENT")
    return {str(e["UID"]): (int(e["SEQUENCE"]), e.decoded("DTSTART")) for e in events}


async def test_refine_and_undo_through_the_bot_keep_calendar_sequences_rising(
    bot: BotUnderTest,
) -> None:
    user = 4711
    assert bot.runtime is not None
    store = bot.runtime.store
    calls = await bot.say(
        user,
        "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
        "topics: ownership",
    )
    await bot.press_button(user, calls[-1], "Build my plan")

    async def export() -> dict[str, tuple[int, datetime]]:
        feed = await user_calendar(store, user)
        assert feed is not None and feed.events > 0
        return _feed_events(feed.body)

    first = await export()
    calls = await bot.say(user, "make it 4 weeks")
    assert "version 2" in texts(calls), texts(calls)
    second = await export()

    shared = first.keys() & second.keys()
    moved = {uid for uid in shared if first[uid][1] != second[uid][1]}
    assert shared, "the refinement keeps some UIDs"
    for uid in shared:
        assert second[uid][0] >= first[uid][0], uid
    for uid in moved:
        assert second[uid][0] > first[uid][0], uid
    own = await calendar_uid(store, user)
    assert all(uid.endswith(f".{own}@learnplan") for uid in second)

    await bot.press_button(user, calls[-1], "Undo")
    active = await store.active_plan(user)
    assert active is not None and active[0] == 1
    third = await export()
    assert first.keys() <= third.keys(), "sessions only version 2 had stay, as cancelled"
    for uid in first:
        sequence, starts = third[uid]
        last = second.get(uid, first[uid])
        highest = max(first[uid][0], second.get(uid, first[uid])[0])
        assert sequence >= highest, uid
        if starts != last[1]:
            assert sequence > last[0], uid
