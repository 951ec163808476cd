"""Small helpers shared by the refinement ops (`agent.refine`, `agent.refine_topics`)."""

from __future__ import annotations

import math

from agent.planner import HOUR_QUANTA, MIN_SHARE, allocate_hours, weekly_target_hours
from storage.models import Goal, Plan, SkillLevel, Week

MAX_MODULES_PER_WEEK = 4


def budget(plan: Plan, goal: Goal) -> float:
    return float(goal.hours_per_week or plan.hours_per_week)


def skill(plan: Plan, goal: Goal) -> SkillLevel:
    return goal.skill_level or plan.skill_level


def fmt(hours: float) -> str:
    return f"{round(hours, 2):g}"


def find_week(plan: Plan, number: int | None) -> tuple[Week | None, str]:
    if number is None:
        return None, "Which week? Please give a week number."
    if not 1 <= number <= len(plan.weeks):
        return None, f"There is no week {number} — the plan has {len(plan.weeks)} weeks."
    return plan.weeks[number - 1], ""


def set_week_hours(week: Week, total: float) -> bool:
    parts = allocate_hours(total, [m.hours for m in week.modules])
    if parts is None:
        return False
    for module, part in zip(week.modules, parts, strict=True):
        module.hours = part
    return True


def quantized(value: float, up: bool) -> list[float]:
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


def fit_week(week: Week, budget: float, desired: float) -> bool:
    """Set the week's hours as close to `desired` as the quanta allow, within the budget."""
    low, high = MIN_SHARE * budget, weekly_target_hours(budget)
    desired = min(max(desired, low), high)
    for total in [*quantized(desired, up=False), *quantized(desired, up=True)]:
        if low - 1e-9 <= total <= high + 1e-9 and set_week_hours(week, total):
            return True
    return False


def next_module_id(plan: Plan, week_number: int) -> str:
    taken = {m.id for m in plan.modules()}
    n = 1
    while f"w{week_number}m{n}" in taken:
        n += 1
    return f"w{week_number}m{n}"
