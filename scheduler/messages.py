"""What reminders say: plain-text replies (the bot escapes them) with routed buttons.

Pure. Button data stays far below Telegram's 64 bytes once the bot appends the
owner suffix: ``rm:z:<10-char id>:20m`` (snooze), ``rm:k:<id>`` (skip), the
progress feature's ``done:<module id>`` and the review feature's ``rv:go``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.localtime import day_text, moment_text, span_text

SNOOZES = {"20m": "⏰ 20 min", "1h": "⏰ 1 h", "tm": "⏰ Tomorrow"}
MAX_BUTTON_DATA = 45
MAX_LINES = 15


def text_reply(text: str, buttons: list[list[dict[str, str]]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": "text", "text": text}
    if buttons:
        out["buttons"] = buttons
    return out


def duration_text(minutes: int) -> str:
    hours, rest = divmod(max(0, minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def snooze_row(short_id: str) -> list[dict[str, str]]:
    return [{"label": label, "data": f"rm:z:{short_id}:{code}"} for code, label in SNOOZES.items()]


def done_button(module_id: str) -> dict[str, str] | None:
    data = f"done:{module_id}"
    return {"label": "✅ Done", "data": data} if len(data.encode()) <= MAX_BUTTON_DATA else None


REVIEW_BUTTON = {"label": "🔁 Review", "data": "rv:go"}


def review_line(due: int) -> str:
    noun = "item is" if due == 1 else "items are"
    return f"🔁 {due} review {noun} due — warm up with /review."


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"…and {len(lines) - MAX_LINES} more."]


def _starts_text(starts_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    minutes = int((starts_at - now).total_seconds() // 60)
    if minutes <= 0:
        return f"Started at {starts_at.astimezone(zone):%H:%M}"
    return f"In {duration_text(minutes)}"


def session_message(
    doc: dict[str, Any], zone: ZoneInfo, now: datetime, review_due: int = 0
) -> dict[str, Any]:
    """The reminder before a study session: module, time, duration, resources, buttons;
    with review items due (`review_due`), a line and a button for /review as well."""
    p = doc["payload"]
    title = str(p.get("title") or p.get("module_id"))
    part = f" (part {p['part']} of {p['parts']})" if int(p.get("parts") or 1) > 1 else ""
    starts, ends = p["starts_at"], p["ends_at"]
    when = f"{span_text(starts, ends, zone)} · {duration_text(int(p.get('minutes') or 0))}"
    if ends <= now:
        # Sent late (downtime) or put off ("⏰ Tomorrow"): the session is over, so the
        # message says so instead of announcing it as if it were now.
        lines = [
            f"📚 Still to do: {title}{part}",
            f"It was planned for {when}. Fit it in when you can, or mark it done or skipped.",
        ]
    else:
        lines = [f"📚 {_starts_text(starts, now, zone)}: {title}{part}", when]
        if p.get("quiet") == "before":
            lines.append("🌙 Sent now, before your quiet hours begin.")
    resources = p.get("resources") or []
    if resources:
        lines.append("Resources:")
        lines.extend(f"• {r['title']} — {r['url']}" for r in resources)
    first = [b for b in (done_button(str(p.get("module_id"))),) if b is not None]
    first.append({"label": "⏭ Skip", "data": f"rm:k:{doc['short_id']}"})
    rows = [first, snooze_row(doc["short_id"])]
    if review_due > 0:
        lines.append(review_line(review_due))
        rows.append([REVIEW_BUTTON])
    return text_reply("\n".join(lines), rows)


def next_up_text(upcoming: tuple[str, datetime, datetime] | None, zone: ZoneInfo) -> str:
    if upcoming is None:
        return "Nothing is scheduled right now — /plan shows your plan."
    title, starts, ends = upcoming
    return f"Up next: {title} — {span_text(starts, ends, zone)}"


def custom_message(
    doc: dict[str, Any], zone: ZoneInfo, upcoming: tuple[str, datetime, datetime] | None
) -> dict[str, Any]:
    rule = str(doc.get("payload", {}).get("rule") or "")
    lines = [f"⏰ Study time! (your {rule} reminder)" if rule else "⏰ Study time!"]
    lines.append(next_up_text(upcoming, zone))
    skip = [{"label": "⏭ Skip", "data": f"rm:k:{doc['short_id']}"}]
    return text_reply("\n".join(lines), [snooze_row(doc["short_id"]), skip])


def nudge_message(
    days: int, zone: ZoneInfo, upcoming: tuple[str, datetime, datetime] | None
) -> dict[str, Any]:
    lines = [
        f"👋 It's been {days} days since you last studied. Even 20 minutes today keeps "
        "your plan on track.",
        next_up_text(upcoming, zone),
        "/today shows today's sessions.",
    ]
    return text_reply("\n".join(lines))


def weekly_message(
    week_start: datetime,
    week_end: datetime,
    counts: dict[str, int],
    next_week_sessions: int,
    next_week_minutes: int,
    zone: ZoneInfo,
    upcoming: tuple[str, datetime, datetime] | None,
) -> dict[str, Any]:
    total = sum(counts.values())
    done, missed = counts.get("done", 0), counts.get("missed", 0)
    skipped = counts.get("skipped", 0)
    head = f"📊 Your week ({day_text(week_start, zone)} – {day_text(week_end, zone)}): "
    if total:
        head += f"{done} of {total} sessions done, {missed} missed"
        head += f", {skipped} skipped." if skipped else "."
    else:
        head += "no sessions were scheduled."
    lines = [head]
    if next_week_sessions:
        lines.append(
            f"Next week: {next_week_sessions} sessions, {duration_text(next_week_minutes)} planned."
        )
    else:
        lines.append("Nothing is scheduled for next week.")
    lines.append(next_up_text(upcoming, zone))
    return text_reply("\n".join(lines))


def digest_message(items: list[dict[str, Any]], zone: ZoneInfo) -> dict[str, Any]:
    """One message for everything that fell due while the bot was down."""
    lines = [f"• {moment_text(item['due_at'], zone)} — {item['what']}" for item in items]
    body = "\n".join(["While I was away you missed:", *_capped(lines)])
    return text_reply(body + "\n/today shows what's next.")


def moved_message(
    moves: list[dict[str, Any]], stuck: list[dict[str, Any]], zone: ZoneInfo
) -> dict[str, Any]:
    """Tell the user which sessions moved after some were missed."""
    missed = sum(1 for m in moves if m.get("missed")) + len(stuck)
    noun = "session" if missed == 1 else "sessions"
    lines = [
        f"• {m['title']}: {moment_text(m['old_start'], zone)} → "
        f"{span_text(m['new_start'], m['new_end'], zone)}"
        for m in moves
    ]
    lines += [
        f"• {s['title']} ({moment_text(s['old_start'], zone)}): no free slot in the next "
        "3 weeks — it stays on your list."
        for s in stuck
    ]
    head = (
        f"You missed {missed} {noun}, so I moved things:"
        if moves
        else (f"You missed {missed} {noun}:")
    )
    return text_reply("\n".join([head, *_capped(lines)]))
