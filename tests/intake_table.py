"""What the intake message tables share: a fixed day, row shorthands, the path of
`learnplan understand --rules` (the request line, the rules, `Meaning.to_output`) and the
bench's own scorer, so a row passes exactly when the bench would count it fully right."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.understanding.rules import understand
from bench.understanding_score import score_item
from bot.understand import read_request

TODAY = "2027-01-11"
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def fields(**values: Any) -> dict[str, Any]:
    """An intake expectation; ``alts`` lists other acceptable wordings of the goal."""
    alternatives = values.pop("alts", None)
    expect: dict[str, Any] = {"intent": "intake", "fields": values}
    if alternatives:
        expect["goal_alternatives"] = alternatives
    return expect


def output(asking: str | None, goal: dict[str, Any], text: str) -> dict[str, Any]:
    """What `learnplan understand --rules` prints for ``text`` in the intake."""
    line = json.dumps(
        {
            "text": text,
            "phase": "intake",
            "asking": asking,
            "goal": goal,
            "plan": None,
            "today": TODAY,
        }
    )
    message, ctx = read_request(line)
    return understand(message, ctx).to_output()


def misread(expect: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """The checks of ``expect`` that ``got`` fails, sorted."""
    return sorted(name for name, ok in score_item(expect, got).items() if not ok)


def cases(rows: list[tuple[Any, ...]], known_misses: dict[str, str]) -> list[Any]:
    """One parameter set per ``(id, asking, goal, text, expect)`` row; a known miss is an
    xfail with its reason."""
    return [
        pytest.param(
            *row[1:],
            id=row[0],
            marks=[pytest.mark.xfail(reason=known_misses[row[0]])]
            if row[0] in known_misses
            else [],
        )
        for row in rows
    ]
