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
* ``swap_weeks`` swaps the content (modules, theme, quiz) of two weeks, renames module
  ids to match their new week and raises difficulty where it would now drop too sharply.
* ``set_weeks`` (1–52) appends alternating practice/review weeks, or merges neighbouring
  weeks (at most 4 modules a week, merging modules when needed).
* ``more_practice`` / ``less_reading`` shift resources and objectives toward hands-on
  work; ``easier`` / ``harder`` shift every module's difficulty by one step (within 1–5).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from pydantic import BaseModel

from agent.planner import (
    HANDS_ON_OBJECTIVE,
    HOUR_QUANTA,
    MIN_SHARE,
    PHASE_LABELS,
    allocate_hours,
    clean,
    goal_subject,
    infer_phase,
    join_subject,
    make_milestones,
    make_module,
    make_quiz,
    make_resource,
    module_description,
    module_objectives,
    modules_per_week,
    normalize,
    phase_at,
    plan_title,
    refresh_milestones,
    truncate,
    unique_by_key,
    weekly_target_hours,
)
from agent.refine_ops import RefineOp
from agent.validator import PlanInvalid, repair_plan, smooth_difficulty, week_difficulty
from storage.models import Goal, Module, Plan, Quiz, Resource, SkillLevel, Week

MIN_HOURS, MAX_HOURS = 1.0, 60.0
MIN_WEEKS, MAX_WEEKS = 1, 52
MAX_MODULES_PER_WEEK = 4
READING_KINDS = frozenset({"docs", "book"})


class PlanDiff(BaseModel):
    weeks_before: int
    weeks_after: int
    modules_added: list[str]
    modules_removed: list[str]
    hours_before: float
    hours_after: float
    notes: list[str]


# ---- small helpers -----------------------------------------------------------------------


def _budget(plan: Plan, goal: Goal) -> float:
    return float(goal.hours_per_week or plan.hours_per_week)


def _skill(plan: Plan, goal: Goal) -> SkillLevel:
    return goal.skill_level or plan.skill_level


def _fmt(hours: float) -> str:
    return f"{round(hours, 2):g}"


def _find_week(plan: Plan, number: int | None) -> tuple[Week | None, str]:
    if number is None:
        return None, "Which week? Please give a week number."
    if not 1 <= number <= len(plan.weeks):
        return None, f"There is no week {number} — the plan has {len(plan.weeks)} weeks."
    return plan.weeks[number - 1], ""


def _set_week_hours(week: Week, total: float) -> bool:
    parts = allocate_hours(total, [m.hours for m in week.modules])
    if parts is None:
        return False
    for module, part in zip(week.modules, parts, strict=True):
        module.hours = part
    return True


def _quantized(value: float, up: bool) -> list[float]:
    """`value` rounded up (or down) to each hour quantum, coarsest first."""
    out: list[float] = []
    for quantum in HOUR_QUANTA:
        steps = value / quantum
        if abs(steps - round(steps)) < 1e-6:
            whole = round(steps)
        else:
            whole = math.ceil(steps) if up else math.floor(steps)
        out.append(round(whole * quantum, 2))
    return out


def _fit_week(week: Week, budget: float, desired: float) -> bool:
    """Set the week's hours as close to `desired` as the quanta allow, within the budget."""
    low, high = MIN_SHARE * budget, weekly_target_hours(budget)
    desired = min(max(desired, low), high)
    for total in [*_quantized(desired, up=False), *_quantized(desired, up=True)]:
        if low - 1e-9 <= total <= high + 1e-9 and _set_week_hours(week, total):
            return True
    return False


def _next_module_id(plan: Plan, week_number: int) -> str:
    taken = {m.id for m in plan.modules()}
    n = 1
    while f"w{week_number}m{n}" in taken:
        n += 1
    return f"w{week_number}m{n}"


def _renumber_ids(plan: Plan, week: Week) -> None:
    """Give a week's modules ids w{week}m1, w{week}m2, … (skipping ids used elsewhere)."""
    others = {m.id for w in plan.weeks if w is not week for m in w.modules}
    n = 0
    for module in week.modules:
        n += 1
        while f"w{week.number}m{n}" in others:
            n += 1
        module.id = f"w{week.number}m{n}"


# ---- hours ops ----------------------------------------------------------------------------


