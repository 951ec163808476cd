"""Wire storage, checkpointer and agent together for `run` and `chat`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.checkpoint import open_checkpointer
from agent.context import AgentContext
from agent.planning import make_planners
from agent.service import AgentService
from bot.settings import Settings
from storage.engine import open_engine
from storage.store import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    service: AgentService


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[Runtime]:
    clock = clock or (lambda: datetime.now(UTC))
    engine = open_engine(mongodb_uri=settings.mongodb_uri, data_dir=settings.data_dir)
    try:
        store = Store(engine, clock=clock)
        await store.setup()
        async with open_checkpointer(
            mongodb_uri=settings.mongodb_uri, data_dir=settings.data_dir
        ) as checkpointer:
            planners = make_planners(settings, store)
            context = AgentContext(
                store=store,
                build_plan=planners.build_plan,
                clock=clock,
                llm=planners.llm,
                public_url=settings.public_url,
            )
            yield Runtime(settings, store, AgentService(checkpointer, context))
    finally:
        engine.close()
