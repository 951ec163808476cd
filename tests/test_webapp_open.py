"""How the Mini App is opened: the menu button and "📅 Open plan" buttons (only with an
HTTPS public URL), and `learnplan chat --web` for the terminal user."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.telegram_api import EntityError, FakeTelegramAPI
from tests.harness import BotUnderTest
from tests.test_cli import CONVERSATION

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
RUST = (
    "I want to learn Rust, 4 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, "
    "Berlin, topics: ownership"
)
PUBLIC = "https://learnplan.example"


async def _planned(api: FakeTelegramAPI, tmp_path: Path, env: dict[str, str]) -> BotUnderTest:
    bot = BotUnderTest(api, tmp_path / "data", env=env)
    await bot.start()
    calls = await bot.say(7, RUST)
    await bot.press_button(7, calls[-1], "Build my plan")
    return bot


async def test_with_an_https_url_plan_and_progress_open_the_app(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    bot = await _planned(api, tmp_path, {"LEARNPLAN_PUBLIC_URL": PUBLIC})
    try:
        menu = api.menu_button
        assert menu == {"type": "web_app", "text": "📅 Plan", "web_app": {"url": f"{PUBLIC}/app/"}}
        plan = await bot.say(7, "/plan")
        assert api.web_app_buttons(plan[0]) == [("📅 Open plan", f"{PUBLIC}/app/?page=plan")]
        assert ("Week 1", "week:1|7") in api.buttons(plan[0])
        progress = [c for c in await bot.say(7, "/progress") if c.method == "sendMessage"]
        assert api.web_app_buttons(progress[0]) == [
            ("📅 Open plan", f"{PUBLIC}/app/?page=progress")
        ]
    finally:
        await bot.stop()
    assert not api.rejected, api.rejected


async def test_without_an_https_url_there_are_no_app_buttons(
    api: FakeTelegramAPI, tmp_path: Path
) -> None:
    bot = await _planned(api, tmp_path, {"LEARNPLAN_PUBLIC_URL": "http://127.0.0.1:9"})
    try:
        assert api.menu_button == {"type": "default"}
        for command in ("/plan", "/progress"):
            for call in await bot.say(7, command):
                assert api.web_app_buttons(call) == []
    finally:
        await bot.stop()
    assert not api.rejected, api.rejected


def test_the_stand_in_refuses_web_apps_without_https() -> None:
    fake = FakeTelegramAPI()
    button = '{"inline_keyboard": [[{"text": "x", "web_app": {"url": "http://a.example/"}}]]}'
    with pytest.raises(EntityError, match="BUTTON_URL_INVALID"):
        fake._check_markup({"reply_markup": button})
    both = '{"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://a.b/"}]]}'
    with pytest.raises(EntityError, match="BUTTON_TYPE_INVALID"):
        fake._check_markup({"reply_markup": both})
    with pytest.raises(EntityError, match="BUTTON_TEXT_INVALID"):
        fake._menu_button({"menu_button": '{"type": "web_app", "web_app": {"url": "https://a/"}}'})


async def test_chat_web_prints_a_one_time_loopback_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEARNPLAN_", "TELEGRAM_"))}
    env["LEARNPLAN_DATA_DIR"] = str(tmp_path / "data")
    chat = await asyncio.create_subprocess_exec(
        LEARNPLAN,
        "chat",
        "--web",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert chat.stdin is not None and chat.stdout is not None
    try:
        line = (await asyncio.wait_for(chat.stdout.readline(), 60)).decode()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/app/\?dev=([A-Za-z0-9_-]+)", line)
        assert match, line
        base, token = match.groups()
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/app/?dev={token}") as page:
                assert page.status == 200
            async with http.post(f"{base}/app/api/dev-session", json={"token": token}) as r:
                assert r.status == 200
                session = (await r.json())["session"]
            async with http.post(f"{base}/app/api/dev-session", json={"token": token}) as r:
                assert r.status == 401, "the token opens one session only"
            auth = {"Authorization": f"dev {session}"}
            async with http.get(f"{base}/app/api/me", headers=auth) as r:
                assert (await r.json())["data"] == {"id": 1, "first_name": "you", "has_plan": False}
            chat.stdin.write(CONVERSATION.encode())
            await chat.stdin.drain()
            for _ in range(240):
                async with http.get(f"{base}/app/api/plan", headers=auth) as r:
                    plan = (await r.json())["data"]
                if plan is not None:
                    break
                await asyncio.sleep(0.25)
            assert plan is not None and "Python testing" in plan["title"]
        chat.stdin.close()
        assert await asyncio.wait_for(chat.wait(), 60) == 0
    finally:
        if chat.returncode is None:
            chat.kill()
            await chat.wait()
