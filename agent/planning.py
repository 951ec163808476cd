"""Choose the planner: the deterministic one, or an LLM with the deterministic fallback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr

from agent.context import PlanBuilder, ProgressReporter
from agent.llm import LLMPlanner, deterministic, make_chat_model
from storage.models import Goal, Plan
from storage.store import Store


class PlannerSettings(Protocol):
    @property
    def llm_enabled(self) -> bool: ...
    @property
    def llm_model(self) -> str: ...
    @property
    def llm_timeout(self) -> float: ...
    @property
    def openai_base_url(self) -> str | None: ...
    @property
    def openai_api_key(self) -> SecretStr | None: ...


async def deterministic_plan(goal: Goal, *, progress: ProgressReporter | None = None) -> Plan:
    return deterministic(goal)


@dataclass
class Planners:
    build_plan: PlanBuilder
    llm: LLMPlanner | None


def make_planners(settings: PlannerSettings, store: Store) -> Planners:
    if not settings.llm_enabled:
        return Planners(deterministic_plan, None)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    chat = make_chat_model(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
    )
    llm = LLMPlanner(
        chat,
        model=settings.llm_model,
        timeout=settings.llm_timeout,
        cache_get=store.cache_get,
        cache_put=store.cache_put,
    )
    return Planners(llm.build, llm)
