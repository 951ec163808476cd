"""The understanding bench's scoring rules, on expected meanings against hand-made outputs."""

from __future__ import annotations

import json
from typing import Any

from bench.understanding import GROUPS, SET_DIR, load_items
from bench.understanding_score import (
    FIELDS,
    normalize_goal,
    same_availability,
    same_ops,
    same_timezone,
    score_item,
)

INTAKE = {
    "intent": "intake",
    "fields": {
        "goal": "Python for data analysis",
        "skill_level": "beginner",
        "hours_per_week": 4,
        "topics": ["pandas", "plotting"],
        "availability": [{"days": ["tue", "thu"], "start": "19:00"}],
        "timezone": "Europe/Warsaw",
    },
    "goal_alternatives": ["Python"],
}


def _output(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "goal": "Python for data analysis",
        "skill_level": "beginner",
        "hours_per_week": 4.0,
        "weeks": None,
        "deadline": None,
        "topics": ["pandas", "plotting"],
        "availability": [
            {"days": ["tue", "thu"], "start": "19:00", "end": "21:00"},
        ],
        "timezone": "Europe/Warsaw",
    }
    base.update(fields)
    return {"intent": "intake", "fields": base, "module": None, "minutes": None, "ops": []}


def _wrong(expect: dict[str, Any], output: dict[str, Any]) -> set[str]:
    return {name for name, ok in score_item(expect, output).items() if not ok}


def test_a_right_output_passes_every_check() -> None:
    checks = score_item(INTAKE, _output())
    assert set(checks) == {"intent", *FIELDS}
    assert all(checks.values())


def test_a_wrong_field_fails_only_that_field() -> None:
    assert _wrong(INTAKE, _output(skill_level="advanced")) == {"skill_level"}
    assert _wrong(INTAKE, _output(hours_per_week=4.5)) == {"hours_per_week"}
    assert _wrong({**INTAKE, "intent": "nonanswer"}, _output()) == {"intent"}


def test_an_extra_field_is_wrong_because_unstated_fields_are_null() -> None:
    assert _wrong(INTAKE, _output(weeks=6)) == {"weeks"}
    assert _wrong(INTAKE, _output(deadline="2027-03-01")) == {"deadline"}


def test_topics_are_sets_of_case_insensitive_stripped_strings() -> None:
    assert _wrong(INTAKE, _output(topics=[" Plotting", "PANDAS "])) == set()
    assert _wrong(INTAKE, _output(topics=["pandas"])) == {"topics"}


def test_no_topics_and_unmentioned_topics_differ() -> None:
    expect = {"intent": "intake", "fields": {"topics": []}}
    assert score_item(expect, {"intent": "intake", "fields": {"topics": []}})["topics"]
    assert not score_item(expect, {"intent": "intake", "fields": {"topics": None}})["topics"]
    assert not score_item({"intent": "intake", "fields": {}}, _output(topics=[]))["topics"]


def test_hours_within_a_hundredth() -> None:
    expect = {"intent": "intake", "fields": {"hours_per_week": 2.3333}}
    assert score_item(expect, {"intent": "intake", "fields": {"hours_per_week": 7 / 3}})[
        "hours_per_week"
    ]


def test_time_zones_with_the_same_offsets_are_the_same() -> None:
    assert same_timezone("Europe/Kyiv", "Europe/Kiev")
    assert same_timezone("Asia/Ho_Chi_Minh", "Asia/Bangkok")
    assert same_timezone("Europe/Berlin", "CET")
    assert not same_timezone("America/New_York", "EST")
    assert not same_timezone("Europe/Berlin", "Europe/London")
    assert not same_timezone("Europe/Berlin", "Berlin")
    assert not same_timezone(None, "Europe/Berlin")


