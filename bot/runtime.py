"""Wire storage, checkpointer and agent together for `run` and `chat`."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from agent.charts import warm_up_in_background as warm_up_charts
from agent.checkpoint import open_checkpointer
from agent.context import AgentContext
from agent.curricula.library import curricula
from agent.planning import make_planners
from agent.service import AgentService
from agent.understanding import dates, places
from agent.understanding.service import make_understanding
from bot.settings import Settings
from scheduler.pacing import Pace
from scheduler.planning import schedule_plan
from scheduler.runner import ReminderRunner
from storage.engine import open_engine_async
from storage.store import Store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    service: AgentService
    reminders: ReminderRunner


def warm_up() -> None:
    """Load the big tables (the gazetteer, dateparser's language data, the curricula)
    before the first message. Loaded lazily they take seconds of CPU inside the first turn,
    on the event loop: every other chat's Telegram call in flight meanwhile times out
    (a reply then counts as undeliverable after its second timeout)."""
    places.warm_up()
    dates.warm_up()
    curricula()


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    reminder_pace: Pace | None = None,
    schedule_reminders: bool = True,
) -> AsyncIterator[Runtime]:
    """Open storage, checkpointer, planners, agent and the reminder runner.

    The runner is created here but started by the bot (`bot.app.start_polling` or
    webhook mode) once it can send; tests pass ``schedule_reminders=False`` and drive
    ``runtime.reminders.tick()`` with their own clock.
    """
    clock = clock or (lambda: datetime.now(UTC))
    warm_up_charts()  # on the chart thread, meanwhile (not awaited)
    await asyncio.to_thread(warm_up)
    engine = await open_engine_async(
        mongodb_uri=settings.mongodb_uri,
        data_dir=settings.data_dir,
        timeout_ms=settings.mongodb_timeout_ms,
    )
    try:
        store = Store(engine, clock=clock)
        await store.setup()
        async with open_checkpointer(
            mongodb_uri=settings.mongodb_uri, data_dir=settings.data_dir, engine=engine
        ) as checkpointer:
            planners = make_planners(settings, store)
            understander, answerer = make_understanding(settings)
            context = AgentContext(
                store=store,
                build_plan=planners.build_plan,
                clock=clock,
                llm=planners.llm,
                public_url=settings.public_url,
                understander=understander,
                answerer=answerer,
            )
            reminders = ReminderRunner(
                store, clock=clock, pace=reminder_pace, schedule=schedule_reminders
            )
            context.on_plan_changed = functools.partial(
                schedule_plan,
                store,
                wake=reminders.wake,
                max_session_minutes=settings.max_session_minutes,
            )
            yield Runtime(settings, store, AgentService(checkpointer, context), reminders)
    finally:
        await engine.aclose()
