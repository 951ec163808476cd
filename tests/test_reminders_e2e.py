"""Reminders end to end: plan → sessions → reminders sent through the Bot API stand-in.

The clock is injected (`FrozenClock`) and the runner is driven with `tick`; nothing
waits for real time except HTTP round trips.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from storage.reminders import get_reminder, insert_if_absent, new_reminder
from storage.schedules import list_sessions
from storage.session_status import set_session_status
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import FrozenClock, texts
from tests.mongo_server import engine_env
from tests.reminder_harness import ReminderBot

# PTB's rate limiter reads RetryAfter.retry_after, which warns about its future type.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)
BERLIN = ZoneInfo("Europe/Berlin")
GOAL = (
    "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
    "topics: ownership"
)
# Monday 19 October 2026, 10:00 in Berlin; clocks go back on Sunday 25 October.
MONDAY_BEFORE_DST_END = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)


@pytest.fixture
async def rbot(
    api: FakeTelegramAPI, tmp_path: Path, mongodb_uri: str | None
) -> AsyncIterator[ReminderBot]:
    clock = FrozenClock(MONDAY_BEFORE_DST_END)
    bot = ReminderBot(api, tmp_path / "data", clock=clock, env=engine_env(mongodb_uri))
    await bot.start()
    yield bot
    await bot.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"


def reminder_messages(api: FakeTelegramAPI, chat: int, since: int = 0) -> list[Call]:
    return [c for c in api.sent(chat)[since:] if str(c.params["text"]).startswith("📚")]


def study_time(api: FakeTelegramAPI, chat: int, since: int = 0) -> list[Call]:
    return [c for c in api.sent(chat)[since:] if str(c.params["text"]).startswith("⏰ Study")]


async def finish_sessions_before(bot: ReminderBot, user: int, moment: datetime) -> None:
    """The user studies every session that ended before ``moment`` (what the progress
    feature records with `mark_module_sessions` / session statuses)."""
    active = await bot.store.active_plan(user)
    assert active is not None
    for s in await list_sessions(bot.store, user, active[0]):
        if s.status == "planned" and s.ends_at <= moment:
            await set_session_status(
                bot.store, user, active[0], s.session_id, "done", expected="planned"
            )


async def test_plan_shows_sessions_in_local_time_and_stores_them_in_utc(rbot: ReminderBot) -> None:
    user = 701
    calls = await rbot.make_plan(user, GOAL)
    shown = texts(calls)
    assert "Next sessions:" in shown and "Mon 19 Oct 19:00–" in shown
    active = await rbot.store.active_plan(user)
    assert active is not None
    sessions = await list_sessions(rbot.store, user, active[0])
    first = sessions[0]
    assert first.starts_at == datetime(2026, 10, 19, 17, 0, tzinfo=UTC)
    after_change = [s for s in sessions if s.starts_at.astimezone(BERLIN).day == 26]
    assert after_change[0].starts_at == datetime(2026, 10, 26, 18, 0, tzinfo=UTC)
    calls = await rbot.say(user, "/today")
    assert "Today, Mon 19 Oct:" in texts(calls) and "19:00–" in texts(calls)


async def test_reminders_fire_at_18_45_local_on_both_sides_of_the_dst_change(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 702
    await rbot.make_plan(user, GOAL)
    active = await rbot.store.active_plan(user)
    assert active is not None
    sessions = await list_sessions(rbot.store, user, active[0])
    at_seven = [
        s
        for s in sessions
        if s.starts_at.astimezone(BERLIN).hour == 19
        and s.starts_at.astimezone(BERLIN).day in (19, 20, 21, 26, 27, 28)
    ]
    assert len(at_seven) >= 6
    offsets = set()
    for session in at_seven:
        due = session.starts_at - timedelta(minutes=15)
        await finish_sessions_before(rbot, user, due)
        since = len(api.sent(user))
        await rbot.tick(due - timedelta(minutes=1))
        assert reminder_messages(api, user, since) == [], "a reminder came early"
        await rbot.tick(due)
        sent = reminder_messages(api, user, since)
        assert len(sent) == 1, [c.params["text"] for c in sent]
        local = rbot.frozen.now.astimezone(BERLIN)
        assert (local.hour, local.minute) == (18, 45)
        assert "In 15 min" in sent[0].params["text"]
        assert f"{session.starts_at.astimezone(BERLIN):%a} " in sent[0].params["text"]
        assert "19:00–" in sent[0].params["text"]
        offsets.add(local.utcoffset())
    assert offsets == {timedelta(hours=2), timedelta(hours=1)}, "both sides of the change"


async def test_reminder_has_title_duration_resources_and_buttons(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 703
    await rbot.make_plan(user, GOAL)
    active = await rbot.store.active_plan(user)
    assert active is not None
    _version, plan, _goal = active
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    (call,) = reminder_messages(api, user)
    text = str(call.params["text"])
    module = plan.weeks[0].modules[0]
    first = min(await list_sessions(rbot.store, user, _version), key=lambda x: x.starts_at)
    length = int((first.ends_at - first.starts_at).total_seconds() // 60)
    hours, rest = divmod(length, 60)
    assert module.title in text and f"{hours} h {rest} min".replace(" 0 min", "") in text
    assert module.resources and all(r.url in text for r in module.resources[:5])
    labels = {label: data for label, data in api.buttons(call)}
    assert labels["✅ Done"] == f"done:{module.id}|{user}"
    assert {"⏭ Skip", "⏰ 20 min", "⏰ 1 h", "⏰ Tomorrow"} <= set(labels)
    assert all(len(data.encode()) <= 64 for data in labels.values())
    user_doc = await rbot.store.get_user(user)
    assert user_doc is not None and user_doc["last_reminded_module"] == module.id


async def test_restart_sends_due_reminders_once_and_folds_old_ones(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 704
    await rbot.make_plan(user, GOAL)
    calls = await rbot.say(user, "/remind daily 08:00")
    assert "daily 08:00" in texts(calls)
    await rbot.stop()
    # Down from Monday 10:00 to Tuesday 20:30 Berlin time.
    rbot.frozen.now = datetime(2026, 10, 20, 18, 30, tzinfo=UTC)
    before = len(api.sent(user))
    await rbot.start()
    assert rbot.started is not None
    report = rbot.started.reminders
    new = [str(c.params["text"]) for c in api.sent(user)[before:]]
    fresh = [t for t in new if t.startswith("📚")]
    digests = [t for t in new if t.startswith("While I was away you missed")]
    assert len(fresh) == 1, new  # Tuesday's reminder, due within the last 2 hours
    assert len(digests) == 1, new
    digest = digests[0]
    assert "Mon 19 Oct 19:00" in digest
    assert "daily 08:00 study reminder" in digest
    assert report.folded >= 2 and report.digests == 1
    moved = [t for t in new if t.startswith("You missed")]
    assert len(moved) == 1 and "→" in moved[0]
    # Nothing is sent twice: not by another tick, not by another restart.
    count = len(api.sent(user))
    await rbot.tick()
    await rbot.restart()
    await rbot.tick()
    assert len(api.sent(user)) == count
    docs = await rbot.reminders(user)
    statuses = Counter(d["status"] for d in docs if d["due_at"] <= rbot.frozen.now)
    assert statuses["pending"] == 0 and statuses["claimed"] == 0
    custom = [d for d in docs if d["kind"] == "custom"]
    tuesday = next(d for d in custom if d["occurrence"] == "2026-10-20")
    assert tuesday["status"] == "folded"
    wednesday = next(d for d in custom if d["occurrence"] == "2026-10-21")
    assert wednesday["status"] == "pending"
    assert wednesday["due_at"] == datetime(2026, 10, 21, 6, 0, tzinfo=UTC)


async def _custom_reminders_for(bot: ReminderBot, users: range, due: datetime) -> None:
    """Reminders stored straight into the collection, as many users would have them."""
    for user in users:
        doc = new_reminder(
            reminder_id=f"c:{user}:test:{due:%Y%m%d}",
            kind="custom",
            user_id=user,
            chat_id=user,
            due_at=due,
            tz="Europe/Berlin",
            now=due,
            payload={"rule": "daily 18:45"},
            rule_id="test",
            occurrence=due.astimezone(BERLIN).date().isoformat(),
        )
        assert await insert_if_absent(bot.store, doc)


async def test_two_instances_never_send_the_same_reminder(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    due = datetime(2026, 10, 19, 16, 45, tzinfo=UTC)
    for user in (711, 712):
        await rbot.make_plan(user, GOAL)
    users = range(5000, 5060)
    await _custom_reminders_for(rbot, users, due)
    other = rbot.make_runner("test-b")
    rbot.frozen.now = due
    assert rbot.runner is not None
    first, second = await asyncio.gather(rbot.runner.tick(due), other.tick(due))
    await other.stop()
    assert first.reminders.sent + second.reminders.sent == 62
    assert first.reminders.sent > 0 and second.reminders.sent > 0, "both did some of the work"
    per_chat = Counter(
        str(c.params["chat_id"])
        for c in api.sent()
        if str(c.params["text"]).startswith(("📚", "⏰"))
    )
    assert set(per_chat) == {str(u) for u in [711, 712, *users]}
    assert set(per_chat.values()) == {1}, "a reminder was sent twice"


async def test_a_message_during_the_start_up_catch_up_is_answered_before_it_ends(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    """The catch-up runs in the background: while its first send is held by the Bot API
    stand-in (Telegram slow to answer), a user's message is answered, and only then do
    the held reminder and the rest of the catch-up reach the stand-in."""
    users = range(5100, 5106)
    due = MONDAY_BEFORE_DST_END - timedelta(minutes=30)
    await _custom_reminders_for(rbot, users, due)
    await rbot.stop()
    held, release = asyncio.Event(), asyncio.Event()

    async def gate(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and str(params.get("chat_id")) == str(users[0]):
            held.set()
            await release.wait()

    api.gate = gate
    rbot.catch_up_in_background = True
    await rbot.start()
    assert rbot.runner is not None and rbot.started is None
    settled = asyncio.create_task(rbot.runner.settled())
    await held.wait()  # the catch-up is sending
    calls = await rbot.say(720, "/help")
    assert texts(calls), "the bot did not answer during the catch-up"
    assert not settled.done(), "the catch-up ended before the answer"
    answered_at = max(api.calls.index(c) for c in calls)
    release.set()
    await settled
    reminders = [
        (i, str(c.params["chat_id"]))
        for i, c in enumerate(api.calls)
        if c.method == "sendMessage" and int(c.params["chat_id"]) in users
    ]
    assert Counter(chat for _, chat in reminders) == Counter(str(u) for u in users)
    held_at = next(i for i, chat in reminders if chat == str(users[0]))
    assert answered_at < held_at


async def test_429_and_5xx_faults_deliver_every_reminder_exactly_once(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    due = datetime(2026, 10, 19, 16, 45, tzinfo=UTC)
    users = range(6000, 6030)
    await _custom_reminders_for(rbot, users, due)
    dice = random.Random(4)

    def flaky(method: str, params: dict) -> str | None:
        if method != "sendMessage":
            return None
        roll = dice.random()
        return "429" if roll < 0.1 else "500" if roll < 0.3 else None

    api.fault = flaky
    now = due
    for _ in range(12):
        await rbot.tick(now)
        now += timedelta(minutes=3)
    api.fault = None
    faults = Counter(c.status for c in api.calls if c.method == "sendMessage")
    assert faults[429] > 0 and faults[502] > 0
    delivered = Counter(
        str(c.params["chat_id"]) for c in api.sent() if str(c.params["chat_id"]).startswith("60")
    )
    assert set(delivered) == {str(u) for u in users}
    assert set(delivered.values()) == {1}
    for user in users:
        doc = await get_reminder(rbot.store, f"c:{user}:test:{due:%Y%m%d}")
        assert doc is not None and doc["status"] == "sent"
    retried = [
        d
        for u in users
        if (d := await get_reminder(rbot.store, f"c:{u}:test:{due:%Y%m%d}")) and d["attempts"] > 0
    ]
    assert retried and all("Bad Gateway" in d["last_error"] for d in retried)


async def test_a_reminder_that_keeps_failing_ends_failed_with_the_reason(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    due = datetime(2026, 10, 19, 16, 45, tzinfo=UTC)
    await _custom_reminders_for(rbot, range(6100, 6101), due)
    api.fault = lambda method, params: "500" if str(params.get("chat_id")) == "6100" else None
    now = due
    for _ in range(8):
        await rbot.tick(now)
        now += timedelta(hours=1)
    api.fault = None
    doc = await get_reminder(rbot.store, f"c:6100:test:{due:%Y%m%d}")
    assert doc is not None
    assert doc["status"] == "failed" and doc["attempts"] == 6
    assert "Bad Gateway" in doc["last_error"]
    attempts = [
        c for c in api.calls if c.method == "sendMessage" and str(c.params["chat_id"]) == "6100"
    ]
    assert len(attempts) == 6
    follow = await get_reminder(rbot.store, "c:6100:test:20261020")
    assert follow is None, "no rule stored for this user, so nothing recurs"


async def test_snoozing_a_recurring_reminder_moves_only_that_occurrence(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 705
    await rbot.make_plan(user, GOAL)
    calls = await rbot.say(user, "/remind weekdays 07:30")
    assert "weekdays 07:30" in texts(calls) and "Tue 20 Oct 07:30" in texts(calls)
    tuesday = datetime(2026, 10, 20, 5, 30, tzinfo=UTC)
    await finish_sessions_before(rbot, user, tuesday)
    since = len(api.sent(user))
    await rbot.tick(tuesday)
    (call,) = study_time(api, user, since)
    assert str(call.params["text"]).startswith("⏰ Study time! (your weekdays 07:30 reminder)")
    docs = {d["occurrence"]: d for d in await rbot.reminders(user) if d["kind"] == "custom"}
    assert docs["2026-10-21"]["status"] == "pending"
    wednesday_due = docs["2026-10-21"]["due_at"]
    assert wednesday_due == datetime(2026, 10, 21, 5, 30, tzinfo=UTC)

    calls = await rbot.press_button(user, call, "1 h")
    assert "Tue 20 Oct 08:30" in texts(calls)
    docs = {d["occurrence"]: d for d in await rbot.reminders(user) if d["kind"] == "custom"}
    assert docs["2026-10-20"]["due_at"] == tuesday + timedelta(hours=1)
    assert docs["2026-10-21"]["due_at"] == wednesday_due, "the next occurrence did not move"
    assert docs["2026-10-20"]["reminder_id"] != docs["2026-10-21"]["reminder_id"]

    since = len(api.sent(user))
    await rbot.tick(tuesday + timedelta(minutes=59))
    assert study_time(api, user, since) == []
    await rbot.tick(tuesday + timedelta(hours=1))
    assert len(study_time(api, user, since)) == 1
    docs = {d["occurrence"]: d for d in await rbot.reminders(user) if d["kind"] == "custom"}
    assert (
        docs["2026-10-21"]["due_at"] == wednesday_due and docs["2026-10-21"]["status"] == "pending"
    )
    await finish_sessions_before(rbot, user, wednesday_due)
    await rbot.tick(wednesday_due)
    assert len(study_time(api, user, since)) == 2
    assert "2026-10-22" in {d.get("occurrence") for d in await rbot.reminders(user)}
    calls = await rbot.say(user, "/remind")
    assert "• weekdays 07:30" in texts(calls)
    calls = await rbot.say(user, "/remind off")
    assert "removed" in texts(calls)
    custom = [d for d in await rbot.reminders(user) if d["kind"] == "custom"]
    assert not [d for d in custom if d["status"] == "pending"]
    calls = await rbot.say(user, "/remind someday at noon")
    assert "/remind weekdays 07:30" in texts(calls)


async def test_snoozing_a_session_reminder_moves_only_that_reminder(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 706
    await rbot.make_plan(user, GOAL)
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    (call,) = reminder_messages(api, user)
    others_before = {
        d["reminder_id"]: d["due_at"]
        for d in await rbot.reminders(user)
        if d["status"] == "pending"
    }
    calls = await rbot.press_button(user, call, "Tomorrow")
    assert "Tue 20 Oct 18:45" in texts(calls)
    after = {d["reminder_id"]: d for d in await rbot.reminders(user)}
    moved = [rid for rid, d in after.items() if d.get("snoozed")]
    assert len(moved) == 1 and after[moved[0]]["due_at"] == datetime(
        2026, 10, 20, 16, 45, tzinfo=UTC
    )
    for rid, due in others_before.items():
        assert after[rid]["due_at"] == due


async def test_missed_sessions_are_moved_and_the_user_is_told(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 707
    await rbot.make_plan(user, GOAL)
    active = await rbot.store.active_plan(user)
    assert active is not None
    version = active[0]
    before = {s.session_id: s for s in await list_sessions(rbot.store, user, version)}
    since = len(api.sent(user))
    # Monday's sessions end at 21:00 Berlin; nothing was marked done. Tuesday 10:00:
    report = await rbot.tick(datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    assert report.missed.notices == 1
    new = [str(c.params["text"]) for c in api.sent(user)[since:]]
    moved = [t for t in new if t.startswith("You missed 1 session, so I moved things:")]
    assert len(moved) == 1, new
    assert "Mon 19 Oct 19:00 → Tue 20 Oct 19:00–" in moved[0]
    after = {s.session_id: s for s in await list_sessions(rbot.store, user, version)}
    first = after["w1m1-p1"]
    assert first.starts_at == datetime(2026, 10, 20, 17, 0, tzinfo=UTC)
    assert first.sequence == before["w1m1-p1"].sequence + 1 and first.status == "planned"
    docs = {d["reminder_id"]: d for d in await rbot.reminders(user)}
    assert docs[f"s:{user}:{version}:w1m1-p1:1"]["due_at"] == datetime(
        2026, 10, 20, 16, 45, tzinfo=UTC
    )
    assert docs[f"s:{user}:{version}:w1m2-p1:0"]["status"] == "cancelled"
    # The next tick finds nothing more to move and says nothing.
    count = len(api.sent(user))
    report = await rbot.tick(datetime(2026, 10, 20, 8, 5, tzinfo=UTC))
    assert report.missed.notices == 0 and len(api.sent(user)) == count


async def test_settings_commands_and_buttons(rbot: ReminderBot, api: FakeTelegramAPI) -> None:
    user = 708
    await rbot.make_plan(user, GOAL)
    calls = await rbot.say(user, "/reminders")
    shown = texts(calls)
    assert "Reminders are on" in shown and "15 min before each study session" in shown
    labels = [label for label, _ in api.buttons(calls[-1])]
    assert {"🔕 Turn off", "5 min", "30 min", "60 min", "🌙 Quiet 22:00–08:00"} <= set(labels)

    calls = await rbot.press_button(user, calls[-1], "30 min")
    assert "30 min before each session" in texts(calls)
    first = next(d for d in await rbot.reminders(user) if d["reminder_id"].endswith("w1m1-p1:0"))
    assert first["due_at"] == datetime(2026, 10, 19, 16, 30, tzinfo=UTC)

    calls = await rbot.say(user, "/reminders lead 500")
    assert "0–120 minutes" in texts(calls)
    calls = await rbot.say(user, "/reminders lead 0")
    assert "when each session starts" in texts(calls)
    first = next(d for d in await rbot.reminders(user) if d["reminder_id"].endswith("w1m1-p1:0"))
    assert first["due_at"] == datetime(2026, 10, 19, 17, 0, tzinfo=UTC)

    calls = await rbot.say(user, "/reminders summary off")
    assert "Weekly summary off" in texts(calls)
    calls = await rbot.say(user, "/reminders nudge 0")
    assert "No more nudges" in texts(calls)
    kinds = {d["kind"]: d["status"] for d in await rbot.reminders(user)}
    assert kinds["weekly_summary"] == "cancelled" and kinds["nudge"] == "cancelled"
    calls = await rbot.say(user, "/reminders nudge 3")
    (nudge,) = [
        d for d in await rbot.reminders(user) if d["kind"] == "nudge" and d["status"] == "pending"
    ]
    assert nudge["due_at"] == MONDAY_BEFORE_DST_END + timedelta(days=3)

    calls = await rbot.say(user, "/reminders off")
    assert "Reminders are off" in texts(calls)
    docs = await rbot.reminders(user)
    assert docs and all(d["status"] == "cancelled" for d in docs)
    since = len(api.sent(user))
    await rbot.tick(datetime(2026, 10, 19, 17, 0, tzinfo=UTC))
    assert api.sent(user)[since:] == []
    rbot.frozen.now = MONDAY_BEFORE_DST_END
    await rbot.say(user, "/reminders on")
    pending = [d for d in await rbot.reminders(user) if d["status"] == "pending"]
    assert any(d["reminder_id"].endswith("w2m1-p1:0") for d in pending)


async def test_quiet_hours_shift_reminders_to_the_end_of_the_window(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 709
    await rbot.make_plan(user, GOAL)
    calls = await rbot.say(user, "/reminders quiet 22:00-08:00")
    assert "Quiet hours 22:00–08:00" in texts(calls)
    calls = await rbot.say(user, "/remind daily 06:30")
    assert "inside your quiet hours" in texts(calls)
    (doc,) = [d for d in await rbot.reminders(user) if d["kind"] == "custom"]
    assert doc["due_at"].astimezone(BERLIN).strftime("%a %H:%M") == "Tue 08:00"
    await finish_sessions_before(rbot, user, datetime(2026, 10, 20, 6, 0, tzinfo=UTC))
    since = len(api.sent(user))
    await rbot.tick(datetime(2026, 10, 20, 4, 30, tzinfo=UTC))  # 06:30 Berlin
    assert study_time(api, user, since) == []
    await rbot.tick(datetime(2026, 10, 20, 6, 0, tzinfo=UTC))  # 08:00 Berlin
    assert len(study_time(api, user, since)) == 1
    # After the clocks go back, 06:30 still moves to 08:00 local (07:00 UTC, not 06:00).
    await finish_sessions_before(rbot, user, datetime(2026, 10, 26, 7, 0, tzinfo=UTC))
    for day in range(21, 27):
        await rbot.tick(datetime(2026, 10, day, 7, 0, tzinfo=UTC))
    after_change = next(
        d for d in await rbot.reminders(user) if d.get("occurrence") == "2026-10-26"
    )
    assert after_change["due_at"] == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    assert after_change["status"] == "sent"
    assert len(study_time(api, user, since)) == 7
    await rbot.say(user, "/reminders quiet off")
    calls = await rbot.say(user, "/reminders")
    assert "Quiet hours: none" in texts(calls)


async def test_pause_for_a_week_and_resume(rbot: ReminderBot, api: FakeTelegramAPI) -> None:
    user = 710
    await rbot.make_plan(user, GOAL)
    calls = await rbot.say(user, "pause reminders for a week")
    assert "paused until Mon 26 Oct 09:00" in texts(calls)
    docs = {d["reminder_id"]: d for d in await rbot.reminders(user)}
    assert docs[f"s:{user}:1:w1m1-p1:0"]["status"] == "cancelled"
    assert docs[f"s:{user}:1:w1m1-p1:0"]["cancel_reason"] == "paused"
    assert docs[f"s:{user}:1:w2m1-p1:0"]["status"] == "pending"
    since = len(api.sent(user))
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    assert reminder_messages(api, user, since) == []
    await finish_sessions_before(rbot, user, datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    calls = await rbot.say(user, "resume reminders")
    assert "resumed" in texts(calls)
    docs = {d["reminder_id"]: d for d in await rbot.reminders(user)}
    assert docs[f"s:{user}:1:w1m2-p1:0"]["status"] == "pending"


async def test_forged_or_foreign_snooze_buttons_are_refused(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    owner, intruder = 720, 721
    await rbot.make_plan(owner, GOAL)
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    (call,) = reminder_messages(api, owner)
    snooze_data = dict(api.buttons(call))["⏰ 1 h"]
    short = snooze_data.split(":")[2]
    calls = await rbot.press(intruder, f"rm:z:{short}:1h|{intruder}")
    assert "isn't yours or has expired" in texts(calls)
    calls = await rbot.press(intruder, f"rm:k:{short}|{intruder}")
    assert "isn't yours or has expired" in texts(calls)
    calls = await rbot.press(owner, f"rm:z:0123456789:1h|{owner}")
    assert "isn't yours or has expired" in texts(calls)
    calls = await rbot.press(owner, f"rm:z:{short}:99y|{owner}")
    assert "isn't yours or has expired" in texts(calls)
    doc = next(d for d in await rbot.reminders(owner) if d["short_id"] == short)
    assert doc["status"] == "sent" and not doc["snoozed"]


async def test_skip_button_skips_the_session_for_good(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 722
    await rbot.make_plan(user, GOAL)
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    (call,) = reminder_messages(api, user)
    calls = await rbot.press_button(user, call, "Skip")
    assert "Skipped" in texts(calls) and "won't be rescheduled" in texts(calls)
    sessions = {s.session_id: s for s in await list_sessions(rbot.store, user, 1)}
    assert sessions["w1m1-p1"].status == "skipped"
    calls = await rbot.press_button(user, call, "Skip")
    assert "nothing to skip" in texts(calls)
    # Monday's only session was skipped, so nothing was missed and nothing moves.
    report = await rbot.tick(datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    assert report.missed.notices == 0
    assert not [t for t in api.texts(user) if t.startswith("You missed")]
    sessions = {s.session_id: s for s in await list_sessions(rbot.store, user, 1)}
    assert sessions["w1m1-p1"].status == "skipped"
