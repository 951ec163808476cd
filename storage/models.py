"""Domain and document models shared by every layer.

Everything here is plain pydantic v2 with no I/O. Times that are stored are UTC;
local wall-clock values (study slots, quiet hours) carry no zone and are read in
the user's IANA time zone.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field


class SkillLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Slot(BaseModel):
    """A weekly recurring window when the user can study, in local wall-clock time."""

    weekday: int = Field(ge=0, le=6, description="Monday=0 … Sunday=6")
    start: time
    end: time

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


class Goal(BaseModel):
    """What intake collects. Every field is optional until intake is complete."""

    goal: str | None = None
    skill_level: SkillLevel | None = None
    hours_per_week: float | None = None
    weeks: int | None = None
    deadline: date | None = None
    topics: list[str] = Field(default_factory=list)
    topics_answered: bool = False
    availability: list[Slot] = Field(default_factory=list)
    availability_text: str | None = None
    timezone: str | None = None
    start_date: date | None = None


ResourceKind = Literal["docs", "video", "course", "book", "practice"]


class Resource(BaseModel):
    kind: ResourceKind
    title: str
    url: str


class QuizQuestion(BaseModel):
    question: str
    options: list[str] = Field(min_length=2, max_length=10)
    correct_index: int | None = Field(
        default=None, description="None marks a self-assessment question with no single answer"
    )
    explanation: str | None = None


class Quiz(BaseModel):
    questions: list[QuizQuestion] = Field(default_factory=list)


class Module(BaseModel):
    id: str = Field(description="Stable within a plan, e.g. 'w1m2'")
    title: str
    description: str = ""
    hours: float = Field(gt=0)
    difficulty: int = Field(ge=1, le=5)
    objectives: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    resources: list[Resource] = Field(default_factory=list)


class Week(BaseModel):
    number: int = Field(ge=1)
    theme: str = ""
    modules: list[Module] = Field(default_factory=list)
    quiz: Quiz | None = None

    @property
    def hours(self) -> float:
        return round(sum(m.hours for m in self.modules), 2)


class Milestone(BaseModel):
    week: int = Field(ge=1, description="The week whose end completes the milestone")
    title: str
    module_ids: list[str] = Field(default_factory=list)


class PlanMeta(BaseModel):
    planner: Literal["deterministic", "llm"] = "deterministic"
    # Where the content came from: the generic template, a built-in curriculum, an LLM
    # outline (possibly completed by a fallback), or the learner's own syllabus.
    source: Literal["template", "curriculum", "llm", "syllabus"] = "template"
    curriculum: str | None = None
    model: str | None = None
    fallback_reason: str | None = None
    repairs: list[str] = Field(default_factory=list)


class Plan(BaseModel):
    title: str
    goal: str
    skill_level: SkillLevel
    hours_per_week: float
    weeks: list[Week]
    milestones: list[Milestone] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    meta: PlanMeta = Field(default_factory=PlanMeta)

    @property
    def total_hours(self) -> float:
        return round(sum(w.hours for w in self.weeks), 2)

    def modules(self) -> list[Module]:
        return [m for w in self.weeks for m in w.modules]

    def find_module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules() if m.id == module_id), None)


class StudySession(BaseModel):
    """One placed block of study time. `starts_at`/`ends_at` are UTC."""

    session_id: str
    module_id: str
    week: int
    part: int = 1
    parts: int = 1
    starts_at: datetime
    ends_at: datetime
    sequence: int = 0
    status: Literal["planned", "done", "skipped", "missed"] = "planned"
