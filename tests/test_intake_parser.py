"""Focused tests for `agent.understanding.intake` (and robustness of
`agent.understanding.refinement`).

The broad utterance table lives in `tests/test_parsers_table.py`; these tests pin down
time-zone resolution, `missing_fields`, the problems reported for absurd values, and
that neither parser ever raises.
"""

from __future__ import annotations

import math
from datetime import date, time
from zoneinfo import available_timezones

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.refine_ops import RefineOp
from agent.understanding.availability import parse_availability
from agent.understanding.intake import FIELD_ORDER, missing_fields, parse_intake
from agent.understanding.numbers import find_plan_weeks, find_weekly_hours
from agent.understanding.places import resolve_timezone, timezone_from_location
from agent.understanding.refinement import parse_refinement
from storage.models import Goal, SkillLevel, Slot

TODAY = date(2026, 1, 14)


# ---- time zones -----------------------------------------------------------------------
# Place look-ups are owned by agent.understanding.places (tests/test_understanding_places.py);
# cases whose meaning changed there (ambiguous "san francisco", the town of March, past dates
# dropped by agent.understanding.dates) were left to those tests.


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("Tokyo", "Asia/Tokyo"),
        ("I'm in Tokyo", "Asia/Tokyo"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc +2", "Etc/GMT-2"),
        ("GMT-5", "Etc/GMT+5"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("GMT+0", "UTC"),
        ("utc", "UTC"),
        ("GMT", "Europe/London"),
        ("+05:30", "Asia/Kolkata"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("UTC+0530", "Asia/Kolkata"),
        ("+09:30", "Australia/Darwin"),
        ("+05:45", "Asia/Kathmandu"),
        ("UTC+3:30", "Asia/Tehran"),
        ("-03:30", "America/St_Johns"),
        ("+02:00", "Etc/GMT-2"),
        ("+3", "Etc/GMT-3"),
        ("Seattle", "America/Los_Angeles"),
        ("Munich", "Europe/Berlin"),
        ("kiev", "Europe/Kyiv"),
        ("Kyiv", "Europe/Kyiv"),
        ("St. Petersburg", "Europe/Moscow"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Mumbai", "Asia/Kolkata"),
        ("india", "Asia/Kolkata"),
        ("China", "Asia/Shanghai"),
        ("Milan", "Europe/Rome"),
        ("Montreal", "America/Toronto"),
        ("Vancouver", "America/Vancouver"),
        ("UK", "Europe/London"),
        ("Germany", "Europe/Berlin"),
        ("the Netherlands", "Europe/Amsterdam"),
        ("PST", "America/Los_Angeles"),
        ("cet", "Europe/Berlin"),
        ("eastern time", "America/New_York"),
    ],
)
def test_resolve_timezone(text: str, zone: str) -> None:
    assert resolve_timezone(text) == zone


@pytest.mark.parametrize(
    "text", ["", "   ", "Narnia", "UTC+20", "+25:00", "hello", "start", "central", "7pm"]
)
def test_resolve_timezone_unknown(text: str) -> None:
    assert resolve_timezone(text) is None


def test_resolved_zones_are_real() -> None:
    zones = available_timezones()
    for text in ["UTC+2", "UTC-11", "+05:45", "Berlin", "Germany", "nyc", "utc", "EST"]:
        assert resolve_timezone(text) in zones


def test_timezone_from_location() -> None:
    assert timezone_from_location(52.52, 13.405) == "Europe/Berlin"
    assert timezone_from_location(40.7128, -74.006) == "America/New_York"
    assert timezone_from_location(35.68, 139.69) == "Asia/Tokyo"


@pytest.mark.parametrize(("lat", "lon"), [(91.0, 0.0), (0.0, 181.0), (math.nan, 0.0)])
def test_timezone_from_location_rejects_bad_points(lat: float, lon: float) -> None:
    assert timezone_from_location(lat, lon) is None


def test_shared_location_sets_the_timezone() -> None:
    update = parse_intake("__location__ 52.52 13.405", today=TODAY, expecting="timezone")
    assert update.fields == {"timezone": "Europe/Berlin"}


@pytest.mark.parametrize(
    "text",
    [
        "I want to learn about Christmas traditions",
        "learn the Phoenix framework",
        "learn about Darwin and evolution",
        "start in March, 6 weeks",
        "learn Central Asian history",
        "teach me Turkish cooking",
    ],
)
def test_place_names_do_not_fire_on_ordinary_words(text: str) -> None:
    assert "timezone" not in parse_intake(text, today=TODAY).fields


def test_places_in_free_text_need_a_cue() -> None:
    assert parse_intake("I'm based in Lisbon", today=TODAY).fields["timezone"] == "Europe/Lisbon"
    assert parse_intake("learn Rust, Paris time", today=TODAY).fields["timezone"] == "Europe/Paris"
    assert "timezone" not in parse_intake("learn the history of Paris", today=TODAY).fields


def test_offset_out_of_range_is_a_problem() -> None:
    update = parse_intake("UTC+20", today=TODAY, expecting="timezone")
    assert "timezone" not in update.fields
    assert update.problems


# ---- missing fields -------------------------------------------------------------------


def test_missing_fields_in_asking_order() -> None:
    assert missing_fields(Goal()) == [
        "goal",
        "skill_level",
        "hours_per_week",
        "weeks",
        "topics",
        "availability",
        "timezone",
    ]
    assert tuple(missing_fields(Goal())) == FIELD_ORDER


def test_missing_fields_partial() -> None:
    goal = Goal(goal="Rust", hours_per_week=5, timezone="Europe/Berlin")
    assert missing_fields(goal) == ["skill_level", "weeks", "topics", "availability"]


def test_weeks_satisfied_by_deadline_and_topics_by_answer() -> None:
    goal = Goal(goal="Rust", deadline=date(2026, 3, 1), topics_answered=True)
    missing = missing_fields(goal)
    assert "weeks" not in missing
    assert "topics" not in missing


def test_blank_goal_is_missing() -> None:
    assert missing_fields(Goal(goal="   "))[0] == "goal"


def test_complete_goal_has_nothing_missing() -> None:
    goal = Goal(
        goal="Rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=5,
        weeks=6,
        topics=["ownership"],
        availability=[Slot(weekday=0, start=time(19), end=time(21))],
        timezone="Europe/Berlin",
    )
    assert missing_fields(goal) == []


# ---- absurd and contradictory values ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expecting", "field"),
    [
        ("200 hours a week", None, "hours_per_week"),
        ("61h/week", None, "hours_per_week"),
        ("5 minutes a week", None, "hours_per_week"),
        ("200", "hours_per_week", "hours_per_week"),
        ("0 weeks", None, "weeks"),
        ("100 weeks", None, "weeks"),
        ("2 years", None, "weeks"),
        ("0", "weeks", "weeks"),
    ],
)
def test_absurd_values_become_problems(text: str, expecting: str | None, field: str) -> None:
    update = parse_intake(text, today=TODAY, expecting=expecting)
    assert field not in update.fields
    assert update.problems
    assert all(p.strip() and (p[0].isupper() or p[0].isdigit()) for p in update.problems)


def test_hours_problem_names_the_limit() -> None:
    (problem,) = parse_intake("200 hours a week", today=TODAY).problems
    assert "60" in problem and "200" in problem


def test_limits_are_inclusive() -> None:
    assert parse_intake("60 hours a week", today=TODAY).fields["hours_per_week"] == 60
    assert parse_intake("1 hour a week", today=TODAY).fields["hours_per_week"] == 1
    assert parse_intake("52 weeks", today=TODAY).fields["weeks"] == 52
    assert parse_intake("1 week", today=TODAY).fields["weeks"] == 1


def test_weeks_contradicting_deadline() -> None:
    update = parse_intake("4 weeks, by March 25", today=TODAY)
    assert "weeks" not in update.fields and "deadline" not in update.fields
    assert "4 weeks" in update.problems[0]


def test_deadline_close_to_stated_weeks_is_fine() -> None:
    update = parse_intake("7 weeks, by March 1", today=TODAY)
    assert update.fields["weeks"] == 7
    assert update.fields["deadline"] == date(2026, 3, 1)
    assert update.problems == []


def test_deadline_counts_from_start_date() -> None:
    update = parse_intake("start on March 2, finish by March 30", today=TODAY)
    assert update.fields["start_date"] == date(2026, 3, 2)
    assert update.fields["weeks"] == 4


def test_deadline_before_start_is_a_problem() -> None:
    update = parse_intake("start on March 20, finish by March 1", today=TODAY)
    assert "deadline" not in update.fields
    assert update.problems


def test_far_deadline_is_clamped() -> None:
    update = parse_intake("by 2029-01-01", today=TODAY)
    assert update.fields["weeks"] == 52


def test_yearless_dates_roll_forward() -> None:
    update = parse_intake("by January 10", today=TODAY)
    assert update.fields["deadline"] == date(2027, 1, 10)


def test_months_use_the_documented_factor() -> None:
    assert parse_intake("2 months", today=TODAY, expecting="weeks").fields["weeks"] == 9
    assert parse_intake("a month and a half", today=TODAY, expecting="weeks").fields["weeks"] == 6
    assert parse_intake("3 months", today=TODAY, expecting="weeks").fields["weeks"] == 13
    assert parse_intake("a month", today=TODAY, expecting="weeks").fields["weeks"] == 4
    assert parse_intake("6 months", today=TODAY, expecting="weeks").fields["weeks"] == 26
    assert parse_intake("12 months", today=TODAY, expecting="weeks").fields["weeks"] == 52


def test_experience_durations_are_not_plan_lengths() -> None:
    fields = parse_intake("6 months of experience with Go", today=TODAY).fields
    assert "weeks" not in fields
    fields = parse_intake("I used it for the last 2 weeks", today=TODAY).fields
    assert "weeks" not in fields


def test_hours_a_day_is_not_a_one_week_plan() -> None:
    fields = parse_intake("5 hours a week, 3 days a week", today=TODAY).fields
    assert fields["hours_per_week"] == 5
    assert "weeks" not in fields


# ---- availability ---------------------------------------------------------------------


def _slot(day: int, start: str, end: str) -> Slot:
    return Slot(weekday=day, start=time.fromisoformat(start), end=time.fromisoformat(end))


def test_parse_availability_spec_examples() -> None:
    assert parse_availability("weekday evenings 19:00–21:00, Saturday morning") == [
        *[_slot(d, "19:00", "21:00") for d in range(5)],
        _slot(5, "08:00", "10:00"),
    ]
    assert parse_availability("evenings after 7pm") == [
        _slot(d, "19:00", "21:00") for d in range(7)
    ]
    assert parse_availability("mon wed fri 6-8pm") == [
        _slot(d, "18:00", "20:00") for d in (0, 2, 4)
    ]
    assert parse_availability("weekends 10:00-12:00") == [
        _slot(d, "10:00", "12:00") for d in (5, 6)
    ]
    assert parse_availability("every day 7am-8am") == [_slot(d, "07:00", "08:00") for d in range(7)]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("7-9pm", "19:00", "21:00"),
        ("7pm-9pm", "19:00", "21:00"),
        ("19-21", "19:00", "21:00"),
        ("6:30pm to 8pm", "18:30", "20:00"),
        ("from 7 to 9pm", "19:00", "21:00"),
        ("11-1pm", "11:00", "13:00"),
        ("10am-2", "10:00", "14:00"),
        ("9pm-midnight", "21:00", "23:59"),
        ("lunch", "12:00", "13:00"),
        ("nights", "21:00", "23:00"),
        ("afternoons", "14:00", "16:00"),
        ("before 9am", "07:00", "09:00"),
        ("after 11pm", "23:00", "23:59"),
    ],
)
def test_time_windows(text: str, start: str, end: str) -> None:
    assert parse_availability(text) == [_slot(d, start, end) for d in range(7)]


