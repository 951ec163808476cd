"""The dispatcher against the in-memory engine, with a recording sender and an injected
clock: claims, retries, give-up bounds, uncertain sends, leases, folding, pacing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from scheduler.dispatcher import Dispatcher, RetryPolicy, classify
from scheduler.pacing import ChatSpacing, Pace, SharedPace
from scheduler.runner import NEXT_JOB, POLL_JOB, ReminderRunner
from storage.engine import Engine, EngineKind
from storage.leases import claim
from storage.pace import beat as beat_pace
from storage.pace import leave as leave_pace
from storage.reminders import (
    add_custom_rule,
    compare_and_set,
    ensure_indexes_once,
    get_reminder,
    insert_if_absent,
    new_reminder,
    status_counts,
)
from storage.store import Store
from tests.harness import FrozenClock
from tests.store_faults import WriteBlock

# PTB 22 warns about RetryAfter.retry_after's future type whenever one is built.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
BOTH_ENGINES = True
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
FAST = Pace(per_second=10_000, per_chat_interval=0.0, concurrency=32)


class Recorder:
    """A sender that records what it was asked to send, and can fail on demand."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []
        self.failures: list[BaseException] = []
        self.calls = 0

    async def __call__(self, chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> None:
        self.calls += 1
        await asyncio.sleep(0)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.extend((chat_id, str(r.get("text"))) for r in replies)


@pytest.fixture
async def store(engine: Engine) -> AsyncIterator[Store]:
    clock = FrozenClock(T0)
    s = Store(engine, clock=clock)
    await s.setup()
    await ensure_indexes_once(s)
    yield s


@pytest.fixture
def blocked_writes(store: Store) -> WriteBlock:
    return WriteBlock(store)


def clock_of(store: Store) -> FrozenClock:
    assert isinstance(store.clock, FrozenClock)
    return store.clock


async def add(
    store: Store, user: int, due: datetime, *, kind: str = "custom", rid: str | None = None
) -> str:
    reminder_id = rid or f"c:{user}:r:{due:%Y%m%d%H%M}"
    doc = new_reminder(
        reminder_id=reminder_id,
        kind=kind,
        user_id=user,
        chat_id=user,
        due_at=due,
        tz="Europe/Berlin",
        now=due,
        payload={"rule": "daily 08:00"},
        rule_id="r",
        occurrence=due.date().isoformat(),
    )
    assert await insert_if_absent(store, doc)
    return reminder_id


def dispatcher(store: Store, sender: Recorder, instance: str = "a", **kw: Any) -> Dispatcher:
    return Dispatcher(store, sender, instance=instance, pace=FAST, **kw)


async def test_two_dispatchers_claim_each_reminder_once(store: Store) -> None:
    ids = [await add(store, 100 + i, T0 - timedelta(minutes=i % 30)) for i in range(300)]
    sender = Recorder()
    # a few sends in flight each: enough to race on every claim, without queueing more
    # writes on a shared test server than it can answer within the call timeout
    pace = Pace(per_second=10_000, per_chat_interval=0.0, concurrency=4)
    a = Dispatcher(store, sender, instance="a", pace=pace)
    b = Dispatcher(store, sender, instance="b", pace=pace)
    ra, rb = await asyncio.gather(a.tick(T0), b.tick(T0))
    assert ra.sent + rb.sent == 300 and ra.lost + rb.lost == 300
    assert Counter(chat for chat, _ in sender.sent) == Counter(range(100, 400))
    holders = Counter([(await get_reminder(store, i) or {})["claimed_by"] for i in ids])
    assert set(holders) == {"a", "b"}
    assert await status_counts(store) == {"sent": 300}
    again = await asyncio.gather(a.tick(T0), b.tick(T0))
    assert sum(r.sent for r in again) == 0 and len(sender.sent) == 300


async def test_an_idempotent_insert_does_not_duplicate(store: Store) -> None:
    rid = await add(store, 1, T0)
    doc = await get_reminder(store, rid)
    assert doc is not None and not await insert_if_absent(store, {**doc, "status": "pending"})


async def test_retry_after_is_respected_and_not_counted_as_an_attempt(store: Store) -> None:
    rid = await add(store, 1, T0)
    sender = Recorder()
    sender.failures = [RetryAfter(7)]
    d = dispatcher(store, sender)
    report = await d.tick(T0)
    assert report.throttled == 1 and report.retried == 1
    doc = await get_reminder(store, rid)
    assert doc is not None and doc["status"] == "pending"
    assert doc["due_at"] == T0 + timedelta(seconds=7)
    assert doc["throttles"] == 1 and doc["attempts"] == 0
    clock_of(store).now = T0 + timedelta(seconds=6)
    assert (await d.tick()).sent == 0
    clock_of(store).now = T0 + timedelta(seconds=7)
    assert (await d.tick()).sent == 1 and len(sender.sent) == 1


async def test_5xx_backs_off_exponentially_then_gives_up_with_the_reason(store: Store) -> None:
    rid = await add(store, 1, T0)
    sender = Recorder()
    sender.failures = [NetworkError("Bad Gateway") for _ in range(10)]
    d = dispatcher(store, sender)
    delays = []
    now = T0
    for _ in range(6):
        clock_of(store).now = now
        await d.tick(now)
        doc = await get_reminder(store, rid)
        assert doc is not None
        if doc["status"] != "pending":
            break
        delays.append((doc["due_at"] - now).total_seconds())
        now = doc["due_at"]
    assert delays == [5, 30, 120, 600, 1800]
    assert doc["status"] == "failed" and doc["attempts"] == 6
    assert doc["last_error"] == "NetworkError: Bad Gateway"
    assert sender.calls == 6 and sender.sent == []


@pytest.mark.parametrize(
    "error", [Forbidden("bot was blocked by the user"), BadRequest("chat not found")]
)
async def test_permanent_errors_fail_at_once(store: Store, error: Exception) -> None:
    rid = await add(store, 1, T0)
    sender = Recorder()
    sender.failures = [error]
    report = await dispatcher(store, sender).tick(T0)
    doc = await get_reminder(store, rid)
    assert report.failed == 1 and doc is not None and doc["status"] == "failed"
    assert str(error) in doc["last_error"] and sender.calls == 1


async def test_a_timed_out_send_is_recorded_and_retried_at_most_once(store: Store) -> None:
    first = await add(store, 1, T0)
    second = await add(store, 2, T0)
    sender = Recorder()
    d = dispatcher(store, sender)
    sender.failures = [TimedOut(), TimedOut()]
    await d.tick(T0)
    for rid in (first, second):
        doc = await get_reminder(store, rid)
        assert doc is not None and doc["status"] == "pending" and doc["uncertain"] == 1
    clock_of(store).now = T0 + timedelta(seconds=5)
    sender.failures = [TimedOut()]
    await d.tick()
    statuses = {rid: (await get_reminder(store, rid) or {}) for rid in (first, second)}
    failed = [doc for doc in statuses.values() if doc["status"] == "failed"]
    sent = [doc for doc in statuses.values() if doc["status"] == "sent"]
    assert len(failed) == 1 and len(sent) == 1
    assert failed[0]["uncertain"] == 2 and "Timed out" in failed[0]["last_error"]
    clock_of(store).now = T0 + timedelta(hours=2)
    assert (await d.tick()).due == 0, "a second uncertain send is never retried"


async def test_an_expired_claim_is_taken_over_as_an_uncertain_attempt(store: Store) -> None:
    crashed = await add(store, 1, T0)
    alive = await add(store, 2, T0)
    twice = await add(store, 3, T0)
    for rid, minutes in ((crashed, -1), (alive, 5), (twice, -1)):
        doc = await get_reminder(store, rid)
        assert doc is not None
        if rid == twice:
            doc = await compare_and_set(store, doc, {"uncertain": 1})
            assert doc is not None
        assert await claim(store, doc, holder="dead/1", lease=timedelta(minutes=minutes))
    sender = Recorder()
    report = await dispatcher(store, sender).tick(T0)
    assert [chat for chat, _ in sender.sent] == [1]
    assert report.sent == 1 and report.failed == 1
    doc = await get_reminder(store, crashed)
    assert doc is not None and doc["status"] == "sent" and doc["uncertain"] == 1
    assert "may have been delivered" in doc["last_error"]
    doc = await get_reminder(store, alive)
    assert doc is not None and doc["status"] == "claimed" and doc["claimed_by"] == "dead/1"
    doc = await get_reminder(store, twice)
    assert doc is not None and doc["status"] == "failed"


async def test_a_clock_ahead_by_more_than_a_lease_does_not_take_a_live_claim(
    store: Store,
) -> None:
    """Instance b's clock is 15 minutes ahead (the lease is 10): while a is sending,
    b ticks and must not find a's claim expired."""
    await add(store, 1, T0)
    sender = Recorder()
    ahead = dispatcher(store, sender, "b", clock=FrozenClock(T0 + timedelta(minutes=15)))
    during: list[int] = []

    async def send_while_b_ticks(chat: int, user: int, replies: list[dict[str, Any]]) -> None:
        await sender(chat, user, replies)
        during.append((await ahead.tick()).sent)

    a = Dispatcher(store, send_while_b_ticks, instance="a", pace=FAST)
    assert (await a.tick(T0)).sent == 1
    assert during == [0] and len(sender.sent) == 1


async def test_a_claim_made_late_in_a_long_tick_gets_a_full_lease(store: Store) -> None:
    """One send at a time; the first takes 11 minutes, so the second reminder is
    claimed 11 minutes after the tick began. Another instance ticking while it is
    sent must not find that claim expired."""
    await add(store, 1, T0)
    await add(store, 2, T0)
    sender = Recorder()
    other = dispatcher(store, sender, "b")
    during: list[int] = []

    async def slow_first(chat: int, user: int, replies: list[dict[str, Any]]) -> None:
        await sender(chat, user, replies)
        if chat == 1:
            clock_of(store).now = T0 + timedelta(minutes=11)
        else:
            during.append((await other.tick()).sent)

    one_at_a_time = Pace(per_second=10_000, per_chat_interval=0.0, concurrency=1)
    a = Dispatcher(store, slow_first, instance="a", pace=one_at_a_time)
    assert (await a.tick(T0)).sent == 2
    assert during == [0]
    assert sorted(chat for chat, _ in sender.sent) == [1, 2]


async def test_a_failed_sent_write_is_retried_and_the_reminder_never_resent(
    store: Store, blocked_writes: WriteBlock
) -> None:
    """Telegram accepted the reminder, then every write to the store fails for a
    while: the reminder is recorded as sent on the next tick, with Telegram's message
    id, and not sent again — not even once its lease has run out."""
    rid = await add(store, 1, T0)
    sender = Recorder()

    async def send_then_fail_writes(chat: int, user: int, replies: list[dict[str, Any]]) -> list:
        await sender(chat, user, replies)
        await blocked_writes.start()
        return [4242]

    d = Dispatcher(store, send_then_fail_writes, instance="a", pace=FAST, mark_backoff=(0.05,))
    try:
        await d.tick(T0)
    finally:
        await blocked_writes.stop()
    clock_of(store).now = T0 + timedelta(minutes=11)
    await d.tick()
    clock_of(store).now = T0 + timedelta(hours=1)
    await d.tick()
    assert sender.calls == 1
    doc = await get_reminder(store, rid)
    assert doc is not None and doc["status"] == "sent"
    assert doc.get("message_ids") == [4242]


async def test_a_claim_whose_answer_was_lost_is_sent_at_the_next_tick_not_after_its_lease(
    store: Store, blocked_writes: WriteBlock
) -> None:
    """The claim is written but its answer is an error: nothing was sent under it, so
    the next tick gives it back and sends it, once, not counted as uncertain — rather
    than leaving it to wait out its ten-minute lease."""
    if store.engine.kind is not EngineKind.MONGODB:
        pytest.skip("the embedded engine writes and answers in one call: no answer is lost")
    rid = await add(store, 1, T0)
    sender = Recorder()
    d = Dispatcher(store, sender, instance="a", pace=FAST)
    await blocked_writes.lose_next_answer("findAndModify")
    first = await d.tick(T0)
    assert first.sent == 0 and first.errors
    claimed = await get_reminder(store, rid)
    assert claimed is not None and claimed["status"] == "claimed"
    assert (await d.tick(T0 + timedelta(seconds=30))).sent == 1
    assert sender.calls == 1
    doc = await get_reminder(store, rid)
    assert doc is not None and doc["status"] == "sent" and not doc.get("uncertain")


async def test_a_restarted_instance_releases_its_own_leases_at_once(store: Store) -> None:
    mine = await add(store, 1, T0)
    theirs = await add(store, 2, T0)
    for rid, holder in ((mine, "host-a/old-boot"), (theirs, "host-b/boot")):
        doc = await get_reminder(store, rid)
        assert doc is not None
        assert await claim(store, doc, holder=holder, lease=timedelta(minutes=10))
    sender = Recorder()
    runner = ReminderRunner(
        store, sender, clock=store.clock, instance="host-a/new-boot", pace=FAST, schedule=False
    )
    await runner.start()
    await runner.stop()
    assert (await get_reminder(store, mine) or {})["status"] == "sent"
    other = await get_reminder(store, theirs) or {}
    if store.engine.kind is EngineKind.MONGODB:
        assert other["status"] == "claimed", "another instance's live lease is left alone"
    else:
        assert other["status"] == "sent", "the embedded store has one process: all are stale"
    assert sorted(chat for chat, _ in sender.sent) == sorted(
        [1] if store.engine.kind is EngineKind.MONGODB else [1, 2]
    )


async def test_catch_up_sends_recent_ones_and_folds_old_ones_per_user(store: Store) -> None:
    fresh = [await add(store, u, T0 - timedelta(minutes=30)) for u in (1, 2)]
    old = [await add(store, u, T0 - timedelta(hours=h)) for u in (1, 2) for h in (3, 5, 30)]
    ancient = await add(store, 3, T0 - timedelta(days=10))
    sender = Recorder()
    d = dispatcher(store, sender)
    report = await d.catch_up(T0)
    texts = Counter(chat for chat, text in sender.sent if text.startswith("⏰"))
    digests = Counter(chat for chat, text in sender.sent if text.startswith("While I was away"))
    assert texts == {1: 1, 2: 1}
    assert digests == {1: 1, 2: 1, 3: 1}
    assert report.folded == 7 and report.digests == 3
    digest = next(text for chat, text in sender.sent if chat == 1 and text.startswith("While"))
    assert digest.count("daily 08:00 study reminder") == 3
    for rid in [*old, ancient]:
        doc = await get_reminder(store, rid)
        assert doc is not None and doc["status"] == "folded" and doc["folded_into"]
    for rid in fresh:
        assert (await get_reminder(store, rid) or {})["status"] == "sent"
    assert (await d.catch_up(T0)).sent == 0 and len(sender.sent) == 5


async def test_a_stopped_dispatcher_claims_nothing(store: Store) -> None:
    rid = await add(store, 1, T0)
    d = dispatcher(store, Recorder())
    d.stop()
    assert (await d.tick(T0)).sent == 0
    assert (await get_reminder(store, rid) or {})["status"] == "pending"


async def test_reminders_turned_off_are_cancelled_not_sent(store: Store) -> None:
    rid = await add(store, 1, T0)
    await store.run(store.db.users.insert_one, {"user_id": 1, "reminders": {"enabled": False}})
    sender = Recorder()
    report = await dispatcher(store, sender).tick(T0)
    doc = await get_reminder(store, rid)
    assert report.cancelled == 1 and sender.sent == []
    assert doc is not None and doc["status"] == "cancelled" and doc["cancel_reason"] == "off"


def test_errors_are_classified() -> None:
    assert classify(RetryAfter(3)).kind == "throttled"
    assert classify(RetryAfter(3)).retry_after == 3
    assert classify(TimedOut()).kind == "uncertain"
    assert classify(NetworkError("Bad Gateway")).kind == "transient"
    assert classify(Forbidden("blocked")).kind == "permanent"
    assert classify(BadRequest("can't parse entities")).kind == "permanent"
    assert classify(RuntimeError("bug")).kind == "transient"
    assert RetryPolicy().delay(1) == timedelta(seconds=5)
    assert RetryPolicy().delay(9) == timedelta(minutes=30)


async def test_chat_spacing_waits_between_sends_to_one_chat_only() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 3))
        now[0] += seconds

    spacing = ChatSpacing(1.0, clock=lambda: now[0], sleep=sleep)

    async def send(chat: int, cost: float) -> None:
        async with spacing.turn(chat) as sent:
            now[0] += cost
            sent()

    await send(1, 0.2)
    await send(2, 0.2)
    await send(1, 0.1)
    await send(1, 0.0)
    assert slept == [0.8, 1.0]
    assert spacing.tracked() == 2


