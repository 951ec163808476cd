"""The one place that imports the rule parsers the understanding layer composes.

The parsers are being rebuilt in parallel (intake, places, progress, refinement); this
adapter calls whichever version is present, so switching to the new modules is a change
to this file only. Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

from pydantic import Field

from agent.intake_parser import FIELD_ORDER, IntakeUpdate, missing_fields
from agent.intake_parser import parse_intake as _parse_intake
from agent.refine_ops import RefineOp
from agent.understanding.places import PlaceOption, lookup_zone
from agent.understanding.progress import ProgressIntent
from agent.understanding.progress import parse_progress as _parse_progress
from agent.understanding.refinement import parse_refinement as _parse_refinement
from agent.understanding.refinement import unresolved_removal
from agent.understanding.refinement_weeks import history_request
from storage.models import Goal, Plan

__all__ = [
    "FIELD_ORDER",
    "IntakeUpdate",
    "PlaceOption",
    "ProgressIntent",
    "history",
    "intake",
    "missing_fields",
    "progress",
    "refinement",
    "unresolved_removal",
]

_INTAKE_TAKES_GOAL = "goal" in inspect.signature(_parse_intake).parameters
_REFINE_TAKES_PLAN = len(inspect.signature(_parse_refinement).parameters) > 1


def intake(text: str, *, today: date, expecting: str | None, goal: Goal | None) -> IntakeUpdate:
    if _INTAKE_TAKES_GOAL:
        return _parse_intake(text, today=today, expecting=expecting, goal=goal)  # type: ignore[call-arg]
    update = _parse_intake(text, today=today, expecting=expecting)
    if expecting == "timezone" and "timezone" not in update.fields:
        # Until the intake parser reads places itself: the answer to "which time zone?"
        found = lookup_zone(text, whole_answer=True)
        if found.zone is not None:
            update = update.model_copy(update={"fields": {**update.fields, "timezone": found.zone}})
        elif len(found.options) >= 2:
            return _WithOptions(**update.model_dump(), zone_options=found.options)
    return update


class _WithOptions(IntakeUpdate):
    zone_options: list[PlaceOption] = Field(default_factory=list)


def intake_extras(update: IntakeUpdate) -> dict[str, Any]:
    """The non-answer, place options and confidence of an update (when the parser has them)."""
    return {
        "nonanswer": getattr(update, "nonanswer", None),
        "zone_options": list(getattr(update, "zone_options", []) or []),
        "confidence": float(getattr(update, "confidence", 1.0)),
        "derived": list(getattr(update, "derived", []) or []),
    }


def progress(text: str, plan: Plan | None) -> ProgressIntent | None:
    return _parse_progress(text, plan)


def history(text: str) -> str | None:
    """ "undo" / "redo" when the message asks to step through the plan's history."""
    return history_request(text)


def refinement(text: str, plan: Plan | None) -> list[RefineOp]:
    if _REFINE_TAKES_PLAN:
        return _parse_refinement(text, plan)  # type: ignore[call-arg]
    return _parse_refinement(text)
