"""Run the reminders in process: APScheduler wakes the dispatcher, the database decides.

An ``AsyncIOScheduler`` holds two jobs: a one-shot ``DateTrigger`` at the next due
reminder (re-armed after every tick and on `wake`) and a safety poll every
``poll_seconds``. Both just call `tick`; losing the scheduler's memory (a restart)
loses nothing, because every tick asks the database what is due. At start-up
`catch_up` handles whatever fell due while the process was down.

Tests do not depend on APScheduler timing: they call `tick` / `catch_up` with an
injected clock, and may start the runner with ``schedule=False``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from scheduler.dispatcher import Dispatcher, Sender, TickReport
from scheduler.missed import MissedReport, reschedule_missed_sessions
from scheduler.pacing import Pace
from storage.leases import release_stale_leases
from storage.reminders import ensure_indexes_once, next_due_at
from storage.store import Store

log = logging.getLogger(__name__)

NEXT_JOB = "reminders-next"
POLL_JOB = "reminders-poll"


@dataclass
class RunReport:
    reminders: TickReport
    missed: MissedReport


class ReminderRunner:
    def __init__(
        self,
        store: Store,
        sender: Sender | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        instance: str | None = None,
        pace: Pace | None = None,
        grace: timedelta = timedelta(hours=2),
        poll_seconds: float = 30.0,
        schedule: bool = True,
    ) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.dispatcher = Dispatcher(
            store, sender, clock=self.clock, instance=instance, pace=pace, grace=grace
        )
        self.poll_seconds = poll_seconds
        self.schedule = schedule
        self.scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._background: set[asyncio.Task[Any]] = set()
        self._stopped = False

    @property
    def instance(self) -> str:
        return self.dispatcher.instance

    def attach(self, sender: Sender) -> None:
        """Set the sender once the bot exists (the runner is made before the bot)."""
        self.dispatcher.sender = sender

    async def start(self, *, background: bool = False) -> RunReport | None:
        """Release this instance's leases from before a restart, catch up on what fell
        due while stopped (taking over expired leases), then keep ticking. With
        ``background`` all of that but starting the scheduler runs as a task, so the
        bot answers meanwhile (`settled` waits for it), and None is returned; otherwise
        its report."""
        report = None
        if background:
            self._spawn(self._recover(arm=True))
        else:
            report = await self._recover(arm=False)
        if self.schedule:
            self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(), timezone=UTC)
            self.scheduler.add_job(
                self._scheduled_tick,
                "interval",
                seconds=self.poll_seconds,
                id=POLL_JOB,
                max_instances=1,
                coalesce=True,
            )
            self.scheduler.start()
            if not background:
                await self.arm()
        return report

    async def _recover(self, *, arm: bool) -> RunReport:
        """Indexes, this instance's stale leases, then the catch-up (in due order, paced
        like every send); with ``arm`` the next-due job is armed after it."""
        async with self._lock:
            await ensure_indexes_once(self.store)
            released = await release_stale_leases(self.store, self.instance)
        if released:
            log.info("released %d leases of this instance's earlier run", released)
        report = await self.catch_up()
        if arm and not self._stopped:
            await self.arm()
        return report

    async def settled(self) -> None:
        """Wait until background work (the start-up catch-up, re-arming) is done."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def stop(self) -> None:
        """Stop ticking; sends already claimed finish first."""
        self._stopped = True
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.dispatcher.stop()
        async with self._lock:
            pass
        for task in list(self._background):
            task.cancel()

    async def tick(self, now: datetime | None = None) -> RunReport:
        """Send what is due, move missed sessions, send the notices about them."""
        async with self._lock:
            now = now or self.clock()
            reminders = await self.dispatcher.tick(now)
            missed = await reschedule_missed_sessions(
                self.store, now, lookback=self.dispatcher.lookback
            )
            if missed.notices:
                reminders.add(await self.dispatcher.tick(now))
            return RunReport(reminders, missed)

    async def catch_up(self, now: datetime | None = None) -> RunReport:
        """Start-up: everything due however old (old ones folded), and every missed session."""
        async with self._lock:
            now = now or self.clock()
            reminders = await self.dispatcher.catch_up(now)
            missed = await reschedule_missed_sessions(self.store, now, lookback=None)
            reminders.add(await self.dispatcher.tick(now))
            return RunReport(reminders, missed)

    async def arm(self) -> datetime | None:
        """Point the one-shot job at the next due reminder (within the next poll)."""
        if self.scheduler is None:
            return None
        now = self.clock()
        due = await next_due_at(self.store, now, timedelta(seconds=self.poll_seconds))
        if due is None:
            if self.scheduler.get_job(NEXT_JOB) is not None:
                self.scheduler.remove_job(NEXT_JOB)
            return None
        run_at = max(due, now) + timedelta(milliseconds=50)
        self.scheduler.add_job(
            self._scheduled_tick,
            DateTrigger(run_date=run_at, timezone=UTC),
            id=NEXT_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )
        return run_at

    def wake(self) -> None:
        """New reminders were stored: re-arm soon (safe to call from any coroutine)."""
        if self.scheduler is not None:
            self._spawn(self.arm())

    def _spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _scheduled_tick(self) -> None:
        if self._stopped:
            return
        try:
            await self.tick()
        except Exception:
            log.exception("reminder tick failed")
        finally:
            if not self._stopped:
                await self.arm()
