"""`/calendar link` and `/calendar revoke` end to end: the link the bot sends through the
Bot API stand-in, fetched over real HTTP from the bot's own server."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import bson
import pytest
from icalendar import Calendar

from storage.calendar_tokens import calendar_uid
from storage.schedules import save_sessions
from tests.calendar_harness import (
    WATERCOLOR_GOAL,
    CalendarRig,
    calendar_rig,
    link_in,
    read_with_vobject,
)
from tests.fakes.telegram_api import Call
from tests.harness import texts

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)

ALICE, BOB = 501, 502


@pytest.fixture
async def rig(tmp_path: Path, mongodb_uri: str | None) -> AsyncIterator[CalendarRig]:
    async with calendar_rig(tmp_path, mongodb_uri=mongodb_uri) as started:
        yield started


async def _new_link(rig: CalendarRig, user: int) -> str:
    calls = await rig.bot.say(user, "/calendar link")
    reply = texts(calls)
    assert "Your calendar link" in reply, reply
    url = link_in(reply)
    assert rig.public_url is not None and url.startswith(f"{rig.public_url}/calendar/")
    return url


def _module_title(summary: str) -> str:
    """An event's module title, without the " (part i/n)" of a split module."""
    return summary.split(" (part ")[0]


async def _callback_answer(rig: CalendarRig, since: int) -> Call:
    """The bot's answerCallbackQuery after call index `since` (a few HTTP round trips)."""
    for _ in range(200):
        found = [c for c in rig.api.calls[since:] if c.method == "answerCallbackQuery"]
        if found:
            await rig.api.wait_settled()  # the turn is over: all it sends has arrived
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never answered the button press")


def _titles(body: bytes) -> set[str]:
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")}


async def test_link_serves_the_current_calendar(rig: CalendarRig) -> None:
    _version, plan = await rig.make_plan(ALICE)
    sessions = await rig.sessions(ALICE)
    url = await _new_link(rig, ALICE)

    fetched = await rig.fetch(url)
    assert fetched.status == 200
    assert fetched.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-cache" in fetched.headers["Cache-Control"]
    assert fetched.headers["ETag"].startswith('W/"')
    calendar = Calendar.from_ical(fetched.body)
    assert str(calendar["METHOD"]) == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions)
    assert {_module_title(str(e["SUMMARY"])) for e in events} <= {m.title for m in plan.modules()}
    assert len(read_with_vobject(fetched.body).vevent_list) == len(sessions)

    head = await rig.http.head(url)
    assert head.status == 200 and head.headers["Content-Type"].startswith("text/calendar")