def test_overlapping_windows_are_merged() -> None:
    assert parse_availability("Monday 18:00-20:00 and Monday 19:00-21:00") == [
        _slot(0, "18:00", "21:00")
    ]


@pytest.mark.parametrize("text", ["10pm-1am", "21:00-19:00", "19:00-19:10"])
def test_bad_windows_are_problems(text: str) -> None:
    update = parse_intake(text, today=TODAY, expecting="availability")
    assert "availability" not in update.fields
    assert update.problems


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("every evening except Sunday", (0, 1, 2, 3, 4, 5)),
        ("weekdays but not Wednesday", (0, 1, 3, 4)),
        ("evenings, not on Fridays or Saturdays", (0, 1, 2, 3, 6)),
        ("every day except weekends", (0, 1, 2, 3, 4)),
    ],
)
def test_excluded_days(text: str, days: tuple[int, ...]) -> None:
    assert [s.weekday for s in parse_availability(text)] == list(days)


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("twice a week for 2 hours", 4.0),
        ("an hour 3 times a week", 3.0),
        ("30 minutes a day, 5 days a week", 2.5),
        ("3 evenings a week for 90 minutes", 4.5),
        ("2 hours every weekday", 10.0),
    ],
)
def test_hours_from_sessions_per_week(text: str, hours: float) -> None:
    assert parse_intake(text, today=TODAY).fields["hours_per_week"] == hours


