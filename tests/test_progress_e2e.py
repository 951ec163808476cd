"""End to end through the Bot API stand-in: marking modules done in words and buttons,
undo, partial work, logged time and its totals, milestones, achievements, /progress with
its chart, and every figure again after a restart."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from html import unescape

from storage.models import Plan, StudySession
from storage.schedules import list_sessions, save_sessions
from tests.fakes.progress_driver import (
    all_calls,
    make_plan,
    press_unanswered,
    progress_doc,
    store_of,
)
from tests.harness import BotUnderTest, FrozenClock, texts

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)

START = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 18:00 in Berlin


def _tick(bot: BotUnderTest, minutes: int = 10) -> None:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now += timedelta(minutes=minutes)


async def _planned(bot: BotUnderTest, user: int) -> Plan:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = START
    _version, plan, _goal = await make_plan(bot, user)
    _tick(bot)
    return plan


def _first_open(plan: Plan, done: set[str]) -> str:
    return next(m.id for m in plan.modules() if m.id not in done)


def _by_title(plan: Plan, title: str) -> str:
    return next(m.id for m in plan.modules() if m.title == title)


async def test_done_and_log_utterances_end_to_end(bot: BotUnderTest) -> None:
    """A handful of the parser table's utterances, through Telegram into storage."""
    user = 501
    plan = await _planned(bot, user)
    project = next(m for m in plan.modules() if m.title.startswith("Project"))
    rows: list[tuple[str, str, str | None, int]] = [
        ("done, took 45 min", "done", None, 45),
        ("finished it", "done", None, 0),
        ("done w2m3", "done", "w2m3", 0),
        ("done week 3 module 2", "done", "w3m2", 0),
        ("/done w2m1 30m", "done", "w2m1", 30),
        (
            "Finished Indexes and query performance!",
            "done",
            _by_title(plan, "Indexes and query performance"),
            0,
        ),
        ("completed the project, took 1h 30m", "done", project.id, 90),
        ("/log 1h30 w4m1", "log", "w4m1", 90),
        ("spent 40 minutes on w3m3", "log", "w3m3", 40),
        ("log 25m", "log", None, 25),
    ]
    done: set[str] = set()
    for text, action, named, minutes in rows:
        expected = named or _first_open(plan, done)
        before = await progress_doc(bot, user)
        calls = await bot.say(user, text)
        after = await progress_doc(bot, user)
        new = [a for a in after.activity() if a.id not in {b.id for b in before.activity()}]
        assert len(new) == 1, (text, texts(calls))
        assert (new[0].kind, new[0].module_id, new[0].minutes) == (action, expected, minutes)
        if action == "done":
            done.add(expected)
            assert "✅ Marked" in texts(calls) and expected in texts(calls)
        else:
            assert "Logged" in texts(calls)
        _tick(bot)
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == done
    assert doc.minutes_total("p1") == sum(r[3] for r in rows)


async def test_totals_per_module_week_and_plan(bot: BotUnderTest) -> None:
    user = 502
    plan = await _planned(bot, user)
    await bot.say(user, "/log 45m w1m2")
    _tick(bot)
    await bot.say(user, "done w1m2, took 30 min")
    _tick(bot)
    calls = await bot.say(user, "partially done w2m1, 20 min")
    assert "partial progress" in texts(calls)
    _tick(bot)
    calls = await bot.say(user, "I studied for an hour and a half on w2m1")
    reply = texts(calls)
    assert "Logged 1 h 30 min" in reply and "So far: 1 h 50 min on this module" in reply
    assert "1 h 50 min in week 2" in reply and "3 h 5 min on the plan" in reply
    doc = await progress_doc(bot, user)
    assert doc.minutes_by_key("p1") == {"w1m2": 75, "w2m1": 110}
    assert doc.minutes_by_week("p1") == {1: 75, 2: 110}
    assert doc.minutes_total("p1") == 185
    assert set(doc.done("p1")) == {"w1m2"}, "partial work does not complete a module"
    calls = await bot.say(user, "/progress")
    week_lines = texts(calls)
    assert f"Week 1: 1/{len(plan.weeks[0].modules)} modules · 1 h 15 min" in week_lines
    assert f"Week 2: 0/{len(plan.weeks[1].modules)} modules · 1 h 50 min" in week_lines
    assert "Time: 3 h 5 min spent of 16 h planned" in week_lines


