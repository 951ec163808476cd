"""The bot under test with its Mini App served over real HTTP, and signed initData.

`webapp_rig` starts the Bot API stand-in, the real application with long polling
(`tests.harness.BotUnderTest`) and `bot.http_server.HttpServer` with the Mini App
(`bot.webapp.server.mini_app_for`) on 127.0.0.1. `init_data` builds the string Telegram
hands a Mini App, signed with a given bot token as Telegram documents.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.cli import LOCAL_USER_ID
from bot.http_server import HttpServer
from bot.webapp.auth import DevSessions, WebUser, sign_init_data
from bot.webapp.server import mini_app_for
from storage.store import Store
from tests.calendar_harness import RUST_GOAL, ensure_sessions
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.harness import BotUnderTest, FrozenClock, texts

NOW = datetime.fromisoformat("2026-11-26T09:00:00+00:00")


def init_data(
    user_id: int,
    bot_token: str,
    *,
    signed_at: datetime = NOW,
    first_name: str = "Ada",
    extra: dict[str, str] | None = None,
) -> str:
    """A Mini App's ``initData`` for ``user_id``, signed with ``bot_token``."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": user_id, "first_name": first_name, "language_code": "en"},
            separators=(",", ":"),
        ),
        "auth_date": str(int(signed_at.timestamp())),
        **(extra or {}),
    }
    fields["hash"] = sign_init_data(fields, bot_token)
    return urlencode(fields)


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class WebRig:
    api: FakeTelegramAPI
    bot: BotUnderTest
    server: HttpServer
    http: aiohttp.ClientSession
    dev: DevSessions

    @property
    def store(self) -> Store:
        assert self.bot.runtime is not None
        return self.bot.runtime.store

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def auth(self, user_id: int, **kwargs: Any) -> str:
        return "tma " + init_data(user_id, self.api.token, **kwargs)

    async def get(self, path: str, authorization: str | None) -> Answer:
        headers = {"Authorization": authorization} if authorization is not None else {}
        async with self.http.get(self.base + path, headers=headers) as response:
            return Answer(response.status, await _body(response))

    async def post(self, path: str, authorization: str | None, body: Any = None) -> Answer:
        headers = {"Authorization": authorization} if authorization is not None else {}
        async with self.http.post(self.base + path, headers=headers, json=body or {}) as response:
            return Answer(response.status, await _body(response))

    async def make_plan(self, user: int, goal: str = RUST_GOAL) -> None:
        calls = await self.bot.say(user, goal)
        assert "Shall I build the plan?" in texts(calls), texts(calls)
        await self.bot.press_button(user, calls[-1], "Build my plan")
        await ensure_sessions(self.store, user)


async def _body(response: aiohttp.ClientResponse) -> Any:
    if response.content_type == "application/json":
        return await response.json()
    return await response.text()


@asynccontextmanager
async def webapp_rig(
    tmp_path: Path, *, env: dict[str, Any] | None = None, now: datetime = NOW
) -> AsyncIterator[WebRig]:
    api = FakeTelegramAPI()
    await api.start()
    bot = BotUnderTest(api, tmp_path / "data", clock=FrozenClock(now), env=env)
    try:
        await bot.start()
        assert bot.runtime is not None
        dev = DevSessions(user=WebUser(id=LOCAL_USER_ID, first_name="you"))
        server = HttpServer(bot.runtime.store, webapp=mini_app_for(bot.runtime, dev=dev))
        await server.start("127.0.0.1", 0)
        try:
            async with aiohttp.ClientSession() as http:
                yield WebRig(api, bot, server, http, dev)
        finally:
            await server.stop()
            await bot.stop()
    finally:
        await api.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"
