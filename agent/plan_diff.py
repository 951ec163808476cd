"""What changed between two versions of a plan, as data (`PlanDiff`) and as text."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from agent.planner import clean, normalize, unique_by_key
from storage.models import Plan

READING_KINDS = frozenset({"docs", "book"})


class PlanDiff(BaseModel):
    weeks_before: int
    weeks_after: int
    modules_added: list[str]
    modules_removed: list[str]
    hours_before: float
    hours_after: float
    notes: list[str]


def _fmt(hours: float) -> str:
    return f"{round(hours, 2):g}"


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
