"""Progress: "done" in any words, time spent, quizzes, streaks, milestones and /progress.

Which module a message means (done, partial, log):
  1. the one the user names ("done w1m2", "finished LoRA basics", "week 1 module 2");
  2. otherwise the module of the latest reminder (users.last_reminded_module), if not done;
  3. otherwise the earliest module that is not done.
A reference that fits several modules, or none, gets buttons to choose from. Modules
named one by one ("ec2 and ebs both done") are all marked done, the time shared out.
The actions live in `progress_actions`, the figures and /progress report in
`progress_report`.

One intent per message: a progress report that also asks for a plan change ("didn't
finish week 2, can we move it") is answered for its progress, with a line asking to send
the change on its own (`texts.CHANGE_SEPARATELY`) — the change is not applied, nor lost.

"undo" has two owners. Phrases that are clearly about progress ("not done", "undo done",
"oops not done", "mark w1m2 not done") always revert progress. A bare "undo" (or "undo
that") reverts the user's last progress action only when that action is newer than the
newest plan version; otherwise — and always for the "↩ Undo" button of a plan change — it
is handed to the planning feature, which restores the previous plan version. "undo" with
"plan", "version" or "change" in it is never claimed here.

A bare "done" within `DUPLICATE_WINDOW` of the previous completion is treated as the same
message sent twice (it does not mark the next module); naming a module always counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import texts
from agent.charts import render_progress_chart
from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes import planning
from agent.nodes.common import event_text, finish, reply, user_id
from agent.nodes.meaning import context_for, meaning_of, progress_intent, understand_event
from agent.nodes.progress_actions import MAX_MINUTES, Progress
from agent.nodes.progress_report import (
    current_module,
    done_ids_of,
    format_minutes,
    local_today,
    module_by_key,
    module_label,
    progress_report,
    truncate,
)
from agent.progress import (
    spent_by_week,
)
from agent.review_items import review_line
from agent.state import AgentState
from agent.understanding.adapters import ProgressIntent
from agent.understanding.progress import parse_duration
from agent.understanding.progress_words import asks_for_change, asks_question
from storage.models import Module, Plan
from storage.progress import Activity, PlanContext, module_key, plan_context
from storage.progress_doc import ProgressDoc, load_progress, read_with_user
from storage.reminders import plan_created_at
from storage.store import Store

DUPLICATE_WINDOW = timedelta(minutes=2)
MAX_CHOICES = 6

_PLAN_WORDS = re.compile(r"\b(?:plan|plans|version|versions|change|changes|refinement)\b", re.I)
_COMPLETION_WORDS = frozenset({"done", "finish", "finished", "complete", "completed"})
_WORD = re.compile(r"[a-z]+")
_MINUTES = re.compile(r"^[0-9]{1,4}$")
_NEGATIVE = re.compile(r"(?:^|\s)[-−]\d")
TIME_LIMITS = (
    "I can log between 1 minute and 24 hours at a time — e.g. “/log 1h30” or “log 45m”. "
    "Nothing was logged."
)


# --------------------------------------------------------------------------- choosing a module


@dataclass
class Pick:
    """The module a message means, or the modules to offer as buttons (with a question)."""

    module: Module | None = None
    choices: list[Module] = field(default_factory=list)
    question: str | None = None


def _resolve(pc: PlanContext, intent: ProgressIntent, done_ids: set[str]) -> Pick:
    """Which module a done/partial/log message means (rules in the module docstring)."""
    plan = pc.plan
    if intent.module_id:
        module = plan.find_module(intent.module_id)
        if module is not None:
            return Pick(module=module)
    if intent.ambiguous:
        candidates = [m for m in (plan.find_module(i) for i in intent.ambiguous) if m]
        if intent.action == "done":
            candidates = [m for m in candidates if m.id not in done_ids] or candidates
        if len(candidates) == 1:
            return Pick(module=candidates[0])
        return Pick(choices=_ranked(pc, candidates, done_ids), question="Which one do you mean?")
    if intent.reference:
        shown = truncate(intent.reference, 60)
        return Pick(
            choices=_suggestions(pc, done_ids),
            question=f"I couldn't find “{shown}” in your plan. Which module do you mean?",
        )
    return Pick(module=current_module(pc, done_ids))


def _suggestions(pc: PlanContext, done_ids: set[str]) -> list[Module]:
    """The current module and the next ones not done."""
    return _ranked(pc, [m for m in pc.plan.modules() if m.id not in done_ids], done_ids)


def _ranked(pc: PlanContext, candidates: list[Module], done_ids: set[str]) -> list[Module]:
    """At most `MAX_CHOICES` candidates: the current module first, then those not done,
    each in plan order."""
    current = current_module(pc, done_ids)
    first = [m for m in candidates if current is not None and m.id == current.id]
    open_ = [m for m in candidates if m.id not in done_ids]
    ordered = [*first, *open_, *candidates]
    return list({m.id: m for m in ordered}.values())[:MAX_CHOICES]


def _choice_buttons(choices: list[Module], data: Any) -> list[list[dict[str, str]]]:
    return [[{"label": truncate(f"{m.id} · {m.title}", 60), "data": data(m)}] for m in choices]


def _minutes_part(minutes: int | None) -> str:
    return str(minutes) if minutes else "0"


# --------------------------------------------------------------------------- intents


async def _act(
    p: Progress, intent: ProgressIntent, text: str, *, bare_undo: bool = False
) -> list[dict[str, Any]]:
    doc = await p.doc()
    done_ids = done_ids_of(doc, p.pc)
    if intent.action == "undo":
        return await _undo(p, intent, text, doc, bare=bare_undo)
    # The understanding layer drops a duration outside the limits; the raw text says why.
    stated = parse_duration(text)
    if _NEGATIVE.search(text) or max(intent.minutes or 0, stated or 0) > MAX_MINUTES:
        return [reply(TIME_LIMITS)]
    minutes = intent.minutes or None
    several = [m for m in (p.pc.plan.find_module(i) for i in intent.modules) if m is not None]
    if intent.action == "done" and len(several) >= 2:
        return await p.complete_several(several, minutes)
    pick = _resolve(p.pc, intent, done_ids)
    if pick.module is None and pick.choices:
        return [_ask(p, intent, pick, minutes)]
    if intent.action == "done":
        if pick.module is None:
            return [reply("Every module of your plan is already done 🎉 /progress shows it all.")]
        named = bool(intent.module_id or intent.ambiguous)
        duplicate = _duplicate_of(p, doc, named)
        if duplicate is not None:
            return [_already_counted(p, duplicate, pick.module, minutes)]
        return await p.complete(pick.module, minutes)
    return await p.work(intent.action, pick.module, minutes)


def _ask(p: Progress, intent: ProgressIntent, pick: Pick, minutes: int | None) -> dict[str, Any]:
    code = {"done": "d", "partial": "p", "log": "l"}[intent.action]
    spent = _minutes_part(minutes)
    buttons = _choice_buttons(pick.choices, lambda m: f"pg:{code}:{module_key(m.id)}:{spent}")
    reference = (intent.reference or "").split()
    if intent.action == "done" and len(reference) == 2 and reference[0] == "week":
        buttons.append([{"label": f"All of week {reference[1]}", "data": f"pg:dw:{reference[1]}"}])
    if intent.action == "log" and minutes:
        buttons.append([{"label": "Just log the time", "data": f"pg:l:-:{spent}"}])
    return reply(pick.question or "Which module?", buttons=buttons)


def _duplicate_of(p: Progress, doc: ProgressDoc, named: bool) -> Module | None:
    """The module a bare "done" repeats: the last completion, if within the window."""
    last = doc.last_action()
    if named or not last or last.get("kind") != "done" or last.get("plan") != p.pc.lineage:
        return None
    at = last.get("at")
    if not isinstance(at, datetime) or abs(p.now - at) > DUPLICATE_WINDOW:
        return None
    module_id = str(last.get("module_id"))
    if module_id not in doc.done(p.pc.lineage):
        return None
    return p.pc.plan.find_module(module_id)


def _already_counted(
    p: Progress, done: Module, current: Module, minutes: int | None
) -> dict[str, Any]:
    """A bare "done" right after a completion: the same message twice, most likely."""
    text = f"Already counted: {module_label(p.pc.plan, done)} is marked done ✓"
    if minutes:
        text += f" To add the time to it, say “log {format_minutes(minutes)} {done.id}”."
    if current.id == done.id:
        return reply(text)
    label = truncate(f"Also mark “{current.title}” done", 60)
    data = f"pg:d:{module_key(current.id)}:{_minutes_part(minutes)}"
    return reply(text, buttons=[[{"label": label, "data": data}]])


async def _undo(
    p: Progress, intent: ProgressIntent, text: str, doc: ProgressDoc, *, bare: bool = False
) -> list[dict[str, Any]]:
    """Revert a completion (or, for a bare "undo", the last progress action)."""
    done = doc.done(p.pc.lineage)
    plan = p.pc.plan
    if intent.module_id or intent.ambiguous:
        named = [intent.module_id] if intent.module_id else intent.ambiguous
        targets = [done[i] for i in named if i in done]
        if not targets:
            names = ", ".join(
                module_label(plan, m) for m in (plan.find_module(i) for i in named) if m
            )
            return [reply(f"{names or 'That module'} isn't marked done.")]
        if len(targets) == 1:
            return await p.revert(targets[0])
        return [_ask_undo(plan, targets)]
    if intent.reference:
        recent = sorted(done.values(), key=lambda a: a.at, reverse=True)[:MAX_CHOICES]
        shown = truncate(intent.reference, 60)
        if not recent:
            return [reply("Nothing is marked done yet.")]
        return [_ask_undo(plan, recent, f"I couldn't find “{shown}”. Which module isn't done?")]
    wants_last = bare or _wants_last_action(text)
    last = _last_in_place(doc, p.pc.lineage) if wants_last else None
    if last is not None:
        return await p.revert(last)
    if not done:
        return [reply("Nothing is marked done yet — nothing to undo.")]
    return await p.revert(max(done.values(), key=lambda a: a.at))


def _last_in_place(doc: ProgressDoc, lineage: str) -> Activity | None:
    """The user's last done/partial/log action, if it has not been undone since."""
    last = doc.last_action()
    if (
        not last
        or last.get("plan") != lineage
        or last.get("kind") not in {"done", "partial", "log"}
    ):
        return None
    if last["kind"] == "done":
        entry = doc.done(lineage).get(str(last.get("module_id")))
        return entry if entry is not None and entry.id == last.get("id") else None
    return doc.find_activity(str(last.get("id")))


