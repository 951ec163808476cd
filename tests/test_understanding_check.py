"""The set checker: it accepts the frozen second holdout and names what a hand-written item gets
wrong, without ever running the bot."""

from __future__ import annotations

import json
from typing import Any

from bench.understanding import SET_DIR, load_items
from bench.understanding_check import check_item, ideal_output, main
from bench.understanding_score import score_item

PLANS = json.loads((SET_DIR / "plans.json").read_text())


def _item(expect: dict[str, Any], **inp: Any) -> dict[str, Any]:
    base = {"text": "x", "phase": "planned", "asking": None, "goal": {}, "plan_ref": "rust6"}
    return {
        "id": "t-1",
        "group": "progress",
        "input": {**base, "today": "2027-01-11", **inp},
        "expect": expect,
    }


def test_holdout2_is_well_formed_and_every_item_scores_fully_against_its_ideal_output() -> None:
    assert main(["holdout2"]) == 0
    items = load_items("holdout2")
    assert len(items) >= 410
    for item in items:
        assert all(score_item(item["expect"], ideal_output(item["expect"])).values()), item["id"]


def test_the_checker_names_a_module_a_week_a_zone_and_a_deadline_that_do_not_fit() -> None:
    module = _item({"intent": "done", "module": "w9m1", "minutes": None})
    assert check_item(module, PLANS) == ["module 'w9m1' not in the plan"]
    week = _item({"intent": "refine", "ops": [{"op": "lighter_week", "week": 7}]}, text="w7")
    assert check_item(week, PLANS) == ["lighter_week names week 7 the plan does not have"]
    intake = {"phase": "intake", "plan": None, "plan_ref": None}
    zone = _item({"intent": "intake", "fields": {"timezone": "Europe/Atlantis"}}, **intake)
    zone["input"].pop("plan_ref")
    assert check_item(zone, PLANS) == ["time zone 'Europe/Atlantis'"]
    past = _item({"intent": "intake", "fields": {"deadline": "2027-01-01"}}, **intake)
    past["input"].pop("plan_ref")
    assert check_item(past, PLANS) == ["deadline not after today"]


def test_the_checker_refuses_a_nonanswer_that_carries_a_value() -> None:
    item = _item(
        {"intent": "nonanswer", "fields": {"goal": "not sure"}, "nonanswer": "unsure"},
        phase="intake",
        asking="goal",
    )
    assert "a non-answer with values" in check_item(item, PLANS)
