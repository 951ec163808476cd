"""One validator for every plan, whichever planner (deterministic or LLM) produced it.

`check_plan` lists broken invariants; `repair_plan` returns a repaired copy (or raises
`PlanInvalid`). Invariants and their codes:

* ``weeks_count`` — the plan has exactly ``goal.weeks`` weeks;
* ``week_numbers`` — weeks are numbered 1..n in order;
* ``empty_week`` — every week has at least one module;
* ``duplicate_module_id`` — module ids are unique in the plan;
* ``module_incomplete`` — every module has a description, objectives and resources;
* ``module_hours`` — module hours are positive;
* ``hours_over_budget`` / ``hours_under_budget`` — each week's hours lie within
  [70 % of ``goal.hours_per_week``, ``goal.hours_per_week``] (±0.01 h);
* ``difficulty_range`` — module difficulty is within 1..5;
* ``difficulty_drop`` — a week's difficulty never drops more than one step below the
  previous week's; ``difficulty_end`` — the final week is at least as hard as the first.
  **A week's difficulty is the highest difficulty of its modules** (a week is as demanding
  as its hardest module; easier review modules inside a week are fine);
* ``topic_missing`` — every requested topic appears (case- and whitespace-insensitive
  substring) in some module's title, topics or description;
* ``milestone_missing`` / ``milestone_order`` / ``milestone_final`` / ``milestone_gap`` /
  ``milestone_module`` — at least one milestone, weeks strictly increasing within 1..n,
  the last at the final week, at most 4 weeks between milestones (counting from the
  start), every listed module id exists;
* ``quiz_empty`` / ``quiz_options`` / ``quiz_correct_index`` / ``quiz_text`` /
  ``quiz_duplicate_options`` — a quiz (``None`` is allowed: quizzes can be dropped on
  purpose) has questions with 2–10 distinct, non-blank options, ``correct_index`` in range
  or ``None``, question ≤ 300, option ≤ 100 and explanation ≤ 200 UTF-16 units (Telegram's
  poll limits);
* ``resource_url`` — resource URLs are http(s) with a host.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import urlsplit

from pydantic import BaseModel

from agent.planner import (
    EXPLANATION_LIMIT,
    MIN_SHARE,
    OPTION_LIMIT,
    QUESTION_LIMIT,
    allocate_hours,
    clean,
    goal_subject,
    infer_phase,
    join_subject,
    make_milestones,
    make_module,
    make_quiz,
    milestone_layout_ok,
    module_description,
    module_objectives,
    module_resources,
    normalize,
    tg_len,
    truncate,
    unique_by_key,
    weekly_target_hours,
)
from storage.models import Goal, Module, Plan, Quiz, QuizQuestion, SkillLevel, Week

HOURS_TOLERANCE = 0.01
MAX_MILESTONE_GAP = 4


class PlanIssue(BaseModel):
    code: str
    message: str


class PlanInvalid(ValueError):
    """The plan cannot be repaired into a valid one."""


# ---- checks -----------------------------------------------------------------------------


def _budget(plan: Plan, goal: Goal) -> float:
    return float(goal.hours_per_week if goal.hours_per_week is not None else plan.hours_per_week)


def week_difficulty(week: Week) -> int:
    """A week is as hard as its hardest module (0 for an empty week)."""
    return max((m.difficulty for m in week.modules), default=0)


def _check_structure(plan: Plan, goal: Goal) -> Iterator[PlanIssue]:
    if goal.weeks is not None and len(plan.weeks) != goal.weeks:
        yield PlanIssue(
            code="weeks_count", message=f"The plan has {len(plan.weeks)} weeks, not {goal.weeks}."
        )
    numbers = [w.number for w in plan.weeks]
    if numbers != list(range(1, len(numbers) + 1)):
        yield PlanIssue(code="week_numbers", message=f"Weeks are numbered {numbers}.")
    seen: set[str] = set()
    for week in plan.weeks:
        if not week.modules:
            yield PlanIssue(code="empty_week", message=f"Week {week.number} has no modules.")
        for module in week.modules:
            if module.id in seen:
                yield PlanIssue(
                    code="duplicate_module_id", message=f"Module id {module.id} is repeated."
                )
            seen.add(module.id)
            yield from _check_module(module)


def _check_module(module: Module) -> Iterator[PlanIssue]:
    missing = [
        name
        for name, present in (
            ("description", clean(module.description)),
            ("objectives", unique_by_key(module.objectives)),
            ("resources", module.resources),
        )
        if not present
    ]
    if missing:
        yield PlanIssue(
            code="module_incomplete",
            message=f"Module {module.id} has no {', '.join(missing)}.",
        )
    if not module.hours > 0:
        yield PlanIssue(code="module_hours", message=f"Module {module.id} has no hours.")
    if not 1 <= module.difficulty <= 5:
        yield PlanIssue(
            code="difficulty_range",
            message=f"Module {module.id} has difficulty {module.difficulty}, outside 1–5.",
        )
    for resource in module.resources:
        if not _is_http_url(resource.url):
            yield PlanIssue(
                code="resource_url",
                message=f"Module {module.id} links to a non-web address: {resource.url[:80]}",
            )


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not any(c.isspace() for c in url)
    )


def _check_hours(plan: Plan, goal: Goal) -> Iterator[PlanIssue]:
    budget = _budget(plan, goal)
    for week in plan.weeks:
        hours = week.hours
        if hours > budget + HOURS_TOLERANCE:
            yield PlanIssue(
                code="hours_over_budget",
                message=f"Week {week.number} has {hours:g} h, over the {budget:g} h budget.",
            )
        elif week.modules and hours < MIN_SHARE * budget - HOURS_TOLERANCE:
            yield PlanIssue(
                code="hours_under_budget",
                message=f"Week {week.number} has {hours:g} h, under 70% of {budget:g} h.",
            )


def _check_difficulty(plan: Plan) -> Iterator[PlanIssue]:
    levels = [week_difficulty(w) for w in plan.weeks if w.modules]
    numbers = [w.number for w in plan.weeks if w.modules]
    for i in range(1, len(levels)):
        if levels[i] < levels[i - 1] - 1:
            yield PlanIssue(
                code="difficulty_drop",
                message=(
                    f"Difficulty drops from {levels[i - 1]} to {levels[i]} in week {numbers[i]}."
                ),
            )
    if levels and levels[-1] < levels[0]:
        yield PlanIssue(
            code="difficulty_end",
            message=f"The plan ends at difficulty {levels[-1]}, below its start ({levels[0]}).",
        )


def missing_topics(plan: Plan, goal: Goal) -> list[str]:
    """Requested topics that no module mentions (in title, topics or description)."""
    texts = [normalize(t) for m in plan.modules() for t in (m.title, *m.topics, m.description)]
    return [t for t in goal.topics if normalize(t) and not any(normalize(t) in x for x in texts)]


def _check_topics(plan: Plan, goal: Goal) -> Iterator[PlanIssue]:
    for topic in missing_topics(plan, goal):
        yield PlanIssue(code="topic_missing", message=f"The topic “{clean(topic)}” is missing.")


def _check_milestones(plan: Plan) -> Iterator[PlanIssue]:
    marks = [m.week for m in plan.milestones]
    if not marks:
        yield PlanIssue(code="milestone_missing", message="The plan has no milestones.")
        return
    if marks != sorted(set(marks)) or marks[0] < 1 or marks[-1] > len(plan.weeks):
        yield PlanIssue(code="milestone_order", message=f"Milestone weeks {marks} are invalid.")
    if marks[-1] != len(plan.weeks):
        yield PlanIssue(
            code="milestone_final", message="The last milestone is not at the final week."
        )
    gaps = [b - a for a, b in zip([0, *marks], marks, strict=False)]
    if max(gaps) > MAX_MILESTONE_GAP:
        yield PlanIssue(
            code="milestone_gap", message=f"Milestones are more than {MAX_MILESTONE_GAP} apart."
        )
    ids = {m.id for m in plan.modules()}
    unknown = [i for m in plan.milestones for i in m.module_ids if i not in ids]
    if unknown:
        yield PlanIssue(
            code="milestone_module",
            message=f"Milestones list unknown modules: {', '.join(unknown[:5])}.",
        )


def question_issues(question: QuizQuestion) -> list[tuple[str, str]]:
    """(code, detail) pairs for one quiz question."""
    issues: list[tuple[str, str]] = []
    options = question.options
    if not 2 <= len(options) <= 10:
        issues.append(("quiz_options", f"has {len(options)} options (2–10 allowed)"))
    index = question.correct_index
    if index is not None and not 0 <= index < len(options):
        issues.append(("quiz_correct_index", f"has correct_index {index} out of range"))
    too_long = (
        not clean(question.question)
        or tg_len(question.question) > QUESTION_LIMIT
        or any(not clean(o) or tg_len(o) > OPTION_LIMIT for o in options)
        or (question.explanation is not None and tg_len(question.explanation) > EXPLANATION_LIMIT)
    )
    if too_long:
        issues.append(("quiz_text", "has blank or over-long text"))
    if len(unique_by_key(options)) != len(options) and all(clean(o) for o in options):
        issues.append(("quiz_duplicate_options", "repeats an option"))
    return issues


def _check_quizzes(plan: Plan) -> Iterator[PlanIssue]:
    for week in plan.weeks:
        if week.quiz is None:
            continue
        if not week.quiz.questions:
            yield PlanIssue(code="quiz_empty", message=f"Week {week.number}'s quiz is empty.")
        for n, question in enumerate(week.quiz.questions, start=1):
            for code, detail in question_issues(question):
                yield PlanIssue(code=code, message=f"Week {week.number} question {n} {detail}.")


def check_plan(plan: Plan, goal: Goal) -> list[PlanIssue]:
    """All broken invariants of `plan` for `goal`; [] when the plan is valid."""
    return [
        *_check_structure(plan, goal),
        *_check_hours(plan, goal),
        *_check_difficulty(plan),
        *_check_topics(plan, goal),
        *_check_milestones(plan),
        *_check_quizzes(plan),
    ]


# ---- repairs ----------------------------------------------------------------------------


def _skill(plan: Plan, goal: Goal) -> SkillLevel:
    return goal.skill_level or plan.skill_level


def _sync_header(plan: Plan, goal: Goal, notes: list[str]) -> None:
    budget = _budget(plan, goal)
    if plan.hours_per_week != budget:
        notes.append(f"Set the weekly budget to {budget:g} h.")
        plan.hours_per_week = budget
    plan.skill_level = _skill(plan, goal)
    if list(plan.topics) != list(goal.topics):
        plan.topics = list(goal.topics)


def _fix_week_numbers(plan: Plan, notes: list[str]) -> None:
    numbers = [w.number for w in plan.weeks]
    if numbers == list(range(1, len(numbers) + 1)):
        return
    if len(set(numbers)) == len(numbers):
        plan.weeks.sort(key=lambda w: w.number)
    for n, week in enumerate(plan.weeks, start=1):
        week.number = n
    notes.append("Renumbered the weeks 1…n.")


def _subject(module: Module, plan: Plan) -> str:
    return join_subject(module.topics, clean(module.title) or goal_subject(plan.goal))


def _fill_empty_weeks(plan: Plan, goal: Goal, notes: list[str]) -> None:
    previous = 1
    taken = {m.id for m in plan.modules()}
    for week in plan.weeks:
        if not week.modules:
            module_id = f"w{week.number}m1"
            while module_id in taken:
                module_id += "x"
            taken.add(module_id)
            week.modules.append(
                make_module(module_id, "practice", [], plan.goal, 1.0, max(1, previous))
            )
            notes.append(f"Week {week.number} was empty: added a practice module.")
        previous = week_difficulty(week)


def _fill_module(module: Module, plan: Plan, goal: Goal, week: Week, notes: list[str]) -> None:
    phase = infer_phase(module.title, week.number, len(plan.weeks), _skill(plan, goal))
    subject = _subject(module, plan)
    filled: list[str] = []
    if not clean(module.title):
        module.title = f"Week {week.number}: {subject}"
        filled.append("title")
    if not clean(module.description):
        module.description = module_description(phase, subject)
        filled.append("description")
    if not unique_by_key(module.objectives):
        module.objectives = module_objectives(phase, subject)
        filled.append("objectives")
    kept = [r for r in module.resources if _is_http_url(r.url)]
    if len(kept) != len(module.resources):
        notes.append(f"Module {module.id}: removed non-web resource links.")
    module.resources = kept or module_resources(phase, subject, goal_subject(plan.goal))
    if not kept:
        filled.append("resources")
    if not 1 <= module.difficulty <= 5:
        module.difficulty = max(1, min(5, module.difficulty))
        filled.append("difficulty")
    if not module.hours > 0:
        module.hours = 1.0
        filled.append("hours")
    if filled:
        notes.append(f"Module {module.id}: repaired {', '.join(filled)}.")


def _fix_module_ids(plan: Plan, notes: list[str]) -> None:
    seen: set[str] = set()
    all_ids = {m.id for m in plan.modules()}
    for week in plan.weeks:
        for module in week.modules:
            if module.id not in seen and clean(module.id):
                seen.add(module.id)
                continue
            n = 1
            while f"w{week.number}m{n}" in seen or f"w{week.number}m{n}" in all_ids:
                n += 1
            notes.append(f"Renamed duplicate module id {module.id!r} to w{week.number}m{n}.")
            module.id = f"w{week.number}m{n}"
            seen.add(module.id)
            all_ids.add(module.id)


def _add_missing_topics(plan: Plan, goal: Goal, notes: list[str]) -> None:
    missing = missing_topics(plan, goal)
    modules = plan.modules()
    for i, topic in enumerate(missing):
        module = modules[(len(modules) * (2 * i + 1)) // (2 * len(missing))]
        module.topics.append(clean(topic))
        notes.append(f"Added the topic “{clean(topic)}” to module {module.id}.")


def _fix_hours(plan: Plan, goal: Goal, notes: list[str]) -> None:
    budget = _budget(plan, goal)
    target = weekly_target_hours(budget)
    for week in plan.weeks:
        hours = week.hours
        if MIN_SHARE * budget - HOURS_TOLERANCE <= hours <= budget + HOURS_TOLERANCE:
            continue
        parts = allocate_hours(target, [m.hours for m in week.modules])
        if parts is None:
            raise PlanInvalid(f"Week {week.number}'s modules cannot fit {budget:g} h a week.")
        for module, part in zip(week.modules, parts, strict=True):
            module.hours = part
        notes.append(f"Week {week.number}: rescaled {hours:g} h to {target:g} h.")


def _raise_to(week: Week, level: int) -> None:
    hardest = max(week.modules, key=lambda m: m.difficulty)
    hardest.difficulty = max(hardest.difficulty, level)


def smooth_difficulty(plan: Plan) -> list[str]:
    """Raise the hardest module of a week where the difficulty drops by more than one step,
    then raise the final week to the first week's level if it ends lower."""
    notes: list[str] = []
    weeks = [w for w in plan.weeks if w.modules]
    for prev, week in pairwise(weeks):
        floor = week_difficulty(prev) - 1
        if week_difficulty(week) < floor:
            _raise_to(week, floor)
            notes.append(f"Week {week.number}: raised difficulty to {floor} to avoid a sharp drop.")
    if weeks and week_difficulty(weeks[-1]) < week_difficulty(weeks[0]):
        level = week_difficulty(weeks[0])
        _raise_to(weeks[-1], level)
        notes.append(f"Week {weeks[-1].number}: raised difficulty to {level} to end on a high.")
    return notes


