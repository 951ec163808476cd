"""The one place that imports the rule parsers the understanding layer composes.

The rules (intake, places, progress, refinement) are owned by their own modules; this
adapter is the layer's only dependency on their names and signatures. Everything here is
pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.refine_ops import RefineOp
from agent.understanding.card import parse_card
from agent.understanding.intake import FIELD_ORDER, IntakeUpdate, missing_fields
from agent.understanding.intake import parse_intake as _parse_intake
from agent.understanding.places import PlaceOption
from agent.understanding.progress import ProgressIntent
from agent.understanding.progress import parse_progress as _parse_progress
from agent.understanding.refinement import parse_refinement as _parse_refinement
from agent.understanding.refinement import unresolved_removal
from agent.understanding.refinement_vague import unclear_change
from agent.understanding.refinement_weeks import fresh_plan_request, history_request
from storage.models import Goal, Plan

__all__ = [
    "FIELD_ORDER",
    "IntakeUpdate",
    "PlaceOption",
    "ProgressIntent",
    "fresh_plan",
    "history",
    "intake",
    "missing_fields",
    "progress",
    "refinement",
    "unclear",
    "unresolved_removal",
]


def intake(text: str, *, today: date, expecting: str | None, goal: Goal | None) -> IntakeUpdate:
    if expecting == "confirm":
        return parse_card(text, today=today, goal=goal)
    return _parse_intake(text, today=today, expecting=expecting, goal=goal)


def intake_extras(update: IntakeUpdate) -> dict[str, Any]:
    """The non-answer, place options, confidence and derived fields of an update."""
    return {
        "nonanswer": update.nonanswer,
        "zone_options": list(update.zone_options),
        "confidence": update.confidence,
        "derived": list(update.derived),
        "unclear": list(update.unclear),
        "assumed_days": list(update.assumed_days),
    }


def progress(text: str, plan: Plan | None) -> ProgressIntent | None:
    return _parse_progress(text, plan)


def history(text: str) -> str | None:
    """ "undo" / "redo" when the message asks to step through the plan's history."""
    return history_request(text)


def fresh_plan(text: str) -> bool:
    """Whether the message asks for a new plan in place of this one ("start over")."""
    return fresh_plan_request(text)


def unclear(text: str) -> list[str]:
    """The Goal field a numberless plan change leaves open ("more hours": hours_per_week)."""
    return unclear_change(text)


def refinement(text: str, plan: Plan | None) -> list[RefineOp]:
    return _parse_refinement(text, plan)