def test_availability_keeps_the_original_phrase() -> None:
    fields = parse_intake("learn Rust, weekday evenings 19:00–21:00", today=TODAY).fields
    assert fields["availability_text"] == "weekday evenings 19:00–21:00"


def test_good_morning_is_not_availability() -> None:
    assert "availability" not in parse_intake("good morning!", today=TODAY).fields


# ---- helpers shared with the refinement parser -----------------------------------------------


def test_find_weekly_hours_and_weeks() -> None:
    assert [q.value for q in find_weekly_hours("an hour a day")] == [7.0]
    assert [q.value for q in find_weekly_hours("30 min a day")] == [3.5]
    assert [q.value for q in find_weekly_hours("2h daily")] == [14.0]
    assert [q.value for q in find_weekly_hours("5 hrs per week")] == [5.0]
    assert [q.value for q in find_plan_weeks("3 mo")] == [13.0]
    assert [q.value for q in find_plan_weeks("a year")] == []
    assert [q.value for q in find_plan_weeks("in a year")] == [52.0]


# ---- shape of the update --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I want to learn Rust, 6 weeks, 5h/week, beginner, evenings after 7pm, Berlin",
        "Learn fine-tuning LLMs with LoRA and QLoRA. intermediate. 8 hours a week for 2 months, "
        "weekday evenings 19:00-21:00 and Saturday morning, timezone Europe/London",
        "master SQL by 2026-04-30 starting tomorrow, topics: joins, window functions",
    ],
)
def test_fields_validate_as_a_goal(text: str) -> None:
    fields = parse_intake(text, today=TODAY).fields
    goal = Goal.model_validate(fields)
    assert goal.model_dump(exclude_unset=True).keys() == fields.keys()
    assert set(fields) <= set(Goal.model_fields)


