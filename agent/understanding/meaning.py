"""What a message means, in its context: the models every understander produces.

`UnderstandingContext` is what an understander may know (the phase, the question being
asked, the goal so far, a light view of the plan, today). `Meaning` is its answer. Both
the rules and the LLM extractor return a `Meaning`; `Meaning.to_output` is the JSON line
`learnplan understand` prints (the format is fixed in UNDERSTANDING.md).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field, field_validator

from agent.refine_ops import RefineOp
from agent.understanding.adapters import PlaceOption
from storage.models import Goal, Module, Plan, SkillLevel, Slot, Week

Intent = Literal[
    "intake",
    "nonanswer",
    "done",
    "not_done",
    "partial",
    "log",
    "refine",
    "undo",
    "redo",
    "question",
    "smalltalk",
    "unknown",
]
NonAnswer = Literal["unsure", "later", "yes", "no", "none", "anything", "question"]
Phase = Literal["idle", "intake", "confirm", "planned"]
Asking = Literal[
    "goal",
    "skill_level",
    "hours_per_week",
    "weeks",
    "topics",
    "availability",
    "timezone",
    "confirm",
]
Source = Literal["llm", "rules"]

PROGRESS_INTENTS = frozenset({"done", "not_done", "partial", "log"})
# Below this, a node asks what the user meant instead of acting on the meaning.
CONFIDENT = 0.5
OUTPUT_FIELDS = (
    "goal",
    "skill_level",
    "hours_per_week",
    "weeks",
    "deadline",
    "topics",
    "availability",
    "timezone",
)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ModuleView(BaseModel):
    id: str
    title: str
    topics: list[str] = Field(default_factory=list)
    hours: float | None = None


class WeekView(BaseModel):
    week: int = Field(ge=1)
    modules: list[ModuleView] = Field(default_factory=list)
    hours: float | None = None


class PlanView(BaseModel):
    """What an understander sees of a plan: week numbers, module ids and titles, hours,
    and what the plan is about (its title and goal, when known)."""

    weeks: list[WeekView] = Field(default_factory=list)
    hours_per_week: float | None = None
    title: str | None = None
    goal: str | None = None

    @classmethod
    def of(cls, plan: Plan) -> PlanView:
        return cls(
            title=plan.title,
            goal=plan.goal,
            hours_per_week=plan.hours_per_week,
            weeks=[
                WeekView(
                    week=w.number,
                    hours=w.hours,
                    modules=[
                        ModuleView(id=m.id, title=m.title, topics=m.topics, hours=m.hours)
                        for m in w.modules
                    ],
                )
                for w in plan.weeks
            ],
        )

    def module_ids(self) -> list[str]:
        return [m.id for w in self.weeks for m in w.modules]

    def week_numbers(self) -> list[int]:
        return [w.week for w in self.weeks]

    def as_plan(self, goal: str | None = None) -> Plan:
        """A stand-in `Plan` with these ids, titles and topics, for the rule parsers. Its
        goal (what the progress rules take as the plan's own subject) is `goal` when given
        (the context's goal), else the plan's goal or title."""
        hours = self.hours_per_week or 1.0
        return Plan(
            title=self.title or "plan",
            goal=goal or self.goal or self.title or "plan",
            skill_level=SkillLevel.BEGINNER,
            hours_per_week=hours,
            weeks=[
                Week(
                    number=w.week,
                    modules=[
                        Module(
                            id=m.id,
                            title=m.title,
                            topics=m.topics,
                            hours=m.hours if m.hours and m.hours > 0 else 1.0,
                            difficulty=1,
                        )
                        for m in w.modules
                    ],
                )
                for w in self.weeks
            ],
        )


class UnderstandingContext(BaseModel):
    phase: Phase = "intake"
    asking: Asking | None = None
    goal: Goal = Field(default_factory=Goal)
    plan: PlanView | None = None
    today: date

    @field_validator("asking", mode="before")
    @classmethod
    def _one_length_question(cls, value: Any) -> Any:
        """The bot asks for the length once ("How many weeks, or by when?"), as `weeks`.

        A caller that names the deadline (`learnplan understand`, an evaluation set) is
        asking that same question, so it is read as `weeks`, not refused.
        """
        return "weeks" if value == "deadline" else value


class Meaning(BaseModel):
    """What one message means.

    `fields` holds Goal fields (by Goal's names) the message states; `topics: []` with
    `topics_answered: True` means "explicitly no topics". `module` is a module id, None,
    or "ambiguous" (then `candidates` lists the modules it could be). `reference` keeps the
    words taken as a module reference, to phrase a question when nothing matched.
    """

    intent: Intent
    fields: dict[str, Any] = Field(default_factory=dict)
    module: str | None = None
    candidates: list[str] = Field(default_factory=list)
    # Several modules named one by one ("ec2 and ebs both done"); `module` is the first.
    modules: list[str] = Field(default_factory=list)
    reference: str | None = None
    minutes: int | None = None
    ops: list[RefineOp] = Field(default_factory=list)
    nonanswer: NonAnswer | None = None
    zone_options: list[PlaceOption] = Field(default_factory=list)
    # Fields computed rather than stated (weeks from a deadline): used, but not reported.
    derived: list[str] = Field(default_factory=list)
    # Goal fields a plan change leaves open ("make the plan longer": weeks): the bot asks.
    unclear: list[str] = Field(default_factory=list)
    # Weekdays named without a clock ("weekends"): the window is a default, output without one.
    assumed_days: list[int] = Field(default_factory=list)
    confidence: float = Field(default=1.0, ge=0, le=1)
    source: Source = "rules"
    problems: list[str] = Field(default_factory=list)

    @property
    def confident(self) -> bool:
        return self.confidence >= CONFIDENT

    def to_output(self) -> dict[str, Any]:
        """The `learnplan understand` JSON object (UNDERSTANDING.md)."""
        ambiguous = ["timezone"] if len(self.zone_options) >= 2 else []
        ambiguous += [name for name in self.unclear if name not in ambiguous]
        several = {"modules": list(self.modules)} if len(self.modules) >= 2 else {}
        return {
            "intent": self.intent,
            "fields": {
                name: None
                if name in self.derived
                else _output_field(name, self.fields, set(self.assumed_days))
                for name in OUTPUT_FIELDS
            },
            "module": self.module,
            "minutes": self.minutes,
            "ops": [op_output(op) for op in self.ops],
            "ambiguous": ambiguous,
            "nonanswer": self.nonanswer,
            "source": self.source,
            **several,
        }


class Understander(Protocol):
    async def understand(self, text: str, ctx: UnderstandingContext) -> Meaning: ...


def op_output(op: RefineOp) -> dict[str, Any]:
    """A refinement op as {"op": kind, ...its set fields} (factor is an internal detail)."""
    data = op.model_dump(exclude_none=True, exclude={"kind", "factor"})
    return {"op": op.kind, **data}


def _hhmm(value: time | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = time.fromisoformat(value)
    return value.strftime("%H:%M")


def availability_output(slots: list[Any], assumed: set[int] | None = None) -> list[dict[str, Any]]:
    """Slots grouped into {"days", "start", "end"} windows, days in week order; a day in
    `assumed` was named without a clock, so its default window is given as no clock (None)."""
    windows: dict[tuple[str | None, str | None], set[int]] = {}
    for raw in slots:
        slot = raw if isinstance(raw, Slot) else Slot.model_validate(raw)
        key = (
            (None, None)
            if slot.weekday in (assumed or set())
            else (_hhmm(slot.start), _hhmm(slot.end))
        )
        windows.setdefault(key, set()).add(slot.weekday)
    ordered = sorted(windows.items(), key=lambda item: (min(item[1]), item[0][0] or ""))
    return [
        {"days": [DAY_NAMES[d] for d in sorted(days)], "start": start, "end": end}
        for (start, end), days in ordered
    ]


def _output_field(name: str, fields: dict[str, Any], assumed: set[int] | None = None) -> Any:
    if name == "topics":
        if fields.get("topics"):
            return list(fields["topics"])
        return [] if fields.get("topics_answered") or "topics" in fields else None
    value = fields.get(name)
    if value is None:
        return None
    if name == "availability":
        return availability_output(value, assumed) or None
    if name == "skill_level":
        return str(getattr(value, "value", value))
    if name == "deadline":
        return value.isoformat() if isinstance(value, date) else str(value)
    if name == "hours_per_week":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value
