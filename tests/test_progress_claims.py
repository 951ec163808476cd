"""Which free text the router sends to the progress feature, by its meaning (rules only)."""

from __future__ import annotations

from datetime import date

import pytest

from agent.nodes.progress import format_minutes
from agent.routing import by_intent
from agent.understanding.meaning import UnderstandingContext
from agent.understanding.rules import understand
from tests.test_parsers_table import REFINE_ROWS
from tests.test_progress_parser_table import NEGATIVES, PROGRESS_ROWS

PLANNED = UnderstandingContext(phase="planned", today=date(2026, 12, 1))


def _node(text: str) -> str:
    return by_intent(understand(text, PLANNED))


@pytest.mark.parametrize(("text", "action"), [(r[0], r[1]) for r in PROGRESS_ROWS])
def test_progress_reports_go_to_progress_except_skip(text: str, action: str) -> None:
    assert (_node(text) == "progress_text") is (action != "skip"), text


@pytest.mark.parametrize("text", [t for t in NEGATIVES if not t.startswith("/")])
def test_other_text_is_not_progress(text: str) -> None:
    assert _node(text) != "progress_text", text


@pytest.mark.parametrize("text", [text for text, ops in REFINE_ROWS if ops])
def test_plan_changes_stay_with_planning(text: str) -> None:
    assert _node(text) == "refine", text


@pytest.mark.parametrize(
    "text", ["undo the last plan change", "undo plan", "undo that change", "ctrl+z", "undo"]
)
def test_undo_without_a_completion_is_undo(text: str) -> None:
    assert understand(text, PLANNED).intent == "undo"


@pytest.mark.parametrize("text", ["oops not done", "undo done", "mark w1m2 not done"])
def test_reverting_a_completion_is_not_done(text: str) -> None:
    assert understand(text, PLANNED).intent == "not_done"


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min")]
)
def test_format_minutes(minutes: int, shown: str) -> None:
    assert format_minutes(minutes) == shown
