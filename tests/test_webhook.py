"""Webhook mode end to end: updates POSTed to the bot's HTTP server reach the real
application, and its replies go out through the Bot API stand-in."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.http_server import SECRET_HEADER, HttpServer
from bot.runtime import open_runtime
from bot.settings import Settings
from bot.webhook import new_secret, path_secret, serve_webhook, webhook_url
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import FrozenClock, texts

PUBLIC_URL = "https://bot.example.test"
SECRET = "s3cret_Token-for-tests"
GOAL = (
    "I want to learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, "
    "Berlin, topics: ownership"
)
_ids = itertools.count(1)


def _message_update(user: int, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user, "type": "private", "first_name": f"User{user}"},
        "from": {"id": user, "is_bot": False, "first_name": f"User{user}"},
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split(" ", 1)[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": next(_ids), "message": message}


def _callback_update(user: int, data: str) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": {"id": user, "is_bot": False, "first_name": f"User{user}"},
            "chat_instance": str(user),
            "data": data,
            "message": {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": {"id": user, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "learnplan"},
                "text": "…",
            },
        },
    }


@dataclass
class WebhookBot:
    api: FakeTelegramAPI
    application: Application
    server: HttpServer
    http: aiohttp.ClientSession

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.port}/telegram/{path_secret(SECRET)}"

    async def post(
        self, update: dict[str, Any], *, secret: str | None = SECRET, url: str | None = None
    ) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self.http.post(url or self.endpoint, json=update, headers=headers) as response:
            return response.status

    async def deliver(self, user: int, update: dict[str, Any]) -> list[Call]:
        """POST an update as Telegram would, then wait for the bot's replies to `user`."""
        since = len(self.api.calls)
        assert await self.post(update) == 200
        return await self.api.wait_quiet(user, since)


@pytest.fixture
async def hooked(api: FakeTelegramAPI, tmp_path: Path) -> AsyncIterator[WebhookBot]:
    settings = Settings(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        LEARNPLAN_DATA_DIR=tmp_path / "data",
    )
    clock = FrozenClock(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    async with open_runtime(settings, clock=clock) as runtime:
        application = build_application(runtime, token=api.token, base_url=api.base_url)
        async with (
            serve_webhook(
                application,
                runtime.store,
                listen="127.0.0.1:0",
                public_url=PUBLIC_URL,
                secret=SECRET,
            ) as server,
            aiohttp.ClientSession() as http,
        ):
            yield WebhookBot(api, application, server, http)
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"


async def test_set_webhook_registers_url_secret_and_update_kinds(hooked: WebhookBot) -> None:
    registered = hooked.api.sent(method="setWebhook")
    assert len(registered) == 1
    params = registered[0].params
    assert params["url"] == webhook_url(PUBLIC_URL, SECRET)
    assert params["url"] == f"{PUBLIC_URL}/telegram/{path_secret(SECRET)}"
    assert SECRET not in params["url"]
    assert params["secret_token"] == SECRET
    kinds = params["allowed_updates"]
    kinds = json.loads(kinds) if isinstance(kinds, str) else kinds
    assert {"message", "callback_query", "poll_answer"} <= set(kinds)
    assert hooked.application.running
    assert hooked.application.updater is not None and not hooked.application.updater.running


async def test_updates_with_the_secret_reach_the_bot(hooked: WebhookBot) -> None:
    user = 601
    calls = await hooked.deliver(user, _message_update(user, "/help"))
    assert "/newplan" in texts(calls)

    calls = await hooked.deliver(user, _message_update(user, GOAL))
    assert "Shall I build the plan?" in texts(calls)
    build = next(d for label, d in hooked.api.buttons(calls[-1]) if "Build my plan" in label)
    calls = await hooked.deliver(user, _callback_update(user, build))
    assert "Week 6" in texts(calls)
    answered = hooked.api.sent(method="answerCallbackQuery")
    assert answered, "the button press was not answered"


async def test_requests_without_the_right_secret_are_rejected(hooked: WebhookBot) -> None:
    forged_chat, real_chat = 602, 603
    since = len(hooked.api.calls)
    forged = _message_update(forged_chat, "/help")
    assert await hooked.post(forged, secret=None) == 403
    assert await hooked.post(forged, secret="wrong") == 403
    assert await hooked.post(forged, secret=SECRET[:-1]) == 403
    assert await hooked.post(forged, secret=SECRET + "x") == 403
    wrong_path = f"http://127.0.0.1:{hooked.server.port}/telegram/{path_secret(new_secret())}"
    assert await hooked.post(forged, url=wrong_path) == 404
    secret_as_path = f"http://127.0.0.1:{hooked.server.port}/telegram/{SECRET}"
    assert await hooked.post(forged, url=secret_as_path) == 404
    assert hooked.application.update_queue.qsize() == 0

    calls = await hooked.deliver(real_chat, _message_update(real_chat, "/help"))
    assert "/newplan" in texts(calls)
    assert not [
        c for c in hooked.api.calls[since:] if str(c.params.get("chat_id")) == str(forged_chat)
    ]


async def test_a_body_that_is_not_an_update_is_400(hooked: WebhookBot) -> None:
    async with hooked.http.post(
        hooked.endpoint, data=b"{not json", headers={SECRET_HEADER: SECRET}
    ) as response:
        assert response.status == 400
    assert await hooked.post({"update_id": "x", "message": 5}) == 400
    assert await hooked.post([1, 2, 3]) == 400  # type: ignore[arg-type]
    assert hooked.application.update_queue.qsize() == 0


async def test_calendar_link_is_served_by_the_same_server(hooked: WebhookBot) -> None:
    async with hooked.http.get(
        f"http://127.0.0.1:{hooked.server.port}/calendar/{'A' * 43}.ics"
    ) as response:
        assert response.status == 404
    async with hooked.http.get(f"http://127.0.0.1:{hooked.server.port}/healthz") as response:
        assert response.status == 200


async def test_leaving_webhook_mode_stops_server_and_application(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    settings = Settings(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.base_url,
        LEARNPLAN_DATA_DIR=tmp_path / "data",
    )
    async with open_runtime(settings) as runtime:
        application = build_application(runtime, token=api.token, base_url=api.base_url)
        async with serve_webhook(
            application, runtime.store, listen="127.0.0.1:0", public_url=PUBLIC_URL
        ) as server:
            port = server.port
            secret = api.sent(method="setWebhook")[-1].params["secret_token"]
            assert len(secret) >= 43
        assert not application.running
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectionError):
                await http.get(f"http://127.0.0.1:{port}/healthz")
