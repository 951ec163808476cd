"""`/calendar` end to end: the .ics document the bot uploads to the Bot API stand-in,
parsed back with icalendar and with the independent vobject parser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from scheduler.ics import calendar_filename
from storage.calendar_tokens import calendar_uid
from storage.schedules import save_sessions
from tests.calendar_harness import CalendarRig, calendar_rig, read_with_vobject
from tests.harness import FrozenClock, texts

BOTH_ENGINES = True  # run on the embedded engine and on MONGODB_URI (tests/conftest.py)

USER = 401


@pytest.fixture
async def rig(tmp_path: Path, mongodb_uri: str | None) -> AsyncIterator[CalendarRig]:
    async with calendar_rig(tmp_path, mongodb_uri=mongodb_uri) as started:
        yield started


async def _export(rig: CalendarRig, user: int = USER) -> tuple[bytes, tuple[str, str], str]:
    """Send /calendar; returns the uploaded file, its (filename, Content-Type), caption."""
    before = len(rig.documents(user))
    await rig.bot.say(user, "/calendar")
    documents = rig.documents(user)
    assert len(documents) == before + 1, texts(rig.api.sent(user))
    call = documents[-1]
    return call.files["document"], call.params["_uploads"]["document"], call.params["caption"]


def _events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


async def test_calendar_sends_an_ics_both_parsers_read(rig: CalendarRig) -> None:
    _version, plan = await rig.make_plan(USER)
    sessions = await rig.sessions(USER)
    assert len(sessions) >= 10
    body, (filename, media_type), caption = await _export(rig)

    assert media_type.split(";")[0].strip() == "text/calendar"
    assert filename == calendar_filename(plan) and filename.endswith(".ics")
    assert plan.title in caption and str(len(sessions)) in caption

    calendar = Calendar.from_ical(body)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = calendar.walk("VEVENT")
    assert len(events) == len(sessions)
    own = await calendar_uid(rig.store, USER)
    assert own and str(USER) not in own
    assert {str(e["UID"]) for e in events} == {f"{s.session_id}.{own}@learnplan" for s in sessions}
    berlin = ZoneInfo("Europe/Berlin")
    by_uid = {f"{s.session_id}.{own}@learnplan": s for s in sessions}
    for event in events:
        session = by_uid[str(event["UID"])]
        start = event.decoded("DTSTART")
        assert start.tzinfo is not None and start == session.starts_at
        assert start.astimezone(berlin).time() >= time(19, 0)
        assert event.decoded("DTSTAMP") == rig.bot.clock()
        assert int(event["SEQUENCE"]) == session.sequence
        alarms = event.walk("VALARM")
        assert [a.decoded("TRIGGER") for a in alarms] == [timedelta(minutes=-15)]
        module = plan.find_module(session.module_id)
        assert module is not None and module.title in str(event["SUMMARY"])
        description = str(event["DESCRIPTION"])
        assert all(o in description for o in module.objectives)
        assert all(r.url in description for r in module.resources)

    parsed = read_with_vobject(body)
    assert parsed.method.value == "PUBLISH"
    vevents = parsed.vevent_list
    assert len(vevents) == len(sessions)
    assert {v.uid.value for v in vevents} == {str(e["UID"]) for e in events}
    for vevent in vevents:
        start = vevent.dtstart.value
        assert start.tzinfo is not None
        assert start.astimezone(UTC) == by_uid[vevent.uid.value].starts_at
        assert vevent.valarm.trigger.value == timedelta(minutes=-15)


async def test_two_exports_keep_uids_and_a_moved_session_raises_sequence(rig: CalendarRig) -> None:
    version, _plan = await rig.make_plan(USER)
    first, _, _ = await _export(rig)
    clock = rig.bot.clock
    assert isinstance(clock, FrozenClock)
    clock.now += timedelta(hours=2)
    second, _, _ = await _export(rig)
    uids_first = [str(e["UID"]) for e in _events(first)]
    assert uids_first == [str(e["UID"]) for e in _events(second)]
    assert {e.decoded("DTSTAMP") for e in _events(second)} == {clock.now}

    sessions = await rig.sessions(USER)
    moved_id = sessions[3].session_id
    moved = [
        s.model_copy(
            update={
                "starts_at": s.starts_at + timedelta(days=1),
                "ends_at": s.ends_at + timedelta(days=1),
            }
        )
        if s.session_id == moved_id
        else s
        for s in sessions
    ]
    await save_sessions(rig.store, USER, version, moved)
    third, _, _ = await _export(rig)

    before = {str(e["UID"]): e for e in _events(second)}
    after = {str(e["UID"]): e for e in _events(third)}
    assert set(after) == set(before)
    moved_uid = f"{moved_id}.{await calendar_uid(rig.store, USER)}@learnplan"
    assert int(after[moved_uid]["SEQUENCE"]) == int(before[moved_uid]["SEQUENCE"]) + 1
    assert after[moved_uid].decoded("DTSTART") == before[moved_uid].decoded("DTSTART") + timedelta(
        days=1
    )
    unchanged = set(after) - {moved_uid}
    assert all(int(after[u]["SEQUENCE"]) == int(before[u]["SEQUENCE"]) for u in unchanged)
    via_vobject = {v.uid.value: int(v.sequence.value) for v in read_with_vobject(third).vevent_list}
    assert via_vobject[moved_uid] == int(after[moved_uid]["SEQUENCE"])


async def test_alarm_follows_the_users_lead_time(rig: CalendarRig) -> None:
    await rig.make_plan(USER)
    await rig.store.set_user_fields(USER, {"reminders.lead_minutes": 45})
    body, _, _ = await _export(rig)
    triggers = {a.decoded("TRIGGER") for e in _events(body) for a in e.walk("VALARM")}
    assert triggers == {timedelta(minutes=-45)}


async def test_sessions_keep_their_local_time_across_daylight_saving(tmp_path: Path) -> None:
    march = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # Berlin springs forward on 2027-03-28
    async with calendar_rig(tmp_path, now=march) as rig:
        await rig.make_plan(USER)
        body, _, _ = await _export(rig)
    starts = [v.dtstart.value for v in read_with_vobject(body).vevent_list]
    offsets = {s.utcoffset() for s in starts}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert all(s.time() >= time(19, 0) and s.tzinfo is not None for s in starts)
    assert {s.astimezone(ZoneInfo("Europe/Berlin")).hour for s in starts} <= {19, 20}


async def test_calendar_without_a_plan_says_so(rig: CalendarRig) -> None:
    calls = await rig.bot.say(USER, "/calendar")
    assert "don't have a plan" in texts(calls)
    assert rig.documents(USER) == []


async def test_calendar_with_no_sessions_says_so_instead_of_an_empty_file(rig: CalendarRig) -> None:
    version, _ = await rig.make_plan(USER)
    await save_sessions(rig.store, USER, version, [])
    calls = await rig.bot.say(USER, "/calendar")
    assert "no scheduled study sessions" in texts(calls)
    assert rig.documents(USER) == []


async def test_unknown_calendar_action_shows_usage(rig: CalendarRig) -> None:
    calls = await rig.bot.say(USER, "/calendar <b>frobnicate</b>")
    reply = texts(calls)
    assert "I don't know" in reply and "&lt;b&gt;frobnicate&lt;/b&gt;" in reply
    assert "/calendar link" in reply and "/calendar revoke" in reply