async def test_log_without_time_asks_and_unknown_module_offers_choices(bot: BotUnderTest) -> None:
    user = 503
    await _planned(bot, user)
    calls = await bot.say(user, "/log")
    assert "How long did you study?" in texts(calls)
    calls = await bot.say(user, "done with RLHF")
    assert "couldn't find “rlhf”" in texts(calls)
    labels = [label for label, _ in bot.api.buttons(calls[-1])]
    assert labels[0].startswith("w1m1"), "the current module is offered first"
    calls = await bot.press_button(user, calls[-1], "w1m3")
    assert "✅ Marked" in texts(calls) and "w1m3" in texts(calls)
    calls = await bot.say(user, "/log 1h30 aggregation")
    assert "Which one do you mean?" in texts(calls)
    calls = await bot.press_button(user, calls[-1], "Just log the time")
    assert "Logged 1 h 30 min." in texts(calls)
    doc = await progress_doc(bot, user)
    assert doc.minutes_total("p1") == 90 and doc.minutes_by_key("p1") == {"w1m3": 0}
    assert doc.minutes_by_week("p1") == {1: 90}, "time on no module counts to the current week"


async def test_ambiguous_reference_gives_buttons(bot: BotUnderTest) -> None:
    user = 504
    plan = await _planned(bot, user)
    calls = await bot.say(user, "done week 2")
    assert "Which one do you mean?" in texts(calls)
    labels = [label for label, _ in bot.api.buttons(calls[-1])]
    assert [lbl.split(" · ")[0] for lbl in labels[:-1]] == [m.id for m in plan.weeks[1].modules]
    assert labels[-1] == "All of week 2"
    calls = await bot.press_button(user, calls[-1], "w2m2")
    assert "✅ Marked" in texts(calls)
    assert set((await progress_doc(bot, user)).done("p1")) == {"w2m2"}
    _tick(bot)
    calls = await bot.say(user, "I finished week 2")
    calls = await bot.press_button(user, calls[-1], "All of week 2")
    assert "of week 2 done" in texts(calls)
    assert set((await progress_doc(bot, user)).done("p1")) == {m.id for m in plan.weeks[1].modules}


async def test_latest_reminder_module_and_the_reminder_button(bot: BotUnderTest) -> None:
    user = 505
    await _planned(bot, user)
    store = store_of(bot)
    await store.set_user_fields(
        user, {"last_reminded_module": "w2m2", "last_reminded_at": bot.clock()}
    )
    calls = await bot.say(user, "done")
    assert "w2m2" in texts(calls), "rule 2: the latest reminder's module"
    _tick(bot, 1)
    calls = await bot.say(user, "done")
    assert "Already counted" in texts(calls), "a repeated bare done counts once"
    _tick(bot, 5)
    calls = await bot.say(user, "done")
    assert "w1m1" in texts(calls), "rule 3: reminded module already done → earliest open"
    calls = await bot.press(user, f"done:w3m1|{user}")
    assert "✅ Marked" in texts(calls) and "w3m1" in texts(calls)
    calls = await bot.press(user, f"done:w3m1|{user}")
    assert "already marked done" in texts(calls)
    for forged in ("done:$where", "done:w1m1.x", "pg:d:w1m1:99999", "pg:u:zzzz", "pg:zz:1:2"):
        calls = await bot.press(user, f"{forged}|{user}")
        assert "✅" not in texts(calls), forged
    await press_unanswered(bot, user, f"done:w4m1|{user + 1}")
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {"w2m2", "w1m1", "w3m1"}
    assert doc.minutes_total("p1") == 0


async def test_undo_not_done_and_the_undo_button(bot: BotUnderTest) -> None:
    user = 506
    await _planned(bot, user)
    store = store_of(bot)
    calls = await bot.say(user, "done, took 45 min")
    _tick(bot)
    calls = await bot.say(user, "undo")
    assert "no longer marked done" in texts(calls) and "45 min taken back" in texts(calls)
    active = await store.active_plan(user)
    assert active is not None and active[0] == 1
    doc = await progress_doc(bot, user)
    assert doc.done("p1") == {} and doc.minutes_total("p1") == 0 and doc.activity() == []

    await bot.say(user, "done w1m1")
    _tick(bot)
    await bot.say(user, "done w1m2")
    _tick(bot)
    calls = await bot.say(user, "oops not done")
    assert "w1m2" in texts(calls) and "no longer marked done" in texts(calls)
    _tick(bot)
    calls = await bot.say(user, "mark w1m1 as not done")
    assert "w1m1" in texts(calls) and "no longer marked done" in texts(calls)
    calls = await bot.say(user, "mark w1m1 as not done")
    assert "isn't marked done" in texts(calls)
    _tick(bot)

    marked = await bot.say(user, "done w1m3")
    calls = await bot.press_button(user, marked[0], "Undo")
    assert "no longer marked done" in texts(calls)
    calls = await bot.press_button(user, marked[0], "Undo")
    assert "already undone" in texts(calls)
    assert (await progress_doc(bot, user)).done("p1") == {}
    _tick(bot)
    calls = await bot.say(user, "/log 30m w2m1")
    _tick(bot)
    calls = await bot.say(user, "undo")
    assert "Took back the time logged (30 min)" in texts(calls)
    assert (await progress_doc(bot, user)).minutes_total("p1") == 0


