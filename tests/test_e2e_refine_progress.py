"""End to end through the Bot API stand-in: progress survives refinements that move
content between weeks, and a new plan version schedules only what is left of a partly
done module.

Module ids travel with their content (`agent.refine`), so a module marked done in week 2
stays done when "swap weeks 2 and 3" puts it in week 3; its sessions stay done and no
session of the module that now is week 2 is marked in its place; undo brings the
original layout back with the same progress.
"""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Plan, StudySession
from storage.schedules import list_sessions
from tests.fakes.progress_driver import make_plan, progress_doc, store_of
from tests.harness import BotUnderTest, FrozenClock, texts

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)

START = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Monday 18:00 in Berlin


def _week_of(plan: Plan, module_id: str) -> int:
    return next(w.number for w in plan.weeks for m in w.modules if m.id == module_id)


def _titles(plan: Plan, week: int) -> list[str]:
    return [m.title for m in plan.weeks[week - 1].modules]


def _minutes(sessions: list[StudySession], module_id: str) -> int:
    return sum(
        int((s.ends_at - s.starts_at).total_seconds() // 60)
        for s in sessions
        if s.module_id == module_id
    )


def _line(report: str, head: str) -> str:
    return next(line for line in report.splitlines() if head in line)


def _by_module(sessions: list[StudySession]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in sessions:
        out.setdefault(s.module_id, set()).add(s.status)
    return out


async def _planned(bot: BotUnderTest, user: int) -> Plan:
    assert isinstance(bot.clock, FrozenClock)
    bot.clock.now = START
    _version, plan, _goal = await make_plan(bot, user)
    return plan


async def test_done_module_stays_done_when_its_week_is_swapped(bot: BotUnderTest) -> None:
    user = 931
    store = store_of(bot)
    before = await _planned(bot, user)
    done_id = before.weeks[1].modules[0].id
    done_title = before.weeks[1].modules[0].title
    calls = await bot.say(user, f"/done {done_id} 30m")
    assert "✅ Marked" in texts(calls) and "30 min logged" in texts(calls), texts(calls)

    swapped = await bot.say(user, "swap weeks 2 and 3")
    assert "version 2" in texts(swapped), texts(swapped)
    active = await store.active_plan(user)
    assert active is not None and active[0] == 2
    after = active[1]
    assert _titles(after, 3) == _titles(before, 2) and _titles(after, 2) == _titles(before, 3)
    moved = after.find_module(done_id)
    assert moved is not None and moved.title == done_title and _week_of(after, done_id) == 3

    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {done_id}
    report = texts(await bot.say(user, "/progress"))
    assert "Week 2: 0/" in report and "Week 3: 1/" in report, report
    assert "· 30 min of" in _line(report, "Week 3:"), "logged time moves with its module"
    assert "· 0 min of" in _line(report, "Week 2:"), report

    statuses = _by_module(await list_sessions(store, user, 2))
    assert statuses[done_id] == {"done"}, "the done module's sessions stay done"
    new_week_two = [m.id for m in after.weeks[1].modules]
    assert all(statuses[m] == {"planned"} for m in new_week_two), statuses

    calls = await bot.press_button(user, swapped[-1], "Undo")
    assert "Restored version 1" in texts(calls), texts(calls)
    report = texts(await bot.say(user, "/progress"))
    assert "Week 2: 1/" in report and "Week 3: 0/" in report, report
    assert "· 30 min of" in _line(report, "Week 2:") and "· 0 min of" in _line(report, "Week 3:")
    statuses = _by_module(await list_sessions(store, user, 1))
    assert statuses[done_id] == {"done"}
    assert all(statuses[m.id] == {"planned"} for m in before.weeks[2].modules), statuses


async def test_merged_weeks_keep_done_modules_done(bot: BotUnderTest) -> None:
    user = 932
    store = store_of(bot)
    before = await _planned(bot, user)
    last = before.weeks[2].modules[0]  # the head of whatever it is merged with
    await bot.say(user, f"done {last.id}")
    calls = await bot.say(user, "make it 2 weeks")
    assert "version 2" in texts(calls), texts(calls)
    active = await store.active_plan(user)
    assert active is not None and len(active[1].weeks) == 2
    merged = active[1].find_module(last.id)
    assert merged is not None and merged.title.startswith(last.title)
    doc = await progress_doc(bot, user)
    assert set(doc.done("p1")) == {last.id}
    statuses = _by_module(await list_sessions(store, user, 2))
    assert statuses[last.id] == {"done"}
    assert {s for m, st in statuses.items() if m != last.id for s in st} == {"planned"}


async def test_partly_done_module_is_scheduled_for_what_is_left(bot: BotUnderTest) -> None:
    user = 933
    store = store_of(bot)
    plan = await _planned(bot, user)
    module = plan.weeks[0].modules[0]
    full = round(module.hours * 60)
    assert full >= 60, "the test needs a module of an hour or more"
    first = await list_sessions(store, user, 1)
    assert _minutes(first, module.id) == full
    calls = await bot.say(user, f"partially done {module.id}, 20 min")
    assert "partial progress" in texts(calls), texts(calls)

    calls = await bot.say(user, f"make week {len(plan.weeks)} lighter")
    assert "version 2" in texts(calls), texts(calls)
    sessions = await list_sessions(store, user, 2)
    assert _minutes(sessions, module.id) == full - 20
    assert {s.status for s in sessions if s.module_id == module.id} == {"planned"}

    await bot.say(user, f"log {full} min {module.id}")
    calls = await bot.say(user, "make it harder")
    assert "version 3" in texts(calls), texts(calls)
    sessions = await list_sessions(store, user, 3)
    assert _minutes(sessions, module.id) == 30, "never less than one 30-minute part"
