"""Which free text the progress feature takes from the planning feature's refinement."""

from __future__ import annotations

import pytest

from agent.features import text_node
from agent.nodes.progress import claims_progress_text, format_minutes
from tests.test_parsers_table import REFINE_ROWS
from tests.test_progress_parser_table import NEGATIVES, PROGRESS_ROWS


@pytest.mark.parametrize(("text", "action"), [(r[0], r[1]) for r in PROGRESS_ROWS])
def test_progress_reports_are_claimed_except_skip(text: str, action: str) -> None:
    assert claims_progress_text(text) is (action != "skip")


@pytest.mark.parametrize("text", [t for t in NEGATIVES if not t.startswith("/")])
def test_other_text_is_not_claimed(text: str) -> None:
    assert not claims_progress_text(text)


@pytest.mark.parametrize("text", [text for text, ops in REFINE_ROWS if ops])
def test_plan_changes_stay_with_planning(text: str) -> None:
    assert text_node(text) in {None, "refine"}, text


@pytest.mark.parametrize(
    "text", ["undo the last plan change", "undo plan", "undo that change", "undo version 3"]
)
def test_undo_about_the_plan_is_not_claimed(text: str) -> None:
    assert not claims_progress_text(text)


@pytest.mark.parametrize("text", ["undo", "undo that", "oops not done", "undo done"])
def test_undo_about_progress_is_claimed(text: str) -> None:
    assert text_node(text) == "progress_text"


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 min"), (45, "45 min"), (60, "1 h"), (90, "1 h 30 min")]
)
def test_format_minutes(minutes: int, shown: str) -> None:
    assert format_minutes(minutes) == shown
