"""The checks every `Meaning` passes, whoever produced it (the rules or the LLM).

`check` returns the meaning with what fails removed, and the reasons. The rules'
meaning is used stripped; an LLM meaning with any reason is discarded in favour of
the rules' answer. Reasons written for the user (goal or topics too long) start with a
capital letter; the others are for the log.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from pydantic import ValidationError

from agent import texts
from agent.understanding.meaning import Meaning, UnderstandingContext
from storage.models import Goal, SkillLevel, Slot

MIN_HOURS = 1.0
MAX_HOURS = 60.0
MIN_WEEKS = 1
MAX_WEEKS = 52
MAX_GOAL_CHARS = 200
MAX_TOPICS = 12
MAX_TOPIC_CHARS = 60
MAX_MINUTES = 24 * 60
_WEEK_OPS = {"lighter_week", "heavier_week", "swap_weeks", "move_week", "drop_week", "drop_quiz"}


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def known_zone(zone: object) -> bool:
    return isinstance(zone, str) and zone in _zones()


def _topics_ok(topics: object) -> bool:
    return (
        isinstance(topics, list)
        and len(topics) <= MAX_TOPICS
        and all(isinstance(t, str) and 0 < len(t.strip()) <= MAX_TOPIC_CHARS for t in topics)
    )


def _field_problem(name: str, value: Any, today: date) -> str | None:
    """Why a Goal field value can't be used, or None."""
    if name == "goal":
        if not isinstance(value, str) or not value.strip():
            return "empty goal"
        if len(value) > MAX_GOAL_CHARS:
            return texts.GOAL_TOO_LONG.format(limit=MAX_GOAL_CHARS)
    elif name == "skill_level":
        if str(getattr(value, "value", value)) not in {s.value for s in SkillLevel}:
            return f"unknown skill level {value!r}"
    elif name == "hours_per_week":
        if not isinstance(value, int | float) or not MIN_HOURS <= float(value) <= MAX_HOURS:
            return f"hours per week {value!r} outside {MIN_HOURS:g}-{MAX_HOURS:g}"
    elif name == "weeks":
        if not isinstance(value, int) or not MIN_WEEKS <= value <= MAX_WEEKS:
            return f"weeks {value!r} outside {MIN_WEEKS}-{MAX_WEEKS}"
    elif name in {"deadline", "start_date"}:
        if not isinstance(value, date):
            return f"{name} {value!r} is not a date"
        if name == "deadline" and not today < value <= date.fromordinal(today.toordinal() + 366):
            return f"deadline {value.isoformat()} not within the next year"
    elif name == "topics":
        if not _topics_ok(value):
            return texts.TOPICS_TOO_LONG.format(count=MAX_TOPICS, limit=MAX_TOPIC_CHARS)
    elif name == "timezone":
        if not known_zone(value):
            return f"unknown time zone {value!r}"
    elif name == "availability":
        try:
            slots = [Slot.model_validate(s) for s in value]
        except (ValidationError, TypeError):
            return "unreadable availability"
        if any(s.minutes <= 0 for s in slots):
            return "an availability window that ends before it starts"
    return None


def check_fields(fields: dict[str, Any], today: date) -> tuple[dict[str, Any], list[str]]:
    """The usable fields (as Goal would store them) and the problems with the rest."""
    kept: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in fields.items():
        if name not in Goal.model_fields:
            problems.append(f"unknown field {name!r}")
            continue
        problem = _field_problem(name, value, today)
        if problem:
            problems.append(problem)
        else:
            kept[name] = value
    return kept, problems


def _op_problem(op: Any, weeks: set[int]) -> str | None:
    if op.kind in _WEEK_OPS and op.week is not None and weeks and op.week not in weeks:
        return f"week {op.week} is not in the plan"
    if op.kind == "swap_weeks" and (op.week is None or op.other_week not in weeks):
        return "swap_weeks needs two weeks of the plan"
    if op.kind in {"lighter_week", "heavier_week"} and op.week is None:
        return f"{op.kind} needs a week"
    if op.kind == "set_hours" and not (op.hours and MIN_HOURS <= op.hours <= MAX_HOURS):
        return f"set_hours {op.hours!r} outside {MIN_HOURS:g}-{MAX_HOURS:g}"
    if op.kind == "set_weeks" and not (op.weeks and MIN_WEEKS <= op.weeks <= MAX_WEEKS):
        return f"set_weeks {op.weeks!r} outside {MIN_WEEKS}-{MAX_WEEKS}"
    if op.kind in {"add_topic", "remove_topic", "more_on"} and not _topics_ok([op.topic or ""]):
        return f"{op.kind} needs a topic of 1-{MAX_TOPIC_CHARS} characters"
    return None


def check(meaning: Meaning, ctx: UnderstandingContext) -> tuple[Meaning, list[str]]:
    """`meaning` without what fails the checks, and why it failed."""
    fields, problems = check_fields(meaning.fields, ctx.today)
    ids = set(ctx.plan.module_ids()) if ctx.plan else set()
    weeks = set(ctx.plan.week_numbers()) if ctx.plan else set()
    module = meaning.module
    candidates = [c for c in meaning.candidates if c in ids]
    if module not in (None, "ambiguous") and module not in ids:
        problems.append(f"module {module!r} is not in the plan")
        module = None
    if module == "ambiguous" and len(candidates) < 2:
        module = candidates[0] if candidates else None
        candidates = []
    if len(candidates) < len(meaning.candidates):
        problems.append("candidate modules not in the plan")
    modules = [m for m in meaning.modules if m in ids]
    if len(modules) < len(meaning.modules):
        problems.append("modules not in the plan")
    if len(modules) < 2:
        modules = []
    minutes = meaning.minutes
    if minutes is not None and not 0 < minutes <= MAX_MINUTES:
        problems.append(f"minutes {minutes} outside 1-{MAX_MINUTES}")
        minutes = None
    ops = []
    for op in meaning.ops:
        problem = _op_problem(op, weeks)
        if problem:
            problems.append(problem)
        else:
            ops.append(op)
    zones = [o for o in meaning.zone_options if known_zone(o.zone)]
    if len(zones) < len(meaning.zone_options):
        problems.append("a place option with an unknown time zone")
    checked = meaning.model_copy(
        update={
            "fields": fields,
            "module": module,
            "candidates": candidates,
            "modules": modules,
            "minutes": minutes,
            "ops": ops,
            "zone_options": zones,
        }
    )
    return checked, problems
