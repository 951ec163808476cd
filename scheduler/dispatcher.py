"""Send due reminders: claim each atomically, send it once, record the outcome.

The database is the source of truth. A tick asks it for due reminders (pending
with ``due_at <= now``, or claimed with an expired lease), and for each:

1. waits for the chat's turn, a free sending slot and the global rate (`pacing`);
2. claims it with a compare-and-set on its revision — of several instances, or a
   tick racing a snooze, exactly one wins, the others skip it;
3. checks it still makes sense (`compose`) — or cancels it with the reason;
4. sends it through the injected ``sender(chat_id, user_id, replies)``;
5. marks it ``sent`` — only if the claim is still its own.

Leases are computed when the claim is written and judged by the database
server's clock (`storage.leases`), so a claim made late in a long tick, or an
instance whose clock is off, cannot let a second instance send it again.

Delivery semantics
------------------
* Telegram accepted → ``sent`` with Telegram's ``message_ids``; never sent again (a
  retry or a second instance finds it claimed or sent). If that write fails, it is
  retried with backoff (`Dispatcher.mark_backoff`), then kept in memory and
  written at the start of the next tick — never resent by this instance. Only
  if this instance dies before it can write, and its lease runs out, does another
  instance take it over, as an uncertain attempt (see below).
* 429 → pending again at ``now + retry_after``; counted in ``throttles`` (not in
  ``attempts``: flow control is not a failure), failed after `RetryPolicy.max_throttles`.
* 5xx, network errors, anything unexpected → pending again after exponential
  backoff (5 s, 30 s, 2 min, 10 min, 30 min); ``failed`` with ``last_error`` at the
  `RetryPolicy.max_attempts`-th failure.
* 403 (blocked by the user), 400 (bad request) → ``failed`` at once.
* A timed-out send may have been accepted by Telegram. It is recorded
  (``uncertain`` + 1, ``last_error``) and retried at most once: a second uncertain
  outcome fails it instead of risking more duplicates. The same holds when a
  claim's lease expires (the holder stopped mid-send): it is reclaimed as an
  uncertain attempt. So a reminder is delivered exactly once whenever Telegram
  answers, and at most twice when an answer was lost — never silently dropped.

After downtime: reminders overdue by more than ``grace`` (default 2 h) are not sent
one by one; they are folded into one "While I was away you missed: …" message per
user (a ``missed_digest`` reminder, itself delivered through the same path).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from scheduler.compose import ALWAYS_SENT, compose
from scheduler.dispatcher_outcomes import (
    InFlight,
    Outcome,
    RetryPolicy,
    TickReport,
    classify,
    digest_item,
)
from scheduler.pacing import ChatSpacing, Pace
from scheduler.reminders import follow_up
from scheduler.settings_model import ReminderSettings
from storage import pace as pace_store
from storage.engine import StorageError
from storage.leases import claim, instance_name
from storage.reminders import (
    CANCELLED,
    CLAIMED,
    FAILED,
    FOLDED,
    PENDING,
    SENT,
    compare_and_set,
    due_fields,
    insert_if_absent,
    new_reminder,
    set_reminder_fields,
    stream_due_reminders,
    users_by_id,
)
from storage.store import Store

log = logging.getLogger(__name__)

# Sends one reminder's replies; may return the ids of the messages Telegram accepted.
Sender = Callable[[int, int, list[dict[str, Any]]], Awaitable[Any]]
RECURRING = ("custom", "weekly_summary", "nudge")
PACE_KEY = "telegram"  # one bot per store: its instances share this pace
PACE_EXPIRE = 2.0  # seconds without a heartbeat before an instance no longer counts

__all__ = ["Dispatcher", "Outcome", "RetryPolicy", "Sender", "TickReport", "classify"]


class Dispatcher:
    """Claims and sends due reminders; see the module docstring for the guarantees."""

    def __init__(
        self,
        store: Store,
        sender: Sender | None,
        *,
        clock: Callable[[], datetime] | None = None,
        instance: str | None = None,
        pace: Pace | None = None,
        retry: RetryPolicy | None = None,
        grace: timedelta = timedelta(hours=2),
        lookback: timedelta = timedelta(hours=48),
        lease: timedelta = timedelta(minutes=10),
        batch: int = 1000,
        mark_backoff: tuple[float, ...] = (0.5, 2.0, 5.0),
    ) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock or store.clock
        self.instance = instance or instance_name()
        self.pace = pace or Pace()
        self.retry = retry or RetryPolicy()
        self.grace = grace
        self.lookback = lookback
        self.lease = lease
        self.batch = batch
        self.mark_backoff = mark_backoff
        # sent by Telegram, not yet recorded as sent: reminder_id → (claimed doc, fields)
        self._unmarked: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        # claims whose answer was lost (they may have been written): reminder_id → candidate
        self._unanswered: dict[str, dict[str, Any]] = {}
        self.spacing = ChatSpacing(self.pace.per_chat_interval)
        self._limiter = self.pace.limiter(
            functools.partial(pace_store.beat, store, PACE_KEY, self.instance, expire=PACE_EXPIRE),
            functools.partial(pace_store.leave, store, PACE_KEY, self.instance),
        )
        self._slots = asyncio.Semaphore(self.pace.concurrency)
        self._lock = asyncio.Lock()
        self._stopping = False

    # ---- ticks -----------------------------------------------------------------------

    async def tick(self, now: datetime | None = None) -> TickReport:
        """Handle everything due in the recent past (``lookback``)."""
        return await self._run(now or self.clock(), self.lookback)

    async def catch_up(self, now: datetime | None = None) -> TickReport:
        """Start-up: everything due, however old (old ones are folded)."""
        return await self._run(now or self.clock(), None)

    def stop(self) -> None:
        """Claim nothing more; sends already claimed finish."""
        self._stopping = True

    async def _run(self, now: datetime, lookback: timedelta | None) -> TickReport:
        """Stream the due reminders and deliver them as they come: up to ``batch``
        deliveries stay in flight while the next batch is read, so the pace never waits
        for a batch's slowest chat or for the next query. Passes repeat until one finds
        nothing new (folding stores digests that are due at once)."""
        if self.sender is None:
            raise RuntimeError("no sender: attach one before ticking")
        report = TickReport()
        async with self._lock:
            await self._reconcile(report)
            seen: set[str] = set(self._unmarked)
            running = InFlight(report)
            try:
                while not self._stopping:
                    found = await self._pass(now, lookback, seen, running, report)
                    lookback = self.lookback  # a full scan found everything old
                    await running.drain()
                    if not found:
                        break
            finally:
                await running.drain()
                await self._limiter.leave()
        return report

    async def _pass(
        self,
        now: datetime,
        lookback: timedelta | None,
        seen: set[str],
        running: InFlight,
        report: TickReport,
    ) -> bool:
        """One read through what is due; True if it found anything not seen before."""
        found = False
        stream = stream_due_reminders(self.store, now, lookback=lookback, batch=self.batch)
        async with aclosing(stream) as batches:
            async for due in batches:
                batch = [d for d in due if d["reminder_id"] not in seen]
                if not batch:
                    continue
                found = True
                seen.update(d["reminder_id"] for d in batch)
                report.due += len(batch)
                users = await users_by_id(self.store, (int(d["user_id"]) for d in batch))
                old = now - self.grace
                stale = [d for d in batch if d["kind"] not in ALWAYS_SENT and d["due_at"] < old]
                stale_ids = {d["reminder_id"] for d in stale}
                await self._fold(stale, users, now, report)
                for doc in batch:
                    if doc["reminder_id"] not in stale_ids:
                        running.start(self._deliver(doc, users, now, report))
                await running.drain(keep=self.batch)
                if self._stopping:
                    break
        return found

    # ---- one reminder ------------------------------------------------------------------

    async def _deliver(
        self,
        candidate: dict[str, Any],
        users: dict[int, dict[str, Any]],
        now: datetime,
        report: TickReport,
    ) -> None:
        """Claim, compose, take a token, send, record; the outcome is written inside the
        sending slot, so the slots also bound the storage calls in flight."""
        chat_id, user_id = int(candidate["chat_id"]), int(candidate["user_id"])
        user = users.get(user_id)
        async with self.spacing.turn(chat_id) as mark_sent, self._slots:
            if self._stopping:
                return
            doc = await self._claim(candidate, report)
            if doc is None:
                return
            try:
                composed = await compose(self.store, doc, user, self.clock())
            except Exception as exc:
                log.exception("could not compose reminder %s", doc["reminder_id"])
                await self._after_failure(doc, classify(exc), user, report)
                return
            if composed.cancel is not None:
                await self._finish(doc, CANCELLED, report, cancel_reason=composed.cancel)
                if composed.follow:
                    await self._follow(doc, user, delivered=False)
                return
            assert self.sender is not None
            await self._limiter.acquire()  # right before the send: no store latency in between
            try:
                accepted = await self.sender(chat_id, user_id, composed.replies)
            except Exception as exc:
                mark_sent()
                await self._after_failure(doc, classify(exc), user, report)
                return
            mark_sent()
            fields: dict[str, Any] = {"sent_at": self.clock()}
            if isinstance(accepted, list):
                fields["message_ids"] = accepted
            await self._mark_sent(doc, fields, report)
            if composed.follow:
                await self._follow(doc, user)

    async def _remember(self, doc: dict[str, Any], user_id: int, sent_at: datetime) -> None:
        """What other features read about the last reminder: the progress feature takes
        a bare "done" to mean the module last reminded of."""
        if doc["kind"] == "nudge":
            await set_reminder_fields(self.store, user_id, {"last_nudge_at": sent_at})
        elif doc["kind"] == "session":
            module_id = (doc.get("payload") or {}).get("module_id")
            update = {"last_reminded_module": module_id, "last_reminded_at": sent_at}
            await self.store.set_user_fields(user_id, update)

    async def _mark_sent(
        self, doc: dict[str, Any], fields: dict[str, Any], report: TickReport
    ) -> None:
        """Telegram accepted it: record ``sent``, retrying a failed write with backoff;
        if it still fails, keep it for `_reconcile`. Never send it again."""
        for delay in (0.0, *self.mark_backoff):
            await asyncio.sleep(delay)
            try:
                if await self._finish(doc, SENT, report, **fields):
                    await self._remember(doc, int(doc["user_id"]), fields["sent_at"])
                return
            except StorageError as exc:
                log.warning("could not record reminder %s as sent: %s", doc["reminder_id"], exc)
        self._unmarked[doc["reminder_id"]] = (doc, fields)
        report.unmarked += 1

    async def _reconcile(self, report: TickReport) -> None:
        """Record the sends whose ``sent`` write failed earlier, and give back the claims
        whose answer was lost (next tick)."""
        await self._release_unanswered()
        for reminder_id, (doc, fields) in list(self._unmarked.items()):
            try:
                done = await self._finish(doc, SENT, report, **fields)
            except StorageError as exc:
                log.warning("still cannot record reminder %s as sent: %s", reminder_id, exc)
                continue
            del self._unmarked[reminder_id]
            if done:
                report.reconciled += 1
                await self._remember(doc, int(doc["user_id"]), fields["sent_at"])

    async def _release_unanswered(self) -> None:
        """A claim can be written while its answer is lost (a timeout, a dropped
        connection, a write-concern error). Nothing was sent under it — sending starts
        only after a claim is answered — so if it was written, the reminder is simply
        pending again, not left to wait out its lease and come back as uncertain."""
        for reminder_id, candidate in list(self._unanswered.items()):
            written = {**candidate, "rev": int(candidate["rev"]) + 1}
            fields = {"status": PENDING, "claimed_by": None, "lease_until": None}
            try:
                await compare_and_set(self.store, written, fields, holder=self.instance)
            except StorageError as exc:
                log.warning("cannot yet give back reminder %s: %s", reminder_id, exc)
                continue
            del self._unanswered[reminder_id]

    def unmarked(self) -> list[str]:
        """Reminders sent but not yet recorded as sent."""
        return sorted(self._unmarked)

    async def _claim(self, candidate: dict[str, Any], report: TickReport) -> dict[str, Any] | None:
        if candidate["status"] == CLAIMED and candidate["uncertain"] >= self.retry.max_uncertain:
            error = "lost again while sending; it may have been delivered, not retrying"
            done = await compare_and_set(
                self.store, candidate, {"status": FAILED, "last_error": error}
            )
            if done is not None:
                report.failed += 1
            return None
        try:
            doc = await claim(self.store, candidate, holder=self.instance, lease=self.lease)
        except StorageError:
            self._unanswered[candidate["reminder_id"]] = candidate
            raise
        if doc is None:
            report.lost += 1
        return doc

    async def _finish(
        self, doc: dict[str, Any], status: str, report: TickReport, **fields: Any
    ) -> bool:
        """Record the final state, if the claim is still ours."""
        update = {"status": status, "lease_until": None, **fields}
        done = await compare_and_set(self.store, doc, update, holder=self.instance)
        if done is None:
            log.warning("reminder %s changed while it was being sent", doc["reminder_id"])
            return False
        if status == SENT:
            report.sent += 1
        elif status == CANCELLED:
            report.cancelled += 1
        elif status == FAILED:
            report.failed += 1
        elif status == FOLDED:
            report.folded += 1
        return True

    async def _after_failure(
        self,
        doc: dict[str, Any],
        outcome: Outcome,
        user: dict[str, Any] | None,
        report: TickReport,
    ) -> None:
        now = self.clock()
        attempts = int(doc.get("attempts", 0))
        report.errors.append(outcome.error)
        retry_at: datetime | None = None
        inc: dict[str, int] = {}
        if outcome.kind == "throttled":
            self._limiter.hold(outcome.retry_after)
            report.throttled += 1
            inc = {"throttles": 1}
            if int(doc.get("throttles", 0)) + 1 < self.retry.max_throttles:
                retry_at = now + timedelta(seconds=max(1.0, outcome.retry_after))
        elif outcome.kind == "uncertain":
            inc = {"uncertain": 1, "attempts": 1}
            if int(doc.get("uncertain", 0)) < self.retry.max_uncertain:
                retry_at = now + self.retry.delay(attempts + 1)
        elif outcome.kind == "transient":
            inc = {"attempts": 1}
            if attempts + 1 < self.retry.max_attempts:
                retry_at = now + self.retry.delay(attempts + 1)
        else:
            inc = {"attempts": 1}
        if retry_at is not None:
            fields = {
                "status": PENDING,
                **due_fields(retry_at),
                "claimed_by": None,
                "lease_until": None,
                "last_error": outcome.error,
            }
            if await compare_and_set(self.store, doc, fields, inc=inc, holder=self.instance):
                report.retried += 1
            return
        fields = {"status": FAILED, "lease_until": None, "last_error": outcome.error}
        if await compare_and_set(self.store, doc, fields, inc=inc, holder=self.instance):
            report.failed += 1
            log.warning("gave up on reminder %s: %s", doc["reminder_id"], outcome.error)
            if doc["kind"] in RECURRING:
                await self._follow(doc, user)

    async def _follow(
        self, doc: dict[str, Any], user: dict[str, Any] | None, *, delivered: bool = True
    ) -> None:
        if doc["kind"] in RECURRING:
            settings = ReminderSettings.of_user(user)
            await follow_up(self.store, doc, settings, self.clock(), delivered=delivered)

    # ---- after downtime --------------------------------------------------------------

    async def _fold(
        self,
        stale: list[dict[str, Any]],
        users: dict[int, dict[str, Any]],
        now: datetime,
        report: TickReport,
    ) -> None:
        """Replace each user's long-overdue reminders by one digest of them."""
        by_user: defaultdict[int, list[dict[str, Any]]] = defaultdict(list)
        for candidate in stale:
            by_user[int(candidate["user_id"])].append(candidate)
        for user_id, candidates in by_user.items():
            user = users.get(user_id)
            claimed = [
                doc for doc in [await self._claim(c, report) for c in candidates] if doc is not None
            ]
            listed: list[dict[str, Any]] = []
            for doc in claimed:
                composed = await compose(self.store, doc, user, now)
                if composed.cancel is not None:
                    await self._finish(doc, CANCELLED, report, cancel_reason=composed.cancel)
                    if composed.follow:
                        await self._follow(doc, user, delivered=False)
                else:
                    listed.append(doc)
            if not listed:
                continue
            digest_id = await self._store_digest(user_id, listed, now)
            if digest_id is not None:
                report.digests += 1
            for doc in listed:
                await self._finish(doc, FOLDED, report, folded_into=digest_id)
                await self._follow(doc, user)

    async def _store_digest(
        self, user_id: int, docs: list[dict[str, Any]], now: datetime
    ) -> str | None:
        items = [item for item in (digest_item(d) for d in docs) if item is not None]
        if not items:
            return None
        items.sort(key=lambda i: i["due_at"])
        ids = ",".join(sorted(d["reminder_id"] for d in docs))
        digest_id = f"d:{user_id}:{hashlib.sha256(ids.encode()).hexdigest()[:12]}"
        first = docs[0]
        digest = new_reminder(
            reminder_id=digest_id,
            kind="missed_digest",
            user_id=user_id,
            chat_id=int(first["chat_id"]),
            due_at=now,
            tz=str(first.get("tz") or "UTC"),
            now=now,
            payload={"items": items},
        )
        await insert_if_absent(self.store, digest)
        return digest_id