async def test_subscribers_see_changes_and_unchanged_feeds_revalidate(rig: CalendarRig) -> None:
    version, _plan = await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    first = await rig.fetch(url)
    etag = first.headers["ETag"]

    again = await rig.fetch(url, **{"If-None-Match": etag})
    assert again.status == 304 and again.body == b""

    sessions = await rig.sessions(ALICE)
    target = sessions[0]
    moved = [
        s.model_copy(update={"starts_at": s.starts_at + timedelta(hours=1)})
        if s.session_id == target.session_id
        else s
        for s in sessions
    ]
    await save_sessions(rig.store, ALICE, version, moved)
    changed = await rig.fetch(url, **{"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag
    uid = f"{target.session_id}.{await calendar_uid(rig.store, ALICE)}@learnplan"
    event = next(e for e in Calendar.from_ical(changed.body).walk("VEVENT") if e["UID"] == uid)
    assert event.decoded("DTSTART") == target.starts_at + timedelta(hours=1)
    assert int(event["SEQUENCE"]) == target.sequence + 1


async def test_wrong_or_malformed_tokens_get_404(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    base = f"{rig.public_url}/calendar/"
    for wrong in (
        secrets.token_urlsafe(32),
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token[:20],
        token.upper() if token.upper() != token else token.lower(),
        "x" * 5000,
        hashlib.sha256(token.encode()).hexdigest(),
    ):
        fetched = await rig.fetch(f"{base}{wrong}.ics")
        assert fetched.status == 404, wrong
        assert b"BEGIN:VCALENDAR" not in fetched.body
    assert (await rig.fetch(f"{base}{token}")).status == 404
    assert (await rig.fetch(url)).status == 200


async def test_only_a_hash_of_the_token_is_stored(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes, base64url
    docs = await rig.store.run(rig.store.db.ical_tokens.find({}, {"_id": 0}).to_list)
    assert len(docs) == 1
    assert docs[0]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(docs)


async def test_the_clear_token_is_never_stored(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    await rig.bot.say(ALICE, "/plan")  # more checkpoints after the one that made the link
    token = url.rsplit("/", 1)[1].removesuffix(".ics").encode()
    store = rig.store

    async def stored() -> dict[str, list[bytes]]:
        names = await store.db.list_collection_names()
        return {n: [bson.encode(d) async for d in store.db[n].find({})] for n in names}

    documents = await store.run(stored)
    assert documents["ical_tokens"], "the link's document is there to be searched"
    assert [n for n, docs in documents.items() if any(token in d for d in docs)] == []
    files = [p for p in rig.bot.data_dir.rglob("*") if p.is_file()]
    assert [p.name for p in files if token in p.read_bytes()] == []


async def test_revoke_turns_the_link_off(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    assert (await rig.fetch(url)).status == 200
    calls = await rig.bot.say(ALICE, "/calendar revoke")
    assert "turned off" in texts(calls)
    assert (await rig.fetch(url)).status == 404
    calls = await rig.bot.say(ALICE, "/calendar revoke")
    assert "don't have a calendar link" in texts(calls)
    renewed = await _new_link(rig, ALICE)
    assert renewed != url
    assert (await rig.fetch(renewed)).status == 200 and (await rig.fetch(url)).status == 404


async def test_asking_again_offers_a_new_link_that_replaces_the_old(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    old = await _new_link(rig, ALICE)
    calls = await rig.bot.say(ALICE, "/calendar link")
    reply = texts(calls)
    assert "already have a calendar link" in reply and "/calendar/" not in reply
    calls = await rig.bot.press_button(ALICE, calls[-1], "New link")
    new = link_in(texts(calls))
    assert "old one no longer works" in texts(calls)
    assert new != old
    assert (await rig.fetch(old)).status == 404
    assert (await rig.fetch(new)).status == 200
    calls = await rig.bot.say(ALICE, "/calendar link new")
    newest = link_in(texts(calls))
    assert (await rig.fetch(new)).status == 404 and (await rig.fetch(newest)).status == 200


async def test_each_token_shows_only_its_owners_plan(rig: CalendarRig) -> None:
    _, plan_a = await rig.make_plan(ALICE)
    _, plan_b = await rig.make_plan(BOB, WATERCOLOR_GOAL)
    titles_a = {m.title for m in plan_a.modules()}
    titles_b = {m.title for m in plan_b.modules()}
    assert titles_a.isdisjoint(titles_b)
    url_a, url_b = await _new_link(rig, ALICE), await _new_link(rig, BOB)

    feed_a, feed_b = await rig.fetch(url_a), await rig.fetch(url_b)
    assert feed_a.status == feed_b.status == 200
    assert {_module_title(t) for t in _titles(feed_a.body)} <= titles_a
    assert {_module_title(t) for t in _titles(feed_b.body)} <= titles_b
    assert b"Watercolor" not in feed_a.body and b"Rust" not in feed_b.body
    assert f"u{BOB}@learnplan".encode() not in feed_a.body
    assert f"u{ALICE}@learnplan".encode() not in feed_b.body

    await rig.bot.say(BOB, "/calendar revoke")
    assert (await rig.fetch(url_b)).status == 404
    assert (await rig.fetch(url_a)).status == 200


async def test_forged_calendar_buttons_get_clear_answers(rig: CalendarRig) -> None:
    await rig.make_plan(ALICE)
    url = await _new_link(rig, ALICE)
    # Bob forges Alice's "turn it off" button: the owner check refuses it.
    since = len(rig.api.calls)
    rig.api.press(BOB, f"cal:revoke|{ALICE}")
    answer = await _callback_answer(rig, since)
    assert "isn't for you" in str(answer.params.get("text"))
    assert (await rig.fetch(url)).status == 200
    assert not [c for c in rig.api.calls[since:] if c.method == "sendMessage"]
    # Bob's own, well-formed button with nothing to revoke, and a made-up action.
    calls = await rig.bot.press(BOB, f"cal:revoke|{BOB}")
    assert "don't have a calendar link" in texts(calls)
    calls = await rig.bot.press(BOB, f"cal:drop-table|{BOB}")
    assert "no longer valid" in texts(calls)
    calls = await rig.bot.say(BOB, "/calendar link")
    assert "don't have a plan" in texts(calls)
    assert (await rig.fetch(url)).status == 200


async def test_without_a_public_url_there_is_no_link(tmp_path: Path) -> None:
    async with calendar_rig(tmp_path, public=False) as rig:
        await rig.make_plan(ALICE)
        calls = await rig.bot.say(ALICE, "/calendar link")
        assert "no public web address" in texts(calls)
        docs = await rig.store.run(rig.store.db.ical_tokens.find({}).to_list)
        assert docs == []
        calls = await rig.bot.say(ALICE, "/calendar")
        assert rig.documents(ALICE)
