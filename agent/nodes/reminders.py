"""Reminder settings, recurring reminders, /today, and the buttons on reminders.

* ``/reminders`` shows the settings with buttons; ``/reminders lead N``,
  ``/reminders quiet 22:00-08:00`` (or ``off``), ``/reminders off|on``,
  ``/reminders pause 3 days``, ``/reminders nudge N``, ``/reminders summary on|off``;
  free text “pause reminders for a week” and “resume reminders”.
* ``/remind weekdays 07:30`` (``daily``, ``mon,wed``, ``weekends``…), ``/remind off``.
* ``/today``: today's sessions in local time and the next one.
* Buttons (routed, prefix ``rm:``): ``rm:z:<id>:20m|1h|tm`` snoozes one reminder,
  ``rm:k:<id>`` skips it, ``rm:s:…`` changes a setting. Reminder ids in button data
  are looked up only among the presser's own reminders, so a forged or foreign id
  finds nothing.

Every settings change is stored under ``reminders.*`` in the users document and
the stored reminders are brought in line at once (`scheduler.reminders.reconcile_user`).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import event_text, finish, reply, user_id
from agent.state import AgentState
from scheduler.localtime import (
    moment_text,
    outside_quiet,
    same_time_tomorrow,
    user_zone,
    zone_label,
)
from scheduler.messages import duration_text
from scheduler.planning import today_text
from scheduler.reminders import reconcile_user
from scheduler.settings_model import (
    MAX_CUSTOM_RULES,
    PAUSE_HELP,
    PAUSE_TEXT,
    REMIND_HELP,
    RESUME_TEXT,
    QuietHours,
    ReminderSettings,
    claims_pause_text,
    clock_text,
    parse_pause_span,
    parse_remind_command,
    parse_settings_command,
    stored_quiet,
    stored_rule,
)
from storage.calendar_tokens import bump_alarm_revision
from storage.reminders import (
    CANCELLED,
    PENDING,
    add_custom_rule,
    compare_and_set,
    ensure_indexes_once,
    find_by_short_id,
    set_reminder_fields,
    snooze,
    user_reminders,
)
from storage.session_status import set_session_status
from storage.store import Store

NOT_YOURS = "That reminder isn't yours or has expired."
NO_PLAN = "You don't have a plan yet. Tell me what you want to learn, or send /newplan."
NEED_ZONE = (
    "I need your time zone for that — send /timezone with your city (e.g. “/timezone Berlin”)."
)
SETTINGS_HELP = (
    "Change them with /reminders lead 30 · /reminders quiet 22:00-08:00 · "
    "/reminders off · /reminders pause 3 days · /reminders nudge 3 · "
    "/reminders summary off · /remind weekdays 07:30"
)
SNOOZE_CODES = {"20m": timedelta(minutes=20), "1h": timedelta(hours=1)}
QUIET_PRESET = "2200-0800"
LEAD_CHOICES = (5, 15, 30, 60)
_BUTTON = re.compile(
    r"^rm:(?:(z):([0-9a-f]{10}):(20m|1h|tm)|(k):([0-9a-f]{10})|(s):([a-z0-9:-]{1,20}))$"
)


async def _context(runtime: Runtime[AgentContext]) -> tuple[Store, datetime]:
    ctx = context_of(runtime)
    await ensure_indexes_once(ctx.store)
    return ctx.store, ctx.clock()


async def _zone(store: Store, uid: int) -> tuple[str, bool]:
    """The user's zone, and whether it is known (set, or from an active plan)."""
    user = await store.get_user(uid)
    active = await store.active_plan(uid)
    goal_tz = active[2].timezone if active is not None else None
    known = bool((user or {}).get("timezone") or goal_tz)
    return user_zone(user, goal_tz), known


async def _settings(store: Store, uid: int) -> ReminderSettings:
    return ReminderSettings.of_user(await store.get_user(uid))


# ---- /reminders ------------------------------------------------------------------------


def settings_text(settings: ReminderSettings, tz: str, now: datetime) -> str:
    zone = ZoneInfo(tz)
    state = "on" if settings.enabled else "off"
    lines = [f"🔔 Reminders are {state}."]
    if settings.enabled and settings.paused_at(now) and settings.paused_until is not None:
        lines.append(f"⏸ Paused until {moment_text(settings.paused_until, zone)}.")
    lines.append(f"• {duration_text(settings.lead_minutes)} before each study session")
    quiet = settings.quiet.text if settings.quiet else "none"
    lines.append(f"• Quiet hours: {quiet}")
    lines.append(f"• Weekly summary: {'Sundays 19:00' if settings.weekly_summary else 'off'}")
    nudge = f"after {settings.nudge_days} days without progress" if settings.nudge_days else "off"
    lines.append(f"• Nudge: {nudge}")
    custom = ", ".join(r.text for r in settings.custom) or "none (/remind weekdays 07:30)"
    lines.append(f"• Recurring: {custom}")
    lines.append(f"Times are in {zone_label(tz)}.")
    lines.append(SETTINGS_HELP)
    return "\n".join(lines)


