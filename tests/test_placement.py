"""Placement without fragments (property test): over random weekly availabilities, no
session is shorter than 30 minutes unless its slot is, no stretch of study in a row is
longer than the cap, budgets and order hold, and all the work is placed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.timetable import build_timetable
from storage.models import Module, Plan, SkillLevel, Slot, StudySession, Week

TZS = ["UTC", "Asia/Kolkata", "America/Sao_Paulo"]  # no DST: slot lengths are wall lengths


def _plan(week_hours: list[list[float]], hours_per_week: float) -> Plan:
    weeks = [
        Week(
            number=n,
            modules=[
                Module(id=f"w{n}m{i}", title=f"M{n}.{i}", hours=h, difficulty=1)
                for i, h in enumerate(hours, start=1)
            ],
        )
        for n, hours in enumerate(week_hours, start=1)
    ]
    return Plan(
        title="p", goal="g", skill_level=SkillLevel.BEGINNER, hours_per_week=hours_per_week,
        weeks=weeks,
    )  # fmt: skip


@st.composite
def availabilities(draw: st.DrawFn) -> list[Slot]:
    slots = []
    for _ in range(draw(st.integers(1, 8))):
        begin = draw(st.integers(0, 23 * 4)) * 15
        end = min(begin + draw(st.integers(1, 17 * 4)) * 15, 24 * 60 - 15)
        if end <= begin:
            continue
        slots.append(
            Slot(
                weekday=draw(st.integers(0, 6)),
                start=time(begin // 60, begin % 60),
                end=time(end // 60, end % 60),
            )
        )
    return slots or [Slot(weekday=0, start=time(18), end=time(20))]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    budget = draw(st.integers(1, 40)) * 0.5
    weeks = []
    for _ in range(draw(st.integers(1, 4))):
        hours = draw(st.lists(st.integers(1, 10).map(lambda q: q * 0.5), min_size=1, max_size=4))
        while len(hours) > 1 and sum(hours) > budget:
            hours.pop()
        weeks.append(hours)
    return _plan(weeks, hours_per_week=budget)


def _minutes(s: StudySession) -> int:
    return int((s.ends_at - s.starts_at).total_seconds() // 60)


def _slot_length(s: StudySession, slots: list[Slot], zone: ZoneInfo) -> int:
    """Length in minutes of the (merged) slot the session lies in, on its local day."""
    begin = s.starts_at.astimezone(zone)
    minute = begin.hour * 60 + begin.minute
    spans = sorted(
        (x.start.hour * 60 + x.start.minute, x.end.hour * 60 + x.end.minute)
        for x in slots
        if x.weekday == begin.weekday()
    )
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return next(b - a for a, b in merged if a <= minute < b)


@settings(max_examples=200, deadline=None)
@given(
    plan=plans(),
    slots=availabilities(),
    tz=st.sampled_from(TZS),
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    now_hours=st.integers(-24, 72),
    cap=st.sampled_from([60, 90, 120, 180]),
)
def test_no_fragments_no_marathons(
    plan: Plan, slots: list[Slot], tz: str, start: date, now_hours: int, cap: int
) -> None:
    zone = ZoneInfo(tz)
    now = datetime.combine(start, time(12), tzinfo=UTC) + timedelta(hours=now_hours)
    sessions = build_timetable(plan, slots, tz, start, now=now, max_session_minutes=cap)
    for s in sessions:
        assert _minutes(s) >= 30 or _slot_length(s, slots, zone) < 30, s
    stretch = 0
    previous: StudySession | None = None
    for s in sessions:
        stretch = (
            stretch + _minutes(s) if previous and previous.ends_at == s.starts_at else _minutes(s)
        )
        assert stretch <= cap
        previous = s
    windows: defaultdict[int, int] = defaultdict(int)
    for s in sessions:
        windows[(s.starts_at.astimezone(zone).date() - start).days // 7] += _minutes(s)
    assert all(v <= plan.hours_per_week * 60 for v in windows.values())
    for a, b in pairwise(sessions):
        assert a.ends_at <= b.starts_at
    assert list(dict.fromkeys(s.module_id for s in sessions)) == [m.id for m in plan.modules()]
    assert sum(_minutes(s) for s in sessions) == round(plan.total_hours * 60)
