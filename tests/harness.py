"""Run the real application against the Bot API stand-in, and talk to it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.app import build_application, start_polling, stop_polling
from bot.runtime import Runtime, open_runtime
from bot.settings import Settings
from scheduler.pacing import Pace
from tests.fakes.telegram_api import Call, FakeTelegramAPI

# Reminders are ticked by the tests with the injected clock (APScheduler is off), and
# sent without the real 1 s per-chat spacing: pacing has its own tests with an
# injected clock, and the fan-out benchmark measures it for real.
TEST_PACE = Pace(per_second=500, per_chat_interval=0.01, concurrency=16)


class FrozenClock:
    """An injected clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class BotUnderTest:
    def __init__(
        self,
        api: FakeTelegramAPI,
        data_dir: Path,
        *,
        clock: Callable[[], datetime] | None = None,
        env: dict[str, Any] | None = None,
        read_timeout: float | None = None,
    ) -> None:
        self.read_timeout = read_timeout
        self.api = api
        self.data_dir = data_dir
        self.clock = clock or FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
        self.env = env or {}
        self.runtime: Runtime | None = None
        self.application: Application | None = None
        # as `bot.app.start_polling` runs in production: answer while catching up
        self.catch_up_in_background = False
        self._stack: AsyncExitStack | None = None

    def settings(self) -> Settings:
        return Settings(
            TELEGRAM_BOT_TOKEN=self.api.token,
            TELEGRAM_API_BASE_URL=self.api.base_url,
            LEARNPLAN_DATA_DIR=self.data_dir,
            **self.env,
        )

    async def start(self) -> BotUnderTest:
        self._stack = AsyncExitStack()
        self.runtime = await self._stack.enter_async_context(
            open_runtime(
                self.settings(), clock=self.clock, reminder_pace=TEST_PACE, schedule_reminders=False
            )
        )
        self.application = build_application(
            self.runtime,
            token=self.api.token,
            base_url=self.api.base_url,
            read_timeout=self.read_timeout,
        )
        await start_polling(
            self.application, poll_timeout=1, catch_up_in_background=self.catch_up_in_background
        )
        self.api.bot_busy = self._busy
        return self

    def _busy(self) -> bool:
        """Updates still queued in python-telegram-bot, or still in a handler."""
        app = self.application
        if app is None:
            return False
        return not app.update_queue.empty() or app.update_processor.current_concurrent_updates > 0

    async def stop(self) -> None:
        if self.application is not None:
            self.api.bot_busy = None
            await stop_polling(self.application)
            self.application = None
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def say(self, user_id: int, text: str) -> list[Call]:
        since = len(self.api.calls)
        self.api.send_text(user_id, text)
        return await self.api.wait_quiet(user_id, since)

    async def press(self, user_id: int, data: str) -> list[Call]:
        since = len(self.api.calls)
        self.api.press(user_id, data)
        return await self.api.wait_quiet(user_id, since)

    async def press_button(self, user_id: int, call: Call, label_part: str) -> list[Call]:
        """Press the inline button whose label contains `label_part` on a sent message."""
        for label, data in self.api.buttons(call):
            if label_part.lower() in label.lower():
                return await self.press(user_id, data)
        raise AssertionError(f"no button with {label_part!r} in {self.api.buttons(call)}")


def texts(calls: list[Call]) -> str:
    return "\n---\n".join(str(c.params.get("text", "")) for c in calls)