def settings_buttons(settings: ReminderSettings, now: datetime) -> list[list[dict[str, str]]]:
    toggle = (
        {"label": "🔕 Turn off", "data": "rm:s:off"}
        if settings.enabled
        else {"label": "🔔 Turn on", "data": "rm:s:on"}
    )
    first = [toggle]
    if settings.paused_at(now):
        first.append({"label": "▶ Resume", "data": "rm:s:resume"})
    leads = [
        {"label": f"{'• ' if n == settings.lead_minutes else ''}{n} min", "data": f"rm:s:l:{n}"}
        for n in LEAD_CHOICES
    ]
    quiet = [
        {"label": "🌙 Quiet 22:00–08:00", "data": f"rm:s:q:{QUIET_PRESET}"},
        {"label": "No quiet hours", "data": "rm:s:q:none"},
    ]
    return [first, leads, quiet]


async def _show_settings(store: Store, uid: int, now: datetime, head: str = "") -> dict[str, Any]:
    settings = await _settings(store, uid)
    tz, _known = await _zone(store, uid)
    text = settings_text(settings, tz, now)
    return reply(f"{head}\n\n{text}" if head else text, buttons=settings_buttons(settings, now))


async def _apply(store: Store, uid: int, now: datetime, fields: dict[str, Any]) -> None:
    await set_reminder_fields(store, uid, fields)
    await reconcile_user(store, uid, now=now)


async def _change(store: Store, uid: int, now: datetime, action: str, value: Any = None) -> str:
    """Apply one settings change; returns what to say about it."""
    if action == "off":
        await _apply(store, uid, now, {"enabled": False})
        return "🔕 Reminders are off. /reminders on turns them back on."
    if action == "on":
        await _apply(store, uid, now, {"enabled": True, "paused_until": None})
        return "🔔 Reminders are on."
    if action == "resume":
        await _apply(store, uid, now, {"paused_until": None})
        return "▶ Reminders resumed."
    if action == "lead":
        before = ReminderSettings.of_user(await store.get_user(uid)).lead_minutes
        await _apply(store, uid, now, {"lead_minutes": int(value)})
        if int(value) != before:
            await bump_alarm_revision(store, uid)
        if not value:
            return "Reminders now come when each session starts."
        return f"Reminders now come {duration_text(int(value))} before each session."
    if action == "quiet":
        await _apply(store, uid, now, {"quiet": stored_quiet(value)})
        if value is None:
            return "No quiet hours any more."
        return (
            f"🌙 Quiet hours {value.text}: reminders due then come when they end — or, for a "
            "study session that starts before they end, just before they begin."
        )
    if action == "nudge":
        await _apply(store, uid, now, {"nudge_days": int(value)})
        if not value:
            return "No more nudges."
        return f"I'll nudge you after {value} days without progress."
    if action == "summary":
        await _apply(store, uid, now, {"weekly_summary": bool(value)})
        return "📊 Weekly summary on (Sundays 19:00)." if value else "Weekly summary off."
    if action == "pause":
        until = now + value
        await _apply(store, uid, now, {"paused_until": until, "enabled": True})
        tz, _known = await _zone(store, uid)
        return (
            f"⏸ Reminders paused until {moment_text(until, ZoneInfo(tz))}. "
            "Say “resume reminders” or send /reminders on to bring them back."
        )
    raise ValueError(f"unknown settings action {action!r}")