def _fix_question(question: QuizQuestion) -> QuizQuestion | None:
    """A well-formed version of `question`, or None when it must be dropped."""
    index = question.correct_index
    if index is not None and not 0 <= index < len(question.options):
        return None
    correct = question.options[index] if index is not None else None
    options = unique_by_key(truncate(clean(o), OPTION_LIMIT) for o in question.options)[:10]
    if correct is not None:
        keys = [normalize(o) for o in options]
        wanted = normalize(truncate(clean(correct), OPTION_LIMIT))
        if wanted not in keys:
            return None
        index = keys.index(wanted)
    text = truncate(clean(question.question), QUESTION_LIMIT)
    if len(options) < 2 or not text:
        return None
    explanation = question.explanation
    if explanation is not None:
        explanation = truncate(explanation, EXPLANATION_LIMIT)
    return QuizQuestion(
        question=text, options=options, correct_index=index, explanation=explanation
    )


def _fix_quizzes(plan: Plan, fill_quizzes: bool, notes: list[str]) -> None:
    for week in plan.weeks:
        if week.quiz is None:
            if fill_quizzes:
                week.quiz = make_quiz(plan, week.number)
                notes.append(f"Week {week.number}: added a quiz.")
            continue
        if not any(question_issues(q) for q in week.quiz.questions) and week.quiz.questions:
            continue
        fixed = [q for q in map(_fix_question, week.quiz.questions) if q is not None]
        week.quiz = Quiz(questions=fixed) if fixed else make_quiz(plan, week.number)
        notes.append(f"Week {week.number}: repaired the quiz.")