async def test_the_runner_arms_a_date_job_at_the_next_due_reminder(store: Store) -> None:
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    clock_of(store).now = start
    due = start + timedelta(seconds=20)
    await add(store, 1, due)
    runner = ReminderRunner(store, Recorder(), clock=store.clock, pace=FAST)
    await runner.start()
    try:
        assert runner.scheduler is not None
        poll = runner.scheduler.get_job(POLL_JOB)
        assert poll is not None and poll.trigger.interval == timedelta(seconds=30)
        job = runner.scheduler.get_job(NEXT_JOB)
        assert job is not None
        assert job.next_run_time == due + timedelta(milliseconds=50)
    finally:
        await runner.stop()


async def test_a_runner_made_before_the_bot_catches_up_in_the_background(store: Store) -> None:
    await add(store, 1, T0 - timedelta(minutes=5))
    await add(store, 2, T0 - timedelta(hours=5))
    runner = ReminderRunner(store, clock=store.clock, pace=FAST, schedule=False)
    with pytest.raises(RuntimeError, match="no sender"):
        await runner.tick()
    sender = Recorder()
    runner.attach(sender)
    assert await runner.start(background=True) is None
    await runner.settled()
    assert sorted(chat for chat, _ in sender.sent) == [1, 2]
    await runner.tick()
    await runner.stop()
    assert sorted(chat for chat, _ in sender.sent) == [1, 2]
    assert sender.sent[-1][1].startswith("While I was away you missed")