def _wants_last_action(text: str) -> bool:
    """ "undo" (not "undo done"/"not done"): revert whatever the last action was."""
    words = set(_WORD.findall(text.lower()))
    return "undo" in words and not words & _COMPLETION_WORDS


def _ask_undo(plan: Plan, targets: list[Activity], question: str | None = None) -> dict:
    buttons = [
        [{"label": truncate(f"{a.module_id} · {m.title}", 60), "data": f"pg:u:{a.id}"}]
        for a in targets
        if (m := plan.find_module(str(a.module_id))) is not None
    ]
    return reply(question or "Which one isn't done?", buttons=buttons)


async def _progress_owns_undo(store: Store, uid: int, pc: PlanContext) -> bool:
    """A bare "undo" is about progress when the last progress action is newer than the
    newest plan version."""
    last = (await load_progress(store, uid)).last_action()
    at = (last or {}).get("at")
    return isinstance(at, datetime) and at >= pc.latest_plan_change


# --------------------------------------------------------------------------- nodes


async def progress_context(runtime: Runtime[AgentContext], uid: int) -> Progress | None:
    ctx = context_of(runtime)
    await read_with_user(ctx.store, uid)
    pc = await plan_context(ctx.store, uid)
    return None if pc is None else Progress(ctx.store, uid, pc, ctx.clock())


