"""The deterministic planner and the plan validator/repairer."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest

from agent.planner import build_plan, tg_len
from agent.validator import PlanInvalid, check_plan, repair_plan, week_difficulty
from storage.models import (
    Goal,
    Milestone,
    Module,
    Plan,
    PlanMeta,
    Quiz,
    QuizQuestion,
    Resource,
    SkillLevel,
    Week,
)

ALLOWED_HOSTS = {
    "duckduckgo.com",
    "www.youtube.com",
    "www.coursera.org",
    "openlibrary.org",
    "github.com",
    "en.wikipedia.org",
}


def make_goal(
    skill: SkillLevel = SkillLevel.BEGINNER,
    hours: float = 6,
    weeks: int = 8,
    topics: list[str] | None = None,
    goal: str = "Learn Python for data analysis",
) -> Goal:
    return Goal(
        goal=goal,
        skill_level=skill,
        hours_per_week=hours,
        weeks=weeks,
        topics=["pandas", "numpy", "plotting"] if topics is None else topics,
    )


@pytest.fixture
def goal() -> Goal:
    return make_goal()


@pytest.fixture
def plan(goal: Goal) -> Plan:
    return build_plan(goal)


def codes(plan: Plan, goal: Goal) -> set[str]:
    return {issue.code for issue in check_plan(plan, goal)}


# ---- build_plan -------------------------------------------------------------------------


def test_plan_shape_and_metadata(plan: Plan, goal: Goal) -> None:
    assert check_plan(plan, goal) == []
    assert plan.title == "Learn Python for data analysis in 8 weeks"
    assert plan.meta.planner == "deterministic"
    assert [w.number for w in plan.weeks] == list(range(1, 9))
    assert plan.topics == goal.topics
    for week in plan.weeks:
        assert 1 <= len(week.modules) <= 4
        assert [m.id for m in week.modules] == [
            f"w{week.number}m{i}" for i in range(1, len(week.modules) + 1)
        ]
        for module in week.modules:
            assert module.description and module.title
            assert 2 <= len(module.objectives) <= 3
            assert all(o[0].isupper() and " " in o for o in module.objectives)
            assert module.topics


def test_plan_is_deterministic(goal: Goal) -> None:
    assert build_plan(goal) == build_plan(goal.model_copy(deep=True))


def test_title_truncates_long_goals() -> None:
    plan = build_plan(make_goal(goal="x" * 200, weeks=1))
    assert plan.title.endswith(" in 1 week")
    assert len(plan.title.removesuffix(" in 1 week")) <= 60


@pytest.mark.parametrize(
    ("skill", "start"),
    [(SkillLevel.BEGINNER, 1), (SkillLevel.INTERMEDIATE, 2), (SkillLevel.ADVANCED, 3)],
)
def test_difficulty_starts_by_skill_and_never_falls(skill: SkillLevel, start: int) -> None:
    plan = build_plan(make_goal(skill=skill, weeks=12))
    levels = [week_difficulty(w) for w in plan.weeks]
    assert levels[0] == start
    assert all(b >= a - 1 for a, b in pairwise(levels))
    assert levels[-1] >= start
    assert max(levels) <= 5


def test_pace_differs_by_skill() -> None:
    beginner = build_plan(make_goal(skill=SkillLevel.BEGINNER, hours=6, weeks=12))
    advanced = build_plan(make_goal(skill=SkillLevel.ADVANCED, hours=6, weeks=12))
    assert len(beginner.weeks[0].modules) > len(advanced.weeks[0].modules)
    assert max(m.hours for m in beginner.modules()) < min(m.hours for m in advanced.modules())
    first_step = [
        next(w.number for w in p.weeks if week_difficulty(w) > week_difficulty(p.weeks[0]))
        for p in (beginner, advanced)
    ]
    assert first_step[0] > first_step[1]
    assert any("review" in m.title.lower() for m in beginner.weeks[0].modules)
    project_hours = [
        sum(m.hours for m in p.modules() if "project" in m.title.lower())
        for p in (beginner, advanced)
    ]
    assert project_hours[0] < project_hours[1]


def test_every_topic_is_covered() -> None:
    topics = ["SQL joins", "Window functions", "Indexes", "CTEs", "Transactions", "Views"]
    for weeks in (1, 2, 5):
        plan = build_plan(make_goal(weeks=weeks, hours=2, topics=topics))
        covered = {t for m in plan.modules() for t in m.topics}
        assert set(topics) <= covered


def test_curriculum_arc_without_topics() -> None:
    plan = build_plan(make_goal(topics=[], goal="Learn to play guitar", weeks=10))
    titles = [m.title for m in plan.modules()]
    assert titles[0].startswith("Foundations of play guitar")
    assert any(t.startswith("Core concepts of play guitar") for t in titles)
    assert any(t.startswith("Hands-on practice: play guitar") for t in titles)
    assert any(t.startswith("Build a project: play guitar") for t in titles)
    assert titles[-1].startswith("Review & consolidate: play guitar")


@pytest.mark.parametrize("hours", [1, 1.3, 2.5, 7, 13.33, 40, 60])
@pytest.mark.parametrize("skill", list(SkillLevel))
def test_weekly_hours_fit_the_budget(hours: float, skill: SkillLevel) -> None:
    goal = make_goal(skill=skill, hours=hours, weeks=3)
    plan = build_plan(goal)
    for week in plan.weeks:
        assert 0.7 * hours <= week.hours <= hours
        assert all(round(m.hours * 4) == m.hours * 4 for m in week.modules)
    assert check_plan(plan, goal) == []


def test_resources_are_search_urls_on_known_hosts(plan: Plan) -> None:
    for week in plan.weeks:
        kinds = {r.kind for m in week.modules for r in m.resources}
        assert len(kinds) >= 3
        for resource in (r for m in week.modules for r in m.resources):
            parts = urlsplit(resource.url)
            assert parts.scheme == "https"
            assert parts.netloc in ALLOWED_HOSTS
            query = parse_qs(parts.query)
            assert any(value[0].strip() for value in query.values())
    all_kinds = {r.kind for m in plan.modules() for r in m.resources}
    assert all_kinds == {"docs", "video", "course", "book", "practice"}


def test_resource_queries_are_url_encoded() -> None:
    plan = build_plan(make_goal(topics=["C# & .NET", "Ünïcode ✓"], weeks=2))
    urls = [r.url for m in plan.modules() for r in m.resources]
    assert all(" " not in u and "#" not in u.split("?", 1)[1] for u in urls)
    decoded = [v for u in urls for vs in parse_qs(urlsplit(u).query).values() for v in vs]
    assert any("C# & .NET" in v for v in decoded)


def test_quizzes_are_answerable_from_the_plan(plan: Plan) -> None:
    for week in plan.weeks:
        assert week.quiz is not None
        assert 2 <= len(week.quiz.questions) <= 3
        week_topics = {t.casefold() for m in week.modules for t in m.topics}
        for question in week.quiz.questions:
            assert tg_len(question.question) <= 300
            assert 2 <= len(question.options) <= 10
            assert all(tg_len(o) <= 100 for o in question.options)
            assert len({o.casefold() for o in question.options}) == len(question.options)
            if question.correct_index is None:
                continue
            answer = question.options[question.correct_index]
            others = [o for i, o in enumerate(question.options) if i != question.correct_index]
            if "topic of week" in question.question:
                assert answer.casefold() in week_topics
                assert not any(o.casefold() in week_topics for o in others)
            if "comes first" in question.question:
                assert answer == week.modules[0].title


def test_one_module_plan_uses_self_assessment() -> None:
    plan = build_plan(make_goal(weeks=1, hours=1, topics=[]))
    assert len(plan.modules()) == 1
    questions = plan.weeks[0].quiz.questions  # type: ignore[union-attr]
    assert len(questions) >= 2
    assert all(q.correct_index is None for q in questions)
    assert questions[0].options[0] == "1 – not at all"
    assert questions[0].options[-1] == "5 – very confident"


@pytest.mark.parametrize(
    ("weeks", "marks"),
    [
        (1, [1]),
        (2, [2]),
        (4, [2, 4]),
        (5, [2, 5]),
        (6, [2, 4, 6]),
        (7, [3, 7]),
        (12, [3, 6, 9, 12]),
    ],
)
def test_milestones(weeks: int, marks: list[int]) -> None:
    plan = build_plan(make_goal(weeks=weeks))
    assert [m.week for m in plan.milestones] == marks
    covered = [i for m in plan.milestones for i in m.module_ids]
    assert covered == [m.id for m in plan.modules()]
    assert plan.milestones[-1].title.startswith("Final milestone")


def test_long_and_unicode_topics_stay_within_telegram_limits() -> None:
    topics = ["🎸" * 80, "🎸" * 80 + "x", "Ω" * 200]
    goal = make_goal(topics=topics, weeks=3)
    plan = build_plan(goal)
    assert check_plan(plan, goal) == []


def test_incomplete_goal_is_rejected() -> None:
    with pytest.raises(ValueError):
        build_plan(Goal(goal="x", skill_level=SkillLevel.BEGINNER, weeks=3))


# ---- check_plan: one test per invariant -------------------------------------------------


def _first(plan: Plan) -> Module:
    return plan.weeks[0].modules[0]


def _quiz(plan: Plan) -> QuizQuestion:
    assert plan.weeks[0].quiz is not None
    return plan.weeks[0].quiz.questions[0]


BREAKERS: dict[str, Callable[[Plan], None]] = {
    "weeks_count": lambda p: p.weeks.pop(),
    "week_numbers": lambda p: setattr(p.weeks[1], "number", 7),
    "empty_week": lambda p: setattr(p.weeks[2], "modules", []),
    "duplicate_module_id": lambda p: setattr(p.weeks[1].modules[0], "id", "w1m1"),
    "module_incomplete": lambda p: setattr(_first(p), "objectives", []),
    "module_hours": lambda p: setattr(_first(p), "hours", 0),
    "hours_over_budget": lambda p: setattr(_first(p), "hours", 9),
    "hours_under_budget": lambda p: (
        setattr(_first(p), "hours", 0.25) or setattr(p.weeks[0].modules[1], "hours", 0.25)
    ),
    "difficulty_range": lambda p: setattr(_first(p), "difficulty", 7),
    "difficulty_drop": lambda p: [setattr(m, "difficulty", 5) for m in p.weeks[3].modules],
    "difficulty_end": lambda p: [setattr(m, "difficulty", 3) for m in p.weeks[0].modules],
    "topic_missing": lambda p: setattr(p, "weeks", p.weeks),
    "milestone_missing": lambda p: setattr(p, "milestones", []),
    "milestone_order": lambda p: p.milestones.reverse(),
    "milestone_final": lambda p: p.milestones.pop(),
    "milestone_gap": lambda p: p.milestones.pop(0) and p.milestones.pop(0),
    "milestone_module": lambda p: p.milestones[0].module_ids.append("w99m1"),
    "quiz_empty": lambda p: setattr(p.weeks[0], "quiz", Quiz()),
    "quiz_options": lambda p: setattr(_quiz(p), "options", ["only one"]),
    "quiz_correct_index": lambda p: setattr(_quiz(p), "correct_index", 5),
    "quiz_text": lambda p: setattr(_quiz(p), "question", "?" * 301),
    "quiz_duplicate_options": lambda p: setattr(_quiz(p), "options", ["a", "A ", "b"]),
    "resource_url": lambda p: setattr(_first(p).resources[0], "url", "javascript:alert(1)"),
}


@pytest.mark.parametrize("code", sorted(BREAKERS))
def test_check_plan_reports_each_broken_invariant(code: str) -> None:
    goal = make_goal(weeks=8, hours=6)
    if code == "topic_missing":
        goal = goal.model_copy(update={"topics": [*goal.topics, "Statistics"]})
    plan = build_plan(make_goal(weeks=8, hours=6))
    assert check_plan(plan, make_goal(weeks=8, hours=6)) == []
    BREAKERS[code](plan)
    assert code in codes(plan, goal)


def test_topic_check_is_case_and_whitespace_insensitive(plan: Plan) -> None:
    goal = make_goal(topics=["PANDAS", "  numpy "])
    assert check_plan(plan, goal) == []


def test_dropped_quizzes_are_valid(plan: Plan, goal: Goal) -> None:
    for week in plan.weeks:
        week.quiz = None
    assert check_plan(plan, goal) == []


def test_quiz_limits_count_utf16_units(plan: Plan, goal: Goal) -> None:
    _quiz(plan).options[0] = "🎸" * 51
    assert "quiz_text" in codes(plan, goal)


# ---- repair_plan --------------------------------------------------------------------------


def test_repair_leaves_a_valid_plan_unchanged(plan: Plan, goal: Goal) -> None:
    repaired, repairs = repair_plan(plan, goal)
    assert repairs == []
    assert repaired == plan


def test_repair_rescales_hours_over_budget(plan: Plan, goal: Goal) -> None:
    for module in plan.weeks[2].modules:
        module.hours = 5
    before = plan.model_copy(deep=True)
    repaired, repairs = repair_plan(plan, goal)
    assert plan == before
    assert repaired.weeks[2].hours == 6
    assert any("Week 3" in r and "6" in r for r in repairs)
    assert repaired.meta.repairs == repairs
    assert check_plan(repaired, goal) == []


def test_repair_fills_missing_fields_like_partial_llm_output(goal: Goal) -> None:
    weeks = [
        Week(
            number=n,
            modules=[
                Module(id=f"m{n}", title=f"Study {t}", hours=3, difficulty=min(5, n), topics=[t])
                for t in ("pandas", "numpy")
            ],
        )
        for n in range(1, 9)
    ]
    weeks[3].modules[1].topics = []
    weeks[3].modules[1].title = "Plotting basics"
    llm = Plan(
        title="LLM plan",
        goal=goal.goal or "",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=6,
        weeks=weeks,
        meta=PlanMeta(planner="llm", model="test"),
    )
    assert {"module_incomplete", "milestone_missing", "duplicate_module_id"} <= codes(llm, goal)
    repaired, repairs = repair_plan(llm, goal)
    assert check_plan(repaired, goal) == []
    assert repairs
    assert all(w.quiz is not None and w.quiz.questions for w in repaired.weeks)
    assert all(m.objectives and m.resources and m.description for m in repaired.modules())
    assert repaired.milestones[-1].week == 8
    assert repaired.meta.planner == "llm"


def test_repair_smooths_difficulty_and_fixes_quiz_text(plan: Plan, goal: Goal) -> None:
    for module in plan.weeks[4].modules:
        module.difficulty = 5
    question = _quiz(plan)
    question.question = "Why? " * 100
    question.options = [*question.options, question.options[0], "o" * 150]
    repaired, _ = repair_plan(plan, goal)
    assert check_plan(repaired, goal) == []
    levels = [week_difficulty(w) for w in repaired.weeks]
    assert levels[5] >= 4
    fixed = repaired.weeks[0].quiz.questions[0]  # type: ignore[union-attr]
    assert tg_len(fixed.question) <= 300 and fixed.question.endswith("…")
    assert fixed.options[fixed.correct_index or 0] == question.options[question.correct_index or 0]


def test_repair_adds_missing_topics_and_renumbers_weeks(plan: Plan) -> None:
    goal = make_goal(topics=["pandas", "numpy", "plotting", "Statistics"])
    plan.weeks.reverse()
    repaired, repairs = repair_plan(plan, goal)
    assert [w.number for w in repaired.weeks] == list(range(1, 9))
    assert repaired.weeks[0].modules[0].id == "w1m1"
    for week in plan.weeks:
        week.number = 0 if week.number > 4 else week.number
    assert "Renumbered the weeks 1…n." in repair_plan(plan, goal)[1]
    assert any("Statistics" in m.topics for m in repaired.modules())
    assert any("Statistics" in r for r in repairs)
    assert check_plan(repaired, goal) == []


def test_repair_keeps_dropped_quizzes_on_request(plan: Plan, goal: Goal) -> None:
    plan.weeks[1].quiz = None
    assert repair_plan(plan, goal, fill_quizzes=False)[0].weeks[1].quiz is None
    assert repair_plan(plan, goal)[0].weeks[1].quiz is not None


def test_repair_rebuilds_bad_milestones_and_urls(plan: Plan, goal: Goal) -> None:
    plan.milestones = [Milestone(week=2, title="Early")]
    _first(plan).resources = [Resource(kind="docs", title="x", url="ftp://example.org/x")]
    repaired, _ = repair_plan(plan, goal)
    assert check_plan(repaired, goal) == []
    assert repaired.milestones[-1].week == 8
    assert all(r.url.startswith("https://") for r in repaired.weeks[0].modules[0].resources)


def test_repair_refuses_the_wrong_number_of_weeks(plan: Plan) -> None:
    with pytest.raises(PlanInvalid):
        repair_plan(plan, make_goal(weeks=10))