def test_availability_compares_clock_times_only_where_expected() -> None:
    days_only = [{"days": ["sat", "sun"]}]
    assert same_availability(days_only, [{"days": ["sun", "sat"], "start": "09:00", "end": None}])
    assert not same_availability(days_only, [{"days": ["sat"]}])
    assert not same_availability(days_only, [{"days": ["sat", "sun", "fri"]}])
    timed = [{"days": ["mon"], "start": "18:00", "end": "19:30"}, {"days": ["thu"], "end": "21:30"}]
    got = [
        {"days": ["thu"], "start": "20:00", "end": "21:30"},
        {"days": ["mon"], "start": "18:00", "end": "19:30"},
    ]
    assert same_availability(timed, got)
    assert not same_availability(timed, [{"days": ["mon", "thu"], "start": "18:00"}])
    assert same_availability(None, [])


def test_goals_are_compared_loosely_and_against_alternatives() -> None:
    assert normalize_goal("Learn how to cook Thai food!") == "cook thai food"
    assert normalize_goal("  Kraków   history ") == "krakow history"
    assert _wrong(INTAKE, _output(goal="learning python")) == set()
    assert _wrong(INTAKE, _output(goal="data analysis")) == {"goal"}


def test_ops_are_multisets_with_topics_case_insensitive_and_numbers_as_numbers() -> None:
    expected = [{"op": "lighter_week", "week": 3}, {"op": "add_topic", "topic": "Docker"}]
    assert same_ops(
        expected, [{"op": "add_topic", "topic": "docker"}, {"op": "lighter_week", "week": 3.0}]
    )
    assert not same_ops(expected, [{"op": "lighter_week", "week": 3}])
    assert not same_ops(expected, [*expected, {"op": "harder"}])
    assert same_ops(
        [{"op": "swap_weeks", "week": 2, "other_week": 3}],
        [{"op": "swap_weeks", "week": 3, "other_week": 2}],
    )
    assert same_ops([{"op": "drop_quiz", "week": None}], [{"op": "drop_quiz"}])
    assert same_ops([], [])
    assert not same_ops([], None)


def test_module_minutes_ambiguous_and_nonanswer_are_checked_when_expected() -> None:
    progress = {"intent": "partial", "module": None, "minutes": 20}
    assert all(score_item(progress, {"intent": "partial", "module": None, "minutes": 20}).values())
    assert _wrong(progress, {"intent": "partial", "module": "w1m1", "minutes": 20}) == {"module"}
    place = {"intent": "intake", "fields": {}, "ambiguous": ["timezone"]}
    assert _wrong(place, {"intent": "intake", "fields": {}, "ambiguous": []}) == {"ambiguous"}
    unsure = {"intent": "nonanswer", "fields": {}, "nonanswer": "unsure"}
    assert _wrong(
        unsure, {"intent": "nonanswer", "fields": {"goal": "hmm not sure"}, "nonanswer": "unsure"}
    ) == {"goal"}
    assert _wrong(unsure, "not even a dict") == {"intent", "nonanswer"}


def test_the_dev_set_has_every_group_and_expands_plan_references() -> None:
    items = load_items("dev")
    assert {item["group"] for item in items} == set(GROUPS)
    plans = json.loads((SET_DIR / "plans.json").read_text())
    for item in items:
        assert "plan_ref" not in item["request"]
        if item["group"] in ("progress", "refine", "questions"):
            assert item["request"]["plan"] == plans[item["input"]["plan_ref"]]


def test_at_the_card_an_unchanged_field_may_be_repeated_or_left_null() -> None:
    card = {"goal": "Python", "skill_level": "beginner", "hours_per_week": 5, "weeks": 8}
    context = {"asking": "confirm", "goal": card}
    whole = {"intent": "intake", "fields": {**card, "weeks": 10}}
    changed = {"intent": "intake", "fields": {"weeks": 10}}
    for expect in (whole, changed):
        for got in (whole, changed):
            assert all(score_item(expect, got, context).values()), (expect, got)
    wrong = {"intent": "intake", "fields": {**card, "skill_level": "advanced", "weeks": 10}}
    assert not score_item(whole, wrong, context)["skill_level"]
    assert not score_item(whole, changed, {"asking": "weeks", "goal": card})["goal"]