def test_commands_and_greetings_yield_nothing() -> None:
    for text in ["/start", "/plan", "hi", "thanks!", "", "   "]:
        assert parse_intake(text, today=TODAY).fields == {}


# ---- never raises ---------------------------------------------------------------------

EXPECTING = st.sampled_from([None, *FIELD_ORDER, "deadline", "start_date", "confirm"])
LONG_TEXT = st.text(min_size=1, max_size=40).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000])


def _check_intake(text: str, expecting: str | None) -> None:
    update = parse_intake(text, today=TODAY, expecting=expecting)
    goal = Goal.model_validate(update.fields)
    if goal.hours_per_week is not None:
        assert 1 <= goal.hours_per_week <= 60
    if goal.weeks is not None:
        assert 1 <= goal.weeks <= 52
    if goal.deadline is not None:
        assert goal.deadline > TODAY
    if goal.timezone is not None:
        assert goal.timezone in available_timezones()
    assert all(isinstance(p, str) and p for p in update.problems)


@settings(max_examples=300, deadline=None)
@given(st.text(), EXPECTING)
def test_parse_intake_never_raises(text: str, expecting: str | None) -> None:
    _check_intake(text, expecting)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG_TEXT, EXPECTING)
def test_parse_intake_never_raises_on_long_text(text: str, expecting: str | None) -> None:
    _check_intake(text, expecting)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_refinement_never_raises(text: str) -> None:
    ops = parse_refinement(text)
    assert all(isinstance(op, RefineOp) for op in ops)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG_TEXT)
def test_parse_refinement_never_raises_on_long_text(text: str) -> None:
    assert isinstance(parse_refinement(text), list)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_timezone_helpers_never_raise(text: str) -> None:
    zone = resolve_timezone(text)
    assert zone is None or zone in available_timezones()
    assert isinstance(parse_availability(text), list)


@pytest.mark.parametrize(
    "text",
    [
        "5h/week " * 1250,
        "7-9pm mon " * 1000,
        "by March 1 " * 900,
        "\x00\x1f\u202e\ud7ff" * 2500,
        "learn " * 1700,
        "9" * 10_000,
    ],
)
def test_pathological_inputs(text: str) -> None:
    _check_intake(text, None)
    _check_intake(text, "availability")
    assert isinstance(parse_refinement(text), list)
