"""End to end: a session reminder says how many review items are due and offers a
button for /review — only when some are due, in the same message (no extra one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.review import load_items
from storage.schedules import list_sessions
from storage.session_status import set_session_status
from tests.fakes.progress_driver import sent_polls
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import FrozenClock, texts
from tests.reminder_harness import ReminderBot

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
GOAL = (
    "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
    "topics: ownership"
)
MONDAY_MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
LEAD = timedelta(minutes=15)


@pytest.fixture
async def rbot(api: FakeTelegramAPI, tmp_path: Path) -> AsyncIterator[ReminderBot]:
    bot = ReminderBot(api, tmp_path / "data", clock=FrozenClock(MONDAY_MORNING))
    await bot.start()
    yield bot
    await bot.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"


def _reminders(api: FakeTelegramAPI, chat: int, since: int) -> list[Call]:
    return [c for c in api.sent(chat)[since:] if str(c.params["text"]).startswith("📚")]


async def test_session_reminder_counts_due_review_items(
    rbot: ReminderBot, api: FakeTelegramAPI
) -> None:
    user = 961
    await rbot.make_plan(user, GOAL)
    active = await rbot.store.active_plan(user)
    assert active is not None
    version, plan, _goal = active
    finished = plan.weeks[0].modules[-1]
    assert "✅ Marked" in texts(await rbot.say(user, f"done {finished.id}"))
    (item,) = await load_items(rbot.store, user)
    review_due = datetime.fromisoformat(str(item["card"]["due"]))

    planned = sorted(
        (s for s in await list_sessions(rbot.store, user, version) if s.status == "planned"),
        key=lambda s: s.starts_at,
    )
    before = next(s for s in planned if s.starts_at - LEAD < review_due)
    after = next(s for s in planned if s.starts_at - LEAD >= review_due)

    since = len(api.sent(user))
    await rbot.tick(before.starts_at - LEAD)
    (quiet,) = _reminders(api, user, since)
    assert "review" not in str(quiet.params["text"]).lower()
    assert not any("Review" in label for label, _ in api.buttons(quiet))

    for s in planned:  # the user studied every session before the later reminder
        if s.ends_at <= after.starts_at - LEAD:
            await set_session_status(
                rbot.store, user, version, s.session_id, "done", expected="planned"
            )
    since = len(api.sent(user))
    await rbot.tick(after.starts_at - LEAD)
    sent = [str(c.params["text"]) for c in api.sent(user)[since:]]
    (call,) = _reminders(api, user, since)
    assert sent == [call.params["text"]], "the count rides on the reminder, no extra message"
    assert "🔁 1 review item is due — warm up with /review." in str(call.params["text"])
    labels = dict(api.buttons(call))
    assert labels["🔁 Review"] == f"rv:go|{user}"
    assert "✅ Done" in labels and "⏭ Skip" in labels

    calls = await rbot.press_button(user, call, "Review")
    (poll,) = sent_polls(calls)
    assert "🔁 Review (1 due)" in str(poll["question"])
    assert finished.title[:40] in str(poll["question"])
