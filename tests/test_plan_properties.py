"""Property tests: every generated plan is valid, and stays valid under any refinements."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.planner import build_plan
from agent.refine import apply_ops, describe_diff, diff_plans
from agent.refine_ops import RefineOp
from agent.validator import check_plan, repair_plan
from storage.models import Goal, Milestone, Module, Plan, Quiz, SkillLevel, Week

texts = st.text(min_size=0, max_size=120)
topic_texts = st.one_of(
    st.text(min_size=0, max_size=40),
    st.text(min_size=90, max_size=160),
    st.sampled_from(["Python", "python", "  SQL  joins ", "ß", "🎸 chords", "a"]),
)

goals = st.builds(
    Goal,
    goal=texts,
    skill_level=st.sampled_from(list(SkillLevel)),
    hours_per_week=st.one_of(
        st.integers(min_value=1, max_value=60).map(float),
        st.floats(min_value=1, max_value=60, allow_nan=False, allow_infinity=False),
    ),
    weeks=st.integers(min_value=1, max_value=52),
    topics=st.lists(topic_texts, min_size=0, max_size=6),
)

week_numbers = st.integers(min_value=1, max_value=56)
ops = st.one_of(
    st.builds(
        RefineOp,
        kind=st.sampled_from(["lighter_week", "heavier_week"]),
        week=st.one_of(st.none(), week_numbers),
        factor=st.one_of(st.none(), st.floats(min_value=0.1, max_value=3)),
    ),
    st.builds(RefineOp, kind=st.just("set_hours"), hours=st.floats(min_value=0.1, max_value=80)),
    st.builds(RefineOp, kind=st.sampled_from(["add_topic", "remove_topic"]), topic=topic_texts),
    st.builds(RefineOp, kind=st.just("swap_weeks"), week=week_numbers, other_week=week_numbers),
    st.builds(RefineOp, kind=st.just("drop_quiz"), week=st.one_of(st.none(), week_numbers)),
    st.builds(RefineOp, kind=st.just("set_weeks"), weeks=st.integers(min_value=1, max_value=60)),
    st.builds(
        RefineOp,
        kind=st.sampled_from(["more_practice", "less_reading", "easier", "harder"]),
    ),
)

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(goals)
def test_built_plans_are_valid(goal: Goal) -> None:
    plan = build_plan(goal)
    assert check_plan(plan, goal) == []
    assert len(plan.weeks) == goal.weeks
    assert plan == build_plan(goal)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(goals)
def test_repair_leaves_valid_plans_alone(goal: Goal) -> None:
    plan = build_plan(goal)
    repaired, repairs = repair_plan(plan, goal)
    assert repairs == []
    assert repaired == plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(goals, st.lists(ops, min_size=1, max_size=5))
def test_refined_plans_stay_valid(goal: Goal, sequence: list[RefineOp]) -> None:
    plan = build_plan(goal)
    snapshot = plan.model_copy(deep=True)
    new_plan, new_goal, notes = apply_ops(plan, goal, sequence)
    assert plan == snapshot
    assert check_plan(new_plan, new_goal) == []
    assert len(new_plan.weeks) == new_goal.weeks
    assert all(isinstance(n, str) and n for n in notes)
    assert describe_diff(diff_plans(plan, new_plan))


def _corrupt(plan: Plan, data: st.DataObject) -> Plan:
    """Break a plan the ways partial or sloppy LLM output does."""
    broken = plan.model_copy(deep=True)
    modules = broken.modules()
    pick = st.integers(min_value=0, max_value=len(modules) - 1)
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        module = modules[data.draw(pick)]
        week = data.draw(st.sampled_from(broken.weeks))
        damage = data.draw(st.sampled_from(sorted(DAMAGE)))
        DAMAGE[damage](broken, week, module, data)
    return broken


def _scale_hours(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    factor = data.draw(st.floats(min_value=0.05, max_value=6))
    for m in week.modules:
        m.hours = max(0.01, round(m.hours * factor, 2))


def _blank_module(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    module.title, module.description, module.topics = "Module", "", []
    module.objectives, module.resources = [], []


def _bad_quiz(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    if week.quiz and week.quiz.questions:
        question = week.quiz.questions[0]
        question.question = "Why? " * 80
        question.options = [*question.options, question.options[0], "x" * 150]
        question.correct_index = data.draw(st.sampled_from([None, 0, 1, 99, -1]))


def _no_quiz(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    week.quiz = data.draw(st.sampled_from([None, Quiz()]))


def _difficulty(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    module.difficulty = data.draw(st.integers(min_value=1, max_value=5))


def _milestones(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    plan.milestones = data.draw(
        st.sampled_from([[], plan.milestones[:1], [Milestone(week=99, title="x")]])
    )


def _duplicate_id(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    existing = plan.modules()
    if existing:
        module.id = existing[0].id


def _bad_url(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    for resource in module.resources:
        resource.url = "javascript:alert(1)"


def _week_numbers(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    week.number += 100


def _empty_week(plan: Plan, week: Week, module: Module, data: st.DataObject) -> None:
    week.modules = []


DAMAGE = {
    "scale_hours": _scale_hours,
    "blank_module": _blank_module,
    "bad_quiz": _bad_quiz,
    "no_quiz": _no_quiz,
    "difficulty": _difficulty,
    "milestones": _milestones,
    "duplicate_id": _duplicate_id,
    "bad_url": _bad_url,
    "week_numbers": _week_numbers,
    "empty_week": _empty_week,
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(goals, st.data())
def test_repair_fixes_broken_plans(goal: Goal, data: st.DataObject) -> None:
    plan = build_plan(goal)
    broken = _corrupt(plan, data)
    repaired, repairs = repair_plan(broken, goal)
    assert check_plan(repaired, goal) == []
    if check_plan(broken, goal):
        assert repairs