async def test_bare_undo_after_a_plan_change_restores_the_plan(bot: BotUnderTest) -> None:
    user = 507
    await _planned(bot, user)
    store = store_of(bot)
    await bot.say(user, "done w1m1")
    _tick(bot)
    calls = await bot.say(user, "make it 5 weeks")
    assert "version 2" in texts(calls)
    _tick(bot)
    calls = await bot.say(user, "undo")
    assert "Restored version 1" in texts(calls)
    active = await store.active_plan(user)
    assert active is not None and active[0] == 1
    assert set((await progress_doc(bot, user)).done("p1")) == {"w1m1"}, "progress untouched"
    _tick(bot)
    calls = await bot.say(user, "not done")
    assert "w1m1" in texts(calls) and "no longer marked done" in texts(calls)


async def test_progress_survives_refinement_but_not_a_new_plan(bot: BotUnderTest) -> None:
    user = 508
    await _planned(bot, user)
    await bot.say(user, "done w1m1, took 1h")
    _tick(bot)
    await bot.say(user, "make week 2 lighter")
    _tick(bot)
    calls = await bot.say(user, "/progress")
    assert "1/12 modules done" in texts(calls) and "Time: 1 h spent" in texts(calls)
    calls = await bot.say(user, "/newplan")
    assert "replaces it" in texts(calls), "replacing a plan asks first"
    await bot.press_button(user, calls[-1], "Start a new plan")
    calls = await bot.say(
        user, "Learn Go, 2 weeks, 2h/week, beginner, weekends 10:00-12:00, Berlin, topics: channels"
    )
    await bot.press_button(user, calls[-1], "Build my plan")
    calls = await bot.say(user, "/progress")
    assert "0/2 modules done" in texts(calls) and "Time: 0 min spent" in texts(calls)


async def _replies_containing(
    bot: BotUnderTest, user: int, since: int, needle: str, count: int
) -> list[str]:
    """Wait for ``count`` replies containing ``needle`` (the bot may pause between two
    answers for longer than `wait_quiet`'s quiet period on a slower store)."""
    for _ in range(400):
        calls = await bot.api.wait_quiet(user, since)
        replies = [str(c.params.get("text", "")) for c in calls if needle in str(c.params)]
        if len(replies) >= count:
            return replies
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} replies containing {needle!r}")


async def test_two_done_messages_at_once_count_once(bot: BotUnderTest) -> None:
    user = 509
    await _planned(bot, user)
    since = len(bot.api.calls)
    bot.api.send_text(user, "done w1m2, took 30 min")
    bot.api.send_text(user, "done w1m2, took 30 min")
    replies = await _replies_containing(bot, user, since, "w1m2", 2)
    assert sum("✅ Marked" in t for t in replies) == 1
    assert sum("already marked done" in t for t in replies) == 1
    _tick(bot)
    since = len(bot.api.calls)
    bot.api.send_text(user, "done")
    bot.api.send_text(user, "done")
    await bot.api.wait_quiet(user, since)
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {"w1m1", "w1m2"}
    assert doc.minutes_total("p1") == 30
    assert [a.kind for a in doc.activity()] == ["done", "done"]


async def test_two_users_marking_at_the_same_time_stay_apart(bot: BotUnderTest) -> None:
    await asyncio.gather(_planned(bot, 511), _planned(bot, 512))
    await asyncio.gather(bot.say(511, "done w1m1"), bot.say(512, "done w2m1, took 1h"))
    first, second = await progress_doc(bot, 511), await progress_doc(bot, 512)
    assert set(first.done("p1")) == {"w1m1"} and first.minutes_total("p1") == 0
    assert set(second.done("p1")) == {"w2m1"} and second.minutes_total("p1") == 60


