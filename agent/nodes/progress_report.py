"""Progress figures and wording shared by the progress nodes: durations as text, module
labels, the current module and week, the streak, and the /progress report (rules for the
figures in `agent.progress`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.progress import (
    Completion,
    ProgressSummary,
    StreakState,
    completed_milestones,
    compute_streak,
    next_module,
    spent_by_week,
    study_days,
    summarize,
)
from storage.models import Module, Plan
from storage.progress import PlanContext, module_key
from storage.progress_doc import ProgressDoc

# --------------------------------------------------------------------------- small helpers


def format_minutes(minutes: int) -> str:
    """45 → "45 min", 60 → "1 h", 90 → "1 h 30 min"."""
    minutes = max(0, int(minutes))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def format_hours(hours: float) -> str:
    return format_minutes(round(hours * 60))


def format_days(days: int) -> str:
    return f"{days} day" if days == 1 else f"{days} days"


def truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def week_of(plan: Plan, module_id: str) -> int | None:
    return next((w.number for w in plan.weeks for m in w.modules if m.id == module_id), None)


def module_label(plan: Plan, module: Module) -> str:
    """“Title” (week W, id) for messages."""
    return f"“{module.title}” (week {week_of(plan, module.id)}, {module.id})"


def module_by_key(plan: Plan, key: str) -> Module | None:
    """The plan module a button names (by its storage key, or its id as reminders send it).
    Button data is never trusted: only an exact match with a module of the plan counts."""
    return next((m for m in plan.modules() if key in (m.id, module_key(m.id))), None)


def local_today(now: datetime, zone: str) -> date:
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return now.astimezone(tz).date()


def done_ids_of(doc: ProgressDoc, pc: PlanContext) -> set[str]:
    return set(doc.done(pc.lineage))


def current_module(pc: PlanContext, done_ids: set[str]) -> Module | None:
    """Rule 2, then rule 3: the latest reminder's module if not done, else the earliest
    module not done."""
    reminded = pc.last_reminded_module
    if reminded and reminded not in done_ids:
        module = pc.plan.find_module(reminded)
        if module is not None:
            return module
    return next_module(pc.plan, done_ids)


def current_week(pc: PlanContext, done_ids: set[str]) -> int:
    module = current_module(pc, done_ids)
    if module is not None:
        return week_of(pc.plan, module.id) or 1
    return pc.plan.weeks[-1].number if pc.plan.weeks else 1


def streak_of(doc: ProgressDoc, pc: PlanContext, now: datetime) -> tuple[StreakState, list[date]]:
    """The streak as of the user's local today, and the local study days behind it."""
    days = study_days(doc.study_events())
    streak = compute_streak(days, local_today(now, pc.timezone))
    longest = max(streak.longest, streak.current, doc.longest_streak())
    return streak.model_copy(update={"longest": longest}), days


# --------------------------------------------------------------------------- /progress


def week_lines(pc: PlanContext, doc: ProgressDoc) -> list[str]:
    done = doc.done(pc.lineage)
    spent = spent_by_week(pc.plan, doc, pc.lineage)
    scores = doc.quiz_scores(pc.lineage)
    lines = []
    for week in pc.plan.weeks:
        finished = sum(1 for m in week.modules if m.id in done)
        mark = "✅" if week.modules and finished == len(week.modules) else "▫️"
        line = f"{mark} Week {week.number}: {finished}/{len(week.modules)} modules"
        line += f" · {format_minutes(spent.get(week.number, 0))} of {format_hours(week.hours)}"
        if week.number in scores and scores[week.number][1]:
            correct, answered = scores[week.number]
            line += f" · quiz {correct}/{answered}"
        lines.append(line)
    return lines


@dataclass(frozen=True)
class Report:
    """What /progress shows: the text, and for the chart the numbers, the streak and the
    local study days."""

    text: str
    summary: ProgressSummary
    streak: StreakState
    days: list[date]


def progress_report(pc: PlanContext, doc: ProgressDoc, now: datetime) -> Report:
    """The /progress summary (rules for the figures in `agent.progress`)."""
    streak, days = streak_of(doc, pc, now)
    done = doc.done(pc.lineage)
    completions = [Completion(module_id=i, completed_at=a.at) for i, a in done.items()]
    summary = summarize(
        pc.plan,
        completions,
        {"plan": doc.minutes_total(pc.lineage)},
        doc.quiz_scores(pc.lineage),
        streak,
    )
    scores = doc.quiz_scores(pc.lineage).values()
    correct, answered = sum(c for c, _ in scores), sum(a for _, a in scores)
    milestones = completed_milestones(pc.plan, set(done))
    lines = [
        f"📊 {pc.plan.title}",
        f"Complete: {summary.percent:.0f}% · {summary.modules_done}/{summary.modules_total} "
        "modules done",
        f"Time: {format_hours(summary.hours_spent)} spent of "
        f"{format_hours(summary.hours_planned)} planned",
        f"Streak: {format_days(summary.current_streak)} "
        f"(longest {format_days(summary.longest_streak)})",
    ]
    if summary.quiz_average is None:
        lines.append("Quiz average: no answers yet — /quiz sends this week's quiz")
    else:
        lines.append(f"Quiz average: {summary.quiz_average:.0f}% ({correct}/{answered} correct)")
    if pc.plan.milestones:
        lines.append(f"Milestones: {len(milestones)}/{len(pc.plan.milestones)} reached")
    current = current_module(pc, set(done))
    lines.append(
        f"Next: {module_label(pc.plan, current)}" if current else "Next: nothing — all done 🎉"
    )
    lines.append("")
    lines.extend(week_lines(pc, doc))
    return Report("\n".join(lines), summary, streak, days)
