"""Turn the agent's plain replies into Telegram HTML messages.

Every piece of text that could come from a user (goal, topics, titles from an
LLM…) goes through `html.escape`. Messages longer than Telegram's 4096
characters are split on line boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape as _html_escape
from typing import Any

from storage.models import Plan, Week

MAX_MESSAGE = 4096


def escape(text: str, *, quote: bool = False) -> str:
    """Escape user text for Telegram HTML; quotes only matter inside attributes."""
    return _html_escape(text, quote=quote)


@dataclass
class Button:
    label: str
    data: str


@dataclass
class Outgoing:
    html: str
    buttons: list[list[Button]] = field(default_factory=list)
    request_location: bool = False
    plain: str = ""


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on line breaks so no part exceeds `limit`; hard-split over-long lines.

    Callers only split text whose tags open and close on the same line, so a
    part never ends inside an HTML tag pair.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit] or "…"]


def _safe_cut(line: str, limit: int) -> int:
    """A cut position ≤ limit that does not fall inside an HTML entity like &amp;."""
    cut = limit
    amp = line.rfind("&", max(0, cut - 8), cut)
    if amp != -1 and ";" not in line[amp:cut]:
        cut = amp
    return cut


def _options(reply: dict[str, Any]) -> list[list[Button]]:
    """Answer buttons ("options", data "a:<value>") then routed buttons ("buttons")."""
    options = reply.get("options") or []
    answers = [Button(str(o["label"]), f"a:{o['value']}") for o in options]
    rows = [answers[i : i + 3] for i in range(0, len(answers), 3)]
    for row in reply.get("buttons") or []:
        rows.append([Button(str(b["label"]), str(b["data"])) for b in row])
    return rows


def render_plan(plan: Plan, version: int | None = None) -> Outgoing:
    lines = [f"<b>{escape(plan.title)}</b>"]
    meta = f"{len(plan.weeks)} weeks · {plan.hours_per_week:g} h/week · {plan.skill_level.value}"
    if version is not None:
        meta += f" · version {version}"
    lines.append(f"<i>{meta}</i>")
    if plan.topics:
        lines.append("Topics: " + escape(", ".join(plan.topics)))
    lines.append("")
    milestones = {m.week: m for m in plan.milestones}
    for week in plan.weeks:
        titles = ", ".join(m.title for m in week.modules)
        level = max((m.difficulty for m in week.modules), default=1)
        line = f"<b>Week {week.number}</b> · {week.hours:g} h · level {level} — {escape(titles)}"
        if week.number in milestones:
            line += f"\n   🏁 {escape(milestones[week.number].title)}"
        lines.append(line)
    buttons = [Button(f"Week {w.number}", f"week:{w.number}") for w in plan.weeks]
    rows = [buttons[i : i + 4] for i in range(0, len(buttons), 4)]
    return Outgoing("\n".join(lines), rows, plain=plan.title)


def render_week(week: Week, plan_title: str) -> Outgoing:
    lines = [f"<b>Week {week.number}</b> — {escape(plan_title)}"]
    if week.theme:
        lines.append(f"<i>{escape(week.theme)}</i>")
    for module in week.modules:
        lines.append("")
        lines.append(
            f"<b>{escape(module.title)}</b> · {module.hours:g} h · level {module.difficulty}"
        )
        if module.description:
            lines.append(escape(module.description))
        lines.extend(f"• {escape(o)}" for o in module.objectives)
        for res in module.resources:
            href = escape(res.url, quote=True)
            lines.append(f'{res.kind}: <a href="{href}">{escape(res.title)}</a>')
    if week.quiz and week.quiz.questions:
        lines.append("")
        lines.append(f"📝 Quiz: {len(week.quiz.questions)} questions")
    return Outgoing("\n".join(lines), [[Button("⬅ Plan overview", "plan")]])


def render_reply(reply: dict[str, Any]) -> Outgoing:
    kind = reply.get("kind")
    if kind == "plan":
        return render_plan(Plan.model_validate(reply["plan"]), reply.get("version"))
    if kind == "week":
        return render_week(Week.model_validate(reply["week"]), str(reply.get("plan_title", "")))
    if kind == "confirm":
        rows = "\n".join(
            f"<b>{escape(str(label))}:</b> {escape(str(value))}" for label, value in reply["rows"]
        )
        html = f"{escape(reply['text'])}\n\n{rows}\n\n<i>{escape(reply.get('footer', ''))}</i>"
        return Outgoing(html, _options(reply))
    text = str(reply.get("text", ""))
    return Outgoing(
        escape(text),
        _options(reply),
        request_location=bool(reply.get("request_location")),
        plain=text,
    )


def render_plain(reply: dict[str, Any]) -> str:
    """Plain-text rendering for the terminal chat: the HTML without tags, entities decoded."""
    import re
    from html import unescape

    out = render_reply(reply)
    text = unescape(re.sub(r"<[^>]+>", "", out.html))
    labels = [b.label for row in out.buttons for b in row]
    if labels and reply.get("kind") not in {"plan", "week"}:
        text += "\n  [" + " | ".join(labels) + "]"
    return text