async def test_milestones_and_achievements_are_announced_once(bot: BotUnderTest) -> None:
    user = 510
    plan = await _planned(bot, user)
    since = len(bot.api.calls)
    for week in plan.weeks:
        calls = await bot.say(user, f"done week {week.number}")
        await bot.press_button(user, calls[-1], f"All of week {week.number}")
        _tick(bot)
    calls = await bot.say(user, "done w1m1")
    assert "already marked done" in texts(calls)
    said = unescape("\n".join(str(c.params.get("text", "")) for c in all_calls(bot, user, since)))
    assert said.count("first module is done") == 1
    assert said.count("half-way") == 1
    assert said.count("plan complete — you finished every module") == 1
    for milestone in plan.milestones:
        assert said.count(f"Milestone reached: {milestone.title}") == 1
    first_half = said.index(f"Milestone reached: {plan.milestones[0].title}")
    assert first_half < said.index("half-way") < said.index("you finished every module")
    calls = await bot.say(user, "done")
    assert "already done 🎉" in texts(calls)


async def test_progress_numbers_and_chart_survive_a_restart(bot: BotUnderTest) -> None:
    user = 513
    plan = await _planned(bot, user)
    await bot.say(user, "done w1m1, took 1h")
    _tick(bot)
    await bot.say(user, "done w1m2, took 45 min")
    _tick(bot)
    await bot.say(user, "/log 20m w1m3")
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now += timedelta(days=1)
    await bot.say(user, "partial w1m3 15m")
    _tick(bot)
    calls = await bot.say(user, "/progress")
    text = next(str(c.params["text"]) for c in calls if c.method == "sendMessage")
    photos = [c for c in calls if c.method == "sendPhoto"]
    assert len(photos) == 1 and photos[0].files
    png = next(iter(photos[0].files.values()))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    done_hours = sum(m.hours for m in plan.modules() if m.id in {"w1m1", "w1m2"})
    percent = round(100 * done_hours / plan.total_hours)
    assert f"Complete: {percent}% · 2/{len(plan.modules())} modules done" in text
    assert "Time: 2 h 20 min spent of 16 h planned" in text
    assert "Streak: 2 days (longest 2 days)" in text
    assert "Quiz average: no answers yet" in text
    assert f"Milestones: 0/{len(plan.milestones)} reached" in text
    assert f"Next: “{plan.weeks[0].modules[2].title}" in text and "w1m3" in text

    await bot.restart()
    calls = await bot.say(user, "/progress")
    again = next(str(c.params["text"]) for c in calls if c.method == "sendMessage")
    assert again == text
    assert [c for c in calls if c.method == "sendPhoto"], "the chart is sent again"
    _tick(bot)
    calls = await bot.say(user, "undo")
    assert "Took back partial progress (15 min)" in texts(calls), "undo works after a restart"


async def test_marking_done_and_undoing_updates_the_module_sessions(bot: BotUnderTest) -> None:
    user = 514
    await _planned(bot, user)
    store = store_of(bot)
    start = START + timedelta(days=1)
    sessions = [
        StudySession(
            session_id=f"w1m1-{part}",
            module_id="w1m1",
            week=1,
            part=part,
            parts=2,
            starts_at=start + timedelta(days=part),
            ends_at=start + timedelta(days=part, hours=1),
        )
        for part in (1, 2)
    ]
    await save_sessions(store, user, 1, sessions)
    await bot.say(user, "done w1m1")
    assert {s.status for s in await list_sessions(store, user, 1)} == {"done"}
    _tick(bot)
    await bot.say(user, "undo")
    assert {s.status for s in await list_sessions(store, user, 1)} == {"planned"}


async def test_a_module_skipped_or_not_got_to_is_not_done(bot: BotUnderTest) -> None:
    """'skipped X' / 'didn't get to X' names a module that was not done: its completion is
    taken back, an unmarked one is said to be unmarked, and no module is touched when the
    words name none."""
    user = 512
    plan = await _planned(bot, user)
    module = plan.modules()[1]
    await bot.say(user, f"done {module.id}")
    _tick(bot)
    calls = await bot.say(user, f"skipped {module.title.lower()}, sorry")
    assert module.id in texts(calls) and "no longer marked done" in texts(calls)
    _tick(bot)
    calls = await bot.say(user, f"didn't get to {module.title.lower()} yet")
    assert "isn't marked done" in texts(calls)
    _tick(bot)
    await bot.say(user, f"done {module.id}")
    _tick(bot)
    calls = await bot.say(user, "didn't do much today")
    assert "no longer marked done" not in texts(calls)
    assert module.id in (await progress_doc(bot, user)).done("p1")
