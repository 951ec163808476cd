"""Tests for `agent.progress` (streaks, next module, achievements, milestones, summary)
and `agent.charts.progress_chart_png`."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.charts import progress_chart_png, safe_text
from agent.progress import (
    Completion,
    StreakState,
    achievements,
    completed_milestones,
    compute_streak,
    next_module,
    study_days,
    summarize,
)
from storage.models import Milestone, Module, Plan, SkillLevel, Week

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def _plan(weeks: int = 3, per_week: int = 2, hours: float = 2.0) -> Plan:
    return Plan(
        title="Fine-tuning",
        goal="Fine-tune a model",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=per_week * hours,
        weeks=[
            Week(
                number=n,
                modules=[
                    Module(id=f"w{n}m{i}", title=f"Module {n}.{i}", hours=hours, difficulty=2)
                    for i in range(1, per_week + 1)
                ],
            )
            for n in range(1, weeks + 1)
        ],
        milestones=[
            Milestone(week=1, title="Adapters understood", module_ids=["w1m1", "w1m2"]),
            Milestone(week=2, title="Halfway there"),
            Milestone(week=3, title="Shipped", module_ids=["w3m2"]),
        ],
    )


def _days(start: date, offsets: list[int]) -> list[date]:
    return [start + timedelta(days=o) for o in offsets]


D0 = date(2026, 3, 2)  # a Monday


# --------------------------------------------------------------------------- streaks


def test_no_study_days():
    assert compute_streak([], D0) == StreakState(current=0, longest=0, frozen_days=[])


def test_consecutive_days_ending_today():
    state = compute_streak(_days(D0, [0, 1, 2, 3]), D0 + timedelta(days=3))
    assert (state.current, state.longest, state.frozen_days) == (4, 4, [])


def test_streak_survives_until_a_full_day_passes():
    days = _days(D0, [0, 1, 2])
    assert compute_streak(days, D0 + timedelta(days=3)).current == 3  # yesterday studied
    # Day 3 passed without study; day 3 can still be frozen if the user studies on day 4.
    pending = compute_streak(days, D0 + timedelta(days=4))
    assert (pending.current, pending.frozen_days) == (3, [D0 + timedelta(days=3)])
    # Two full days without study: broken.
    broken = compute_streak(days, D0 + timedelta(days=5))
    assert (broken.current, broken.longest, broken.frozen_days) == (0, 3, [])


def test_single_gap_is_frozen_and_not_counted():
    state = compute_streak(_days(D0, [0, 1, 3, 4]), D0 + timedelta(days=4))
    assert state.current == 4
    assert state.frozen_days == [D0 + timedelta(days=2)]


def test_two_consecutive_gap_days_break():
    state = compute_streak(_days(D0, [0, 1, 4, 5]), D0 + timedelta(days=5))
    assert (state.current, state.longest, state.frozen_days) == (2, 2, [])


def test_two_single_gaps_within_seven_days_break():
    # Gaps on day 2 and day 5 are 3 days apart: the second one breaks the streak.
    state = compute_streak(_days(D0, [0, 1, 3, 4, 6, 7]), D0 + timedelta(days=7))
    assert (state.current, state.longest, state.frozen_days) == (2, 4, [])


def test_single_gaps_seven_days_apart_are_both_frozen():
    offsets = [0, 1, 3, 4, 5, 6, 7, 8, 10, 11]  # gaps on days 2 and 9
    state = compute_streak(_days(D0, offsets), D0 + timedelta(days=11))
    assert state.current == 10
    assert state.frozen_days == _days(D0, [2, 9])


def test_single_gaps_six_days_apart_break():
    offsets = [0, 1, 3, 4, 5, 6, 7, 9, 10]  # gaps on days 2 and 8
    state = compute_streak(_days(D0, offsets), D0 + timedelta(days=10))
    assert (state.current, state.longest, state.frozen_days) == (2, 7, [])


def test_pending_freeze_not_offered_when_window_used():
    # Frozen day 2, last study day 4, today 6: day 5 is only 3 days after day 2.
    state = compute_streak(_days(D0, [0, 1, 3, 4]), D0 + timedelta(days=6))
    assert (state.current, state.longest) == (0, 4)


def test_longest_is_kept_over_history():
    offsets = [0, 1, 2, 3, 4, 5, 6, 7, 8, 20, 21]
    state = compute_streak(_days(D0, offsets), D0 + timedelta(days=21))
    assert (state.current, state.longest) == (2, 9)


def test_duplicates_unsorted_and_future_days_are_ignored():
    days = _days(D0, [2, 0, 1, 1, 9])
    state = compute_streak(days, D0 + timedelta(days=2))
    assert (state.current, state.longest) == (3, 3)


def test_freeze_window_zero_disables_freezing():
    days = _days(D0, [0, 1, 3])
    state = compute_streak(days, D0 + timedelta(days=3), freeze_window=0)
    assert (state.current, state.longest, state.frozen_days) == (1, 2, [])


def _utc(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_study_days_across_dst_end_berlin():
    # 2026-10-25 03:00 CEST -> 02:00 CET. 23:30 local on the 24th is 21:30 UTC,
    # 00:30 local on the 26th is 23:30 UTC on the 25th.
    activity = [
        (_utc(BERLIN, 2026, 10, 24, 23, 30), BERLIN),
        (_utc(BERLIN, 2026, 10, 26, 0, 30), BERLIN),
    ]
    assert activity[1][0] == datetime(2026, 10, 25, 23, 30, tzinfo=UTC)
    days = study_days(activity)
    assert days == [date(2026, 10, 24), date(2026, 10, 26)]
    state = compute_streak(days, date(2026, 10, 26))
    assert (state.current, state.frozen_days) == (2, [date(2026, 10, 25)])


def test_streak_across_dst_end_every_night_just_after_midnight():
    # 00:30 local each night from the 23rd to the 28th: UTC dates lag by one day and the
    # offset changes on the 25th, but each local date is studied exactly once.
    activity = [(_utc(BERLIN, 2026, 10, d, 0, 30), BERLIN) for d in range(23, 29)]
    days = study_days(activity)
    assert days == [date(2026, 10, d) for d in range(23, 29)]
    assert compute_streak(days, date(2026, 10, 28)).current == 6


def test_ambiguous_wall_clock_hour_on_dst_day_counts_once():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo(BERLIN))  # CEST
    second = first.replace(fold=1)  # CET, one hour later
    activity = [(first.astimezone(UTC), BERLIN), (second.astimezone(UTC), BERLIN)]
    assert study_days(activity) == [date(2026, 10, 25)]


def test_study_days_across_a_time_zone_change():
    # Late evening in Berlin, then next evening in New York: local dates are consecutive
    # although the UTC instants are on the 10th and the 12th.
    berlin = _utc(BERLIN, 2026, 3, 10, 23, 30)
    new_york = _utc(NEW_YORK, 2026, 3, 11, 20, 30)
    assert (berlin.date(), new_york.date()) == (date(2026, 3, 10), date(2026, 3, 12))
    days = study_days([(berlin, BERLIN), (new_york, NEW_YORK)])
    assert days == [date(2026, 3, 10), date(2026, 3, 11)]
    state = compute_streak(days, date(2026, 3, 11))
    assert (state.current, state.frozen_days) == (2, [])


def test_flying_west_same_local_day_counts_once():
    morning_berlin = _utc(BERLIN, 2026, 3, 11, 8, 0)
    night_new_york = _utc(NEW_YORK, 2026, 3, 11, 22, 0)  # 02:00 UTC on the 12th
    days = study_days([(morning_berlin, BERLIN), (night_new_york, NEW_YORK)])
    assert days == [date(2026, 3, 11)]


def test_study_days_naive_and_unknown_zones_are_utc():
    naive = datetime(2026, 3, 1, 23, 30)
    assert study_days([(naive, "Not/AZone"), (naive, ""), (naive, "../etc")]) == [date(2026, 3, 1)]


# --------------------------------------------------------------------------- plan progress


def test_next_module_is_earliest_not_done():
    plan = _plan()
    assert next_module(plan, set()).id == "w1m1"
    assert next_module(plan, {"w1m1", "w2m1"}).id == "w1m2"
    assert next_module(plan, {m.id for m in plan.modules()}) is None


def test_achievements():
    plan = _plan()  # 6 modules of 2 h
    none = StreakState()
    assert achievements(plan, set(), none) == set()
    assert achievements(plan, {"w1m1"}, none) == {"first_module"}
    assert achievements(plan, {"elsewhere"}, none) == set()
    assert achievements(plan, {"w1m1", "w1m2", "w2m1"}, none) == {"first_module", "half_way"}
    week_streak = StreakState(current=0, longest=7)
    assert "streak_7" in achievements(plan, set(), week_streak)
    assert "streak_7" not in achievements(plan, set(), StreakState(current=6, longest=6))
    everything = {m.id for m in plan.modules()}
    assert achievements(plan, everything, none) == {"first_module", "half_way", "plan_complete"}


def test_half_way_is_hours_weighted():
    plan = _plan(weeks=1, per_week=2)
    plan.weeks[0].modules[0].hours = 1.0
    plan.weeks[0].modules[1].hours = 3.0
    assert "half_way" not in achievements(plan, {"w1m1"}, StreakState())
    assert "half_way" in achievements(plan, {"w1m2"}, StreakState())


def test_completed_milestones():
    plan = _plan()
    assert completed_milestones(plan, {"w1m1"}) == []
    assert [m.title for m in completed_milestones(plan, {"w1m1", "w1m2"})] == [
        "Adapters understood"
    ]
    # "Halfway there" has no module_ids: it needs every module of weeks 1-2.
    titles = [m.title for m in completed_milestones(plan, {"w1m1", "w1m2", "w2m1", "w2m2"})]
    assert titles == ["Adapters understood", "Halfway there"]
    assert [m.title for m in completed_milestones(plan, {"w3m2"})] == ["Shipped"]


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 18, 0, tzinfo=UTC)


def test_summarize_numbers():
    plan = _plan()  # 3 weeks × 2 modules × 2 h = 12 h
    plan.weeks[1].modules[0].hours = 4.0  # 14 h total
    completions = [
        Completion(module_id="w1m1", completed_at=_at(2), minutes=90),
        Completion(module_id="w1m2", completed_at=_at(3), minutes=30),
        Completion(module_id="w2m1", completed_at=_at(5), minutes=200),
        Completion(module_id="w2m2", completed_at=_at(6), minutes=45, partial=True),
    ]
    minutes_by_module = {"w1m1": 120, "w2m1": 240}  # overrides completion minutes
    summary = summarize(
        plan,
        completions,
        minutes_by_module,
        {1: (3, 4), 2: (4, 6), 3: (0, 0)},
        StreakState(current=3, longest=5),
    )
    assert summary.modules_done == 3
    assert summary.modules_total == 6
    assert summary.percent == pytest.approx(round(100 * 8 / 14, 1))
    assert summary.hours_planned == 14.0
    assert summary.hours_spent == pytest.approx(round((120 + 240 + 30 + 45) / 60, 2))
    assert summary.quiz_average == pytest.approx(70.0)
    assert (summary.current_streak, summary.longest_streak) == (3, 5)
    assert (summary.next_module_id, summary.next_module_title) == ("w2m2", "Module 2.2")
    assert summary.per_week_planned == [4.0, 6.0, 4.0]
    assert summary.per_week_done == [4.0, 4.0, 0.0]


def test_summarize_empty_progress():
    summary = summarize(_plan(), [], {}, {}, StreakState())
    assert (summary.percent, summary.modules_done, summary.hours_spent) == (0.0, 0, 0.0)
    assert summary.quiz_average is None
    assert summary.next_module_id == "w1m1"


def test_summarize_everything_done():
    plan = _plan()
    completions = [Completion(module_id=m.id, completed_at=_at(9)) for m in plan.modules()]
    summary = summarize(plan, completions, {}, {}, StreakState())
    assert summary.percent == 100.0
    assert (summary.next_module_id, summary.next_module_title) == (None, None)


def test_completion_times_are_utc():
    local = datetime(2026, 3, 1, 1, 0, tzinfo=ZoneInfo(BERLIN))
    assert Completion(module_id="x", completed_at=local).completed_at == datetime(
        2026, 3, 1, 0, 0, tzinfo=UTC
    )
    assert Completion(module_id="x", completed_at=datetime(2026, 3, 1)).completed_at.tzinfo


# --------------------------------------------------------------------------- chart


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _big_summary() -> tuple[Plan, list[date], date]:
    plan = _plan(weeks=52, per_week=3, hours=1.5)
    today = date(2026, 10, 28)
    days = [today - timedelta(days=o) for o in (0, 1, 2, 4, 5, 6, 9, 10, 11, 20, 27)]
    return plan, days, today


def test_chart_is_a_small_png_for_a_52_week_plan():
    plan, days, today = _big_summary()
    completions = [Completion(module_id=m.id, completed_at=_at(1)) for m in plan.modules()[:70]]
    streak = compute_streak(days, today)
    summary = summarize(plan, completions, {}, {1: (2, 3)}, streak)
    title = "Learn $\\alpha$ fast 🚀 — Ünïcödé 日本語 \x00\n{}%$"
    # How fast it is belongs to bench/generation.py, not to a test on a shared machine.
    png = progress_chart_png(summary, days, today, title=title, frozen_days=streak.frozen_days)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) < 200_000
    width, height = _png_size(png)
    assert 900 <= width <= 1100 and 600 <= height <= 800


def test_chart_handles_an_empty_plan_and_no_study_days():
    plan = Plan(title="t", goal="g", skill_level=SkillLevel.BEGINNER, hours_per_week=1, weeks=[])
    summary = summarize(plan, [], {}, {}, StreakState())
    png = progress_chart_png(summary, [], date(2026, 1, 1), title="")
    assert png.startswith(b"\x89PNG")


def test_safe_text_is_literal_and_bounded():
    assert safe_text("cost $5 and $6") == "cost $5 and $6"
    assert safe_text("a\x00b\nc\u200d") == "ab c"
    assert safe_text("rocket 🚀 ok") == "rocket ok"
    assert len(safe_text("x" * 500)) == 80
