"""Spaced review with FSRS (the `fsrs` package, Anki's algorithm), as pure functions.

A review item is a multiple-choice question with one correct answer: a quiz question the
learner got wrong, or a completed module's key objective. Its FSRS card says when it is
due; answering it right (Good) or wrong (Again) reschedules it. Without learning steps,
intervals are in days: a wrong answer comes back sooner than a right one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from fsrs import Card, Rating, Scheduler
from pydantic import BaseModel, Field

from agent.planner import OPTION_LIMIT, clean, label, normalize, unique_by_key
from storage.models import Module, Plan, QuizQuestion

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
MAX_ITEMS = 500


class ReviewItem(BaseModel):
    id: str
    kind: Literal["quiz", "objective"]
    question: str
    options: list[str] = Field(min_length=2, max_length=10)
    correct_index: int
    explanation: str | None = None
    card: dict[str, object]
    rev: int = 0
    reviews: int = 0
    lapses: int = 0
    last_correct: bool | None = None

    def due(self) -> datetime:
        return Card.from_dict(self.card).due  # type: ignore[arg-type]


def item_id(question: str, options: list[str]) -> str:
    key = "\n".join([normalize(question), *sorted(normalize(o) for o in options)])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def new_item(
    kind: Literal["quiz", "objective"], question: QuizQuestion, now: datetime
) -> ReviewItem | None:
    """A review item for a question with one correct answer (None for self-assessments)."""
    if question.correct_index is None or not 0 <= question.correct_index < len(question.options):
        return None
    ident = item_id(question.question, question.options)
    card = Card(card_id=int(ident[:12], 16), due=now)
    return ReviewItem(
        id=ident,
        kind=kind,
        question=question.question,
        options=list(question.options),
        correct_index=question.correct_index,
        explanation=question.explanation,
        card=card.to_dict(),  # type: ignore[arg-type]
    )


def reviewed(item: ReviewItem, correct: bool, now: datetime) -> ReviewItem:
    """The item after one answer: rescheduled by FSRS, counters updated."""
    card = Card.from_dict(item.card)  # type: ignore[arg-type]
    new_card, _log = SCHEDULER.review_card(card, Rating.Good if correct else Rating.Again, now)
    return item.model_copy(
        update={
            "card": new_card.to_dict(),
            "rev": item.rev + 1,
            "reviews": item.reviews + 1,
            "lapses": item.lapses + (0 if correct else 1),
            "last_correct": correct,
        }
    )


def due_items(items: list[ReviewItem], now: datetime) -> list[ReviewItem]:
    return sorted((i for i in items if i.due() <= now), key=lambda i: (i.due(), i.id))


def retained(items: list[ReviewItem]) -> int:
    """Items whose latest review was answered right."""
    return sum(1 for i in items if i.last_correct)


def objective_question(plan: Plan, module: Module) -> QuizQuestion | None:
    """ "Which is a key objective of <module>?" — its first objective against objectives
    of modules in other weeks."""
    key = label(module.objectives[0], OPTION_LIMIT) if module.objectives else ""
    if not clean(key):
        return None
    own = {normalize(o) for o in module.objectives}
    others = unique_by_key(
        label(o, OPTION_LIMIT)
        for w in plan.weeks
        if module not in w.modules
        for m in w.modules
        for o in m.objectives
        if normalize(o) not in own
    )[:3]
    if not others:
        return None
    seed = int(item_id(module.title, [key])[:4], 16)
    options = [key, *others]
    position = seed % len(options)
    options.insert(position, options.pop(0))
    return QuizQuestion(
        question=label(f"Review: which is a key objective of “{label(module.title, 120)}”?", 280),
        options=options,
        correct_index=position,
        explanation=label(f"“{key}” is what this module set out to teach.", 200),
    )
