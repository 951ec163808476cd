"""Applying refinement ops to a plan, and describing the differences."""

from __future__ import annotations

import pytest

from agent.planner import build_plan
from agent.refine import PlanDiff, apply_ops, describe_diff, diff_plans
from agent.refine_ops import RefineOp
from agent.validator import check_plan, week_difficulty
from storage.models import Goal, Plan, SkillLevel


@pytest.fixture
def goal() -> Goal:
    return Goal(
        goal="Learn Python for data analysis",
        skill_level=SkillLevel.INTERMEDIATE,
        hours_per_week=10,
        weeks=6,
        topics=["pandas", "numpy", "plotting"],
    )


@pytest.fixture
def plan(goal: Goal) -> Plan:
    return build_plan(goal)


def apply(plan: Plan, goal: Goal, *ops: RefineOp) -> tuple[Plan, Goal, list[str]]:
    snapshot = (plan.model_copy(deep=True), goal.model_copy(deep=True))
    new_plan, new_goal, notes = apply_ops(plan, goal, list(ops))
    assert (plan, goal) == snapshot, "apply_ops must not mutate its inputs"
    assert check_plan(new_plan, new_goal) == []
    return new_plan, new_goal, notes


def op(kind: str, **fields: object) -> RefineOp:
    return RefineOp.model_validate({"kind": kind, **fields})


# ---- hours --------------------------------------------------------------------------------


def test_lighter_week_goes_down_to_the_70_percent_floor(plan: Plan, goal: Goal) -> None:
    new_plan, _, notes = apply(plan, goal, op("lighter_week", week=2))
    assert notes == []
    assert new_plan.weeks[1].hours == 7
    assert [w.hours for w in new_plan.weeks if w.number != 2] == [10] * 5


def test_lighter_week_with_a_gentle_factor(plan: Plan, goal: Goal) -> None:
    new_plan, _, _ = apply(plan, goal, op("lighter_week", week=3, factor=0.9))
    assert new_plan.weeks[2].hours == 9


def test_lighter_week_at_the_floor_explains_why(plan: Plan, goal: Goal) -> None:
    lighter, _, _ = apply(plan, goal, op("lighter_week", week=2))
    again, _, notes = apply(lighter, goal, op("lighter_week", week=2))
    assert again == lighter
    assert "already as light" in notes[0]


def test_heavier_week_goes_up_to_the_budget(plan: Plan, goal: Goal) -> None:
    lighter, _, _ = apply(plan, goal, op("lighter_week", week=4))
    heavier, _, notes = apply(lighter, goal, op("heavier_week", week=4))
    assert notes == []
    assert heavier.weeks[3].hours == 9.0
    full, _, notes = apply(plan, goal, op("heavier_week", week=4))
    assert full == plan
    assert "full 10 h" in notes[0]