def _lighter_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    week, note = _find_week(plan, op.week)
    if week is None:
        return [note]
    factor = op.factor or 0.7
    factor = 1 / factor if factor >= 1 else factor
    budget, before = _budget(plan, goal), week.hours
    desired = max(MIN_SHARE * budget, before * factor)
    for total in _quantized(desired, up=True):
        if total < before - 1e-9 and total >= MIN_SHARE * budget - 1e-9:
            if _set_week_hours(week, total):
                return []
    return [
        f"Week {week.number} is already as light as the plan allows (70% of your "
        f"{_fmt(budget)} h weekly budget). Lower your weekly hours to lighten it further."
    ]


def _heavier_week(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    week, note = _find_week(plan, op.week)
    if week is None:
        return [note]
    factor = op.factor or 1.3
    factor = 1 / factor if factor <= 1 else factor
    budget, before = _budget(plan, goal), week.hours
    desired = min(weekly_target_hours(budget), before * factor)
    for total in _quantized(desired, up=False):
        if total > before + 1e-9 and _set_week_hours(week, total):
            return []
    return [
        f"Week {week.number} already uses your full {_fmt(budget)} h weekly budget. "
        "Raise your weekly hours to make it heavier."
    ]


def _set_hours(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    if op.hours is None:
        return ["How many hours a week? Please give a number."]
    notes: list[str] = []
    hours = min(MAX_HOURS, max(MIN_HOURS, op.hours))
    if hours != op.hours:
        notes.append(f"Weekly hours must be between 1 and 60 — using {_fmt(hours)} h.")
    old = _budget(plan, goal)
    if hours == old:
        return [*notes, f"The plan already uses {_fmt(hours)} h a week."]
    for week in plan.weeks:
        share = week.hours / old if old else 1.0
        _fit_week(week, hours, share * hours)
    goal.hours_per_week = hours
    plan.hours_per_week = hours
    return notes


# ---- topic ops ----------------------------------------------------------------------------


def _host_week(plan: Plan) -> Week:
    """The emptiest week, nearest 40 % into the plan (core-concepts territory)."""
    anchor = 0.4 * (len(plan.weeks) - 1)
    return min(plan.weeks, key=lambda w: (len(w.modules), abs(w.number - 1 - anchor)))


def _add_topic(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    topic = clean(op.topic)
    if not topic:
        return ["Which topic should I add?"]
    if normalize(topic) in {normalize(t) for t in goal.topics}:
        return [f"“{topic}” is already in your plan."]
    goal.topics = [*goal.topics, topic]
    plan.topics = list(goal.topics)
    week = _host_week(plan)
    if len(week.modules) < MAX_MODULES_PER_WEEK or not week.modules:
        if _add_module(plan, goal, week, topic):
            return []
    _extend_module(min(week.modules, key=lambda m: len(m.topics)), topic)
    return []


def _add_module(plan: Plan, goal: Goal, week: Week, topic: str) -> bool:
    total = week.hours or weekly_target_hours(_budget(plan, goal))
    share = total / (len(week.modules) + 1)
    parts = allocate_hours(total, [*(m.hours for m in week.modules), share])
    if parts is None:
        return False
    position = (week.number - 0.5) / len(plan.weeks)
    phase = phase_at(position, _skill(plan, goal))
    phase = phase if phase in ("foundations", "core", "practice") else "practice"
    module = make_module(
        _next_module_id(plan, week.number),
        phase,
        [topic],
        plan.goal,
        parts[-1],
        max(1, week_difficulty(week)),
    )
    for existing, part in zip(week.modules, parts, strict=False):
        existing.hours = part
    week.modules.append(module)
    return True


def _extend_module(module: Module, topic: str) -> None:
    module.topics.append(topic)
    module.objectives.append(f"Apply {truncate(topic, 60)} in a short exercise")
    module.description = clean(f"{module.description} Also covers {truncate(topic, 60)}.")


def _remove_topic(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    key = normalize(op.topic)
    if not key:
        return ["Which topic should I remove?"]
    in_goal = any(normalize(t) == key for t in goal.topics)
    goal.topics = [t for t in goal.topics if normalize(t) != key]
    plan.topics = list(goal.topics)
    touched = False
    for week in plan.weeks:
        for module in list(week.modules):
            if any(normalize(t) == key for t in module.topics):
                touched = True
                _strip_topic(plan, goal, week, module, key)
    if not (in_goal or touched):
        return [f"“{clean(op.topic)}” isn't a topic of this plan."]
    return []


def _strip_topic(plan: Plan, goal: Goal, week: Week, module: Module, key: str) -> None:
    module.topics = [t for t in module.topics if normalize(t) != key]
    phase = infer_phase(module.title, week.number, len(plan.weeks), _skill(plan, goal))
    if module.topics:
        _retitle(module, phase, key, plan.goal)
        return
    if len(week.modules) > 1:
        total = week.hours
        week.modules.remove(module)
        _set_week_hours(week, total)
        return
    replacement = make_module(module.id, "practice", [], plan.goal, module.hours, module.difficulty)
    week.modules[week.modules.index(module)] = replacement


def _retitle(module: Module, phase: str, key: str, goal_text: str) -> None:
    """Rewrite the texts of a module that lost one of several topics."""
    subject = join_subject(module.topics, goal_subject(goal_text))
    if key in normalize(module.title):
        prefix = module.title.split(":", 1)[0] if ":" in module.title else PHASE_LABELS["core"]
        module.title = f"{prefix}: {subject}"
    if key in normalize(module.description):
        module.description = module_description(phase, subject)
    kept = [o for o in module.objectives if key not in normalize(o)]
    module.objectives = kept or module_objectives(phase, subject)
    module.resources = [
        make_resource(r.kind, subject, goal_subject(goal_text), phase)
        if key in normalize(r.title)
        else r
        for r in module.resources
    ]


# ---- structure ops ------------------------------------------------------------------------


def _swap_weeks(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    first, note = _find_week(plan, op.week)
    if first is None:
        return [note]
    second, note = _find_week(plan, op.other_week)
    if second is None:
        return [note]
    if first is second:
        return [f"Week {first.number} can't be swapped with itself."]
    first.modules, second.modules = second.modules, first.modules
    first.theme, second.theme = second.theme, first.theme
    first.quiz, second.quiz = second.quiz, first.quiz
    for week in (first, second):
        for module in week.modules:
            module.id = f"__swap_{module.id}"
    _renumber_ids(plan, first)
    _renumber_ids(plan, second)
    smooth_difficulty(plan)
    return []


def _drop_quiz(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    if op.week is None:
        if all(w.quiz is None for w in plan.weeks):
            return ["The plan has no quizzes to remove."]
        for week in plan.weeks:
            week.quiz = None
        return []
    week, note = _find_week(plan, op.week)
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
    budget, skill = _budget(plan, goal), _skill(plan, goal)
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
            module_id = _next_module_id(plan, number)
            week.modules.append(
                make_module(module_id, phase, chosen, plan.goal, part, level, title)
            )


def _merge_weeks(plan: Plan, goal: Goal, weeks: int) -> None:
    old = plan.weeks
    groups: list[list[Week]] = [[] for _ in range(weeks)]
    for i, week in enumerate(old):
        groups[i * weeks // len(old)].append(week)
    budget = _budget(plan, goal)
    merged: list[Week] = []
    for number, group in enumerate(groups, start=1):
        modules = _compress([m for w in group for m in w.modules], MAX_MODULES_PER_WEEK)
        quiz = group[0].quiz if len(group) == 1 else None
        if len(group) > 1 and any(w.quiz is not None for w in group):
            quiz = Quiz()
        theme = " & ".join(unique_by_key(w.theme for w in group))
        merged.append(Week(number=number, theme=theme, modules=modules, quiz=quiz))
    plan.weeks = merged
    for week in merged:
        for module in week.modules:
            module.id = f"__merge_{module.id}"
    for week, group in zip(merged, groups, strict=True):
        _renumber_ids(plan, week)
        _fit_week(week, budget, sum(w.hours for w in group) / len(group))


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
    "add_topic": _add_topic,
    "remove_topic": _remove_topic,
    "swap_weeks": _swap_weeks,
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


# ---- diffs ---------------------------------------------------------------------------------


def _week_notes(before: Plan, after: Plan) -> list[str]:
    old = {w.number: w for w in before.weeks}
    hours: list[tuple[int, float, float]] = []
    content: list[int] = []
    for week in after.weeks:
        prior = old.get(week.number)
        if prior is None:
            continue
        if abs(prior.hours - week.hours) > 1e-9:
            hours.append((week.number, prior.hours, week.hours))
        if [(m.title, m.topics) for m in prior.modules] != [
            (m.title, m.topics) for m in week.modules
        ]:
            content.append(week.number)
    shared = min(len(before.weeks), len(after.weeks))
    if len(hours) == shared > 1 and len({(a, b) for _, a, b in hours}) == 1:
        notes = [f"Every week: {_fmt(hours[0][1])} h → {_fmt(hours[0][2])} h."]
    else:
        notes = [f"Week {n}: {_fmt(a)} h → {_fmt(b)} h." for n, a, b in hours]
    return notes + [f"Week {n}: modules changed." for n in content]


def _mean_difficulty(plan: Plan) -> float:
    modules = plan.modules()
    return round(sum(m.difficulty for m in modules) / len(modules), 1) if modules else 0.0


def _count_notes(before: Plan, after: Plan) -> list[str]:
    def counts(plan: Plan) -> tuple[int, int, int]:
        resources = [r for m in plan.modules() for r in m.resources]
        return (
            sum(w.quiz is not None for w in plan.weeks),
            sum(r.kind == "practice" for r in resources),
            sum(r.kind in READING_KINDS for r in resources),
        )

    labels = ("Weeks with a quiz", "Practice resources", "Reading resources")
    return [
        f"{name}: {a} → {b}."
        for name, a, b in zip(labels, counts(before), counts(after), strict=True)
        if a != b
    ]


def _topic_notes(before: Plan, after: Plan) -> list[str]:
    old = {normalize(t) for t in before.topics}
    new = {normalize(t) for t in after.topics}
    added = [clean(t) for t in unique_by_key(after.topics) if normalize(t) not in old]
    removed = [clean(t) for t in unique_by_key(before.topics) if normalize(t) not in new]
    notes = [f"Topic added: {t}." for t in added]
    return notes + [f"Topic removed: {t}." for t in removed]


def diff_plans(before: Plan, after: Plan) -> PlanDiff:
    """What changed between two versions of a plan (module changes are by id)."""
    old_ids = [m.id for m in before.modules()]
    new_ids = [m.id for m in after.modules()]
    notes: list[str] = []
    if before.hours_per_week != after.hours_per_week:
        old_budget, new_budget = _fmt(before.hours_per_week), _fmt(after.hours_per_week)
        notes.append(f"Weekly budget: {old_budget} h → {new_budget} h.")
    notes += _topic_notes(before, after)
    difficulty = (_mean_difficulty(before), _mean_difficulty(after))
    if difficulty[0] != difficulty[1]:
        notes.append(f"Average difficulty: {difficulty[0]:g} → {difficulty[1]:g}.")
    notes += _count_notes(before, after)
    notes += _week_notes(before, after)
    return PlanDiff(
        weeks_before=len(before.weeks),
        weeks_after=len(after.weeks),
        modules_added=[i for i in new_ids if i not in set(old_ids)],
        modules_removed=[i for i in old_ids if i not in set(new_ids)],
        hours_before=before.total_hours,
        hours_after=after.total_hours,
        notes=notes,
    )


def _id_list(ids: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return f" ({shown}{', …' if len(ids) > limit else ''})" if ids else ""


def describe_diff(diff: PlanDiff, max_notes: int = 8) -> str:
    """Plain-text summary, e.g. "Weeks: 6 → 8. Added 3 modules (…), removed 0. Hours: …"."""
    changed = (
        diff.weeks_before != diff.weeks_after
        or diff.modules_added
        or diff.modules_removed
        or abs(diff.hours_before - diff.hours_after) > 1e-9
        or diff.notes
    )
    if not changed:
        return "No changes."
    weeks = (
        f"Weeks: {diff.weeks_before} → {diff.weeks_after}."
        if diff.weeks_before != diff.weeks_after
        else f"Weeks: {diff.weeks_after} (unchanged)."
    )
    added, removed = len(diff.modules_added), len(diff.modules_removed)
    noun = "module" if added == 1 else "modules"
    modules = (
        f"Added {added} {noun}{_id_list(diff.modules_added)}, "
        f"removed {removed}{_id_list(diff.modules_removed)}."
    )
    hours = f"Hours: {_fmt(diff.hours_before)} → {_fmt(diff.hours_after)}."
    lines = [" ".join([weeks, modules, hours])]
    lines += [f"- {note}" for note in diff.notes[:max_notes]]
    if len(diff.notes) > max_notes:
        lines.append(f"- …and {len(diff.notes) - max_notes} more changes.")
    return "\n".join(lines)
