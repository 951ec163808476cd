"""`learnplan run --webhook` and `learnplan run` with a public URL, as real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

from bot.http_server import SECRET_HEADER
from bot.webhook import path_secret
from tests.fakes.telegram_api import FakeTelegramAPI

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
SECRET = "cli-webhook-secret_0123456789"
PUBLIC_URL = "https://bot.example.test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(api: FakeTelegramAPI, data_dir: Path, *args: str, **env: str):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("LEARNPLAN_", "TELEGRAM_"))
    }
    environment.update(
        {
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "LEARNPLAN_DATA_DIR": str(data_dir),
            **env,
        }
    )
    return await asyncio.create_subprocess_exec(
        LEARNPLAN,
        "run",
        *args,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def _wait_for(condition, what: str, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_run_webhook_serves_updates_and_stops_on_sigterm(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    port = _free_port()
    process = await _start(
        api,
        tmp_path / "data",
        "--webhook",
        LEARNPLAN_PUBLIC_URL=PUBLIC_URL,
        LEARNPLAN_HTTP_LISTEN=f"127.0.0.1:{port}",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
    )
    try:
        await _wait_for(lambda: api.sent(method="setWebhook"), "setWebhook")
        params = api.sent(method="setWebhook")[-1].params
        assert params["url"] == f"{PUBLIC_URL}/telegram/{path_secret(SECRET)}"
        assert params["secret_token"] == SECRET
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 77, "type": "private", "first_name": "U"},
                "from": {"id": 77, "is_bot": False, "first_name": "U"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram/{path_secret(SECRET)}"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as response:
                assert response.status == 403
            since = len(api.calls)
            async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
        calls = await api.wait_quiet(77, since)
        assert "/newplan" in "\n".join(str(c.params.get("text", "")) for c in calls)
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()


async def test_run_with_a_public_url_serves_calendar_links(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    port = _free_port()
    process = await _start(
        api,
        tmp_path / "data",
        LEARNPLAN_PUBLIC_URL=f"http://127.0.0.1:{port}",
        LEARNPLAN_HTTP_LISTEN=f"127.0.0.1:{port}",
    )
    try:
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        return response.status == 200
                except aiohttp.ClientConnectionError:
                    return False

            deadline = time.monotonic() + 30
            while not await healthy():
                assert time.monotonic() < deadline, "the HTTP server never came up"
                await asyncio.sleep(0.1)
            async with http.get(f"http://127.0.0.1:{port}/calendar/{'A' * 43}.ics") as response:
                assert response.status == 404
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()


async def test_webhook_without_public_url_exits_2(api: FakeTelegramAPI, tmp_path: Path) -> None:
    process = await _start(api, tmp_path / "data", "--webhook")
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "LEARNPLAN_PUBLIC_URL" in err.decode() and "Traceback" not in err.decode()


async def test_a_busy_listen_address_is_a_clear_error(api: FakeTelegramAPI, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = await _start(
            api,
            tmp_path / "data",
            "--webhook",
            LEARNPLAN_PUBLIC_URL=PUBLIC_URL,
            LEARNPLAN_HTTP_LISTEN=f"127.0.0.1:{port}",
        )
        _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2, err.decode()
    assert f"127.0.0.1:{port}" in err.decode() and "Traceback" not in err.decode()
