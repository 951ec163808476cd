"""Answers to questions about the plan and to small talk.

With an LLM, a question ("what's next?", "why is week 3 so heavy?") is answered from the
plan's titles and hours and the next sessions; the answer must be non-empty and at most
`MAX_ANSWER_CHARS` (it is plain text: the bot escapes it). Without an LLM, or when the
answer fails, the reply points at the command that shows it (/today, /plan, /progress).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from agent.understanding import phrases, prompts
from agent.understanding.meaning import PlanView

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 1500

POINTERS = {
    "today": "/today shows today's sessions and the next one.",
    "progress": "/progress shows what you've done, your streak and what's left.",
    "plan": "/plan shows your plan week by week (tap a week for its modules and hours).",
}
NO_PLAN_POINTER = (
    "Once you have a plan I can answer that — tell me what you want to learn, or send /newplan."
)
SMALLTALK = (
    "😊 Happy to help! Say “done” when you finish a module, ask for a change "
    "(“make week 2 lighter”), or send /help for everything I can do."
)
SMALLTALK_INTAKE = "😊 Hi! Let's set up your plan."


class Answer(BaseModel):
    answer: str = Field(description="The answer, plain text, at most 5 sentences")


def pointer_answer(text: str, has_plan: bool) -> str:
    """The command that answers `text`, when nothing better is available."""
    if not has_plan:
        return NO_PLAN_POINTER
    return "I can't answer that myself, but " + POINTERS[phrases.pointer(text)]


def _weeks_text(plan: PlanView) -> str:
    lines = []
    for w in plan.weeks:
        modules = "; ".join(
            f"{m.id} {m.title}" + (f" ({m.hours:g} h)" if m.hours else "") for m in w.modules
        )
        hours = f" [{w.hours:g} h]" if w.hours is not None else ""
        lines.append(f"week {w.week}{hours}: {modules}")
    return "\n".join(lines)


def valid_answer(answer: str) -> str | None:
    answer = answer.strip()
    return answer if answer and len(answer) <= MAX_ANSWER_CHARS else None


class Answerer:
    """Answers questions about a plan; `chat` None means no LLM (pointers only)."""

    def __init__(self, chat: ChatOpenAI | None = None, *, timeout: float = 30.0) -> None:
        self.chat = chat
        self.timeout = timeout

    async def answer(self, text: str, plan: PlanView | None, sessions: str | None) -> str:
        if plan is None:
            return pointer_answer(text, has_plan=False)
        if self.chat is None:
            return pointer_answer(text, has_plan=True)
        from langchain_core.messages import HumanMessage, SystemMessage

        system = prompts.ANSWER_SYSTEM.format(
            title=plan.title or "plan",
            hours=f"{plan.hours_per_week:g}" if plan.hours_per_week else "?",
            weeks=_weeks_text(plan),
            sessions=sessions or "No sessions are scheduled.",
        )
        structured = self.chat.with_structured_output(Answer)
        try:
            result = await asyncio.wait_for(
                structured.ainvoke([SystemMessage(system), HumanMessage(text[:1000])]),
                timeout=self.timeout,
            )
        except (TimeoutError, ValidationError, ValueError) as exc:
            log.warning("LLM answer failed, pointing at a command: %s", type(exc).__name__)
            return pointer_answer(text, has_plan=True)
        except Exception as exc:
            log.warning("LLM answer call failed, pointing at a command: %s", exc)
            return pointer_answer(text, has_plan=True)
        answer = valid_answer(result.answer) if isinstance(result, Answer) else None
        if answer is None:
            log.warning("LLM answer rejected (empty or over %d chars)", MAX_ANSWER_CHARS)
            return pointer_answer(text, has_plan=True)
        return answer
