"""Calendar updates that calendar apps can follow: removed sessions are cancelled (once,
with a higher SEQUENCE), a new alarm raises SEQUENCE, and UIDs do not carry the
Telegram user id — through /calendar on the Bot API stand-in."""

from __future__ import annotations

from icalendar import Calendar

from tests.harness import BotUnderTest, texts

GOAL = (
    "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin, "
    "topics: ownership"
)


async def _events(bot: BotUnderTest, user: int) -> dict[str, dict[str, object]]:
    calls = await bot.say(user, "/calendar")
    (document,) = [c for c in calls if c.method == "sendDocument"]
    body = bytes(document.files["document"])
    events: dict[str, dict[str, object]] = {}
    for event in Calendar.from_ical(body).walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in events, f"{uid} appears twice"
        alarms = event.walk("VALARM")
        events[uid] = {
            "sequence": int(event.get("SEQUENCE", 0)),
            "status": str(event.get("STATUS")),
            "trigger": str(alarms[0]["TRIGGER"].to_ical().decode()) if alarms else None,
        }
    return events


async def test_refinement_cancels_removed_sessions_and_alarms_raise_sequence(
    bot: BotUnderTest,
) -> None:
    user = 1441
    calls = await bot.say(user, GOAL)
    await bot.press_button(user, calls[-1], "Build my plan")
    first = await _events(bot, user)
    assert first and not any(str(user) in uid for uid in first), list(first)[:3]

    calls = await bot.say(user, "make it 4 weeks")
    assert "version 2" in texts(calls), texts(calls)
    second = await _events(bot, user)
    gone = [uid for uid, e in second.items() if e["status"] == "CANCELLED"]
    assert gone, "sessions of weeks 5 and 6 are cancelled, not left out"
    for uid in gone:
        assert uid in first and second[uid]["sequence"] > first[uid]["sequence"]  # type: ignore[operator]
        assert second[uid]["trigger"] is None

    assert await _events(bot, user) == second, "exporting again changes nothing"

    calls = await bot.say(user, "/reminders lead 30")
    third = await _events(bot, user)
    assert third.keys() == second.keys()
    for uid, event in third.items():
        assert event["sequence"] > second[uid]["sequence"], uid  # type: ignore[operator]
        if event["status"] == "CONFIRMED":
            assert event["trigger"] == "-PT30M", event
