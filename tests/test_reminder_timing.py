"""Reminders that come late or are put off say so: a snoozed or late reminder for a
session that already ended is not sent as if the session were now."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import FrozenClock, texts
from tests.reminder_harness import ReminderBot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
# Monday 19 October 2026, 10:00 in Berlin.
MONDAY = datetime(2026, 10, 19, 8, 0, tzinfo=UTC)
HOUR_SLOTS = (
    "Learn Rust, 4 weeks, 2h/week, beginner, weekday evenings 19:00-20:00, Berlin, "
    "topics: ownership"
)


@pytest.fixture
async def rbot(api: FakeTelegramAPI, tmp_path: Path) -> AsyncIterator[ReminderBot]:
    bot = ReminderBot(api, tmp_path / "data", clock=FrozenClock(MONDAY))
    await bot.start()
    yield bot
    await bot.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"


def reminders_sent(api: FakeTelegramAPI, chat: int, since: int = 0) -> list[Call]:
    return [c for c in api.sent(chat)[since:] if str(c.params["text"]).startswith("📚")]


async def test_a_late_reminder_for_a_session_that_ended_is_not_sent_as_current(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 1411
    await rbot.make_plan(user, HOUR_SLOTS)
    since = len(api.sent(user))
    # The bot was down at 18:45; it is back at 20:30 Berlin, after the 19:00-20:00 session.
    await rbot.tick(datetime(2026, 10, 19, 18, 30, tzinfo=UTC))
    (late,) = reminders_sent(api, user, since)
    text = str(late.params["text"])
    assert text.startswith("📚 Still to do:") and "Started at" not in text, text
    assert "It was planned for Mon 19 Oct 19:00–20:00" in text


async def test_tomorrow_reminds_about_tomorrow_not_todays_session_again(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 1412
    await rbot.make_plan(user, HOUR_SLOTS)
    await rbot.tick(datetime(2026, 10, 19, 16, 45, tzinfo=UTC))
    (call,) = reminders_sent(api, user)
    calls = await rbot.press_button(user, call, "Tomorrow")
    assert "Tue 20 Oct" in texts(calls)
    since = len(api.sent(user))
    await rbot.tick(datetime(2026, 10, 20, 16, 45, tzinfo=UTC))
    sent = [str(c.params["text"]) for c in reminders_sent(api, user, since)]
    assert sent, "a reminder comes tomorrow"
    put_off = [t for t in sent if "Mon 19 Oct" in t]
    assert put_off and all(t.startswith("📚 Still to do:") for t in put_off), sent
    assert not any("Started at" in t for t in sent), sent


MORNINGS = (
    "Learn Rust, 4 weeks, 3h/week, beginner, weekday mornings 07:00-09:00, Berlin, "
    "topics: ownership"
)


async def test_quiet_hours_move_morning_reminders_before_the_night_not_away(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 1413
    await rbot.make_plan(user, MORNINGS)
    calls = await rbot.say(user, "/reminders quiet 22:00-08:00")
    assert "just before they begin" in texts(calls), texts(calls)
    sessions = [d for d in await rbot.reminders(user) if d["kind"] == "session"]
    assert sessions and all(d["status"] == "pending" for d in sessions), [
        (d["due_at"], d["status"], d.get("cancel_reason")) for d in sessions
    ]
    first = min(sessions, key=lambda d: d["due_at"])
    # Tuesday's 07:00 session: reminded on Monday at 21:59, before the quiet hours.
    assert first["due_at"] == datetime(2026, 10, 19, 19, 59, tzinfo=UTC)
    since = len(api.sent(user))
    await rbot.tick(datetime(2026, 10, 19, 19, 59, tzinfo=UTC))
    (sent,) = reminders_sent(api, user, since)
    text = str(sent.params["text"])
    assert "Tue 20 Oct 07:00" in text and "before your quiet hours" in text, text
