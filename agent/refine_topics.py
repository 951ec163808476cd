"""Topic refinements: add a topic, remove one, and more on one the plan already has."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent import refine_common as rc
from agent.planner import (
    PHASE_LABELS,
    allocate_hours,
    clean,
    goal_subject,
    infer_phase,
    join_subject,
    make_module,
    make_resource,
    module_description,
    module_objectives,
    normalize,
    phase_at,
    truncate,
    weekly_target_hours,
)
from agent.refine_common import MAX_MODULES_PER_WEEK
from agent.refine_ops import RefineOp
from agent.validator import week_difficulty
from storage.models import Goal, Module, Plan, Week


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
        if _add_module(plan, goal, week, topic) is not None:
            return []
    _extend_module(min(week.modules, key=lambda m: len(m.topics)), topic)
    return []


def _add_module(
    plan: Plan, goal: Goal, week: Week, topic: str, *, deeper: bool = False
) -> Module | None:
    """A new module on `topic` in `week`, sharing the week's hours (None when they can't
    be split). A `deeper` module is practice on a topic the plan already covers."""
    total = week.hours or weekly_target_hours(rc.budget(plan, goal))
    share = total / (len(week.modules) + 1)
    parts = allocate_hours(total, [*(m.hours for m in week.modules), share])
    if parts is None:
        return None
    position = (week.number - 0.5) / len(plan.weeks)
    phase = phase_at(position, rc.skill(plan, goal))
    phase = phase if phase in ("foundations", "core", "practice") else "practice"
    title = None
    if deeper:
        phase = "practice"
        title = f"Going deeper: {truncate(topic, 60)}"
    module = make_module(
        rc.next_module_id(plan, week.number),
        phase,
        [topic],
        plan.goal,
        parts[-1],
        max(1, week_difficulty(week)),
        title,
    )
    for existing, part in zip(week.modules, parts, strict=False):
        existing.hours = part
    week.modules.append(module)
    return module


def _covers(module: Module, key: str) -> bool:
    """Whether a module is about the normalized topic `key` (a topic or whole title words)."""
    if any(normalize(t) == key for t in module.topics):
        return True
    return re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", normalize(module.title)) is not None


def _more_on(plan: Plan, goal: Goal, op: RefineOp) -> list[str]:
    """A module (or, when every week is full, more hours) on a topic, within the budget.
    A topic the plan doesn't have yet is added as with ``add_topic``."""
    topic = clean(op.topic)
    if not topic:
        return ["Which topic should get more time?"]
    key = normalize(topic)
    covering = [(w, m) for w in plan.weeks for m in w.modules if _covers(m, key)]
    if not covering:
        if key in {normalize(t) for t in goal.topics}:
            goal.topics = [t for t in goal.topics if normalize(t) != key]
        return _add_topic(plan, goal, op)
    last = max(w.number for w, _ in covering)
    order = sorted(plan.weeks, key=lambda w: (w.number <= last, abs(w.number - last - 1)))
    for week in order:
        if len(week.modules) < MAX_MODULES_PER_WEEK:
            added = _add_module(plan, goal, week, topic, deeper=True)
            if added is not None:
                return [f"More on {topic}: added “{added.title}” to week {week.number}."]
    for week, module in covering:
        weights = [m.hours * (1.5 if m is module else 1.0) for m in week.modules]
        parts = allocate_hours(week.hours, weights)
        if parts is None or parts[week.modules.index(module)] <= module.hours:
            continue
        for existing, part in zip(week.modules, parts, strict=True):
            existing.hours = part
        return [f"More on {topic}: more time on “{module.title}” in week {week.number}."]
    return [
        f"Every week is full, so there's no room for more on {topic} within your "
        f"{rc.fmt(rc.budget(plan, goal))} h weekly budget."
    ]


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
    phase = infer_phase(module.title, week.number, len(plan.weeks), rc.skill(plan, goal))
    if module.topics:
        _retitle(module, phase, key, plan.goal)
        return
    if len(week.modules) > 1:
        total = week.hours
        week.modules.remove(module)
        rc.set_week_hours(week, total)
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


TOPIC_OPS: dict[str, Callable[[Plan, Goal, RefineOp], list[str]]] = {
    "add_topic": _add_topic,
    "remove_topic": _remove_topic,
    "more_on": _more_on,
}
