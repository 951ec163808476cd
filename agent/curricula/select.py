"""Choose a curriculum's units for a goal and lay them out week by week.

* **Level:** beginners start at the first unit; intermediate and advanced learners (or a
  CEFR level named in the goal, e.g. "Spanish B1") start at the first unit of their level,
  taking earlier units back as refreshers only when the plan has room for them.
* **Topics:** when the plan cannot hold every unit, units matching a requested topic are
  kept first; then the earliest units. The order of the curriculum is always kept.
* **Weeks:** the plan has `weeks × modules_per_week` module slots. Spare slots go first to
  a final project, then to practice parts of the longest units.
"""

from __future__ import annotations

import math
import re

from rapidfuzz import fuzz, utils

from agent.curricula.models import CEFR_LEVELS, SKILL_LEVELS, Curriculum, Unit
from agent.outline import OutlineModule, OutlineQuestion, OutlineResource, OutlineWeek
from agent.planner import clean, label, modules_per_week, unique_by_key
from storage.models import Goal, SkillLevel

TOPIC_THRESHOLD = 85.0
_CEFR = re.compile(r"\b([ABC][12])\b", re.IGNORECASE)
_SKILL_START = {SkillLevel.BEGINNER: 0, SkillLevel.INTERMEDIATE: 1, SkillLevel.ADVANCED: 2}
_CEFR_START = {SkillLevel.BEGINNER: "A1", SkillLevel.INTERMEDIATE: "B1", SkillLevel.ADVANCED: "C1"}
# The lowest difficulty (1–5) a unit of this level gets.
LEVEL_FLOOR = {
    "beginner": 1,
    "intermediate": 2,
    "advanced": 3,
    "A1": 1,
    "A2": 1,
    "B1": 2,
    "B2": 3,
    "C1": 4,
    "C2": 4,
}


def start_level(curriculum: Curriculum, goal: Goal) -> str:
    """The level a learner starts at: a CEFR level named in the goal, else their skill."""
    skill = goal.skill_level or SkillLevel.BEGINNER
    if curriculum.cefr:
        named = _CEFR.search(" ".join([goal.goal or "", *goal.topics]))
        return named.group(1).upper() if named else _CEFR_START[skill]
    return SKILL_LEVELS[_SKILL_START[skill]]


def _start_index(curriculum: Curriculum, level: str) -> int:
    order = CEFR_LEVELS if curriculum.cefr else SKILL_LEVELS
    rank = order.index(level)
    units = curriculum.units
    return next((i for i, u in enumerate(units) if order.index(u.level) >= rank), len(units) - 1)


def topic_matches(unit: Unit, topics: list[str]) -> bool:
    fields = [utils.default_process(t) for t in (unit.title, *unit.topics)]
    for topic in topics:
        key = utils.default_process(topic)
        if key and any(fuzz.token_set_ratio(key, f) >= TOPIC_THRESHOLD for f in fields):
            return True
    return False


def choose_units(curriculum: Curriculum, goal: Goal, slots: int) -> list[Unit]:
    """At most `slots` units, in curriculum order, fitting the level and the topics."""
    units = curriculum.units
    start = _start_index(curriculum, start_level(curriculum, goal))
    while start > 0 and len(units) - start < slots // 2:
        start -= 1
    pool = list(range(start, len(units)))
    if len(pool) <= slots:
        return [units[i] for i in pool]
    topics = [clean(t) for t in goal.topics if clean(t)]
    wanted = [i for i in pool if topics and topic_matches(units[i], topics)]
    rest = [i for i in pool if i not in wanted]
    chosen = sorted([*wanted[:slots], *rest][:slots])
    return [units[i] for i in chosen]


