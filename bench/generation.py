"""Generation time of the .ics export and the /progress chart for a 52-week plan.

Baseline, measured in the same run: serializing the same plan to JSON (the
cheapest thing that touches every module), so the ratios say how much work the
calendar and the chart add on top of merely reading the plan.

The .ics has three figures: the icalendar-built reference (`scheduler.ics`), a cold
build as served (`scheduler.ics_fast`, the same bytes) and a warm request answered by
`scheduler.calendar_cache` (same schedule, later ``now``: only DTSTAMP is rewritten).
The chart has a cold figure (the first render in the process: fonts and matplotlib's
set-up; the bot does one at start-up, `agent.charts.warm_up_in_background`), a warm one
(best of the following renders) and a plan of another shape in the warm process (its
axes' background is drawn once, then cached).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from agent.charts import progress_chart_png
from agent.planner import build_plan
from agent.progress import StreakState, summarize
from scheduler.calendar_cache import CalendarCache
from scheduler.ics import build_calendar
from scheduler.ics_fast import build_calendar_fast
from scheduler.timetable import build_timetable
from storage.models import Goal, SkillLevel, Slot

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
REPEATS = 5


def _best(fn: Callable[[], Any], repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> dict[str, Any]:
    slots = [Slot(weekday=d, start=clock_time(19), end=clock_time(21)) for d in range(5)]
    goal = Goal(
        goal="Machine learning engineering",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=10,
        weeks=52,
        topics=["linear algebra", "PyTorch", "MLOps", "evaluation"],
        availability=slots,
        timezone="Europe/Berlin",
    )
    plan = build_plan(goal)
    sessions = build_timetable(plan, slots, "Europe/Berlin", date(2026, 11, 30), now=NOW)
    done = {m.id for m in plan.modules()[:40]}
    summary = summarize(
        plan,
        [],
        {m: 90 for m in done},
        {1: (2, 3)},
        StreakState(current=3, longest=9, frozen_days=[]),
    )
    days = [date(2026, 11, 26) - timedelta(days=d) for d in range(0, 28, 2)]

    def render() -> bytes:
        return progress_chart_png(summary, days, date(2026, 11, 26), title=plan.title)

    start = time.perf_counter()
    render()
    chart_cold = time.perf_counter() - start
    baseline = _best(lambda: plan.model_dump_json())
    ics_reference = _best(
        lambda: build_calendar(
            plan, sessions, "Europe/Berlin", lead_minutes=15, calendar_id="u1", now=NOW
        )
    )
    ics = _best(
        lambda: build_calendar_fast(
            plan, sessions, "Europe/Berlin", lead_minutes=15, calendar_id="u1", now=NOW
        )
    )
    cache = CalendarCache()
    tick = iter(range(1, 10_000))

    def warm() -> bytes:
        now = NOW + timedelta(seconds=next(tick))
        return cache.calendar(
            1, plan, 1, sessions, "Europe/Berlin", lead_minutes=15, calendar_id="u1", now=now
        )

    warm()
    ics_warm = _best(warm)
    chart = _best(render)
    other = summary.model_copy(update={"per_week_planned": [7.5] * 40, "per_week_done": [6.0] * 9})
    start = time.perf_counter()
    progress_chart_png(other, days, date(2026, 11, 26), title="Another plan")
    chart_new_axes = time.perf_counter() - start
    size = len(build_calendar(plan, sessions, "Europe/Berlin", lead_minutes=15,
                              calendar_id="u1", now=NOW))  # fmt: skip
    print("## Generation for a 52-week plan")
    print(f"baseline (plan → JSON): {baseline * 1000:.2f} ms")
    print(
        f".ics export, cold: {ics * 1000:.1f} ms for {len(sessions)} sessions "
        f"({size / 1024:.0f} KiB) = {ics / baseline:.0f}x baseline; "
        f"icalendar-built reference {ics_reference * 1000:.1f} ms "
        f"(cold is {ics / ics_reference:.2f}x of it)"
    )
    print(
        f".ics export, warm (cached schedule version): {ics_warm * 1000:.2f} ms "
        f"= {ics_warm / baseline:.1f}x baseline"
    )
    print(
        f"/progress chart: cold (first in process) {chart_cold * 1000:.1f} ms, "
        f"warm {chart * 1000:.1f} ms = {chart / baseline:.0f}x baseline; "
        f"a plan of another shape (new axes, warm process) {chart_new_axes * 1000:.1f} ms"
    )
    return {
        "baseline_ms": baseline * 1000,
        "ics_ms": ics * 1000,
        "ics_reference_ms": ics_reference * 1000,
        "ics_warm_ms": ics_warm * 1000,
        "chart_cold_ms": chart_cold * 1000,
        "chart_ms": chart * 1000,
        "chart_new_axes_ms": chart_new_axes * 1000,
        "sessions": len(sessions),
        "ics_ratio": ics / baseline,
        "chart_ratio": chart / baseline,
    }


if __name__ == "__main__":
    main()
