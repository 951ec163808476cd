"""Progress arithmetic: next module, study days, streaks, achievements and the summary.

Pure functions with no I/O and no clock: "now"/"today" are always parameters.

Streak rules (`compute_streak`)
-------------------------------
* A *study day* is a local calendar date on which the user did anything that counts as
  studying. Each activity is converted with the IANA zone in force at that moment
  (`study_days`), so a DST change or a flight to another zone never splits or merges
  days incorrectly. Dates after `today` are ignored.
* Consecutive study days form a streak. A single missed day between two study days is
  *frozen* (forgiven) when the streak has no other frozen day within the previous
  ``freeze_window - 1`` days, i.e. at most one frozen day in any ``freeze_window``-day
  window (7 by default). Two missed days in a row, or a second single missed day too soon
  after a frozen one, break the streak. ``freeze_window <= 0`` disables freezing.
  The freeze allowance belongs to a streak: a new streak starts with a clean slate.
* A streak's length counts study days only; frozen days bridge but do not count.
* ``current`` is the length of the streak containing the latest study day while it is
  still alive: its last study day is today or yesterday (today is not over yet), or the
  day before yesterday when yesterday could still be frozen — then yesterday is already
  listed in ``frozen_days`` and studying today keeps the streak. Otherwise ``current`` is 0.
* ``longest`` is the longest streak over the whole history (at least ``current``).
* ``frozen_days`` are the frozen days of the current streak (empty when it is 0).

Completion and percentages (`summarize`)
----------------------------------------
* A module is done when it has a non-partial `Completion`; partial ones do not count.
* ``percent`` is hours-weighted: planned hours of done modules / planned hours of the plan.
  ``per_week_done`` likewise sums the *planned* hours of done modules per week.
* ``hours_spent`` is real time: ``minutes_by_module`` (the caller's logged minutes) per
  module, falling back to the sum of completion minutes for modules it does not mention.
* ``minutes_per_week`` counts time logged on a module in the week that module is in *now*:
  the stored per-week totals say where it was when the time was logged, and a swap, move
  or merge of weeks carries modules (and their ids) elsewhere.
* ``quiz_average`` is the share of answered quiz questions answered correctly, in percent,
  pooled over all weeks; None when nothing was answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from storage.models import Milestone, Module, Plan
from storage.progress_doc import ProgressDoc

ACHIEVEMENTS = frozenset({"first_module", "streak_7", "half_way", "plan_complete"})


class Completion(BaseModel):
    """A module marked done (or partially done) at a UTC instant."""

    module_id: str
    completed_at: datetime
    minutes: int = Field(default=0, ge=0)
    partial: bool = False

    @field_validator("completed_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class StreakState(BaseModel):
    current: int = 0
    longest: int = 0
    frozen_days: list[date] = Field(default_factory=list)


class ProgressSummary(BaseModel):
    percent: float
    modules_done: int
    modules_total: int
    hours_planned: float
    hours_spent: float
    current_streak: int
    longest_streak: int
    quiz_average: float | None
    next_module_id: str | None
    next_module_title: str | None
    per_week_planned: list[float]
    per_week_done: list[float]


# --------------------------------------------------------------------------- modules


def minutes_per_week(
    plan: Plan, stored: dict[int, int], logged: list[tuple[str | None, int | None, int]]
) -> dict[int, int]:
    """Minutes per plan week: the `stored` totals (keyed by the week at logging time), with
    each `logged` event's (module id, week then, minutes) moved to the week its module is
    in now. Time logged to no module, or to a module no longer in the plan, stays put."""
    where = {m.id: w.number for w in plan.weeks for m in w.modules}
    out = dict(stored)
    for module_id, then, minutes in logged:
        now = where.get(module_id or "")
        if now is None or then is None or now == then or not minutes:
            continue
        out[then] = out.get(then, 0) - minutes
        out[now] = out.get(now, 0) + minutes
    return {week: minutes for week, minutes in out.items() if minutes > 0}


def spent_by_week(plan: Plan, doc: ProgressDoc, lineage: str) -> dict[int, int]:
    """`minutes_per_week` of one lineage's stored progress."""
    logged = [(a.module_id, a.week, a.minutes) for a in doc.activity() if a.plan == lineage]
    return minutes_per_week(plan, doc.minutes_by_week(lineage), logged)


def next_module(plan: Plan, done_ids: set[str]) -> Module | None:
    """The earliest module, in plan order, that is not done; None when all are."""
    return next((m for m in plan.modules() if m.id not in done_ids), None)


def completed_milestones(plan: Plan, done_ids: set[str]) -> list[Milestone]:
    """Milestones whose modules are all done, in plan order.

    A milestone without `module_ids` stands for every module of its week and the weeks
    before it (its `week` is "the week whose end completes the milestone").
    """
    return [ms for ms in plan.milestones if set(_milestone_modules(plan, ms)) <= done_ids]


def _milestone_modules(plan: Plan, milestone: Milestone) -> list[str]:
    if milestone.module_ids:
        return milestone.module_ids
    return [m.id for w in plan.weeks if w.number <= milestone.week for m in w.modules]


def _done_hours(modules: list[Module], done_ids: set[str]) -> float:
    return sum(m.hours for m in modules if m.id in done_ids)


