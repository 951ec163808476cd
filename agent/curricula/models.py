"""The shape of a built-in curriculum, validated when the data files are loaded.

A curriculum is an ordered list of units. Each unit carries what needs knowledge
(objectives, topics, search queries for resources, quiz questions); the planner adds
what needs arithmetic (hours within the budget, difficulty, milestones).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from storage.models import ResourceKind

Level = Literal["beginner", "intermediate", "advanced", "A1", "A2", "B1", "B2", "C1", "C2"]
CEFR_LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
SKILL_LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")


class ResourceHint(BaseModel):
    """A resource as a kind plus a search query: code builds the link, nothing is invented."""

    kind: ResourceKind
    query: str = Field(min_length=2, max_length=100)

    @field_validator("query")
    @classmethod
    def _no_urls(cls, value: str) -> str:
        if "://" in value or value.lower().startswith("www."):
            raise ValueError("a resource query must be search words, not a URL")
        return value


class BankQuestion(BaseModel):
    """A multiple-choice question with exactly one correct answer."""

    q: str = Field(min_length=5, max_length=300)
    answer: str = Field(min_length=1, max_length=100)
    wrong: list[str] = Field(min_length=1, max_length=5)
    explain: str | None = Field(default=None, max_length=200)

    @field_validator("wrong")
    @classmethod
    def _short_options(cls, value: list[str]) -> list[str]:
        if any(not 1 <= len(option) <= 100 for option in value):
            raise ValueError("options must be 1-100 characters")
        return value

    @model_validator(mode="after")
    def _distinct(self) -> BankQuestion:
        keys = [o.casefold().strip() for o in (self.answer, *self.wrong)]
        if len(set(keys)) != len(keys):
            raise ValueError(f"options repeat in {self.q!r}")
        return self


class Unit(BaseModel):
    title: str = Field(min_length=3, max_length=80, pattern=r"^[^,]+$")
    level: Level
    hours: float = Field(gt=0, le=40, description="Typical study hours for the unit")
    objectives: list[str] = Field(min_length=2, max_length=3)
    topics: list[str] = Field(min_length=1, max_length=6)
    prerequisites: list[str] = Field(default_factory=list, description="Titles of earlier units")
    resources: list[ResourceHint] = Field(min_length=1, max_length=4)
    quiz: list[BankQuestion] = Field(default_factory=list)


class Curriculum(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    aliases: list[str] = Field(default_factory=list)
    units: list[Unit] = Field(min_length=4)

    @property
    def cefr(self) -> bool:
        return any(u.level in CEFR_LEVELS for u in self.units)

    @model_validator(mode="after")
    def _consistent(self) -> Curriculum:
        seen: set[str] = set()
        for unit in self.units:
            key = unit.title.casefold()
            if key in seen:
                raise ValueError(f"{self.id}: unit {unit.title!r} is repeated")
            missing = [p for p in unit.prerequisites if p.casefold() not in seen]
            if missing:
                raise ValueError(f"{self.id}: {unit.title!r} needs earlier units {missing}")
            seen.add(key)
        if self.cefr and any(u.level not in CEFR_LEVELS for u in self.units):
            raise ValueError(f"{self.id}: mix of CEFR and skill levels")
        if sum(len(u.quiz) for u in self.units) < 2:
            raise ValueError(f"{self.id}: needs at least 2 quiz questions")
        order = CEFR_LEVELS if self.cefr else SKILL_LEVELS
        ranks = [order.index(u.level) for u in self.units]
        if ranks != sorted(ranks):
            raise ValueError(f"{self.id}: units must be ordered by level")
        return self
