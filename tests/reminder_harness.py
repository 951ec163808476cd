"""The bot under test, seen from its reminder runner.

`ReminderBot` is `tests.harness.BotUnderTest` (the real application, wired by
`bot.runtime`), plus helpers to tick the runtime's `ReminderRunner` with the injected
clock (APScheduler is off in tests) and to start a second runner on the same store.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from scheduler.runner import ReminderRunner, RunReport
from storage.reminders import user_reminders
from storage.schedules import list_sessions
from storage.store import Store
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import TEST_PACE, BotUnderTest, FrozenClock, texts


class ReminderBot(BotUnderTest):
    def __init__(
        self,
        api: FakeTelegramAPI,
        data_dir: Path,
        *,
        clock: FrozenClock,
        env: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(api, data_dir, clock=clock, env=env)
        self.frozen = clock
        self.runner: ReminderRunner | None = None
        self.started: RunReport | None = None

    @property
    def store(self) -> Store:
        assert self.runtime is not None
        return self.runtime.store

    async def send(self, chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> list[int]:
        assert self.application is not None
        handlers = self.application.bot_data["handlers"]
        return await handlers.send_replies(self.application.bot, chat_id, user_id, replies)

    def make_runner(self, instance: str) -> ReminderRunner:
        return ReminderRunner(
            self.store, self.send, clock=self.clock, instance=instance, pace=TEST_PACE,
            schedule=False,
        )  # fmt: skip

    async def start(self) -> ReminderBot:
        await super().start()
        assert self.runtime is not None and self.application is not None
        self.runner = self.runtime.reminders
        self.started = self.application.bot_data["reminders_report"]
        return self

    async def tick(self, at: datetime | None = None) -> RunReport:
        if at is not None:
            self.frozen.now = at
        assert self.runner is not None
        return await self.runner.tick()

    async def make_plan(self, user: int, goal: str) -> list[Call]:
        """Intake in one message and build the plan; the bot schedules it. Returns the
        calls that showed the plan and its sessions."""
        calls = await self.say(user, goal)
        assert "Shall I build the plan?" in texts(calls), texts(calls)
        calls = await self.press_button(user, calls[-1], "Build my plan")
        active = await self.store.active_plan(user)
        assert active is not None
        assert await list_sessions(self.store, user, active[0]), texts(calls)
        return calls

    async def reminders(self, user: int) -> list[dict[str, Any]]:
        return await user_reminders(self.store, user)