def test_missing_week_gets_a_note(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(plan, goal, op("lighter_week", week=9))
    assert notes == ["There is no week 9 — the plan has 6 weeks."]
    assert new_plan == plan and new_goal == goal
    assert apply(plan, goal, op("heavier_week"))[2] == ["Which week? Please give a week number."]


def test_set_hours_rescales_every_week_and_the_goal(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(plan, goal, op("set_hours", hours=15))
    assert notes == []
    assert new_goal.hours_per_week == 15 and new_plan.hours_per_week == 15
    assert all(w.hours == 15 for w in new_plan.weeks)
    smaller, small_goal, _ = apply(plan, goal, op("set_hours", hours=1))
    assert all(0.7 <= w.hours <= 1 for w in smaller.weeks)
    assert small_goal.hours_per_week == 1


def test_set_hours_keeps_light_weeks_light_and_clamps(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(
        plan, goal, op("lighter_week", week=1), op("set_hours", hours=100)
    )
    assert new_goal.hours_per_week == 60
    assert "between 1 and 60" in notes[0]
    assert new_plan.weeks[0].hours == 42
    assert new_plan.weeks[1].hours == 60


# ---- topics -------------------------------------------------------------------------------


def test_add_topic_adds_a_module_with_a_fresh_id(goal: Goal) -> None:
    goal = goal.model_copy(update={"hours_per_week": 6})
    plan = build_plan(goal)
    new_plan, new_goal, notes = apply(plan, goal, op("add_topic", topic="Statistics"))
    assert notes == []
    assert new_goal.topics[-1] == "Statistics" and new_plan.topics == new_goal.topics
    added = [m for m in new_plan.modules() if "Statistics" in m.topics]
    assert len(added) == 1 and added[0].id not in {m.id for m in plan.modules()}
    week = next(w for w in new_plan.weeks if added[0] in w.modules)
    assert added[0].id.startswith(f"w{week.number}m")
    assert week.hours == 6
    assert diff_plans(plan, new_plan).modules_added == [added[0].id]


def test_add_topic_extends_a_module_when_weeks_are_full(plan: Plan, goal: Goal) -> None:
    assert all(len(w.modules) == 4 for w in plan.weeks)
    new_plan, _, _ = apply(plan, goal, op("add_topic", topic="Statistics"))
    assert len(new_plan.modules()) == len(plan.modules())
    assert any("Statistics" in m.topics for m in new_plan.modules())


def test_add_existing_or_blank_topic_is_a_no_op(plan: Plan, goal: Goal) -> None:
    same, _, notes = apply(plan, goal, op("add_topic", topic="  PANDAS "))
    assert same == plan and "already" in notes[0]
    assert apply(plan, goal, op("add_topic", topic=" "))[2] == ["Which topic should I add?"]


def test_remove_topic_drops_its_modules(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(plan, goal, op("remove_topic", topic="NumPy"))
    assert notes == []
    assert new_goal.topics == ["pandas", "plotting"]
    assert not any("numpy" in t.casefold() for m in new_plan.modules() for t in m.topics)
    assert all(w.hours == 10 for w in new_plan.weeks)
    diff = diff_plans(plan, new_plan)
    assert diff.modules_removed and not diff.modules_added


def test_remove_unknown_topic_explains(plan: Plan, goal: Goal) -> None:
    same, _, notes = apply(plan, goal, op("remove_topic", topic="Haskell"))
    assert same == plan
    assert notes == ["“Haskell” isn't a topic of this plan."]


# ---- structure ----------------------------------------------------------------------------


def test_swap_weeks_moves_content_and_keeps_difficulty_valid(plan: Plan, goal: Goal) -> None:
    new_plan, _, notes = apply(plan, goal, op("swap_weeks", week=1, other_week=6))
    assert notes == []
    assert [m.title for m in new_plan.weeks[0].modules] == [m.title for m in plan.weeks[5].modules]
    assert [m.title for m in new_plan.weeks[5].modules] == [m.title for m in plan.weeks[0].modules]
    assert [m.id for m in new_plan.weeks[0].modules] == [m.id for m in plan.weeks[5].modules]
    assert [m.id for m in new_plan.weeks[5].modules] == [m.id for m in plan.weeks[0].modules]
    assert week_difficulty(new_plan.weeks[5]) >= week_difficulty(new_plan.weeks[0])
    quiz = new_plan.weeks[0].quiz
    assert quiz is not None and all("week 6" not in q.question for q in quiz.questions)


def test_swap_with_a_missing_week_explains(plan: Plan, goal: Goal) -> None:
    same, _, notes = apply(plan, goal, op("swap_weeks", week=2, other_week=8))
    assert same == plan and notes == ["There is no week 8 — the plan has 6 weeks."]


def test_drop_quiz_for_one_week_and_all(plan: Plan, goal: Goal) -> None:
    one, _, _ = apply(plan, goal, op("drop_quiz", week=3))
    assert [w.quiz is None for w in one.weeks] == [False, False, True, False, False, False]
    none, _, _ = apply(one, goal, op("drop_quiz"))
    assert all(w.quiz is None for w in none.weeks)
    still, _, _ = apply(none, goal, op("easier"))
    assert all(w.quiz is None for w in still.weeks)
    assert apply(none, goal, op("drop_quiz"))[2] == ["The plan has no quizzes to remove."]


def test_set_weeks_extends_with_practice_and_review(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(plan, goal, op("set_weeks", weeks=9))
    assert notes == [] and new_goal.weeks == 9
    assert new_plan.title == "Learn Python for data analysis in 9 weeks"
    assert [m.id for m in new_plan.weeks[:6][0].modules] == [m.id for m in plan.weeks[0].modules]
    assert new_plan.weeks[6].theme == "Hands-on practice"
    assert new_plan.weeks[7].theme == "Review & consolidate"
    assert new_plan.milestones[-1].week == 9
    assert all(w.quiz is not None for w in new_plan.weeks)


def test_set_weeks_shrinks_by_merging(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, _ = apply(plan, goal, op("set_weeks", weeks=2))
    assert len(new_plan.weeks) == new_goal.weeks == 2
    assert all(len(w.modules) <= 4 for w in new_plan.weeks)
    assert all(w.hours == 10 for w in new_plan.weeks)
    covered = {t for m in new_plan.modules() for t in m.topics}
    assert {"pandas", "numpy", "plotting"} <= covered
    single, _, _ = apply(plan, goal, op("set_weeks", weeks=1))
    assert len(single.weeks) == 1 and single.milestones[0].week == 1


def test_set_weeks_clamps(plan: Plan, goal: Goal) -> None:
    new_plan, new_goal, notes = apply(plan, goal, op("set_weeks", weeks=80))
    assert new_goal.weeks == 52 and len(new_plan.weeks) == 52
    assert "1–52" in notes[0]


# ---- content ------------------------------------------------------------------------------


def test_more_practice_adds_hands_on_work(plan: Plan, goal: Goal) -> None:
    new_plan, _, notes = apply(plan, goal, op("more_practice"))
    assert notes == []
    for module in new_plan.modules():
        assert any(r.kind == "practice" for r in module.resources)
        assert module.objectives[0].startswith("Practise")
    again, _, notes = apply(new_plan, goal, op("more_practice"))
    assert again == new_plan and notes


def test_less_reading_removes_docs_and_books(plan: Plan, goal: Goal) -> None:
    new_plan, _, notes = apply(plan, goal, op("less_reading"))
    assert notes == []
    kinds = [r.kind for m in new_plan.modules() for r in m.resources]
    assert "docs" not in kinds and "book" not in kinds
    assert all(len(m.resources) >= 2 for m in new_plan.modules())
    assert apply(new_plan, goal, op("less_reading"))[2] == [
        "There is no reading material left to cut."
    ]


def test_easier_and_harder_shift_difficulty_within_bounds(plan: Plan, goal: Goal) -> None:
    easier, _, _ = apply(plan, goal, op("easier"))
    harder, _, _ = apply(plan, goal, op("harder"))
    for before, down, up in zip(plan.modules(), easier.modules(), harder.modules(), strict=True):
        assert down.difficulty == max(1, before.difficulty - 1)
        assert up.difficulty == min(5, before.difficulty + 1)
    floor, _, notes = apply(easier, goal, op("easier"), op("easier"), op("easier"))
    assert all(m.difficulty == 1 for m in floor.modules())
    assert notes == ["The plan is already as easy as it gets."]


def test_several_ops_apply_in_order(plan: Plan, goal: Goal) -> None:
    ops = [op("set_weeks", weeks=8), op("lighter_week", week=8), op("add_topic", topic="SQL")]
    new_plan, new_goal, notes = apply(plan, goal, *ops)
    assert notes == []
    assert new_goal.weeks == 8 and new_plan.weeks[7].hours == 7
    assert "SQL" in new_goal.topics


# ---- diffs --------------------------------------------------------------------------------


def test_diff_and_describe_set_weeks(plan: Plan, goal: Goal) -> None:
    new_plan, _, _ = apply(plan, goal, op("set_weeks", weeks=8))
    diff = diff_plans(plan, new_plan)
    assert (diff.weeks_before, diff.weeks_after) == (6, 8)
    assert diff.modules_added == [m.id for w in new_plan.weeks[6:] for m in w.modules]
    assert diff.modules_removed == []
    assert (diff.hours_before, diff.hours_after) == (60, 80)
    text = describe_diff(diff)
    assert text.startswith("Weeks: 6 → 8. Added 8 modules (w7m1, w7m2,")
    assert "removed 0. Hours: 60 → 80." in text
    assert "<" not in text


def test_describe_identical_plans(plan: Plan) -> None:
    assert describe_diff(diff_plans(plan, plan)) == "No changes."


def test_describe_lists_notes_and_caps_them() -> None:
    diff = PlanDiff(
        weeks_before=4,
        weeks_after=4,
        modules_added=[],
        modules_removed=["w1m1"],
        hours_before=40,
        hours_after=37.5,
        notes=[f"note {i}" for i in range(12)],
    )
    text = describe_diff(diff)
    assert text.splitlines()[0] == (
        "Weeks: 4 (unchanged). Added 0 modules, removed 1 (w1m1). Hours: 40 → 37.5."
    )
    assert "- note 7" in text and "- note 8" not in text
    assert text.endswith("- …and 4 more changes.")


def test_diff_notes_describe_budget_and_topics(plan: Plan, goal: Goal) -> None:
    new_plan, _, _ = apply(
        plan, goal, op("set_hours", hours=12), op("remove_topic", topic="plotting")
    )
    notes = diff_plans(plan, new_plan).notes
    assert "Weekly budget: 10 h → 12 h." in notes
    assert "Topic removed: plotting." in notes
