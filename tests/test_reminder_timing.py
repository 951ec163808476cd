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
