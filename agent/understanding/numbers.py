"""Numbers, hours and plan lengths in free text (being moved here from `agent.intake_parser`)."""

from agent.intake_parser import (
    MAX_HOURS_PER_WEEK,
    MAX_WEEKS,
    MIN_HOURS_PER_WEEK,
    MIN_WEEKS,
    NUMBER_PATTERN,
    Quantity,
    find_plan_weeks,
    find_weekly_hours,
    parse_number,
)

__all__ = [
    "MAX_HOURS_PER_WEEK",
    "MAX_WEEKS",
    "MIN_HOURS_PER_WEEK",
    "MIN_WEEKS",
    "NUMBER_PATTERN",
    "Quantity",
    "find_plan_weeks",
    "find_weekly_hours",
    "parse_number",
]
