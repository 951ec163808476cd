"""The bot under test plus its HTTP server, for the calendar and subscription tests.

`calendar_rig` starts the Bot API stand-in (recording each uploaded file's multipart
headers), the real application with long polling (`tests.harness.BotUnderTest`), and
`bot.http_server.HttpServer` on a socket bound to 127.0.0.1 before the bot starts, so
the public URL the bot hands out is the server's real address.

The public URL reaches the bot through the ``LEARNPLAN_PUBLIC_URL`` setting.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import vobject
import vobject.icalendar
from aiohttp import web
from multidict import CIMultiDict

from bot.http_server import HttpServer
from scheduler.timetable import build_timetable, first_available_start
from storage.models import Plan, StudySession
from storage.schedules import list_sessions, save_sessions
from storage.store import Store
from tests.fakes.telegram_api import Call, FakeTelegramAPI
from tests.harness import BotUnderTest, FrozenClock, texts
from tests.mongo_server import engine_env

RUST_GOAL = (
    "I want to learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, "
    "Berlin, topics: ownership and async"
)
WATERCOLOR_GOAL = (
    "I want to learn watercolor painting, 4 weeks, 3h/week, beginner, "
    "weekends 10:00-12:00, Tokyo, topics: washes"
)


class RecordingTelegramAPI(FakeTelegramAPI):
    """The stand-in, also keeping each uploaded file's name and Content-Type.

    They are stored in the call's params under ``"_uploads"``: field → (filename, type).
    """

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        if not request.content_type.startswith("multipart/"):
            return await super()._params(request)
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        uploads: dict[str, tuple[str, str]] = {}
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue
            name = part.name or "file"
            if part.filename:
                files[name] = bytes(await part.read())
                uploads[name] = (part.filename, part.headers.get("Content-Type", ""))
            else:
                params[name] = await part.text()
        params.update(request.query)
        params["_uploads"] = uploads
        return params, files


@dataclass
class Fetched:
    status: int
    headers: CIMultiDict[str]
    body: bytes


@dataclass
class CalendarRig:
    api: RecordingTelegramAPI
    bot: BotUnderTest
    server: HttpServer
    http: aiohttp.ClientSession
    public_url: str | None

    @property
    def store(self) -> Store:
        assert self.bot.runtime is not None
        return self.bot.runtime.store

    async def make_plan(self, user: int, goal: str = RUST_GOAL) -> tuple[int, Plan]:
        """Intake in one message, "Build my plan", then the plan's sessions."""
        calls = await self.bot.say(user, goal)
        assert "Shall I build the plan?" in texts(calls), texts(calls)
        await self.bot.press_button(user, calls[-1], "Build my plan")
        active = await self.store.active_plan(user)
        assert active is not None
        await ensure_sessions(self.store, user)
        return active[0], active[1]

    async def sessions(self, user: int) -> list[StudySession]:
        active = await self.store.active_plan(user)
        assert active is not None
        return await list_sessions(self.store, user, active[0])

    def documents(self, user: int) -> list[Call]:
        return self.api.sent(user, "sendDocument")

    async def fetch(self, url: str, **headers: str) -> Fetched:
        async with self.http.get(url, headers=headers) as response:
            body = await response.read()
            return Fetched(response.status, CIMultiDict(response.headers), body)


async def ensure_sessions(store: Store, user: int) -> list[StudySession]:
    """The active version's sessions; placed and saved here if nothing scheduled them yet."""
    active = await store.active_plan(user)
    assert active is not None
    version, plan, goal = active
    existing = await list_sessions(store, user, version)
    if existing:
        return existing
    assert goal.timezone is not None
    now = store.clock()
    start = goal.start_date or first_available_start(goal.availability, goal.timezone, now)
    placed = build_timetable(plan, goal.availability, goal.timezone, start, now=now)
    return await save_sessions(store, user, version, placed)


def read_with_vobject(body: bytes) -> Any:
    """Parse with vobject as a calendar app would: this file's own VTIMEZONE.

    vobject keeps the first VTIMEZONE it ever parsed for a TZID, process-wide, and
    reuses it for later files; an earlier test's zone (covering other years) would
    then stand in for this one's. So forget the remembered zones first."""
    remembered: dict[str, Any] = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [t for t in remembered if t != "UTC"]:
        del remembered[tzid]
    return vobject.readOne(body.decode("utf-8"))


def link_in(text: str) -> str:
    """The subscription URL in a bot message."""
    words = [w for w in text.split() if "/calendar/" in w and w.endswith(".ics")]
    assert len(words) == 1, text
    return words[0]


@asynccontextmanager
async def calendar_rig(
    tmp_path: Path,
    *,
    public: bool = True,
    now: datetime | None = None,
    mongodb_uri: str | None = None,
) -> AsyncIterator[CalendarRig]:
    api = RecordingTelegramAPI()
    await api.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}" if public else None
    env = engine_env(mongodb_uri)
    if public_url:
        env["LEARNPLAN_PUBLIC_URL"] = public_url
    clock = FrozenClock(now) if now is not None else None
    bot = BotUnderTest(api, tmp_path / "data", clock=clock, env=env)
    try:
        await bot.start()
        assert bot.runtime is not None
        server = HttpServer(bot.runtime.store)
        await server.start(sock=sock)
        try:
            async with aiohttp.ClientSession() as http:
                yield CalendarRig(api, bot, server, http, public_url)
        finally:
            await server.stop()
            await bot.stop()
    finally:
        sock.close()
        await api.stop()
    assert not api.rejected, f"the Bot API stand-in rejected calls: {api.rejected}"
