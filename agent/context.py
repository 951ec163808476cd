"""Runtime dependencies of the graph, injected per run (never checkpointed)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from storage.models import Goal, Plan
from storage.store import SavedPlan, Store

if TYPE_CHECKING:
    from agent.llm import LLMPlanner
    from agent.understanding.answers import Answerer
    from agent.understanding.meaning import Understander

# Tells the user how a slow job is going, by editing one message in place (None: no one
# is watching, e.g. the terminal chat).
ProgressReporter = Callable[[str], Awaitable[None]]


class PlanBuilder(Protocol):
    def __call__(
        self, goal: Goal, *, progress: ProgressReporter | None = None
    ) -> Awaitable[Plan]: ...


class PlanChanged(Protocol):
    """(Re)schedules an active plan version; ``saved``: what storing it returned, when
    it was just stored in this turn (spares reading the user's document again)."""

    def __call__(
        self, user_id: int, version: int, plan: Plan, goal: Goal, *, saved: SavedPlan | None = None
    ) -> Awaitable[list[dict[str, Any]]]: ...


def _rules() -> Understander:
    from agent.understanding.rules import RulesUnderstander

    return RulesUnderstander()


def _pointers() -> Answerer:
    from agent.understanding.answers import Answerer

    return Answerer()


async def _nothing_scheduled(
    user_id: int, version: int, plan: Plan, goal: Goal, *, saved: SavedPlan | None = None
) -> list[dict[str, Any]]:
    return []


@dataclass
class AgentContext:
    """What nodes may use. `outbox` collects replies too big to checkpoint (files,
    photos): the service sends them after the state's replies and they never enter
    the graph state. `on_plan_changed` (re)schedules a plan version once it is
    active and returns replies about it (e.g. the first sessions). `understander` reads
    what a message means (the rules, or an LLM with the rules as fallback); `answerer`
    answers questions about the plan."""

    store: Store
    build_plan: PlanBuilder
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    llm: LLMPlanner | None = None
    on_plan_changed: PlanChanged = _nothing_scheduled
    understander: Understander = field(default_factory=_rules)
    answerer: Answerer = field(default_factory=_pointers)
    # Where the bot's HTTP server is reachable from outside (calendar links); None: no links.
    public_url: str | None = None
    outbox: list[dict[str, Any]] = field(default_factory=list)
    progress: ProgressReporter | None = None


_studio_context: AgentContext | None = None


def context_of(runtime: Any) -> AgentContext:
    """The run's injected context; under `langgraph dev` / Studio, where nothing is
    injected, an in-memory store with the deterministic planner."""
    if runtime.context is not None:
        return runtime.context
    global _studio_context
    if _studio_context is None:
        from agent.llm import deterministic
        from storage.engine import open_engine

        async def build(goal: Goal, *, progress: ProgressReporter | None = None) -> Plan:
            return deterministic(goal)

        _studio_context = AgentContext(store=Store(open_engine(memory=True)), build_plan=build)
    return _studio_context
