"""Apply structured refinements (`RefineOp`) to a plan, and describe what changed.

`apply_ops` works on copies: the caller's plan and goal are never mutated. Ops run in
order; afterwards quizzes of weeks whose content changed are regenerated (dropped quizzes
stay dropped), milestones are refreshed, and the result goes through
`agent.validator.repair_plan`, so it always satisfies `check_plan` for the returned goal.

Semantics worth knowing:

* ``lighter_week`` lowers that week's hours to ``max(70 % of the budget, hours × factor)``
  (the validator's floor); when the week is already at the floor it is left alone and a
  note suggests lowering the weekly budget instead. A factor ≥ 1 is read as "1/factor".
* ``heavier_week`` raises hours up to the budget (never above it).
* ``set_hours`` changes the budget (clamped to 1–60 h) and rescales every week, keeping
  lighter weeks proportionally lighter.
* ``add_topic`` adds a module on the topic to the emptiest week nearest 40 % into the
  plan; when every week already has 4 modules it extends a module there instead.
* ``remove_topic`` removes the topic from the goal and from modules; modules that covered
  only that topic are removed (their hours go to the week's other modules) or, when
  alone in their week, replaced by a practice module on the goal.
* ``move_week`` moves a week's content to another position (the weeks between shift);
  module ids travel with their modules, as in ``swap_weeks``.
* ``drop_week`` takes one week (modules, theme, quiz) out of the plan; the later weeks move
  up one and the plan is a week shorter. A one-week plan keeps its week.
* ``more_on`` adds a practice module on a topic the plan already covers (in the week after
  the last one covering it, where there is room), or gives its module more of its week's
  hours when every week is full; a topic the plan lacks is added as with ``add_topic``.
* ``swap_weeks`` swaps the content (modules, theme, quiz) of two weeks and raises
  difficulty where it would now drop too sharply.
* ``set_weeks`` (1–52) appends alternating practice/review weeks, or merges neighbouring
  weeks (at most 4 modules a week, merging modules when needed; a merged module keeps
  the id of its first part).

Module ids are never renamed by a move, swap or merge: progress (`storage.progress`) and
done sessions (`scheduler.planning`) are keyed by module id, so an id names the same
content in every version of a plan lineage — including the versions undo and redo bring
back. An id like ``w2m1`` therefore says where the module was first planned, not where it
is now.
* ``more_practice`` / ``less_reading`` shift resources and objectives toward hands-on
  work; ``easier`` / ``harder`` shift every module's difficulty by one step (within 1–5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent import refine_common as rc
from agent.plan_diff import READING_KINDS, PlanDiff, describe_diff, diff_plans
from agent.planner import (
    HANDS_ON_OBJECTIVE,
    MIN_SHARE,
    PHASE_LABELS,
    allocate_hours,
    clean,
    goal_subject,
    join_subject,
    make_milestones,
    make_module,
    make_quiz,
    make_resource,
    modules_per_week,
    plan_title,
    refresh_milestones,
    truncate,
    unique_by_key,
    weekly_target_hours,
)
from agent.refine_common import MAX_MODULES_PER_WEEK
from agent.refine_ops import RefineOp
from agent.refine_topics import TOPIC_OPS
from agent.validator import PlanInvalid, repair_plan, smooth_difficulty, week_difficulty
from storage.models import Goal, Module, Plan, Quiz, Resource, Week

MIN_HOURS, MAX_HOURS = 1.0, 60.0
MIN_WEEKS, MAX_WEEKS = 1, 52

__all__ = ["PlanDiff", "apply_ops", "describe_diff", "diff_plans"]


# ---- hours ops ----------------------------------------------------------------------------


def _lighter_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    week, note = rc.find_week(plan, op.week)
    if week is None:
        return [note]
    factor = op.factor or 0.7
    factor = 1 / factor if factor >= 1 else factor
    budget, before = rc.budget(plan, goal), week.hours
    desired = max(MIN_SHARE * budget, before * factor)
    for total in rc.quantized(desired, up=True):
        if total < before - 1e-9 and total >= MIN_SHARE * budget - 1e-9:
            if rc.set_week_hours(week, total):
                return []
    return [
        f"Week {week.number} is already as light as the plan allows (70% of your "
        f"{rc.fmt(budget)} h weekly budget). Lower your weekly hours to lighten it further."
    ]


def _heavier_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    week, note = rc.find_week(plan, op.week)
    if week is None:
        return [note]
    factor = op.factor or 1.3
    factor = 1 / factor if factor <= 1 else factor
    budget, before = rc.budget(plan, goal), week.hours
    desired = min(weekly_target_hours(budget), before * factor)
    for total in rc.quantized(desired, up=False):
        if total > before + 1e-9 and rc.set_week_hours(week, total):
            return []
    return [
        f"Week {week.number} already uses your full {rc.fmt(budget)} h weekly budget. "
        "Raise your weekly hours to make it heavier."
    ]


def _set_hours(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    if op.hours is None:
        return ["How many hours a week? Please give a number."]
    notes: list[str] = []
    hours = min(MAX_HOURS, max(MIN_HOURS, op.hours))
    if hours != op.hours:
        notes.append(f"Weekly hours must be between 1 and 60 — using {rc.fmt(hours)} h.")
    old = rc.budget(plan, goal)
    if hours == old:
        return [*notes, f"The plan already uses {rc.fmt(hours)} h a week."]
    for week in plan.weeks:
        share = week.hours / old if old else 1.0
        rc.fit_week(week, hours, share * hours)
    goal.hours_per_week = hours
    plan.hours_per_week = hours
    return notes


# ---- structure ops ------------------------------------------------------------------------


def _swap_weeks(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    first, note = rc.find_week(plan, op.week)
    if first is None:
        return [note]
    second, note = rc.find_week(plan, op.other_week)
    if second is None:
        return [note]
    if first is second:
        return [f"Week {first.number} can't be swapped with itself."]
    first.modules, second.modules = second.modules, first.modules
    first.theme, second.theme = second.theme, first.theme
    first.quiz, second.quiz = second.quiz, first.quiz
    smooth_difficulty(plan)
    return []


def _move_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    """Move a week's content (modules, theme, quiz) to position `to`; the weeks between
    shift by one. Module ids stay with their modules."""
    moving, note = rc.find_week(plan, op.week)
    if moving is None:
        return [note]
    target, note = rc.find_week(plan, op.to)
    if target is None:
        return [note]
    if moving is target:
        return [f"Week {moving.number} is already there."]
    contents = [(w.modules, w.theme, w.quiz) for w in plan.weeks]
    contents.insert(target.number - 1, contents.pop(moving.number - 1))
    low, high = sorted((moving.number, target.number))
    touched = [w for w in plan.weeks if low <= w.number <= high]
    for week in touched:
        week.modules, week.theme, week.quiz = contents[week.number - 1]
    smooth_difficulty(plan)
    return []


def _drop_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    """Take week `week` out; the later weeks move up one. Module ids stay with their
    modules, so progress on the weeks that remain is kept."""
    dropped, note = rc.find_week(plan, op.week)
    if dropped is None:
        return [note]
    before = len(plan.weeks)
    if before <= MIN_WEEKS:
        return ["The plan has only one week, so it can't lose it."]
    kept = [w for w in plan.weeks if w is not dropped]
    contents = [(w.modules, w.theme, w.quiz) for w in kept]
    plan.weeks = plan.weeks[: before - 1]
    for week, (modules, theme, quiz) in zip(plan.weeks, contents, strict=True):
        week.modules, week.theme, week.quiz = modules, theme, quiz
    if plan.title == plan_title(plan.goal, before):
        plan.title = plan_title(plan.goal, before - 1)
    goal.weeks = before - 1
    plan.milestones = make_milestones(plan)
    smooth_difficulty(plan)
    return []


def _drop_quiz(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    if op.week is None:
        if all(w.quiz is None for w in plan.weeks):
            return ["The plan has no quizzes to remove."]
        for week in plan.weeks:
            week.quiz = None
        return []
    week, note = rc.find_week(plan, op.week)
    if week is None:
        return [note]
    if week.quiz is None:
        return [f"Week {week.number} has no quiz."]
    week.quiz = None
    return []


def _set_weeks(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    if op.weeks is None:
        return ["How many weeks? Please give a number."]
    notes: list[str] = []
    weeks = min(MAX_WEEKS, max(MIN_WEEKS, op.weeks))
    if weeks != op.weeks:
        notes.append(f"A plan can have 1–52 weeks — using {weeks}.")
    before = len(plan.weeks)
    if weeks == before:
        return [*notes, f"The plan already has {weeks} weeks."]
    if plan.title == plan_title(plan.goal, before):
        plan.title = plan_title(plan.goal, weeks)
    if weeks > before:
        _extend_weeks(plan, goal, weeks)
    else:
        _merge_weeks(plan, goal, weeks)
    goal.weeks = weeks
    plan.milestones = make_milestones(plan)
    return notes


def _extend_weeks(plan: Plan, goal: Goal, weeks: int) -> None:
    budget, skill = rc.budget(plan, goal), rc.skill(plan, goal)
    per_week = modules_per_week(budget, skill)
    hours = allocate_hours(weekly_target_hours(budget), [1.0] * per_week) or [budget]
    topics = unique_by_key(clean(t) for t in goal.topics)
    level = max(1, week_difficulty(plan.weeks[-1]))
    keep_quizzes = any(w.quiz is not None for w in plan.weeks)
    subject = goal_subject(plan.goal)
    for j, number in enumerate(range(len(plan.weeks) + 1, weeks + 1)):
        phase = "practice" if j % 2 == 0 else "review"
        quiz = Quiz() if keep_quizzes else None
        week = Week(number=number, theme=PHASE_LABELS[phase], quiz=quiz)
        plan.weeks.append(week)
        for i, part in enumerate(hours):
            chosen = [topics[(j * len(hours) + i) % len(topics)]] if topics else []
            title = f"Extra {PHASE_LABELS[phase].lower()}: {join_subject(chosen, subject)}"
            module_id = rc.next_module_id(plan, number)
            week.modules.append(
                make_module(module_id, phase, chosen, plan.goal, part, level, title)
            )


def _merge_weeks(plan: Plan, goal: Goal, weeks: int) -> None:
    old = plan.weeks
    groups: list[list[Week]] = [[] for _ in range(weeks)]
    for i, week in enumerate(old):
        groups[i * weeks // len(old)].append(week)
    budget = rc.budget(plan, goal)
    merged: list[Week] = []
    for number, group in enumerate(groups, start=1):
        modules = _compress([m for w in group for m in w.modules], MAX_MODULES_PER_WEEK)
        quiz = group[0].quiz if len(group) == 1 else None
        if len(group) > 1 and any(w.quiz is not None for w in group):
            quiz = Quiz()
        theme = " & ".join(unique_by_key(w.theme for w in group))
        merged.append(Week(number=number, theme=theme, modules=modules, quiz=quiz))
    plan.weeks = merged
    for week, group in zip(merged, groups, strict=True):
        rc.fit_week(week, budget, sum(w.hours for w in group) / len(group))


def _compress(modules: list[Module], limit: int) -> list[Module]:
    """At most `limit` modules: consecutive modules are merged into even chunks."""
    if len(modules) <= limit:
        return modules
    size, extra = divmod(len(modules), limit)
    chunks: list[list[Module]] = []
    start = 0
    for i in range(limit):
        end = start + size + (1 if i < extra else 0)
        chunks.append(modules[start:end])
        start = end
    return [_merge_modules(chunk) for chunk in chunks]


def _merge_modules(chunk: Sequence[Module]) -> Module:
    head = chunk[0]
    if len(chunk) == 1:
        return head
    others = [clean(m.title) for m in chunk[1:]]
    return Module(
        id=head.id,
        title=f"{head.title} (+{len(others)} more)",
        description=truncate(f"{clean(head.description)} Also covers: {'; '.join(others)}.", 600),
        hours=round(sum(m.hours for m in chunk), 2),
        difficulty=max(m.difficulty for m in chunk),
        objectives=unique_by_key(o for m in chunk for o in m.objectives)[:4],
        topics=unique_by_key(t for m in chunk for t in m.topics),
        resources=_pick_resources([r for m in chunk for r in m.resources]),
    )


def _pick_resources(resources: Sequence[Resource], limit: int = 5) -> list[Resource]:
    """Distinct resources, one of each kind first, then the rest, up to `limit`."""
    distinct = list({r.url: r for r in reversed(resources)}.values())[::-1]
    firsts = list({r.kind: r for r in reversed(distinct)}.values())[::-1]
    rest = [r for r in distinct if r not in firsts]
    return [*firsts, *rest][:limit]


# ---- content ops --------------------------------------------------------------------------


def _more_practice(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    changed = False
    for week in plan.weeks:
        for module in week.modules:
            subject = join_subject(module.topics, goal_subject(plan.goal))
            if not any(r.kind == "practice" for r in module.resources):
                practice = make_resource("practice", subject, goal_subject(plan.goal), "practice")
                module.resources.insert(0, practice)
                changed = True
            hands_on = HANDS_ON_OBJECTIVE.format(s=subject)
            if hands_on not in module.objectives:
                module.objectives = [hands_on, *module.objectives][:4]
                changed = True
    return [] if changed else ["The plan is already as practice-heavy as it gets."]


def _less_reading(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    changed = False
    for module in plan.modules():
        kept = [r for r in module.resources if r.kind not in READING_KINDS]
        if len(kept) == len(module.resources):
            continue
        changed = True
        subject = join_subject(module.topics, goal_subject(plan.goal))
        for kind in ("practice", "video"):
            if len(kept) < 2 and not any(r.kind == kind for r in kept):
                kept.append(make_resource(kind, subject, goal_subject(plan.goal), "practice"))
        module.resources = kept
    return [] if changed else ["There is no reading material left to cut."]


def _shift_difficulty(step: int) -> Callable[[Plan, Goal, RefineOp], list[str]]:
    def apply(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
        changed = False
        for module in plan.modules():
            level = max(1, min(5, module.difficulty + step))
            changed = changed or level != module.difficulty
            module.difficulty = level
        if changed:
            return []
        return ["The plan is already as " + ("easy" if step < 0 else "hard") + " as it gets."]

    return apply


_OPS: dict[str, Callable[[Plan, Goal, RefineOp], list[str]]] = {
    "lighter_week": _lighter_week,
    "heavier_week": _heavier_week,
    "set_hours": _set_hours,
    **TOPIC_OPS,
    "swap_weeks": _swap_weeks,
    "move_week": _move_week,
    "drop_week": _drop_week,
    "drop_quiz": _drop_quiz,
    "set_weeks": _set_weeks,
    "more_practice": _more_practice,
    "less_reading": _less_reading,
    "easier": _shift_difficulty(-1),
    "harder": _shift_difficulty(+1),
}


# ---- applying ops -------------------------------------------------------------------------


def _signature(week: Week) -> tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...]:
    return tuple((m.id, m.title, tuple(m.topics), tuple(m.objectives)) for m in week.modules)


def _refresh_derived(before: Plan, after: Plan) -> None:
    """Regenerate quizzes of weeks whose content changed; refresh milestone coverage."""
    old = {w.number: _signature(w) for w in before.weeks}
    changed = [w for w in after.weeks if old.get(w.number) != _signature(w)]
    if not changed and len(before.weeks) == len(after.weeks):
        return
    for week in changed:
        if week.quiz is not None:
            week.quiz = make_quiz(after, week.number)
    after.milestones = refresh_milestones(after)


def apply_ops(plan: Plan, goal: Goal, ops: list[RefineOp]) -> tuple[Plan, Goal, list[str]]:
    """Apply `ops` in order to copies of `plan` and `goal`.

    Returns the new (validated/repaired) plan, the possibly updated goal and notes for
    ops that could not apply. When nothing changed, the returned plan equals `plan`.
    """
    new_plan = plan.model_copy(deep=True)
    new_goal = goal.model_copy(deep=True)
    notes: list[str] = []
    for op in ops:
        notes.extend(n for n in _OPS[op.kind](new_plan, new_goal, op) if n not in notes)
    if new_plan == plan and new_goal == goal:
        return new_plan, new_goal, notes
    _refresh_derived(plan, new_plan)
    try:
        repaired, _ = repair_plan(new_plan, new_goal, fill_quizzes=False)
    except PlanInvalid as exc:
        message = f"Sorry, I couldn't apply that without breaking the plan ({exc})."
        return plan.model_copy(deep=True), goal.model_copy(deep=True), [*notes, message]
    return repaired, new_goal, notes
