"""The bot's HTTP server over real HTTP: calendar route, health, logging, failures."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar

from agent.llm import deterministic
from bot.http_server import HttpServer, HttpServerError, parse_listen, redact_path, serve_http
from scheduler.timetable import build_timetable
from storage.calendar_tokens import issue_token
from storage.engine import StorageError, open_engine
from storage.models import Goal, SkillLevel, Slot
from storage.schedules import save_sessions
from storage.store import Store

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


class BrokenStore(Store):
    """A store whose database is unreachable."""

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        raise StorageError("the database is down")


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    engine = open_engine(memory=True)
    created = Store(engine, clock=lambda: NOW)
    await created.setup()
    yield created
    engine.close()


@pytest.fixture
async def server(store: Store) -> AsyncIterator[HttpServer]:
    async with serve_http(store, listen="127.0.0.1:0") as started:
        yield started


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def _url(server: HttpServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def _planned_user(store: Store, user: int) -> int:
    goal = Goal(
        goal="Learn Go",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=3,
        weeks=2,
        topics=["goroutines"],
        topics_answered=True,
        availability=[Slot(weekday=d, start="18:00", end="19:30") for d in range(5)],
        timezone="America/New_York",
        start_date=NOW.date(),
    )
    plan = deterministic(goal)
    version = await store.save_plan(user, plan, goal, note="created")
    assert goal.timezone is not None and goal.start_date is not None
    sessions = build_timetable(plan, goal.availability, goal.timezone, goal.start_date, now=NOW)
    await save_sessions(store, user, version, sessions)
    return len(sessions)


async def test_healthz(server: HttpServer, http: aiohttp.ClientSession) -> None:
    async with http.get(_url(server, "/healthz")) as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_calendar_by_token(
    store: Store, server: HttpServer, http: aiohttp.ClientSession
) -> None:
    count = await _planned_user(store, 7)
    token = (await issue_token(store, 7)).token
    async with http.get(_url(server, f"/calendar/{token}.ics")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert 'filename="learnplan-' in response.headers["Content-Disposition"]
        body = await response.read()
    calendar = Calendar.from_ical(body)
    assert len(calendar.walk("VEVENT")) == count > 0
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    async with http.post(_url(server, f"/calendar/{token}.ics")) as response:
        assert response.status == 405


async def test_a_token_whose_owner_has_no_plan_serves_an_empty_calendar(
    store: Store, server: HttpServer, http: aiohttp.ClientSession
) -> None:
    token = (await issue_token(store, 8)).token
    async with http.get(_url(server, f"/calendar/{token}.ics")) as response:
        assert response.status == 200
        calendar = Calendar.from_ical(await response.read())
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.walk("VEVENT") == []


async def test_unknown_routes_and_tokens_are_404(
    store: Store, server: HttpServer, http: aiohttp.ClientSession
) -> None:
    await _planned_user(store, 9)
    await issue_token(store, 9)
    for path in ("/calendar/.ics", "/calendar/abc.ics", "/calendar/", "/", "/telegram/x"):
        async with http.get(_url(server, path)) as response:
            assert response.status == 404, path
    async with http.post(_url(server, "/telegram/whatever"), json={"update_id": 1}) as response:
        assert response.status == 404


async def test_access_log_never_contains_tokens(
    store: Store, server: HttpServer, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    await _planned_user(store, 10)
    token = (await issue_token(store, 10)).token
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        async with http.get(_url(server, f"/calendar/{token}.ics")) as response:
            assert response.status == 200
        async with http.get(_url(server, "/healthz")) as response:
            assert response.status == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any("/calendar/…" in line and "200" in line for line in lines), lines
    assert any("/healthz" in line for line in lines), lines
    assert all(token not in line for line in lines)


async def test_storage_failure_is_503_not_a_crash(http: aiohttp.ClientSession) -> None:
    engine = open_engine(memory=True)
    broken = HttpServer(BrokenStore(engine))
    await broken.start("127.0.0.1", 0)
    try:
        token = "A" * 43
        async with http.get(_url(broken, f"/calendar/{token}.ics")) as response:
            assert response.status == 503
            assert response.headers["Retry-After"] == "30"
    finally:
        await broken.stop()
        engine.close()


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen(":9000") == ("0.0.0.0", 9000)
    assert parse_listen("[::1]:8443") == ("::1", 8443)
    for bad in ("8080", "host:", "host:http", "host:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad)


def test_secrets_are_redacted_from_paths() -> None:
    assert redact_path("/calendar/abcdef.ics") == "/calendar/…"
    assert redact_path("/telegram/s3cret") == "/telegram/…"
    assert redact_path("/healthz") == "/healthz"


async def test_an_address_in_use_is_a_clear_error(store: Store, server: HttpServer) -> None:
    second = HttpServer(store)
    with pytest.raises(HttpServerError, match=f"127.0.0.1:{server.port}"):
        await second.start("127.0.0.1", server.port)
