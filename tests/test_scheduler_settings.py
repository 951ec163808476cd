"""Pure parts: reminder settings, command parsing, quiet hours and recurrences across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.localtime import (
    moment_text,
    next_occurrence,
    next_weekly_summary,
    occurrence_after_day,
    outside_quiet,
    same_time_tomorrow,
    span_text,
    user_zone,
)
from scheduler.settings_model import (
    CustomRule,
    QuietHours,
    ReminderSettings,
    claims_pause_text,
    parse_clock,
    parse_pause_span,
    parse_remind_command,
    parse_settings_command,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7", time(7, 0)),
        ("7am", time(7, 0)),
        ("7.30pm", time(19, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("24:00", None),
        ("13pm", None),
        ("7:60", None),
        ("soon", None),
    ],
)
def test_parse_clock(text: str, expected: time | None) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("args", "action", "value"),
    [
        ("", "show", None),
        ("off", "off", None),
        ("ON", "on", None),
        ("resume", "resume", None),
        ("lead 30", "lead", 30),
        ("lead 0", "lead", 0),
        ("lead 120 min", "lead", 120),
        ("lead 121", "invalid", None),
        ("lead soon", "invalid", None),
        ("quiet 22:00-08:00", "quiet", QuietHours(start=time(22), end=time(8))),
        ("quiet 10pm to 7am", "quiet", QuietHours(start=time(22), end=time(7))),
        ("quiet off", "quiet", None),
        ("quiet 22:00", "invalid", None),
        ("pause", "pause", timedelta(days=7)),
        ("pause 3 days", "pause", timedelta(days=3)),
        ("pause for two weeks", "pause", timedelta(days=14)),
        ("pause 1000 days", "invalid", None),
        ("nudge 3", "nudge", 3),
        ("nudge 0", "nudge", 0),
        ("nudge 99", "invalid", None),
        ("summary off", "summary", False),
        ("summary maybe", "invalid", None),
        ("volume 11", "invalid", None),
    ],
)
def test_parse_settings_command(args: str, action: str, value: object) -> None:
    command = parse_settings_command(args)
    assert command.action == action
    if action == "lead":
        assert command.lead == value
    if action == "quiet":
        assert command.quiet == value
    if action == "pause":
        assert command.pause == value
    if action == "nudge":
        assert command.nudge_days == value
    if action == "summary":
        assert command.summary == value


@pytest.mark.parametrize(
    ("args", "days", "at"),
    [
        ("weekdays 07:30", [0, 1, 2, 3, 4], time(7, 30)),
        ("daily 08:00", [0, 1, 2, 3, 4, 5, 6], time(8, 0)),
        ("mon,wed 18:00", [0, 2], time(18, 0)),
        ("Monday and Friday at 6pm", [0, 4], time(18, 0)),
        ("every tue-thu 7am", [1, 2, 3], time(7, 0)),
        ("weekends 10:00", [5, 6], time(10, 0)),
    ],
)
def test_parse_remind_command(args: str, days: list[int], at: time) -> None:
    command = parse_remind_command(args)
    assert command.action == "add" and command.rule is not None
    assert command.rule.days == days and command.rule.at == at


@pytest.mark.parametrize("args", ["someday 07:30", "weekdays", "mon,funday 7:00", "daily 25:00"])
def test_parse_remind_command_rejects_nonsense(args: str) -> None:
    command = parse_remind_command(args)
    assert command.action == "invalid" and command.error


def test_parse_remind_off_and_list() -> None:
    assert parse_remind_command("off").action == "off"
    assert parse_remind_command("").action == "list"
    same = parse_remind_command("weekdays 7:30").rule
    other = parse_remind_command("mon-fri 07:30am").rule
    assert same is not None and other is not None and same.id == other.id


@pytest.mark.parametrize(
    ("text", "claimed", "span"),
    [
        ("pause reminders for a week", True, timedelta(days=7)),
        ("please pause my reminders for 3 days", True, timedelta(days=3)),
        ("mute notifications for two weeks", True, timedelta(days=14)),
        ("resume reminders", True, None),
        ("turn reminders back on", True, None),
        ("make week 2 lighter", False, None),
        ("done with week 1", False, None),
    ],
)
def test_pause_phrases(text: str, claimed: bool, span: timedelta | None) -> None:
    assert claims_pause_text(text) is claimed
    if span is not None:
        assert parse_pause_span(text.split("reminders")[-1].split("notifications")[-1]) == span


def test_settings_from_a_users_document_fall_back_per_field() -> None:
    settings = ReminderSettings.of_user(
        {"reminders": {"lead_minutes": 999, "quiet": {"start": "22:00", "end": "07:00"}}}
    )
    assert settings.lead_minutes == 15
    assert settings.quiet == QuietHours(start=time(22), end=time(7))
    assert ReminderSettings.of_user(None).enabled
    assert user_zone({"timezone": "Asia/Tokyo"}, "Europe/Berlin") == "Asia/Tokyo"
    assert user_zone({"timezone": "Mars/Base"}, "Europe/Berlin") == "Europe/Berlin"
    assert user_zone(None, None) == "UTC"


def _local(day: date, hh: int, mm: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=BERLIN, fold=fold)


@pytest.mark.parametrize(
    ("local", "expected_local"),
    [
        ((2026, 10, 24, 23, 30), (2026, 10, 25, 8, 0)),  # overnight window, clocks go back
        ((2026, 10, 25, 6, 0), (2026, 10, 25, 8, 0)),
        ((2027, 3, 27, 23, 0), (2027, 3, 28, 8, 0)),  # clocks go forward that night
        ((2026, 10, 24, 21, 59), (2026, 10, 24, 21, 59)),  # just before quiet hours
        ((2026, 10, 25, 8, 0), (2026, 10, 25, 8, 0)),  # the end itself is not quiet
    ],
)
def test_quiet_hours_end_is_local_time_across_dst(
    local: tuple[int, ...], expected_local: tuple[int, ...]
) -> None:
    quiet = QuietHours(start=time(22), end=time(8))
    due = datetime(*local, tzinfo=BERLIN).astimezone(UTC)
    shifted = outside_quiet(due, quiet, BERLIN).astimezone(BERLIN)
    assert shifted.timetuple()[:5] == expected_local


def test_quiet_hours_during_the_day_and_an_end_inside_the_gap() -> None:
    lunch = QuietHours(start=time(12), end=time(13, 30))
    due = datetime(2026, 5, 4, 12, 15, tzinfo=BERLIN).astimezone(UTC)
    assert outside_quiet(due, lunch, BERLIN) == datetime(2026, 5, 4, 13, 30, tzinfo=BERLIN)
    night = QuietHours(start=time(1), end=time(2, 30))
    due = datetime(2027, 3, 28, 1, 30, tzinfo=BERLIN).astimezone(UTC)
    # 02:30 does not exist that night: the end moves forward by the gap, to 03:30 CEST.
    assert outside_quiet(due, night, BERLIN) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)


def test_weekly_summary_is_sunday_1900_local_in_summer_and_winter() -> None:
    before = next_weekly_summary(BERLIN, datetime(2026, 10, 20, 12, tzinfo=UTC))
    assert before == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)  # 19:00 CET: clocks went back
    summer = next_weekly_summary(BERLIN, datetime(2026, 10, 11, 16, 59, tzinfo=UTC))
    assert summer == datetime(2026, 10, 11, 17, 0, tzinfo=UTC)  # 19:00 CEST, same day
    after = next_weekly_summary(BERLIN, datetime(2026, 10, 11, 17, 1, tzinfo=UTC))
    assert after == datetime(2026, 10, 18, 17, 0, tzinfo=UTC)


def test_recurring_occurrences_keep_wall_time_across_dst() -> None:
    rule = CustomRule(id="r", days=[0, 1, 2, 3, 4], at=time(7, 30))
    friday = next_occurrence(rule, BERLIN, datetime(2026, 10, 23, 5, tzinfo=UTC))
    assert friday == datetime(2026, 10, 23, 5, 30, tzinfo=UTC)  # 07:30 CEST
    after_friday = next_occurrence(rule, BERLIN, datetime(2026, 10, 23, 6, tzinfo=UTC))
    assert after_friday == datetime(2026, 10, 26, 6, 30, tzinfo=UTC)  # 07:30 CET
    monday = occurrence_after_day(rule, BERLIN, date(2026, 10, 23))
    assert monday == datetime(2026, 10, 26, 6, 30, tzinfo=UTC)
    assert monday.astimezone(BERLIN).strftime("%a %H:%M") == "Mon 07:30"


def test_tomorrow_is_the_same_wall_time_not_24_hours() -> None:
    saturday_evening = datetime(2026, 10, 24, 20, 0, tzinfo=BERLIN).astimezone(UTC)
    tomorrow = same_time_tomorrow(saturday_evening, BERLIN)
    assert tomorrow.astimezone(BERLIN).strftime("%a %H:%M") == "Sun 20:00"
    assert tomorrow - saturday_evening == timedelta(hours=25)


def test_formatting_in_local_time() -> None:
    start = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    assert moment_text(start, BERLIN) == "Mon 30 Nov 19:00"
    assert span_text(start, start + timedelta(minutes=90), BERLIN) == "Mon 30 Nov 19:00–20:30"