def _fix_milestones(plan: Plan, notes: list[str]) -> None:
    if not any(True for _ in _check_milestones(plan)):
        return
    if milestone_layout_ok(plan.milestones, len(plan.weeks)):
        ids = {m.id for m in plan.modules()}
        for milestone in plan.milestones:
            milestone.module_ids = [i for i in milestone.module_ids if i in ids]
        notes.append("Removed unknown modules from the milestones.")
        return
    plan.milestones = make_milestones(plan)
    notes.append("Rebuilt the milestones.")


def repair_plan(plan: Plan, goal: Goal, *, fill_quizzes: bool = True) -> tuple[Plan, list[str]]:
    """A repaired copy of `plan` and the repairs made (also appended to `meta.repairs`).

    Weeks with ``quiz=None`` get a generated quiz unless ``fill_quizzes`` is False (used
    by refinement, where a missing quiz was dropped on purpose). Raises `PlanInvalid`
    when the plan cannot be made valid — e.g. it has the wrong number of weeks.
    """
    fixed = plan.model_copy(deep=True)
    notes: list[str] = []
    if not fixed.weeks:
        raise PlanInvalid("The plan has no weeks.")
    if goal.weeks is not None and len(fixed.weeks) != goal.weeks:
        raise PlanInvalid(f"The plan has {len(fixed.weeks)} weeks, not {goal.weeks}.")
    _sync_header(fixed, goal, notes)
    _fix_week_numbers(fixed, notes)
    _fill_empty_weeks(fixed, goal, notes)
    for week in fixed.weeks:
        for module in week.modules:
            _fill_module(module, fixed, goal, week, notes)
    _fix_module_ids(fixed, notes)
    _add_missing_topics(fixed, goal, notes)
    _fix_hours(fixed, goal, notes)
    notes.extend(smooth_difficulty(fixed))
    _fix_quizzes(fixed, fill_quizzes, notes)
    _fix_milestones(fixed, notes)
    remaining = check_plan(fixed, goal)
    if remaining:
        raise PlanInvalid("; ".join(issue.message for issue in remaining))
    if notes:
        fixed.meta.repairs = [*fixed.meta.repairs, *notes]
    return fixed, notes
