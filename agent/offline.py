"""Plans without an LLM: a built-in curriculum when the goal matches one, else the template."""

from __future__ import annotations

from agent.curricula import match
from agent.curricula.select import curriculum_outline
from agent.outline import plan_from_outline
from agent.planner import build_plan
from agent.syllabus import SyllabusUnit, syllabus_outline
from agent.validator import repair_plan
from storage.models import Goal, Plan, PlanMeta


def offline_plan(goal: Goal, reason: str | None = None) -> Plan:
    """A valid plan from the matching curriculum, or from the generic template.

    `meta.source` says which ("curriculum" or "template"), so the reply can tell the
    learner when a plan is generic and how to get a better one."""
    curriculum = match(goal.goal)
    if curriculum is not None:
        meta = PlanMeta(source="curriculum", curriculum=curriculum.id, fallback_reason=reason)
        plan = plan_from_outline(goal, curriculum_outline(curriculum, goal), meta)
    else:
        plan = build_plan(goal).model_copy(
            update={"meta": PlanMeta(source="template", fallback_reason=reason)}
        )
    repaired, repairs = repair_plan(plan, goal)
    return repaired.model_copy(
        update={"meta": repaired.meta.model_copy(update={"repairs": repairs})}
    )


def syllabus_plan(goal: Goal, units: list[SyllabusUnit]) -> Plan:
    """A valid plan whose units are the learner's own syllabus, in order."""
    meta = PlanMeta(source="syllabus")
    plan = plan_from_outline(goal, syllabus_outline(units, goal), meta)
    repaired, repairs = repair_plan(plan, goal)
    return repaired.model_copy(
        update={"meta": repaired.meta.model_copy(update={"repairs": repairs})}
    )
