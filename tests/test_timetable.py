"""Tests for scheduler.timetable: slot placement, DST, budgets and rescheduling."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.timetable import build_timetable, first_available_start, reschedule_missed
from storage.models import Module, Plan, SkillLevel, Slot, StudySession, Week

BERLIN = "Europe/Berlin"


def make_plan(week_hours: list[list[float]], hours_per_week: float) -> Plan:
    weeks = [
        Week(
            number=n,
            modules=[
                Module(id=f"w{n}m{i}", title=f"Module {n}.{i}", hours=h, difficulty=2)
                for i, h in enumerate(hours, start=1)
            ],
        )
        for n, hours in enumerate(week_hours, start=1)
    ]
    return Plan(
        title="Test plan",
        goal="learn",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=hours_per_week,
        weeks=weeks,
    )


def slot(weekday: int, start: str, end: str) -> Slot:
    return Slot(weekday=weekday, start=time.fromisoformat(start), end=time.fromisoformat(end))


def daily(start: str, end: str) -> list[Slot]:
    return [slot(d, start, end) for d in range(7)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def minutes(session: StudySession) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def window_minutes(sessions: list[StudySession], tz: str, start: date) -> dict[int, int]:
    totals: defaultdict[int, int] = defaultdict(int)
    for s in sessions:
        totals[(local(s.starts_at, tz).date() - start).days // 7] += minutes(s)
    return dict(totals)


def in_some_slot(session: StudySession, slots: list[Slot], tz: str) -> bool:
    begin, end = local(session.starts_at, tz), local(session.ends_at, tz)
    return any(
        s.weekday == begin.weekday()
        and s.start <= begin.time()
        and end.date() == begin.date()
        and end.time() <= s.end
        for s in slots
    )


def test_sessions_land_in_local_slots_in_utc() -> None:
    slots = [slot(0, "19:00", "21:00"), slot(3, "07:30", "08:30"), slot(5, "10:00", "12:00")]
    plan = make_plan([[1, 2, 1], [1.5, 1.5]], hours_per_week=4)
    start = date(2026, 6, 1)
    sessions = build_timetable(plan, slots, BERLIN, start, now=utc(2026, 5, 30))
    assert sessions
    for s in sessions:
        assert s.starts_at.tzinfo is UTC and s.ends_at.tzinfo is UTC
        assert in_some_slot(s, slots, BERLIN)
    first = sessions[0]
    assert (first.session_id, first.starts_at) == ("w1m1-p1", utc(2026, 6, 1, 17))
    assert sum(minutes(s) for s in sessions) == round(plan.total_hours * 60)


@pytest.mark.parametrize(
    ("tz", "start", "before", "after", "utc_hours"),
    [
        (BERLIN, date(2026, 10, 19), date(2026, 10, 24), date(2026, 10, 25), (17, 18)),
        (BERLIN, date(2027, 3, 22), date(2027, 3, 27), date(2027, 3, 28), (18, 17)),
        ("America/New_York", date(2026, 10, 26), date(2026, 10, 31), date(2026, 11, 1), (23, 0)),
    ],
    ids=["berlin-fall-back", "berlin-spring-forward", "new-york-fall-back"],
)
def test_evening_slot_keeps_local_time_across_dst(
    tz: str, start: date, before: date, after: date, utc_hours: tuple[int, int]
) -> None:
    plan = make_plan([[1] * 7, [1] * 7], hours_per_week=7)
    sessions = build_timetable(plan, daily("19:00", "20:00"), tz, start, now=utc(2026, 1, 1))
    assert len(sessions) == 14
    by_day = {local(s.starts_at, tz).date(): s for s in sessions}
    for s in sessions:
        assert local(s.starts_at, tz).time() == time(19, 0)
        assert local(s.ends_at, tz).time() == time(20, 0)
    assert by_day[before].starts_at.hour == utc_hours[0]
    assert by_day[after].starts_at.hour == utc_hours[1]


def test_spring_forward_gap_shifts_start_forward() -> None:
    # 02:00 does not exist on 2027-03-28 in Berlin: it becomes 03:00 CEST (01:00Z),
    # so the 02:00-04:00 window offers one real hour that night.
    plan = make_plan([[1]], hours_per_week=5)
    sessions = build_timetable(
        plan, [slot(6, "02:00", "04:00")], BERLIN, date(2027, 3, 22), now=utc(2027, 3, 1)
    )
    assert [(s.starts_at, s.ends_at) for s in sessions] == [
        (utc(2027, 3, 28, 1), utc(2027, 3, 28, 2))
    ]
    assert local(sessions[0].starts_at, BERLIN).time() == time(3, 0)


def test_fall_back_ambiguous_time_uses_first_occurrence() -> None:
    # 02:30 happens twice on 2026-10-25 in Berlin; fold=0 picks the CEST one (00:30Z),
    # the 03:30 end is CET (02:30Z): the window lasts two real hours that night.
    plan = make_plan([[2]], hours_per_week=5)
    sessions = build_timetable(
        plan, [slot(6, "02:30", "03:30")], BERLIN, date(2026, 10, 19), now=utc(2026, 10, 1)
    )
    assert [(s.starts_at, s.ends_at) for s in sessions] == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 30))
    ]


def test_module_longer_than_slot_is_split_into_parts() -> None:
    plan = make_plan([[2.5]], hours_per_week=5)
    slots = [slot(0, "18:00", "19:00"), slot(2, "18:00", "19:00"), slot(4, "18:00", "19:00")]
    sessions = build_timetable(plan, slots, "UTC", date(2026, 6, 1), now=utc(2026, 6, 1))
    assert [(s.session_id, s.part, s.parts, minutes(s)) for s in sessions] == [
        ("w1m1-p1", 1, 3, 60),
        ("w1m1-p2", 2, 3, 60),
        ("w1m1-p3", 3, 3, 30),
    ]
    assert [s.starts_at.day for s in sessions] == [1, 3, 5]


def test_split_never_leaves_a_part_shorter_than_30_minutes() -> None:
    plan = make_plan([[70 / 60]], hours_per_week=5)
    slots = [slot(0, "18:00", "19:00"), slot(2, "18:00", "19:00")]
    sessions = build_timetable(plan, slots, "UTC", date(2026, 6, 1), now=utc(2026, 6, 1))
    assert [minutes(s) for s in sessions] == [40, 30]


def test_short_modules_share_a_slot_back_to_back() -> None:
    plan = make_plan([[0.5, 0.25, 0.25]], hours_per_week=5)
    sessions = build_timetable(
        plan, [slot(0, "18:00", "19:00")], "UTC", date(2026, 6, 1), now=utc(2026, 6, 1)
    )
    assert [(s.module_id, s.starts_at.time(), s.ends_at.time()) for s in sessions] == [
        ("w1m1", time(18, 0), time(18, 30)),
        ("w1m2", time(18, 30), time(18, 45)),
        ("w1m3", time(18, 45), time(19, 0)),
    ]
    assert all(s.parts == 1 and s.session_id.endswith("-p1") for s in sessions)


def test_overflow_spills_into_next_week_ahead_of_its_modules() -> None:
    # 3 h per plan week but only 2 h of slots per week: every week pushes the next.
    plan = make_plan([[1, 1, 1], [1, 1, 1]], hours_per_week=3)
    slots = [slot(0, "18:00", "19:00"), slot(4, "18:00", "19:00")]
    start = date(2026, 6, 1)
    sessions = build_timetable(plan, slots, "UTC", start, now=utc(2026, 6, 1))
    assert [(s.module_id, s.week, s.starts_at.day) for s in sessions] == [
        ("w1m1", 1, 1),
        ("w1m2", 1, 5),
        ("w1m3", 1, 8),
        ("w2m1", 2, 12),
        ("w2m2", 2, 15),
        ("w2m3", 2, 19),
    ]


def test_spilled_work_counts_against_the_next_weeks_budget() -> None:
    # Week 1's slots are all past, so its 3 h fill week 2's budget; the Saturday slot
    # of week 2 stays free and week 2's own modules move to week 3.
    plan = make_plan([[1, 1, 1], [1, 1, 1]], hours_per_week=3)
    slots = [slot(d, "18:00", "19:00") for d in (0, 2, 4, 5)]
    start = date(2026, 6, 1)
    sessions = build_timetable(plan, slots, "UTC", start, now=utc(2026, 6, 6, 19, 30))
    assert window_minutes(sessions, "UTC", start) == {1: 180, 2: 180}
    assert [s.starts_at.day for s in sessions] == [8, 10, 12, 15, 17, 19]


def test_later_plan_week_never_starts_early() -> None:
    plan = make_plan([[0.5], [0.5]], hours_per_week=5)
    start = date(2026, 6, 1)
    sessions = build_timetable(plan, daily("18:00", "20:00"), "UTC", start, now=utc(2026, 5, 1))
    assert [s.starts_at for s in sessions] == [utc(2026, 6, 1, 18), utc(2026, 6, 8, 18)]


def test_no_session_before_now_and_later_today_counts() -> None:
    plan = make_plan([[1, 1, 1]], hours_per_week=5)
    slots = daily("08:00", "09:00") + daily("19:00", "20:00")
    now = utc(2026, 6, 3, 12)  # 14:00 in Berlin: the morning slot is gone, 19:00 is not
    sessions = build_timetable(plan, slots, BERLIN, date(2026, 6, 1), now=now)
    assert all(s.starts_at >= now for s in sessions)
    assert sessions[0].starts_at == utc(2026, 6, 3, 17)


def test_slot_already_started_is_not_used() -> None:
    plan = make_plan([[0.5]], hours_per_week=5)
    sessions = build_timetable(
        plan, daily("12:00", "14:00"), "UTC", date(2026, 6, 1), now=utc(2026, 6, 3, 12, 1)
    )
    assert sessions[0].starts_at == utc(2026, 6, 4, 12)


def test_placement_is_deterministic() -> None:
    plan = make_plan([[1.5, 0.75], [2]], hours_per_week=3)
    args = (plan, daily("18:00", "19:00"), BERLIN, date(2026, 6, 1))
    assert build_timetable(*args, now=utc(2026, 6, 1)) == build_timetable(
        *args, now=utc(2026, 6, 1)
    )


def test_no_usable_slots_or_budget_gives_empty_timetable() -> None:
    plan = make_plan([[1]], hours_per_week=3)
    assert build_timetable(plan, [], "UTC", date(2026, 6, 1), now=utc(2026, 6, 1)) == []
    too_short = [slot(0, "18:00", "18:10")]
    assert build_timetable(plan, too_short, "UTC", date(2026, 6, 1), now=utc(2026, 6, 1)) == []
    no_budget = make_plan([[1]], hours_per_week=0)
    assert (
        build_timetable(
            no_budget, daily("18:00", "19:00"), "UTC", date(2026, 6, 1), now=utc(2026, 6, 1)
        )
        == []
    )


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_timetable(
            make_plan([[1]], 3),
            daily("18:00", "19:00"),
            "UTC",
            date(2026, 6, 1),
            now=datetime(2026, 6, 1),
        )


def test_first_available_start_counts_a_session_later_today() -> None:
    slots = [slot(2, "19:00", "20:00"), slot(4, "07:00", "08:00")]
    wednesday_noon = utc(2026, 6, 3, 10)  # Wednesday 12:00 Berlin
    assert first_available_start(slots, BERLIN, wednesday_noon) == date(2026, 6, 3)
    wednesday_evening = utc(2026, 6, 3, 17, 30)  # 19:30 Berlin: today's slot has started
    assert first_available_start(slots, BERLIN, wednesday_evening) == date(2026, 6, 5)
    exactly_at_start = utc(2026, 6, 3, 17)
    assert first_available_start(slots, BERLIN, exactly_at_start) == date(2026, 6, 3)


def test_first_available_start_uses_the_local_date() -> None:
    # 2026-06-03 23:30Z is already Thursday 08:30 in Tokyo.
    slots = [slot(3, "20:00", "21:00")]
    assert first_available_start(slots, "Asia/Tokyo", utc(2026, 6, 3, 23, 30)) == date(2026, 6, 4)
    assert first_available_start([], "Asia/Tokyo", utc(2026, 6, 3, 23, 30)) == date(2026, 6, 4)


def _timetable_for_reschedule() -> tuple[list[StudySession], list[Slot]]:
    plan = make_plan([[1, 1, 1], [1, 1, 1]], hours_per_week=3)
    slots = [slot(0, "18:00", "19:00"), slot(2, "18:00", "19:00"), slot(4, "18:00", "19:00")]
    sessions = build_timetable(plan, slots, "UTC", date(2026, 6, 1), now=utc(2026, 6, 1))
    return sessions, slots


def test_reschedule_missed_moves_unfinished_work_after_now() -> None:
    sessions, slots = _timetable_for_reschedule()
    sessions[0] = sessions[0].model_copy(update={"status": "done"})  # Mon 1st
    now = utc(2026, 6, 6)  # Wed 3rd and Fri 5th were missed
    new, moves = reschedule_missed(
        sessions, slots, "UTC", now=now, hours_per_week=3, start=date(2026, 6, 1)
    )
    by_id = {s.session_id: s for s in new}
    assert len(new) == len(sessions) == len(by_id)
    assert by_id["w1m1-p1"] == sessions[0]
    moved_old = {old.session_id: old for old, _ in moves}
    assert moved_old["w1m2-p1"].status == "missed"
    assert moved_old["w1m3-p1"].status == "missed"
    assert moved_old["w2m1-p1"].status == "planned"
    planned = [s for s in new if s.status == "planned"]
    assert [s.module_id for s in planned] == ["w1m2", "w1m3", "w2m1", "w2m2", "w2m3"]
    assert all(s.starts_at >= now and s.sequence == 1 for s in planned)
    assert planned[0].starts_at == utc(2026, 6, 8, 18)
    for old, moved in moves:
        assert old.session_id == moved.session_id
        assert moved.sequence == old.sequence + 1
        assert moved.starts_at != old.starts_at
    assert all(v <= 180 for v in window_minutes(new, "UTC", date(2026, 6, 1)).values())


def test_reschedule_without_missed_sessions_changes_nothing() -> None:
    sessions, slots = _timetable_for_reschedule()
    new, moves = reschedule_missed(sessions, slots, "UTC", now=utc(2026, 6, 1), hours_per_week=3)
    assert (new, moves) == (sessions, [])


def test_reschedule_keeps_later_sessions_that_still_fit() -> None:
    # One missed session, and a free slot tonight: it takes that slot and the later
    # sessions stay where they are (no sequence bump, not reported).
    plan = make_plan([[1, 1]], hours_per_week=5)
    slots = daily("18:00", "19:00")
    sessions = build_timetable(plan, slots, "UTC", date(2026, 6, 1), now=utc(2026, 6, 1))
    sessions[1] = sessions[1].model_copy(
        update={"starts_at": utc(2026, 6, 4, 18), "ends_at": utc(2026, 6, 4, 19)}
    )
    new, moves = reschedule_missed(sessions, slots, "UTC", now=utc(2026, 6, 2, 9), hours_per_week=5)
    assert [(old.session_id, moved.starts_at) for old, moved in moves] == [
        ("w1m1-p1", utc(2026, 6, 2, 18))
    ]
    assert new[1] == sessions[1]


def test_reschedule_respects_budget_used_by_done_sessions() -> None:
    # Mon done, Tue and Wed missed; with a 2 h budget only one hour is left this week.
    plan = make_plan([[1, 1, 1]], hours_per_week=3)
    slots = daily("18:00", "19:00")
    start = date(2026, 6, 1)
    sessions = build_timetable(plan, slots, "UTC", start, now=utc(2026, 6, 1))
    sessions[0] = sessions[0].model_copy(update={"status": "done"})
    new, moves = reschedule_missed(
        sessions, slots, "UTC", now=utc(2026, 6, 4, 9), hours_per_week=2, start=start
    )
    assert [moved.starts_at for _, moved in moves] == [utc(2026, 6, 4, 18), utc(2026, 6, 8, 18)]
    assert window_minutes(new, "UTC", start) == {0: 120, 1: 60}


def test_reschedule_keeps_ids_of_naive_stored_sessions() -> None:
    sessions, slots = _timetable_for_reschedule()
    naive = [
        s.model_copy(
            update={
                "starts_at": s.starts_at.replace(tzinfo=None),
                "ends_at": s.ends_at.replace(tzinfo=None),
            }
        )
        for s in sessions
    ]
    new, moves = reschedule_missed(naive, slots, "UTC", now=utc(2026, 6, 4), hours_per_week=3)
    assert {s.session_id for s in new} == {s.session_id for s in sessions}
    assert all(s.starts_at.tzinfo is UTC for s in new)
    assert moves


TZS = ["UTC", BERLIN, "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]


@st.composite
def slot_lists(draw: st.DrawFn) -> list[Slot]:
    result = []
    for _ in range(draw(st.integers(1, 6))):
        begin = draw(st.integers(0, 22 * 4)) * 15
        length = draw(st.integers(2, 12)) * 15
        end = min(begin + length, 24 * 60 - 1)
        result.append(
            Slot(
                weekday=draw(st.integers(0, 6)),
                start=time(begin // 60, begin % 60),
                end=time(end // 60, end % 60),
            )
        )
    return result


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    budget = draw(st.integers(2, 16)) * 0.5
    weeks = []
    for _ in range(draw(st.integers(1, 4))):
        hours = draw(st.lists(st.integers(1, 12).map(lambda q: q * 0.25), min_size=1, max_size=4))
        while sum(hours) > budget:
            hours.pop()
        weeks.append(hours or [0.25])
    return make_plan(weeks, hours_per_week=budget)


@settings(max_examples=150, deadline=None)
@given(
    plan=plans(),
    slots=slot_lists(),
    tz=st.sampled_from(TZS),
    start=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    now_offset_hours=st.integers(-48, 72),
)
def test_placement_invariants(
    plan: Plan, slots: list[Slot], tz: str, start: date, now_offset_hours: int
) -> None:
    now = datetime.combine(start, time(12), tzinfo=UTC) + timedelta(hours=now_offset_hours)
    sessions = build_timetable(plan, slots, tz, start, now=now)
    budget = plan.hours_per_week * 60
    assert all(v <= budget for v in window_minutes(sessions, tz, start).values())
    assert all(s.starts_at >= now and s.ends_at > s.starts_at for s in sessions)
    assert all(local(s.starts_at, tz).date() >= start for s in sessions)
    assert len({s.session_id for s in sessions}) == len(sessions)
    for earlier, later in pairwise(sessions):
        assert earlier.ends_at <= later.starts_at
    order = [m.id for m in plan.modules()]
    placed_order = list(dict.fromkeys(s.module_id for s in sessions))
    assert placed_order == order
    for s in sessions:
        module = plan.find_module(s.module_id)
        assert module is not None
        assert minutes(s) >= 15 or s.parts == 1
    assert sum(minutes(s) for s in sessions) == round(plan.total_hours * 60)


@settings(max_examples=100, deadline=None)
@given(
    plan=plans(),
    slots=slot_lists(),
    tz=st.sampled_from(TZS),
    elapsed_hours=st.integers(0, 24 * 21),
    statuses=st.lists(st.sampled_from(["done", "skipped", "planned"]), min_size=60, max_size=60),
)
def test_reschedule_invariants(
    plan: Plan, slots: list[Slot], tz: str, elapsed_hours: int, statuses: list[str]
) -> None:
    start = date(2026, 10, 19)
    built = build_timetable(plan, slots, tz, start, now=utc(2026, 10, 1))
    now = utc(2026, 10, 19) + timedelta(hours=elapsed_hours)
    sessions = [
        s.model_copy(update={"status": status}) if s.ends_at <= now else s
        for s, status in zip(built, statuses, strict=False)
    ]
    new, moves = reschedule_missed(
        sessions, slots, tz, now=now, hours_per_week=plan.hours_per_week, start=start
    )
    before = {s.session_id: s for s in sessions}
    assert sorted(before) == sorted(s.session_id for s in new)
    for s in new:
        if s.status in ("done", "skipped"):
            assert s == before[s.session_id]
        if s.status == "planned":
            assert s.starts_at >= now or s == before[s.session_id]
    for old, moved in moves:
        assert moved.sequence == old.sequence + 1 and moved.status == "planned"
    active = [s for s in new if s.status in ("done", "planned")]
    budget = plan.hours_per_week * 60
    assert all(v <= budget for v in window_minutes(active, tz, start).values())
    for earlier, later in pairwise(sorted(active, key=lambda s: s.starts_at)):
        assert earlier.ends_at <= later.starts_at
    moved_ids = [moved.session_id for _, moved in moves]
    assert moved_ids == [s.session_id for s in new if s.session_id in set(moved_ids)]
    assert moved_ids == [s.session_id for s in sessions if s.session_id in set(moved_ids)]


def test_missed_session_that_fits_nowhere_stays_missed() -> None:
    sessions, _ = _timetable_for_reschedule()
    short_slots = [slot(0, "18:00", "18:30")]
    new, moves = reschedule_missed(
        sessions, short_slots, "UTC", now=utc(2026, 6, 4), hours_per_week=3
    )
    assert moves == []
    assert [s.status for s in new[:2]] == ["missed", "missed"]
    assert [s.starts_at for s in new[:2]] == [s.starts_at for s in sessions[:2]]
    assert new[2:] == sessions[2:]
