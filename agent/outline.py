"""From an outline (what needs knowledge) to a complete plan (what needs arithmetic).

Every knowledgeable source — a built-in curriculum, an LLM's outline, a learner's own
syllabus — produces `OutlineWeek`s: per week a theme and 1–4 modules with objectives,
topics, resource search queries and, optionally, bank quiz questions. `plan_from_outline`
adds the rest with the same machinery as the template planner: hours within the weekly
budget, difficulty rising with the weeks, module ids, quizzes and milestones. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from agent.planner import (
    EXPLANATION_LIMIT,
    OPTION_LIMIT,
    QUESTION_LIMIT,
    allocate_hours,
    clean,
    goal_subject,
    join_subject,
    label,
    make_milestones,
    make_quiz,
    module_objectives,
    module_resources,
    normalize,
    plan_title,
    planned_difficulty,
    search_resource,
    truncate,
    unique_by_key,
    weekly_target_hours,
)
from storage.models import (
    Goal,
    Module,
    Plan,
    PlanMeta,
    Quiz,
    QuizQuestion,
    ResourceKind,
    SkillLevel,
    Week,
)

MAX_MODULES = 4
TITLE_LIMIT = 100
OBJECTIVE_LIMIT = 160
THEME_LIMIT = 120


class OutlineResource(BaseModel):
    kind: ResourceKind
    query: str


class OutlineQuestion(BaseModel):
    """A question with one correct answer (`answer`) and wrong options."""

    question: str
    answer: str
    wrong: list[str]
    explanation: str | None = None


class OutlineModule(BaseModel):
    title: str
    objectives: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    resources: list[OutlineResource] = Field(default_factory=list)
    quiz: list[OutlineQuestion] = Field(default_factory=list)
    weight: float = Field(default=1.0, gt=0, description="Relative share of the week's hours")
    min_difficulty: int = Field(default=1, ge=1, le=5)
    description: str = ""


class OutlineWeek(BaseModel):
    theme: str = ""
    modules: list[OutlineModule] = Field(default_factory=list)


def _require(goal: Goal) -> tuple[SkillLevel, float, int]:
    if goal.skill_level is None or goal.hours_per_week is None or goal.weeks is None:
        raise ValueError("a plan needs skill_level, hours_per_week and weeks")
    if goal.hours_per_week <= 0 or goal.weeks < 1:
        raise ValueError("hours_per_week must be > 0 and weeks ≥ 1")
    return goal.skill_level, float(goal.hours_per_week), int(goal.weeks)


def _hours(target: float, modules: list[OutlineModule]) -> tuple[list[OutlineModule], list[float]]:
    """The week's modules (as many as fit the budget's quanta) and their hours."""
    kept = modules[:MAX_MODULES]
    while kept:
        parts = allocate_hours(target, [m.weight for m in kept])
        if parts is not None:
            return kept, parts
        kept = kept[:-1]
    return modules[:1], [target]


def _description(module: OutlineModule, subject: str) -> str:
    if clean(module.description):
        return truncate(clean(module.description), 300)
    if module.topics:
        return truncate(f"{clean(module.title)}: {subject}.", 300)
    return truncate(f"{clean(module.title)}.", 300)


def _module(
    source: OutlineModule, module_id: str, hours: float, difficulty: int, goal_text: str
) -> Module:
    title = label(source.title, TITLE_LIMIT) or f"Module {module_id}"
    topics = unique_by_key(label(t, 60) for t in source.topics)[:6]
    subject = join_subject(topics, title)
    objectives = unique_by_key(label(o, OBJECTIVE_LIMIT) for o in source.objectives)[:3]
    resources = [search_resource(r.kind, r.query) for r in source.resources if clean(r.query)][
        :4
    ] or module_resources("core", subject, goal_text)
    return Module(
        id=module_id,
        title=title,
        description=_description(source, subject),
        hours=hours,
        difficulty=max(1, min(5, max(difficulty, source.min_difficulty))),
        objectives=objectives or module_objectives("core", subject),
        topics=topics,
        resources=resources,
    )


def bank_question(question: OutlineQuestion, seed: int) -> QuizQuestion | None:
    """A poll-sized quiz question with the correct option at a seed-chosen place, or None
    when the question or any option cannot fit Telegram's limits without losing meaning."""
    text = clean(question.question)
    options = [clean(question.answer), *(clean(w) for w in question.wrong)]
    options = unique_by_key(options)[:4]
    too_long = len(text) > QUESTION_LIMIT or any(len(o) > OPTION_LIMIT for o in options)
    if too_long or not text or len(options) < 2 or options[0] != clean(question.answer):
        return None
    position = seed % len(options)
    options.insert(position, options.pop(0))
    explanation = question.explanation and truncate(clean(question.explanation), EXPLANATION_LIMIT)
    return QuizQuestion(
        question=text, options=options, correct_index=position, explanation=explanation or None
    )


def _week_quiz(plan: Plan, week: Week, sources: Sequence[OutlineModule]) -> Quiz:
    bank = [q for m in sources for q in m.quiz]
    questions = [
        q for i, src in enumerate(bank) if (q := bank_question(src, week.number + i)) is not None
    ][:3]
    if len(questions) >= 2:
        return Quiz(questions=questions)
    derived = make_quiz(plan, week.number).questions
    seen = {normalize(q.question) for q in questions}
    for question in derived:
        if len(questions) >= 3:
            break
        if normalize(question.question) not in seen:
            questions.append(question)
    return Quiz(questions=questions)


def plan_from_outline(
    goal: Goal, outline: Sequence[OutlineWeek], meta: PlanMeta | None = None
) -> Plan:
    """A complete plan for `goal` from one outline week per plan week (not yet repaired:
    callers pass it through `agent.validator.repair_plan`)."""
    skill, budget, weeks = _require(goal)
    if len(outline) != weeks:
        raise ValueError(f"the outline has {len(outline)} weeks, not {weeks}")
    target = weekly_target_hours(budget)
    goal_text = goal_subject(goal.goal)
    plan_weeks: list[Week] = []
    sources: list[list[OutlineModule]] = []
    for number, source in enumerate(outline, start=1):
        modules = source.modules or [OutlineModule(title=f"Practice: {goal_text}")]
        kept, hours = _hours(target, modules)
        difficulty = planned_difficulty(number, skill)
        week = Week(
            number=number,
            theme=label(source.theme, THEME_LIMIT)
            or label(" & ".join(m.title for m in kept), THEME_LIMIT),
            modules=[
                _module(m, f"w{number}m{i}", h, difficulty, goal_text)
                for i, (m, h) in enumerate(zip(kept, hours, strict=True), start=1)
            ],
        )
        plan_weeks.append(week)
        sources.append(kept)
    plan = Plan(
        title=plan_title(goal.goal, weeks),
        goal=goal.goal or "",
        skill_level=skill,
        hours_per_week=budget,
        weeks=plan_weeks,
        topics=list(goal.topics),
        meta=meta or PlanMeta(),
    )
    for week, kept in zip(plan.weeks, sources, strict=True):
        week.quiz = _week_quiz(plan, week, kept)
    plan.milestones = make_milestones(plan)
    return plan
