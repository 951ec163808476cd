"""Tests for scheduler.ics, checked with icalendar and the independent vobject parser."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from scheduler.ics import PRODID, build_calendar, calendar_filename
from storage.models import Module, Plan, Resource, SkillLevel, StudySession, Week

NOW = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
TRICKY = "Commas, semi;colons\nnew line <&> 🦀 emoji שלום עולם"


def make_plan(title: str = "Rust in 6 weeks", module_title: str = "Ownership") -> Plan:
    module = Module(
        id="w1m1",
        title=module_title,
        description="Learn how ownership works.",
        hours=2,
        difficulty=2,
        objectives=["Explain moves", "Use borrowing"],
        resources=[
            Resource(kind="book", title="The Book", url="https://doc.rust-lang.org/book/"),
            Resource(kind="video", title="Talk", url="https://example.com/watch?v=1&t=2"),
        ],
    )
    other = Module(id="w1m2", title="Traits", hours=1, difficulty=3)
    return Plan(
        title=title,
        goal="learn rust",
        skill_level=SkillLevel.BEGINNER,
        hours_per_week=5,
        weeks=[Week(number=1, modules=[module, other])],
    )


def make_sessions() -> list[StudySession]:
    def session(sid: str, module: str, start: datetime, hours: float, **kw: object):
        return StudySession(
            session_id=sid,
            module_id=module,
            week=1,
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            **kw,
        )

    return [
        # 19:00 Berlin in summer time, then 19:00 in winter time (DST ends 2026-10-25).
        session("w1m1-p1", "w1m1", datetime(2026, 10, 24, 17, tzinfo=UTC), 1, part=1, parts=2),
        session("w1m1-p2", "w1m1", datetime(2026, 10, 26, 18, tzinfo=UTC), 1, part=2, parts=2),
        session("w1m2-p1", "w1m2", datetime(2026, 10, 28, 18, tzinfo=UTC), 1, status="done"),
        session("w1m3-p1", "w1m2", datetime(2026, 10, 29, 18, tzinfo=UTC), 0.5, status="skipped"),
    ]


def export(
    plan: Plan | None = None,
    sessions: list[StudySession] | None = None,
    tz: str = "Europe/Berlin",
    lead_minutes: int = 15,
) -> bytes:
    return build_calendar(
        plan or make_plan(),
        make_sessions() if sessions is None else sessions,
        tz,
        lead_minutes=lead_minutes,
        calendar_id="user42-plan7",
        now=NOW,
    )


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_calendar_headers_and_event_count() -> None:
    data = export()
    cal = parse(data)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["X-WR-CALNAME"]) == "Rust in 6 weeks"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert str(cal["UID"]) == "user42-plan7@learnplan"
    assert len(cal.events) == len(make_sessions())
    assert len(vobject.readOne(data.decode()).vevent_list) == len(make_sessions())


def test_output_uses_crlf_line_endings() -> None:
    data = export()
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York"])
def test_vtimezone_matches_event_tzid(tz: str) -> None:
    cal = parse(export(tz=tz))
    assert [t.tz_name for t in cal.timezones] == [tz]
    assert cal.get_missing_tzids() == set()
    for event in cal.events:
        assert event["DTSTART"].params["TZID"] == tz
        assert event["DTEND"].params["TZID"] == tz
    assert vobject.readOne(export(tz=tz).decode()).vtimezone.tzid.value == tz


def test_dtstart_is_local_wall_time_across_dst() -> None:
    data = export()
    assert b"DTSTART;TZID=Europe/Berlin:20261024T190000\r\n" in data
    assert b"DTSTART;TZID=Europe/Berlin:20261026T190000\r\n" in data
    berlin = ZoneInfo("Europe/Berlin")
    for event in parse(data).events:
        assert event.start.tzinfo is not None
        assert event.start.astimezone(berlin).time() == time(19, 0)
    parsed = vobject.readOne(data.decode()).vevent_list
    assert [e.dtstart.value.astimezone(UTC).hour for e in parsed] == [17, 18, 18, 18]
    assert all(e.dtstart.value.astimezone(berlin).hour == 19 for e in parsed)


def test_utc_zone_uses_z_suffix_without_vtimezone() -> None:
    data = export(tz="UTC")
    cal = parse(data)
    assert cal.timezones == []
    assert b"DTSTART:20261024T170000Z\r\n" in data
    assert vobject.readOne(data.decode()).vevent_list[0].dtstart.value == datetime(
        2026, 10, 24, 17, tzinfo=UTC
    )


def test_same_inputs_give_byte_identical_output_with_stable_uids() -> None:
    first, second = export(), export()
    assert first == second
    uids = [str(e["UID"]) for e in parse(first).events]
    assert uids == [f"{s.session_id}.user42-plan7@learnplan" for s in make_sessions()]
    assert all(str(e["DTSTAMP"].dt) == str(NOW) for e in parse(first).events)


def test_sequence_follows_session_sequence() -> None:
    sessions = make_sessions()
    moved = sessions[0].model_copy(
        update={
            "starts_at": sessions[0].starts_at + timedelta(days=7),
            "ends_at": sessions[0].ends_at + timedelta(days=7),
            "sequence": 1,
        }
    )
    before = {str(e["UID"]): e["SEQUENCE"] for e in parse(export(sessions=sessions)).events}
    after_sessions = [moved, *sessions[1:]]
    after = {str(e["UID"]): e["SEQUENCE"] for e in parse(export(sessions=after_sessions)).events}
    uid = "w1m1-p1.user42-plan7@learnplan"
    assert (before[uid], after[uid]) == (0, 1)
    parsed = vobject.readOne(export(sessions=after_sessions).decode())
    assert {e.uid.value: int(e.sequence.value) for e in parsed.vevent_list}[uid] == 1


def test_alarm_triggers_lead_minutes_before_start() -> None:
    cal = parse(export(lead_minutes=30))
    planned = [e for e in cal.events if str(e["STATUS"]) != "CANCELLED"]
    assert planned
    for event in planned:
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert "Ownership" in str(alarm["DESCRIPTION"]) or "Traits" in str(alarm["DESCRIPTION"])
        assert alarm["TRIGGER"].dt == timedelta(minutes=-30)
    parsed = vobject.readOne(export(lead_minutes=30).decode()).vevent_list[0]
    assert parsed.valarm.trigger.value == timedelta(minutes=-30)


def test_no_alarm_without_lead_time() -> None:
    assert all(not e.walk("VALARM") for e in parse(export(lead_minutes=0)).events)
    assert b"BEGIN:VALARM" not in export(lead_minutes=0)


def test_skipped_session_is_cancelled_without_alarm() -> None:
    events = parse(export()).events
    statuses = [str(e["STATUS"]) for e in events]
    assert statuses == ["CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert not events[-1].walk("VALARM")


def test_summary_marks_parts_and_description_lists_objectives_and_resources() -> None:
    data = export()
    events = parse(data).events
    assert [str(e["SUMMARY"]) for e in events] == [
        "Ownership (part 1/2)",
        "Ownership (part 2/2)",
        "Traits",
        "Traits",
    ]
    description = str(events[0]["DESCRIPTION"])
    assert "Learn how ownership works." in description
    assert "• Explain moves" in description and "• Use borrowing" in description
    assert "book: The Book — https://doc.rust-lang.org/book/" in description
    assert "https://example.com/watch?v=1&t=2" in description
    vobj_description = vobject.readOne(data.decode()).vevent_list[0].description.value
    assert vobj_description == description


def test_special_characters_round_trip() -> None:
    plan = make_plan(title=TRICKY, module_title=TRICKY)
    data = export(plan=plan)
    cal = parse(data)
    # icalendar 7.3 parses NAME/X-WR-CALNAME as vUnknown and keeps the RFC 5545 escapes.
    escaped = TRICKY.replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")
    assert str(cal["X-WR-CALNAME"]) == str(cal["NAME"]) == escaped
    assert str(cal.events[0]["SUMMARY"]) == f"{TRICKY} (part 1/2)"
    vcal = vobject.readOne(data.decode())
    assert vcal.contents["x-wr-calname"][0].value == TRICKY
    assert vcal.contents["name"][0].value == TRICKY
    assert vcal.vevent_list[0].summary.value == f"{TRICKY} (part 1/2)"
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_unknown_module_falls_back_to_its_id() -> None:
    stray = make_sessions()[0].model_copy(update={"module_id": "gone", "parts": 1})
    event = parse(export(sessions=[stray])).events[0]
    assert str(event["SUMMARY"]) == "gone"
    assert "DESCRIPTION" not in event


def test_naive_stored_times_are_read_as_utc() -> None:
    naive = [
        s.model_copy(
            update={
                "starts_at": s.starts_at.replace(tzinfo=None),
                "ends_at": s.ends_at.replace(tzinfo=None),
            }
        )
        for s in make_sessions()
    ]
    assert export(sessions=naive) == export()


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Rust in 6 weeks", "learnplan-rust-in-6-weeks.ics"),
        ("  Café & Crème: Déjà vu!  ", "learnplan-cafe-creme-deja-vu.ics"),
        ("🦀🦀", "learnplan-plan.ics"),
        ("Изучение Python", "learnplan-python.ics"),
        ("", "learnplan-plan.ics"),
    ],
)
def test_calendar_filename(title: str, expected: str) -> None:
    assert calendar_filename(make_plan(title=title)) == expected


def test_calendar_filename_is_short_and_ascii() -> None:
    name = calendar_filename(make_plan(title="A very long title " * 10))
    assert len(name) <= 60
    assert name.isascii() and name.endswith(".ics")
    assert "--" not in name and not name.removesuffix(".ics").endswith("-")