async def reminders_command(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    store, now = await _context(runtime)
    uid = user_id(state)
    command = parse_settings_command(str((state.get("inbox") or {}).get("args") or ""))
    if command.action == "show":
        return finish(state, [await _show_settings(store, uid, now)])
    if command.action == "invalid":
        head = command.error or "I didn't understand that."
        return finish(state, [await _show_settings(store, uid, now, head)])
    value = {
        "lead": command.lead,
        "quiet": command.quiet,
        "pause": command.pause,
        "nudge": command.nudge_days,
        "summary": command.summary,
    }.get(command.action)
    return finish(state, [reply(await _change(store, uid, now, command.action, value))])


async def pause_text(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    store, now = await _context(runtime)
    uid = user_id(state)
    text = event_text(state.get("inbox") or {})
    if RESUME_TEXT.match(text):
        return finish(state, [reply(await _change(store, uid, now, "resume"))])
    match = PAUSE_TEXT.match(text)
    span = parse_pause_span(match.group(1) if match else "")
    if span is None:
        return finish(state, [reply(PAUSE_HELP)])
    return finish(state, [reply(await _change(store, uid, now, "pause", span))])


# ---- /remind ---------------------------------------------------------------------------


async def remind_command(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    store, now = await _context(runtime)
    uid = user_id(state)
    command = parse_remind_command(str((state.get("inbox") or {}).get("args") or ""))
    settings = await _settings(store, uid)
    if command.action == "list":
        rules = "\n".join(f"• {r.text}" for r in settings.custom) or "You have none yet."
        return finish(state, [reply(f"Your recurring reminders:\n{rules}\n\n{REMIND_HELP}")])
    if command.action == "invalid":
        return finish(state, [reply(command.error or REMIND_HELP)])
    if command.action == "off":
        await _apply(store, uid, now, {"custom": []})
        return finish(state, [reply("Your recurring reminders are removed.")])
    assert command.rule is not None
    tz, known = await _zone(store, uid)
    if not known:
        return finish(state, [reply(NEED_ZONE)])
    outcome = await add_custom_rule(store, uid, stored_rule(command.rule), limit=MAX_CUSTOM_RULES)
    if outcome == "full":
        text = f"You already have {MAX_CUSTOM_RULES} recurring reminders — /remind off clears them."
        return finish(state, [reply(text)])
    await reconcile_user(store, uid, now=now)
    text = f"⏰ I'll remind you {command.rule.text} ({zone_label(tz)})."
    if outcome == "exists":
        text = f"You already have that one: {command.rule.text} ({zone_label(tz)})."
    upcoming = [
        d
        for d in await user_reminders(store, uid, statuses=[PENDING])
        if d["kind"] == "custom" and d.get("rule_id") == command.rule.id
    ]
    if upcoming:
        text += f" Next: {moment_text(upcoming[0]['due_at'], ZoneInfo(tz))}."
    if settings.quiet is not None and settings.quiet.contains(command.rule.at):
        text += f" That's inside your quiet hours, so it comes at {clock_text(settings.quiet.end)}."
    if not settings.enabled:
        text += " Reminders are off at the moment — /reminders on turns them on."
    return finish(state, [reply(text)])


# ---- /today ----------------------------------------------------------------------------


async def today_command(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    store, now = await _context(runtime)
    text = await today_text(store, user_id(state), now)
    return finish(state, [reply(text or NO_PLAN)])


# ---- buttons ---------------------------------------------------------------------------


async def reminder_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    store, now = await _context(runtime)
    uid = user_id(state)
    data = str((state.get("inbox") or {}).get("data") or "")
    match = _BUTTON.match(data)
    if match is None:
        return finish(state, [reply(NOT_YOURS)])
    if match.group(1):
        return finish(state, [await _snooze(store, uid, match.group(2), match.group(3), now)])
    if match.group(4):
        return finish(state, [await _skip(store, uid, match.group(5))])
    return finish(state, [await _settings_button(store, uid, match.group(7), now)])


async def _snooze(
    store: Store, uid: int, short_id: str, code: str, now: datetime
) -> dict[str, Any]:
    doc = await find_by_short_id(store, uid, short_id)
    if doc is None:
        return reply(NOT_YOURS)
    zone = ZoneInfo(str(doc.get("tz") or "UTC"))
    due = same_time_tomorrow(now, zone) if code == "tm" else now + SNOOZE_CODES[code]
    settings = await _settings(store, uid)
    due = outside_quiet(due, settings.quiet, zone)
    if await snooze(store, uid, short_id, due) is None:
        return reply("That reminder can't be snoozed any more.")
    return reply(f"⏰ Snoozed — I'll remind you again at {moment_text(due, zone)}.")


async def _skip(store: Store, uid: int, short_id: str) -> dict[str, Any]:
    doc = await find_by_short_id(store, uid, short_id)
    if doc is None:
        return reply(NOT_YOURS)
    if doc["status"] == PENDING:
        await compare_and_set(store, doc, {"status": CANCELLED, "cancel_reason": "skipped"})
    if doc["kind"] != "session":
        return reply("⏭ Skipped this one.")
    payload = doc.get("payload") or {}
    title = str(payload.get("title") or payload.get("module_id"))
    skipped = await set_session_status(
        store, uid, int(doc["version"]), str(doc["session_id"]), "skipped", expected="planned"
    )
    if not skipped:
        return reply(f"“{title}” is already done, skipped or moved — nothing to skip.")
    when = moment_text(payload["starts_at"], ZoneInfo(str(doc.get("tz") or "UTC")))
    return reply(f"⏭ Skipped “{title}” ({when}). It won't be rescheduled.")


async def _settings_button(store: Store, uid: int, code: str, now: datetime) -> dict[str, Any]:
    parts = code.split(":")
    if parts == ["off"] or parts == ["on"] or parts == ["resume"]:
        head = await _change(store, uid, now, parts[0])
    elif (
        len(parts) == 2 and parts[0] == "l" and parts[1].isdigit() and int(parts[1]) in LEAD_CHOICES
    ):
        head = await _change(store, uid, now, "lead", int(parts[1]))
    elif len(parts) == 2 and parts[0] == "q" and parts[1] in {"none", QUIET_PRESET}:
        quiet = None if parts[1] == "none" else QuietHours(start=time(22), end=time(8))
        head = await _change(store, uid, now, "quiet", quiet)
    else:
        return reply(NOT_YOURS)
    return await _show_settings(store, uid, now, head)


FEATURE = Feature(
    name="reminders",
    nodes={
        "reminders_command": reminders_command,
        "remind_command": remind_command,
        "today_command": today_command,
        "reminder_button": reminder_button,
        "pause_text": pause_text,
    },
    commands={
        "reminders": "reminders_command",
        "remind": "remind_command",
        "today": "today_command",
    },
    callbacks={"rm:": "reminder_button"},
    claims_text=claims_pause_text,
    text_node="pause_text",
    priority=30,
)
