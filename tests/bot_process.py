"""`learnplan run` as a real subprocess against the Bot API stand-in.

The environment is this process's without any ``LEARNPLAN_*`` / ``TELEGRAM_*``
setting, plus the ones given: a test never inherits a developer's token or database.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramAPI

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
START_LIMIT_S = 60.0  # a hang guard: a start-up that does not answer in a minute is broken


def bot_env(api: FakeTelegramAPI, data_dir: Path, *, via: str = "", **extra: str) -> dict[str, str]:
    """Settings for one bot process; with ``via`` its calls are told apart (`Call.via`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNPLAN_", "TELEGRAM_"))}
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url_via(via) if via else api.base_url,
            "LEARNPLAN_DATA_DIR": str(data_dir),
            "LEARNPLAN_LOG_LEVEL": "WARNING",
            **extra,
        }
    )
    return env


def spawn(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    """With ``LEARNPLAN_TEST_BOT_LOGS=DIR`` each process's log is kept in DIR (at INFO),
    to see afterwards what a bot under test was doing."""
    logs = os.environ.get("LEARNPLAN_TEST_BOT_LOGS")
    if not logs:
        return subprocess.Popen([LEARNPLAN, "run", *args], env=env, stderr=subprocess.DEVNULL)
    name = f"{env.get('LEARNPLAN_INSTANCE_ID', 'bot')}-{time.time_ns()}.log"
    with open(Path(logs) / name, "wb") as log:
        env = {**env, "LEARNPLAN_LOG_LEVEL": "INFO"}
        return subprocess.Popen([LEARNPLAN, "run", *args], env=env, stderr=log)


class BotProcess:
    """One bot process: ``start`` returns once it has registered itself with the stand-in
    (``setMyCommands`` for long polling, ``setWebhook`` in webhook mode)."""

    def __init__(
        self,
        api: FakeTelegramAPI,
        data_dir: Path,
        *args: str,
        via: str = "",
        env: dict[str, str] | None = None,
    ) -> None:
        self.api = api
        self.data_dir = data_dir
        self.args = args
        self.via = via
        self.extra = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_method = "setWebhook" if "--webhook" in args else "setMyCommands"

    def spawn(self) -> int:
        """Start the process without waiting; returns the call index to `wait_ready` from."""
        since = len(self.api.calls)
        self.proc = spawn(bot_env(self.api, self.data_dir, via=self.via, **self.extra), *self.args)
        return since

    def ready(self, since: int) -> bool:
        return any(
            c.method == self.ready_method and c.via == self.via for c in self.api.calls[since:]
        )

    async def wait_ready(self, since: int) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + START_LIMIT_S
        while not self.ready(since):
            assert self.proc.poll() is None, "the bot exited during start-up"
            assert time.monotonic() < deadline, "the bot did not start"
            await asyncio.sleep(0.05)

    async def start(self) -> None:
        await self.wait_ready(self.spawn())

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