async def test_a_custom_rule_is_one_write_added_once_and_bounded(store: Store) -> None:
    rule = {"id": "r1", "rule": "daily 08:00"}
    assert await add_custom_rule(store, 9, rule, limit=2) == "added"  # creates the user
    assert await add_custom_rule(store, 9, rule, limit=2) == "exists"
    assert await add_custom_rule(store, 9, {**rule, "id": "r2"}, limit=2) == "added"
    assert await add_custom_rule(store, 9, {**rule, "id": "r3"}, limit=2) == "full"
    users = await store.run(store.db.users.find({"user_id": 9}).to_list)
    assert len(users) == 1 and [r["id"] for r in users[0]["reminders"]["custom"]] == ["r1", "r2"]


async def test_the_shared_pace_counts_the_instances_sending(store: Store) -> None:
    assert await beat_pace(store, "k", "a", expire=60) == 1
    assert await beat_pace(store, "k", "b", expire=60) == 2
    assert await beat_pace(store, "other-bot", "c", expire=60) == 1
    await leave_pace(store, "k", "a")
    assert await beat_pace(store, "k", "b", expire=60) == 1


async def test_two_dispatchers_split_the_pace_through_the_store(store: Store) -> None:
    for i in range(60):
        await add(store, 100 + i, T0 - timedelta(minutes=1))
    sender = Recorder()
    pace = Pace(per_second=40, per_chat_interval=0.0, concurrency=4)
    a = Dispatcher(store, sender, instance="a", pace=pace)
    b = Dispatcher(store, sender, instance="b", pace=pace)
    ra, rb = await asyncio.gather(a.tick(T0), b.tick(T0))
    assert ra.sent + rb.sent == 60 and ra.sent > 0 and rb.sent > 0
    assert Counter(chat for chat, _ in sender.sent) == Counter(range(100, 160))
    limiters = [d._limiter for d in (a, b)]
    assert all(isinstance(lim, SharedPace) for lim in limiters)
    assert any(lim.most == 2 for lim in limiters if isinstance(lim, SharedPace))
    assert await store.run(store.db.pace.count_documents, {}) == 0, "both left when done"