def _percent_done(plan: Plan, done_ids: set[str]) -> float:
    """Hours-weighted share of the plan that is done, 0-100."""
    modules = plan.modules()
    total = sum(m.hours for m in modules)
    return 100.0 * _done_hours(modules, done_ids) / total if total > 0 else 0.0


def achievements(plan: Plan, done_ids: set[str], streak: StreakState) -> set[str]:
    """Badges earned so far (a subset of `ACHIEVEMENTS`).

    first_module: at least one plan module done; streak_7: a streak of 7+ study days at
    any time; half_way: at least 50% of the planned hours done; plan_complete: every module
    of a non-empty plan done.
    """
    plan_ids = {m.id for m in plan.modules()}
    done = plan_ids & done_ids
    earned: set[str] = set()
    if done:
        earned.add("first_module")
    if max(streak.longest, streak.current) >= 7:
        earned.add("streak_7")
    if plan_ids and _percent_done(plan, done_ids) >= 50.0:
        earned.add("half_way")
    if plan_ids and done == plan_ids:
        earned.add("plan_complete")
    return earned


# --------------------------------------------------------------------------- study days


def _zone(name: str | None) -> ZoneInfo:
    """The IANA zone `name`, or UTC when it is missing or unknown."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        return ZoneInfo("UTC")


def study_days(activity: list[tuple[datetime, str]]) -> list[date]:
    """Sorted unique local dates of the activity.

    Each item is (instant, IANA zone in force at that instant); naive instants are read
    as UTC and unknown zones as UTC. Using the zone per event means that studying late in
    Berlin and then early in New York lands on the right local dates.
    """
    days: set[date] = set()
    for instant, zone in activity:
        aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
        days.add(aware.astimezone(_zone(zone)).date())
    return sorted(days)


# --------------------------------------------------------------------------- streaks


@dataclass
class _Run:
    """One streak: its study days and the gap days it froze, both ascending."""

    days: list[date]
    frozen: list[date] = field(default_factory=list)

    def can_freeze(self, missed: date, window: int) -> bool:
        if window <= 0:
            return False
        return not self.frozen or (missed - self.frozen[-1]).days >= window


def _runs(days: list[date], window: int) -> list[_Run]:
    """Split sorted unique study days into streaks (see the module docstring)."""
    runs: list[_Run] = []
    for day in days:
        run = runs[-1] if runs else None
        gap = (day - run.days[-1]).days - 1 if run else None
        if run is not None and gap == 0:
            run.days.append(day)
        elif run is not None and gap == 1 and run.can_freeze(day - timedelta(days=1), window):
            run.frozen.append(day - timedelta(days=1))
            run.days.append(day)
        else:
            runs.append(_Run(days=[day]))
    return runs


def compute_streak(days: list[date], today: date, *, freeze_window: int = 7) -> StreakState:
    """Current and longest streak of local study `days` as of local `today`.

    See the module docstring for the exact rules.
    """
    runs = _runs(sorted({d for d in days if d <= today}), freeze_window)
    if not runs:
        return StreakState()
    longest = max(len(r.days) for r in runs)
    last = runs[-1]
    yesterday = today - timedelta(days=1)
    if last.days[-1] >= yesterday:
        return StreakState(current=len(last.days), longest=longest, frozen_days=last.frozen)
    if last.days[-1] == yesterday - timedelta(days=1) and last.can_freeze(yesterday, freeze_window):
        frozen = [*last.frozen, yesterday]
        return StreakState(current=len(last.days), longest=longest, frozen_days=frozen)
    return StreakState(current=0, longest=longest, frozen_days=[])


# --------------------------------------------------------------------------- summary


def _hours_spent(completions: list[Completion], minutes_by_module: dict[str, int]) -> float:
    minutes = {k: max(v, 0) for k, v in minutes_by_module.items()}
    for c in completions:
        if c.module_id not in minutes_by_module:
            minutes[c.module_id] = minutes.get(c.module_id, 0) + c.minutes
    return round(sum(minutes.values()) / 60, 2)


def _quiz_average(quiz_scores: dict[int, tuple[int, int]]) -> float | None:
    answered = sum(max(a, 0) for _, a in quiz_scores.values())
    if answered == 0:
        return None
    correct = sum(min(max(c, 0), max(a, 0)) for c, a in quiz_scores.values())
    return round(100.0 * correct / answered, 1)


def summarize(
    plan: Plan,
    completions: list[Completion],
    minutes_by_module: dict[str, int],
    quiz_scores: dict[int, tuple[int, int]],
    streak: StreakState,
) -> ProgressSummary:
    """The numbers behind /progress and the chart (rules in the module docstring)."""
    done_ids = {c.module_id for c in completions if not c.partial}
    modules = plan.modules()
    upcoming = next_module(plan, done_ids)
    return ProgressSummary(
        percent=round(_percent_done(plan, done_ids), 1),
        modules_done=sum(1 for m in modules if m.id in done_ids),
        modules_total=len(modules),
        hours_planned=plan.total_hours,
        hours_spent=_hours_spent(completions, minutes_by_module),
        current_streak=streak.current,
        longest_streak=max(streak.longest, streak.current),
        quiz_average=_quiz_average(quiz_scores),
        next_module_id=upcoming.id if upcoming else None,
        next_module_title=upcoming.title if upcoming else None,
        per_week_planned=[w.hours for w in plan.weeks],
        per_week_done=[round(_done_hours(w.modules, done_ids), 2) for w in plan.weeks],
    )
