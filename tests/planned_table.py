"""What the planned-phase message tables share: the bench's plans, a fixed day, row
shorthands, and scoring a row through the rules with the bench's own scorer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from agent.understanding.meaning import PlanView, UnderstandingContext
from agent.understanding.rules import understand
from bench.understanding_score import score_item

PLANS: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "bench" / "understanding" / "plans.json").read_text()
)
TODAY = date(2027, 3, 2)
Row = tuple[str, str, dict[str, Any]]  # (plan, message, expected meaning)


def progress(intent: str, module: str | None = None, minutes: int | None = None) -> dict[str, Any]:
    return {"intent": intent, "module": module, "minutes": minutes}


def refine(*ops: dict[str, Any]) -> dict[str, Any]:
    return {"intent": "refine", "ops": list(ops)}


def question(intent: str = "question") -> dict[str, Any]:
    return {"intent": intent}


def context(plan: str) -> UnderstandingContext:
    return UnderstandingContext(
        phase="planned", plan=PlanView.model_validate(PLANS[plan]), today=TODAY
    )


def output(plan: str, text: str) -> dict[str, Any]:
    """What `learnplan understand --rules` would print for ``text`` on ``plan``."""
    return understand(text, context(plan)).to_output()


def wrong(plan: str, text: str, expect: dict[str, Any]) -> list[str]:
    """The checks of ``expect`` the rules' reading of ``text`` fails."""
    return [name for name, ok in score_item(expect, output(plan, text)).items() if not ok]


def cases(rows: list[Row], still_wrong: set[int]) -> list[Any]:
    """One parameter set per row, ``(index, plan, text, expect)``; the rows still misread
    are strict xfails."""
    return [
        pytest.param(
            i,
            *row,
            id=row[1][:40],
            marks=[pytest.mark.xfail(strict=True, reason="still misread")]
            if i in still_wrong
            else [],
        )
        for i, row in enumerate(rows)
    ]
