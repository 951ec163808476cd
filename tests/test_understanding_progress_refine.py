"""Issue 9 cases for `agent.understanding.progress` and `.refinement`, the new ops
`move_week` / `more_on`, and the plan history (`storage.plan_history`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.planner import build_plan
from agent.refine import apply_ops
from agent.refine_ops import RefineOp
from agent.understanding.progress import parse_progress
from agent.understanding.refinement import (
    history_request,
    parse_refinement,
    unresolved_removal,
)
from agent.validator import check_plan
from storage.engine import open_engine
from storage.models import Goal, Module, Plan, SkillLevel, Week
from storage.plan_history import step
from storage.store import Store
from tests.test_progress_parser_table import PLAN


def _module(module_id: str, title: str, topics: list[str]) -> Module:
    return Module(id=module_id, title=title, hours=2.0, difficulty=2, topics=topics)


PARTS = Plan(
    title="Async Python",
    goal="Learn async Python",
    skill_level=SkillLevel.BEGINNER,
    hours_per_week=4,
    weeks=[
        Week(
            number=1,
            modules=[
                _module("w1m1", "Foundations: asyncio", ["asyncio"]),
                _module("w1m2", "Foundations: asyncio (part 2)", ["asyncio"]),
            ],
        ),
        Week(
            number=2,
            modules=[
                _module("w2m1", "Core concepts: tasks", ["tasks"]),
                _module("w2m2", "Core concepts: queues", ["queues"]),
            ],
        ),
    ],
)

# (message, action, module_id, minutes)
PROGRESS_ROWS: list[tuple[str, str, str | None, int | None]] = [
    ("done, took me ages", "done", None, None),
    ("finally done, phew", "done", None, None),
    ("halfway through", "partial", None, None),
    ("first module of week 3 done", "done", "w3m1", None),
    ("done the last module of week 2", "done", "w2m3", None),
    ("week 2's first module done", "done", "w2m1", None),
    ("marked done by mistake, revert", "undo", None, None),
    ("accidentally marked w1m2 done", "undo", "w1m2", None),
    ("just did 20 min, not finished", "partial", None, 20),
    ("90m on evaluation", "log", "w2m1", 90),
    ("half done with QLoRA", "partial", "w1m2", None),
    ("finished qlroa", "done", "w1m2", None),
    ("done for today, did 1h on lora", "log", "w1m1", 60),
    ("evaluation harnesses: 3/4 done", "partial", "w2m2", None),
    ("serving 50% done", "partial", "w3m2", None),
    ("tokenizers: 20 min, will finish tomorrow", "partial", "w1m3", 20),
    ("data cleaning took 1h45", "done", "w2m3", 105),
    ("1h lora", "log", "w1m1", 60),
]


SUBJECT = Plan(
    title="AWS",
    goal="Pass the AWS exam",
    skill_level=SkillLevel.BEGINNER,
    hours_per_week=4,
    weeks=[
        Week(
            number=1,
            modules=[
                _module("w1m1", "Installing the AWS CLI", []),
                _module("w1m2", "Route 53", []),
                _module("w1m3", "Open chords: G, C and D", []),
            ],
        ),
        Week(
            number=2,
            modules=[
                _module("w2m1", "Practice exam 1", []),
                _module("w2m2", "Practice exam 2", []),
                _module("w2m3", "Serverless AWS with Lambda", []),
            ],
        ),
    ],
)


@pytest.mark.parametrize(
    ("text", "module"),
    [
        ("route53 done", "w1m2"),
        ("practice exam 2 finished", "w2m2"),
        ("practice exam done", "ambiguous"),
        ("G C D done", "w1m3"),
        ("did some aws today, 30 min", None),
    ],
)
def test_numbers_letters_and_vague_subjects(text: str, module: str | None):
    intent = parse_progress(text, SUBJECT)
    assert intent is not None
    found = intent.module_id or ("ambiguous" if intent.ambiguous else None)
    assert found == module, intent


@pytest.mark.parametrize(("text", "action", "module_id", "minutes"), PROGRESS_ROWS)
def test_progress_rows(text: str, action: str, module_id: str | None, minutes: int | None):
    intent = parse_progress(text, PLAN)
    assert intent is not None, text
    assert (intent.action, intent.module_id, intent.minutes) == (action, module_id, minutes)


@pytest.mark.parametrize("text", ["no", "I'm done for today", "done for the day"])
def test_not_progress(text: str):
    assert parse_progress(text, PLAN) is None


@pytest.mark.parametrize(
    "text", ["done, took me ages", "finally done, phew", "done 2nd", "halfway done, no"]
)
def test_filler_is_never_a_reference(text: str):
    intent = parse_progress(text, PLAN)
    assert intent is not None and intent.reference is None, intent


def test_unknown_name_is_kept_to_ask_and_a_log_names_no_module():
    intent = parse_progress("90m on async", PLAN)
    assert intent is not None
    assert (intent.action, intent.module_id, intent.minutes) == ("log", None, 90)
    assert intent.reference == "async"


def test_part_two_and_ordinal_modules():
    part2 = parse_progress("done with asyncio part 2", PARTS)
    assert part2 is not None and part2.module_id == "w1m2"
    lone = parse_progress("finished the 2nd module", PARTS)
    assert lone is not None and lone.ambiguous == ["w1m2", "w2m2"]
    plain = parse_progress("done asyncio", PARTS)
    assert plain is not None and plain.ambiguous == ["w1m1", "w1m2"]


# ---- refinement --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def six_weeks() -> tuple[Plan, Goal]:
    goal = Goal(
        goal="Learn fine-tuning LLMs",
        skill_level=SkillLevel.INTERMEDIATE,
        hours_per_week=6,
        weeks=6,
        topics=["LoRA", "QLoRA"],
    )
    return build_plan(goal), goal


REFINE_ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("add two more weeks", [{"kind": "set_weeks", "weeks": 8}]),
    ("shorten it by a week", [{"kind": "set_weeks", "weeks": 5}]),
    ("one week longer please", [{"kind": "set_weeks", "weeks": 7}]),
    ("add another 2 weeks", [{"kind": "set_weeks", "weeks": 8}]),
    ("drop the last week", [{"kind": "set_weeks", "weeks": 5}]),
    ("add a week on testing", [{"kind": "add_topic", "topic": "testing"}]),
    ("make the last week lighter", [{"kind": "lighter_week", "week": 6}]),
    ("the final week is too much", [{"kind": "lighter_week", "week": 6}]),
    ("skip the last week's quiz", [{"kind": "drop_quiz", "week": 6}]),
    ("put week 2 last", [{"kind": "move_week", "week": 2, "to": 6}]),
    ("move week 3 to the start", [{"kind": "move_week", "week": 3, "to": 1}]),
    ("put week 5 before week 2", [{"kind": "move_week", "week": 5, "to": 2}]),
    ("put week 4 before week 3", [{"kind": "swap_weeks", "week": 3, "other_week": 4}]),
    ("a lighter week 2 would be nice", [{"kind": "lighter_week", "week": 2}]),
    ("could you maybe make week 3 easier?", [{"kind": "lighter_week", "week": 3}]),
    ("add more on LoRA", [{"kind": "more_on", "topic": "LoRA"}]),
    ("add more LoRA practice", [{"kind": "more_on", "topic": "LoRA"}, {"kind": "more_practice"}]),
    ("take it out", []),
    ("two extra hours a week please", [{"kind": "set_hours", "hours": 8.0}]),
    ("I can do one hour less per week", [{"kind": "set_hours", "hours": 5.0}]),
    ("halve the hours", [{"kind": "set_hours", "hours": 3.0}]),
    ("swap the first and last week", [{"kind": "swap_weeks", "week": 1, "other_week": 6}]),
    ("week 3 should come last", [{"kind": "move_week", "week": 3, "to": 6}]),
    ("take out the quiz", [{"kind": "drop_quiz"}]),
    ("remove async, I don't need it", [{"kind": "remove_topic", "topic": "async"}]),
    ("add WebAssembly, that would be nice", [{"kind": "add_topic", "topic": "WebAssembly"}]),
    ("harder pls 💪", [{"kind": "harder"}]),
    ("I'd appreciate it if week 4 were heavier", [{"kind": "heavier_week", "week": 4}]),
    ("can we go back to 6 weeks?", [{"kind": "set_weeks", "weeks": 6}]),
]


@pytest.mark.parametrize(("text", "expected"), REFINE_ROWS)
def test_refinement_rows(text: str, expected: list[dict[str, Any]], six_weeks: tuple[Plan, Goal]):
    ops = parse_refinement(text, six_weeks[0])
    assert [op.model_dump(exclude_none=True) for op in ops] == expected


def test_references_that_need_the_plan_yield_nothing_without_it():
    assert parse_refinement("add two more weeks") == []
    assert parse_refinement("make the last week lighter") == []
    assert parse_refinement("put week 2 last") == []


@pytest.mark.parametrize(
    ("text", "way"),
    [
        ("undo", "undo"),
        ("ctrl+z", "undo"),
        ("undo that", "undo"),
        ("go back", "undo"),
        ("oops, undo the last change please", "undo"),
        ("redo", "redo"),
        ("scrap that", "undo"),
        ("go back to how it was before", "undo"),
        ("bring back what I undid", "redo"),
        ("ctrl+y", "redo"),
        ("can we go back to 6 weeks?", None),
        ("make week 2 lighter", None),
        ("undo LoRA basics", None),
    ],
)
def test_history_requests(text: str, way: str | None):
    assert history_request(text) == way


def test_move_week_shifts_the_weeks_between(six_weeks: tuple[Plan, Goal]) -> None:
    plan, goal = six_weeks
    moved, _, notes = apply_ops(plan, goal, [RefineOp(kind="move_week", week=2, to=6)])
    assert notes == []
    titles = [[m.title for m in w.modules] for w in plan.weeks]
    assert [[m.title for m in w.modules] for w in moved.weeks] == [
        titles[0],
        *titles[2:],
        titles[1],
    ]
    ids = [[m.id for m in w.modules] for w in plan.weeks]
    assert [[m.id for m in w.modules] for w in moved.weeks] == [ids[0], *ids[2:], ids[1]], (
        "module ids travel with their content, so progress keyed by id does too"
    )
    assert check_plan(moved, goal) == []
    _, _, notes = apply_ops(plan, goal, [RefineOp(kind="move_week", week=2, to=9)])
    assert "no week 9" in notes[0]


def _on(plan: Plan, topic: str) -> list[Module]:
    return [m for m in plan.modules() if any(t.lower() == topic for t in m.topics)]


def test_more_on_a_present_topic_adds_a_module(six_weeks: tuple[Plan, Goal]) -> None:
    plan, goal = six_weeks
    more, new_goal, notes = apply_ops(plan, goal, [RefineOp(kind="more_on", topic="LoRA")])
    assert len(_on(more, "lora")) == len(_on(plan, "lora")) + 1
    assert new_goal.topics == goal.topics
    assert notes and notes[0].startswith("More on LoRA")
    assert check_plan(more, new_goal) == []


def test_more_on_when_every_week_is_full_gives_more_hours() -> None:
    goal = Goal(
        goal="Learn Python for data analysis",
        skill_level=SkillLevel.INTERMEDIATE,
        hours_per_week=10,
        weeks=6,
        topics=["pandas", "numpy", "plotting"],
    )
    plan = build_plan(goal)
    assert all(len(w.modules) == 4 for w in plan.weeks)
    more, _, notes = apply_ops(plan, goal, [RefineOp(kind="more_on", topic="pandas")])
    assert sum(m.hours for m in _on(more, "pandas")) > sum(m.hours for m in _on(plan, "pandas"))
    assert [w.hours for w in more.weeks] == [w.hours for w in plan.weeks], "within the budget"
    assert "more time on" in notes[0]


def test_more_on_a_new_topic_adds_it(six_weeks: tuple[Plan, Goal]) -> None:
    plan, goal = six_weeks
    more, new_goal, _ = apply_ops(plan, goal, [RefineOp(kind="more_on", topic="DPO")])
    assert "DPO" in new_goal.topics and _on(more, "dpo")


# ---- history -------------------------------------------------------------------------------


@pytest.fixture(params=["memory", "embedded"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    engine = (
        open_engine(memory=True)
        if request.param == "memory"
        else open_engine(data_dir=tmp_path / "data")
    )
    store = Store(engine, clock=lambda: datetime(2026, 3, 2, tzinfo=UTC))
    await store.setup()
    yield store
    engine.close()


async def test_undo_and_redo_walk_the_history(store: Store, six_weeks: tuple[Plan, Goal]) -> None:
    plan, goal = six_weeks
    for note in ("created", "3 h", "8 weeks"):
        await store.save_plan(5, plan, goal, note=note)
    assert await step(store, 5, expected=3, way="undo") == 2
    assert await step(store, 5, expected=2, way="undo") == 1
    assert await step(store, 5, expected=1, way="undo") is None
    assert await step(store, 5, expected=1, way="redo") == 2
    assert await store.save_plan(5, plan, goal, note="10 weeks") == 4
    assert await step(store, 5, expected=4, way="redo") is None, "a new change drops redo"
    assert await step(store, 5, expected=4, way="undo") == 2
    assert await step(store, 5, expected=4, way="undo") is None, "stale: 4 is not active"


async def test_two_undos_at_once_move_one_step(store: Store, six_weeks: tuple[Plan, Goal]) -> None:
    plan, goal = six_weeks
    for note in ("created", "a", "b"):
        await store.save_plan(6, plan, goal, note=note)
    results = await asyncio.gather(*(step(store, 6, expected=3, way="undo") for _ in range(2)))
    assert sorted(results, key=str) == [2, None]
    active = await store.active_plan(6)
    assert active is not None and active[0] == 2


async def test_a_user_from_before_the_history_undoes_by_version_number(
    store: Store, six_weeks: tuple[Plan, Goal]
) -> None:
    plan, goal = six_weeks
    for note in ("created", "a"):
        await store.save_plan(8, plan, goal, note=note)
    await store.run(
        store.db.users.update_one,
        {"user_id": 8},
        {"$unset": {"plan_history": "", "plan_redo": "", "history_rev": ""}},
    )
    assert await step(store, 8, expected=2, way="undo") == 1
    assert await step(store, 8, expected=1, way="redo") == 2


@pytest.mark.parametrize(
    ("text", "unresolved"),
    [
        ("take it out", True),
        ("remove that please", True),
        ("drop it", True),
        ("take out LoRA", False),
        ("remove the quiz", False),
    ],
)
def test_a_pronoun_removal_is_unresolved(text: str, unresolved: bool):
    assert unresolved_removal(text) is unresolved
    assert all(
        op.topic is None or op.topic.lower() not in {"it", "that"} for op in parse_refinement(text)
    )
