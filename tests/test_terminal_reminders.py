"""`learnplan chat` gets its reminders: while the terminal chat runs, the runtime's
reminder runner (the same dispatcher as on Telegram) has the terminal as its sender, so a
due study reminder is printed and its buttons can be answered by typing their labels.

The chat is driven in process (stdin lines become `Terminal.event_for` events, as in
`bot.cli`) with an injected clock; the runner is ticked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.runtime import open_runtime
from bot.settings import Settings
from bot.terminal import NOT_HERE, Terminal, terminal_reminders
from storage.progress_doc import load_progress
from storage.schedules import list_sessions
from tests.harness import TEST_PACE, FrozenClock

GOAL = (
    "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
    "topics: ownership"
)
MONDAY_MORNING = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
LOCAL = 1


def _settings(data_dir: Path) -> Settings:
    return Settings(LEARNPLAN_DATA_DIR=data_dir)


async def _say(terminal: Terminal, out: list[str], text: str) -> str:
    replies = await terminal.service.handle(terminal.event_for(text))
    blocks = await terminal.show(replies)
    out.extend(blocks)
    return "\n".join(blocks)


async def test_due_reminder_is_printed_in_the_chat_and_its_button_works(tmp_path: Path) -> None:
    clock = FrozenClock(MONDAY_MORNING)
    settings = _settings(tmp_path / "data")
    async with open_runtime(
        settings, clock=clock, reminder_pace=TEST_PACE, schedule_reminders=False
    ) as runtime:
        terminal = Terminal(runtime.service, settings.data_dir, LOCAL)
        out: list[str] = []
        async with terminal_reminders(runtime, terminal, out.append) as running:
            assert running
            assert "Shall I build the plan?" in await _say(terminal, out, GOAL)
            assert "📅" in await _say(terminal, out, "Build my plan")
            active = await runtime.store.active_plan(LOCAL)
            assert active is not None
            version, plan, _goal = active
            first = min(
                await list_sessions(runtime.store, LOCAL, version), key=lambda s: s.starts_at
            )
            module = plan.find_module(first.module_id)
            assert module is not None

            clock.now = first.starts_at - timedelta(minutes=16)
            await runtime.reminders.tick()
            assert not any(b.startswith("📚") for b in out), "nothing before its time"
            clock.now = first.starts_at - timedelta(minutes=15)
            await runtime.reminders.tick()
            (reminder,) = [b for b in out if b.startswith("📚")]
            assert f"📚 In 15 min: {module.title}" in reminder

            assert "✅ Marked" in await _say(terminal, out, "Done")
            done = (await load_progress(runtime.store, LOCAL)).done("p1")
            assert set(done) == {module.id}
            await runtime.reminders.tick()
            assert len([b for b in out if b.startswith("📚")]) == 1, "sent once"


async def test_no_reminders_in_the_chat_when_the_database_has_telegram_users(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path / "data")
    async with open_runtime(
        settings, clock=FrozenClock(MONDAY_MORNING), schedule_reminders=False
    ) as runtime:
        telegram_user = Terminal(runtime.service, settings.data_dir, 4242)
        assert "Shall I build the plan?" in await _say(telegram_user, [], GOAL)
        terminal = Terminal(runtime.service, settings.data_dir, LOCAL)
        out: list[str] = []
        async with terminal_reminders(runtime, terminal, out.append) as running:
            assert not running
        assert out == [NOT_HERE + "\n"]
