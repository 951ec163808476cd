"""The Mini App's API over real HTTP: initData authentication, scoping to the caller,
and actions that go through the chat's own code (checked back through the chat)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.schedules import list_sessions
from tests.calendar_harness import WATERCOLOR_GOAL
from tests.harness import texts
from tests.webapp_rig import NOW, WebRig, init_data, webapp_rig

ALICE, BOB = 801, 802


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[WebRig]:
    async with webapp_rig(tmp_path) as started:
        await started.make_plan(ALICE)
        yield started


async def test_valid_init_data_gives_the_users_plan(rig: WebRig) -> None:
    answer = await rig.get("/app/api/plan", rig.auth(ALICE))
    assert answer.status == 200, answer.body
    plan = answer.body["data"]
    active = await rig.store.active_plan(ALICE)
    assert active is not None
    assert plan["title"] == active[1].title
    assert [w["number"] for w in plan["weeks"]] == [w.number for w in active[1].weeks]
    first = plan["weeks"][0]["modules"][0]
    assert first["status"] == "next"
    assert {m["status"] for w in plan["weeks"][1:] for m in w["modules"]} == {"todo"}
    me = await rig.get("/app/api/me", rig.auth(ALICE))
    assert me.body["data"] == {"id": ALICE, "first_name": "Ada", "has_plan": True}


async def test_a_tampered_hash_is_401_with_no_data(rig: WebRig) -> None:
    signed = init_data(ALICE, rig.api.token)
    flipped = signed[:-1] + ("0" if signed[-1] != "0" else "1")
    for data in (flipped, signed.replace(f"%22id%22%3A{ALICE}", f"%22id%22%3A{BOB}")):
        for view in ("plan", "progress", "calendar", "settings", "me"):
            answer = await rig.get(f"/app/api/{view}", f"tma {data}")
            assert answer.status == 401
            assert answer.body == {"error": "unauthorized"}


async def test_missing_or_unknown_authorization_is_401(rig: WebRig) -> None:
    for header in (None, "", "tma ", "Bearer x", "dev nosuchsession", init_data(ALICE, "x")):
        assert (await rig.get("/app/api/plan", header)).status == 401
    answer = await rig.post("/app/api/modules/w1m1/done", None)
    assert answer.status == 401
    assert not (await rig.get("/app/api/progress", rig.auth(ALICE))).body["data"]["modules_done"]


async def test_another_users_init_data_gives_only_their_data(rig: WebRig) -> None:
    await rig.make_plan(BOB, WATERCOLOR_GOAL)
    alice = (await rig.get("/app/api/plan", rig.auth(ALICE))).body["data"]
    bob = (await rig.get("/app/api/plan", rig.auth(BOB))).body["data"]
    assert "Rust" in alice["title"] and "atercolor" in bob["title"]
    # Bob marks "w1m1" done: his module, never Alice's of the same id.
    module = bob["weeks"][0]["modules"][0]["id"]
    answer = await rig.post(f"/app/api/modules/{module}/done", rig.auth(BOB))
    assert answer.status == 200, answer.body
    assert (await rig.get("/app/api/progress", rig.auth(BOB))).body["data"]["modules_done"] == 1
    assert (await rig.get("/app/api/progress", rig.auth(ALICE))).body["data"]["modules_done"] == 0
    # A user with no plan sees no one's.
    assert (await rig.get("/app/api/plan", rig.auth(803))).body == {"data": None}


async def test_expired_auth_date_is_401(rig: WebRig) -> None:
    stale = rig.auth(ALICE, signed_at=NOW - timedelta(hours=24, minutes=1))
    assert (await rig.get("/app/api/plan", stale)).status == 401
    fresh = rig.auth(ALICE, signed_at=NOW - timedelta(hours=23))
    assert (await rig.get("/app/api/plan", fresh)).status == 200
    future = rig.auth(ALICE, signed_at=NOW + timedelta(hours=1))
    assert (await rig.get("/app/api/plan", future)).status == 401


async def test_init_data_signed_with_another_bot_token_is_401(rig: WebRig) -> None:
    other = "tma " + init_data(ALICE, "654321:ANOTHER-BOT")
    assert (await rig.get("/app/api/plan", other)).status == 401
    assert (await rig.post("/app/api/settings", other, {"enabled": False})).status == 401


async def test_marking_done_on_the_page_shows_in_the_chat(rig: WebRig) -> None:
    plan = (await rig.get("/app/api/plan", rig.auth(ALICE))).body["data"]
    module = plan["weeks"][0]["modules"][0]
    answer = await rig.post(f"/app/api/modules/{module['id']}/done", rig.auth(ALICE))
    assert answer.status == 200
    assert any("Marked" in m for m in answer.body["messages"]), answer.body
    progress = texts(await rig.bot.say(ALICE, "/progress"))
    assert f"1/{sum(len(w['modules']) for w in plan['weeks'])} modules done" in progress
    again = (await rig.get("/app/api/plan", rig.auth(ALICE))).body["data"]
    assert again["weeks"][0]["modules"][0]["status"] == "done"
    # …and the other way round: "done" in the chat shows on the page.
    second = plan["weeks"][0]["modules"][1]["id"]
    await rig.bot.say(ALICE, f"done {second}")
    after = (await rig.get("/app/api/progress", rig.auth(ALICE))).body["data"]
    assert after["modules_done"] == 2


async def test_settings_go_through_the_chat_commands(rig: WebRig) -> None:
    auth = rig.auth(ALICE)
    change = {"quiet": {"start": "21:30", "end": "07:00"}, "lead_minutes": 30}
    answer = await rig.post("/app/api/settings", auth, change)
    assert answer.status == 200, answer.body
    shown = texts(await rig.bot.say(ALICE, "/reminders"))
    assert "Quiet hours: 21:30–07:00" in shown and "30 min before" in shown, shown
    settings = (await rig.get("/app/api/settings", auth)).body["data"]
    assert settings["quiet"] == {"start": "21:30", "end": "07:00"}
    assert settings["lead_minutes"] == 30
    # The chat's change shows on the page.
    await rig.bot.say(ALICE, "/reminders off")
    assert (await rig.get("/app/api/settings", auth)).body["data"]["enabled"] is False


async def test_invalid_settings_get_the_chats_help(rig: WebRig) -> None:
    auth = rig.auth(ALICE)
    bad_quiet = await rig.post("/app/api/settings", auth, {"quiet": {"start": "25:00", "end": "x"}})
    assert bad_quiet.status == 400 and "quiet" in bad_quiet.body["error"].lower()
    bad_lead = await rig.post("/app/api/settings", auth, {"lead_minutes": 999})
    assert bad_lead.status == 400
    bad_zone = await rig.post("/app/api/settings", auth, {"timezone": "Nowhere Land Xyz"})
    assert bad_zone.status == 400 and "time zone" in bad_zone.body["error"]
    not_json = await rig.post("/app/api/settings", auth, ["quiet"])
    assert not_json.status == 400
    zone = await rig.post("/app/api/settings", auth, {"timezone": "Tokyo"})
    assert zone.status == 200
    assert (await rig.get("/app/api/settings", auth)).body["data"]["timezone"] == "Asia/Tokyo"


async def test_a_lighter_week_is_a_new_plan_version_in_the_chat_too(rig: WebRig) -> None:
    auth = rig.auth(ALICE)
    before = (await rig.get("/app/api/plan", auth)).body["data"]
    answer = await rig.post("/app/api/weeks/2/lighter", auth)
    assert answer.status == 200, answer.body
    after = (await rig.get("/app/api/plan", auth)).body["data"]
    assert after["version"] == before["version"] + 1
    assert after["weeks"][1]["hours"] < before["weeks"][1]["hours"]
    assert f"version {after['version']}" in texts(await rig.bot.say(ALICE, "/plan"))
    assert (await rig.post("/app/api/weeks/99/lighter", auth)).status == 400


async def test_sessions_are_skipped_and_moved(rig: WebRig) -> None:
    auth = rig.auth(ALICE)
    calendar = (await rig.get("/app/api/calendar", auth)).body["data"]
    assert calendar["timezone"] == "Europe/Berlin"
    first, second = calendar["weeks"][0]["sessions"][:2]
    skipped = await rig.post(f"/app/api/sessions/{first['id']}/skip", auth)
    assert skipped.status == 200 and "Skipped" in skipped.body["messages"][0], skipped.body
    moved = await rig.post(f"/app/api/sessions/{second['id']}/move", auth)
    assert moved.status == 200 and "Moved" in moved.body["messages"][0], moved.body
    active = await rig.store.active_plan(ALICE)
    assert active is not None
    stored = {s.session_id: s for s in await list_sessions(rig.store, ALICE, active[0])}
    assert stored[first["id"]].status == "skipped"
    moved_to = stored[second["id"]]
    assert moved_to.starts_at.date() > NOW.date()
    assert not [
        s
        for s in stored.values()
        if s.session_id != moved_to.session_id
        and s.status == "planned"
        and s.starts_at < moved_to.ends_at
        and moved_to.starts_at < s.ends_at
    ], "a moved session never overlaps another"
    again = (await rig.get("/app/api/calendar", auth)).body["data"]["weeks"][0]["sessions"]
    assert next(s for s in again if s["id"] == first["id"])["can_change"] is False
    assert (await rig.post("/app/api/sessions/nope/skip", auth)).status == 400
    assert (await rig.post(f"/app/api/sessions/{first['id']}/delete", auth)).status == 400


async def test_the_page_and_its_assets_are_served(rig: WebRig) -> None:
    page = await rig.get("/app/", None)
    assert page.status == 200 and "telegram-web-app.js" in page.body
    async with rig.http.get(rig.base + "/app/") as response:
        assert (
            "script-src 'self' https://telegram.org" in response.headers["Content-Security-Policy"]
        )
    script = page.body.split('src="/app/assets/', 1)[1].split('"', 1)[0]
    async with rig.http.get(f"{rig.base}/app/assets/{script}") as response:
        assert response.status == 200
        assert response.content_type == "text/javascript"
    for path in ("/app/assets/..%2Fserver.py", "/app/assets/nope.js"):
        async with rig.http.get(rig.base + path) as response:
            assert response.status == 404


async def test_a_dev_token_opens_one_loopback_session(rig: WebRig) -> None:
    token = rig.dev.new_token()
    first = await rig.post("/app/api/dev-session", None, {"token": token})
    assert first.status == 200
    session = first.body["session"]
    assert (await rig.post("/app/api/dev-session", None, {"token": token})).status == 401
    me = await rig.get("/app/api/me", f"dev {session}")
    assert me.status == 200 and me.body["data"]["id"] == 1
    assert rig.dev.exchange(rig.dev.new_token(), "192.0.2.7") is None
    assert rig.dev.user_of(session, "192.0.2.7") is None
