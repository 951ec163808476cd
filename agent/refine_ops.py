"""Structured refinement requests, produced by the rule-based parser or an LLM
and applied to a plan by `agent.refine.apply_ops`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class RefineOp(BaseModel):
    """One change a user asked for.

    kind                 fields used
    -------------------  ---------------------------------------------
    lighter_week         week (1-based); factor (default 0.7)
    heavier_week         week; factor (default 1.3)
    set_hours            hours (new weekly budget)
    add_topic            topic
    remove_topic         topic
    more_on              topic (a module or hours on a topic, added if the plan lacks it)
    swap_weeks           week, other_week
    move_week            week, to (the week's new position, 1-based; the others shift)
    drop_week            week (taken out of the plan; the later weeks move up one)
    drop_quiz            week (None = every week)
    set_weeks            weeks (new plan length)
    more_practice        (shift resources/objectives toward practice)
    less_reading         (fewer docs/book resources)
    easier / harder      (shift difficulty by one step)
    """

    kind: Literal[
        "lighter_week",
        "heavier_week",
        "set_hours",
        "add_topic",
        "remove_topic",
        "swap_weeks",
        "move_week",
        "drop_week",
        "more_on",
        "drop_quiz",
        "set_weeks",
        "more_practice",
        "less_reading",
        "easier",
        "harder",
    ]
    week: int | None = Field(default=None, ge=1)
    other_week: int | None = Field(default=None, ge=1)
    to: int | None = Field(default=None, ge=1)
    hours: float | None = Field(default=None, gt=0)
    weeks: int | None = Field(default=None, ge=1)
    topic: str | None = None
    factor: float | None = Field(default=None, gt=0)


class RefineRequest(BaseModel):
    ops: list[RefineOp] = Field(default_factory=list)