def _spread(extra: int, units: list[Unit]) -> list[int]:
    """How many practice parts each unit gets: by typical hours, largest remainder."""
    if extra <= 0:
        return [0] * len(units)
    total = sum(u.hours for u in units)
    shares = [extra * u.hours / total for u in units]
    parts = [math.floor(s) for s in shares]
    order = sorted(range(len(units)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[: extra - sum(parts)]:
        parts[i] += 1
    return parts


def _unit_module(unit: Unit, part: int, parts: int) -> OutlineModule:
    if part == 1:
        return OutlineModule(
            title=unit.title,
            objectives=list(unit.objectives),
            topics=list(unit.topics),
            resources=[OutlineResource(kind=r.kind, query=r.query) for r in unit.resources],
            quiz=[
                OutlineQuestion(
                    question=q.q, answer=q.answer, wrong=list(q.wrong), explanation=q.explain
                )
                for q in unit.quiz
            ],
            weight=unit.hours / (parts + 1),
            min_difficulty=LEVEL_FLOOR[unit.level],
            description=_prerequisite_note(unit),
        )
    suffix = "practice" if part == 2 else f"practice {part - 1}"
    return OutlineModule(
        title=f"{unit.title} — {suffix}",
        objectives=[f"Practise: {o[0].lower()}{o[1:]}" for o in unit.objectives[:2]],
        topics=list(unit.topics),
        resources=[
            OutlineResource(kind="practice", query=label(f"{unit.topics[0]} exercises", 100)),
            *(OutlineResource(kind=r.kind, query=r.query) for r in unit.resources[:1]),
        ],
        weight=unit.hours / (parts + 1),
        min_difficulty=LEVEL_FLOOR[unit.level],
    )


def _prerequisite_note(unit: Unit) -> str:
    topics = ", ".join(unit.topics)
    if unit.prerequisites:
        return f"{unit.title}: {topics}. Builds on {', '.join(unit.prerequisites)}."
    return f"{unit.title}: {topics}."


def _project(curriculum: Curriculum, units: list[Unit]) -> OutlineModule:
    recent = unique_by_key(t for u in units[-3:] for t in u.topics)[:4]
    floor = LEVEL_FLOOR[units[-1].level] if units else 1
    return OutlineModule(
        title=f"Project: put your {curriculum.name} skills to work",
        objectives=[
            f"Plan a small project that uses what you learned in {curriculum.name}",
            "Build a first complete version and note what was hard",
            "Review the result against the earlier units' objectives",
        ],
        topics=recent,
        resources=[
            OutlineResource(kind="practice", query=label(f"{curriculum.name} project ideas", 100)),
            OutlineResource(
                kind="video", query=label(f"{curriculum.name} project walkthrough", 100)
            ),
        ],
        weight=max(1.0, sum(u.hours for u in units) / max(1, len(units))),
        min_difficulty=floor,
        description=f"A small project that applies {', '.join(recent) or curriculum.name}.",
    )


def curriculum_outline(curriculum: Curriculum, goal: Goal) -> list[OutlineWeek]:
    """One outline week per plan week, built from the curriculum's units."""
    if goal.skill_level is None or goal.hours_per_week is None or goal.weeks is None:
        raise ValueError("a plan needs skill_level, hours_per_week and weeks")
    per_week = modules_per_week(float(goal.hours_per_week), goal.skill_level)
    slots = goal.weeks * per_week
    project_slots = 1 if slots >= 4 else 0
    units = choose_units(curriculum, goal, slots - project_slots)
    project_slots = min(project_slots, slots - len(units))
    parts = _spread(slots - project_slots - len(units), units)
    modules = [
        _unit_module(unit, part, extra + 1)
        for unit, extra in zip(units, parts, strict=True)
        for part in range(1, extra + 2)
    ]
    modules += [_project(curriculum, units)] * project_slots
    weeks: list[OutlineWeek] = []
    for w in range(goal.weeks):
        chunk = modules[w * per_week : (w + 1) * per_week]
        units_of_week = unique_by_key(m.title.split(" — ")[0] for m in chunk)
        weeks.append(OutlineWeek(theme=" & ".join(units_of_week), modules=chunk))
    return weeks
