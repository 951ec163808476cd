"""Choose the understander and the question answerer: the rules, or an LLM (with the rules
as its fallback) when one is configured — the same settings as the LLM planner."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.understanding.answers import Answerer
from agent.understanding.meaning import Understander
from agent.understanding.rules import RulesUnderstander

if TYPE_CHECKING:
    from agent.planning import PlannerSettings


def make_understanding(
    settings: PlannerSettings, *, rules_only: bool = False
) -> tuple[Understander, Answerer]:
    if rules_only or not settings.llm_enabled:
        return RulesUnderstander(), Answerer()
    # Imported here: langchain is slow to import, and the rules never need it.
    from agent.llm import make_chat_model
    from agent.understanding.llm import LLMUnderstander

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    chat = make_chat_model(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
    )
    return LLMUnderstander(chat, timeout=settings.llm_timeout), Answerer(
        chat, timeout=settings.llm_timeout
    )
