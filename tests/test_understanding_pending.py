"""The reply to the bot's "How many weeks/hours should it have?" (the pending question,
`asking` in the planned phase): a number with at most filler answers it as a plan change,
relative answers count from the plan, "never mind" is the non-answer "no", and anything
else is understood as without the question. Rows are scored like the planned tables."""

from __future__ import annotations

from typing import Any

import pytest

from agent.understanding.meaning import PlanView, UnderstandingContext
from agent.understanding.rules import understand
from bench.understanding_score import score_item
from tests.planned_table import PLANS, TODAY


def _weeks(n: int) -> dict[str, Any]:
    return {"intent": "refine", "ops": [{"op": "set_weeks", "weeks": n}]}


def _hours(n: float) -> dict[str, Any]:
    return {"intent": "refine", "ops": [{"op": "set_hours", "hours": n}]}


def _asked_again(field: str) -> dict[str, Any]:
    return {"intent": "refine", "ops": [], "ambiguous": [field]}


DROPPED = {"intent": "nonanswer", "nonanswer": "no"}
LIGHTER_2 = {"intent": "refine", "ops": [{"op": "lighter_week", "week": 2}]}
# (plan, field asked, message, expected meaning); rust6 has 6 weeks of 5 h, aws10 10 of 6.
ROWS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("rust6", "weeks", "9", _weeks(9)),
    ("rust6", "weeks", "8 weeks", _weeks(8)),
    ("rust6", "weeks", "ten", _weeks(10)),
    ("rust6", "weeks", "10 please", _weeks(10)),
    ("rust6", "weeks", "let's say 7", _weeks(7)),
    ("rust6", "weeks", "how about 12?", _weeks(12)),
    ("rust6", "weeks", "ok 9 then", _weeks(9)),
    ("rust6", "weeks", "make it 8", _weeks(8)),
    ("rust6", "weeks", "2 months", _weeks(9)),
    ("rust6", "weeks", "two more", _weeks(8)),
    ("rust6", "weeks", "one more", _weeks(7)),
    ("rust6", "weeks", "another two", _weeks(8)),
    ("rust6", "weeks", "+3", _weeks(9)),
    ("rust6", "weeks", "2 fewer", _weeks(4)),
    ("rust6", "weeks", "a couple more weeks", _weeks(8)),
    ("rust6", "weeks", "8 semanas", _weeks(8)),
    ("rust6", "weeks", "5h a week", _hours(5)),
    ("rust6", "weeks", "100", _asked_again("weeks")),
    ("rust6", "weeks", "0", _asked_again("weeks")),
    ("aws10", "hours_per_week", "8", _hours(8)),
    ("aws10", "hours_per_week", "5h", _hours(5)),
    ("aws10", "hours_per_week", "seven hours", _hours(7)),
    ("aws10", "hours_per_week", "3 a week", _hours(3)),
    ("aws10", "hours_per_week", "1h30", _hours(1.5)),
    ("aws10", "hours_per_week", "two more", _hours(8)),
    ("aws10", "hours_per_week", "2 hours less", _hours(4)),
    ("aws10", "hours_per_week", "12 weeks", _weeks(12)),
    ("aws10", "hours_per_week", "90", _asked_again("hours_per_week")),
    ("rust6", "weeks", "never mind", DROPPED),
    ("rust6", "weeks", "cancel", DROPPED),
    ("aws10", "hours_per_week", "nah, leave it as is", DROPPED),
    ("aws10", "hours_per_week", "actually no", DROPPED),
    ("aws10", "hours_per_week", "no thanks", DROPPED),
    # Not an answer: understood as any message is, the question dropped.
    ("rust6", "weeks", "make week 2 lighter", LIGHTER_2),
    ("rust6", "weeks", "thanks!", {"intent": "smalltalk"}),
    ("rust6", "weeks", "week 3", {"intent": "unknown"}),
    ("rust6", "weeks", "i have 3 kids", {"intent": "unknown"}),
    ("aws10", "hours_per_week", "a few more", {"intent": "unknown"}),
    ("aws10", "hours_per_week", "undo", {"intent": "undo"}),
]


def _context(plan: str, asking: str) -> UnderstandingContext:
    return UnderstandingContext(
        phase="planned", asking=asking, plan=PlanView.model_validate(PLANS[plan]), today=TODAY
    )


@pytest.mark.parametrize(("plan", "asking", "text", "expect"), ROWS, ids=[r[2] for r in ROWS])
def test_reply_to_the_pending_question(
    plan: str, asking: str, text: str, expect: dict[str, Any]
) -> None:
    output = understand(text, _context(plan, asking)).to_output()
    wrong = [name for name, ok in score_item(expect, output).items() if not ok]
    assert wrong == [], (text, output)


def test_without_the_question_a_bare_number_is_no_change() -> None:
    ctx = UnderstandingContext(
        phase="planned", plan=PlanView.model_validate(PLANS["rust6"]), today=TODAY
    )
    assert understand("9", ctx).intent == "unknown"


def test_an_answer_out_of_bounds_says_why() -> None:
    meaning = understand("100", _context("rust6", "weeks"))
    assert meaning.problems == ["100 weeks is longer than I can plan — 52 weeks is the most."]
    meaning = understand("9.5", _context("rust6", "weeks"))
    assert meaning.unclear == ["weeks"] and "whole weeks" in meaning.problems[0]