async def on_text(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """Free text the router found to be about progress, and /done, /log, /partial."""
    event = state.get("inbox") or {}
    text = event_text(event)
    p = await progress_context(runtime, user_id(state))
    if p is None:
        return finish(state, [reply(texts.NO_PLAN)])
    meaning = meaning_of(state)
    if meaning is None:
        ctx = context_of(runtime)
        uctx = context_for(ctx, phase="planned", asking=None, goal=None, plan=p.pc.plan)
        meaning = await understand_event(ctx, event, uctx)
    intent = progress_intent(meaning)
    if intent is None:
        if event.get("kind") == "command":
            return finish(state, [reply(texts.UNKNOWN)])
        return await planning.refine(state, runtime)
    bare_undo = meaning.intent == "undo" and event.get("kind") != "command"
    if bare_undo:
        from_plan_button = event.get("kind") == "callback"
        if (
            from_plan_button
            or _PLAN_WORDS.search(text)
            or not await _progress_owns_undo(p.store, p.uid, p.pc)
        ):
            return await planning.refine(state, runtime)
    replies = await _act(p, intent, text, bare_undo=bare_undo)
    if event.get("kind") == "text" and asks_for_change(text, p.pc.plan):
        # One intent per message: the progress part is answered, the change is not lost.
        replies.append(reply(texts.CHANGE_SEPARATELY))
    elif event.get("kind") == "text" and asks_question(text):
        # "done with X, what's next?": the report is answered, the question is not lost.
        replies.append(reply(texts.QUESTION_SEPARATELY))
    return finish(state, replies)


def _parse_button(data: str) -> tuple[str, list[str]] | None:
    """("done"|"d"|"p"|"l"|"u"|"dw", parts) from "done:<key>" or "pg:<code>:…"."""
    if data.startswith("done:"):
        return "d", [data[5:], "0"]
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != "pg":
        return None
    return parts[1], parts[2:]


async def on_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """Routed buttons: "done:<module>" (also on reminders), "pg:d|p|l:<module>:<minutes>",
    "pg:u:<activity id>" (undo) and "pg:dw:<week>" (a whole week done)."""
    event = state.get("inbox") or {}
    parsed = _parse_button(str(event.get("data") or ""))
    p = await progress_context(runtime, user_id(state))
    if p is None:
        return finish(state, [reply(texts.NO_PLAN)])
    if parsed is None:
        return finish(state, [reply("That button has expired.")])
    code, parts = parsed
    return finish(state, await _press(p, code, parts))


async def _press(p: Progress, code: str, parts: list[str]) -> list[dict[str, Any]]:
    if code == "u":
        doc = await p.doc()
        target = next((a for a in doc.done(p.pc.lineage).values() if a.id == parts[0]), None)
        target = target or doc.find_activity(parts[0])
        return await p.revert(target) if target else [reply("That was already undone.")]
    if code == "dw" and parts[0].isdigit() and len(parts[0]) <= 3:
        return await p.complete_week(int(parts[0]))
    if code not in {"d", "p", "l"} or len(parts) != 2 or not _MINUTES.fullmatch(parts[1]):
        return [reply("That button has expired.")]
    minutes = int(parts[1]) or None
    module = module_by_key(p.pc.plan, parts[0])
    if module is None and not (code == "l" and parts[0] == "-"):
        return [reply("That module is no longer in your plan — /plan shows the current one.")]
    if code == "d":
        assert module is not None
        return await p.complete(module, minutes)
    return await p.work("partial" if code == "p" else "log", module, minutes)


async def show_progress(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """/progress: the summary as text, and the chart as a photo (via the outbox)."""
    ctx = context_of(runtime)
    p = await progress_context(runtime, user_id(state))
    if p is None:
        return finish(state, [reply(texts.NO_PLAN)])
    doc = await p.doc()
    report = progress_report(p.pc, doc, p.now)
    spent = spent_by_week(p.pc.plan, doc, p.pc.lineage)
    per_week = [round(spent.get(w.number, 0) / 60, 2) for w in p.pc.plan.weeks]
    started = p.pc.started_at or await plan_created_at(
        p.store, p.uid, int(p.pc.lineage.removeprefix("p"))
    )
    png = await render_progress_chart(
        report.summary.model_copy(update={"per_week_done": per_week}),
        report.days,
        local_today(p.now, p.pc.timezone),
        title=p.pc.plan.title,
        frozen_days=report.streak.frozen_days,
        since=local_today(started, p.pc.timezone) if started else None,
    )
    ctx.outbox.append(
        {
            "kind": "photo",
            "data": png,
            "filename": "progress.png",
            "caption": "Planned hours and time spent per week, and your last 4 weeks of study.",
        }
    )
    line = await review_line(ctx.store, p.uid, p.now, pc=p.pc, progress=doc)
    text = "\n".join([report.text, line]) if line else report.text
    return finish(state, [reply(text, app="progress")])


FEATURE = Feature(
    name="progress",
    nodes={
        "progress_text": on_text,
        "progress_button": on_button,
        "progress_show": show_progress,
    },
    commands={
        "done": "progress_text",
        "log": "progress_text",
        "partial": "progress_text",
        "progress": "progress_show",
    },
    callbacks={"done:": "progress_button", "pg:": "progress_button"},
    priority=30,
)
