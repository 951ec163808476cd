"""What the dispatcher decides about a send's outcome, what it reports, and how it
tracks the deliveries in flight (`InFlight`)."""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TimedOut

log = logging.getLogger("scheduler.dispatcher")


@dataclass(frozen=True)
class RetryPolicy:
    backoff: tuple[float, ...] = (5, 30, 120, 600, 1800)
    max_attempts: int = 6
    max_throttles: int = 20
    max_uncertain: int = 1

    def delay(self, attempts: int) -> timedelta:
        return timedelta(seconds=self.backoff[min(attempts, len(self.backoff)) - 1])


@dataclass(frozen=True)
class Outcome:
    """How a failed send is treated: ``throttled``, ``transient``, ``uncertain`` or
    ``permanent``."""

    kind: str
    error: str
    retry_after: float = 0.0


def classify(exc: BaseException) -> Outcome:
    text = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # int vs timedelta deprecation in PTB 22
            seconds = exc.retry_after
        wait = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return Outcome("throttled", text, wait)
    if isinstance(exc, TimedOut | TimeoutError):
        return Outcome("uncertain", text)
    if isinstance(exc, Forbidden | BadRequest | ChatMigrated):
        return Outcome("permanent", text)
    return Outcome("transient", text)


@dataclass
class TickReport:
    due: int = 0
    sent: int = 0
    retried: int = 0
    throttled: int = 0
    failed: int = 0
    cancelled: int = 0
    folded: int = 0
    digests: int = 0
    lost: int = 0
    unmarked: int = 0
    reconciled: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: TickReport) -> None:
        for item in dataclass_fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


class InFlight:
    """The deliveries running, with a wait for "at most ``keep`` left" that costs O(1)
    per finished task. (`asyncio.wait` over a set of 1,000 tasks adds and removes a
    callback on every one of them each time it is called: about 900 callbacks per
    send in the fan-out profile, the largest CPU cost of the whole dispatcher.)"""

    def __init__(self, report: TickReport) -> None:
        self.report = report
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, work: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            log.error("reminder delivery failed", exc_info=error)
            self.report.errors.append(repr(error))
        self._changed.set()

    async def drain(self, keep: int = 0) -> None:
        """Wait until at most ``keep`` deliveries are still running."""
        while len(self._tasks) > keep:
            self._changed.clear()
            await self._changed.wait()


def digest_item(doc: dict[str, Any]) -> dict[str, Any] | None:
    """How an overdue reminder is listed in the digest (nudges are just dropped)."""
    payload = doc.get("payload") or {}
    if doc["kind"] == "session":
        part = (
            f" (part {payload['part']} of {payload['parts']})"
            if payload.get("parts", 1) > 1
            else ""
        )
        when = payload.get("starts_at") or doc["due_at"]
        return {"due_at": when, "what": f"study session: {payload.get('title')}{part}"}
    if doc["kind"] == "custom":
        return {"due_at": doc["due_at"], "what": f"your {payload.get('rule', '')} study reminder"}
    if doc["kind"] == "weekly_summary":
        return {"due_at": doc["due_at"], "what": "your weekly summary"}
    return None
