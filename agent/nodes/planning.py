"""Goal intake, plan generation, showing the plan, refinement and undo."""

from __future__ import annotations

import re
from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent import texts
from agent.context import AgentContext, context_of
from agent.features import Feature, callback_node
from agent.nodes.common import event_text, finish, reply, user_id
from agent.nodes.syllabus import clear_pending, pending_syllabus
from agent.offline import syllabus_plan
from agent.planner import goal_subject
from agent.questions import confirmation, question, understood
from agent.refine import apply_ops, describe_diff, diff_plans
from agent.state import AgentState
from agent.understanding.intake import IntakeUpdate, missing_fields, parse_intake
from agent.understanding.refinement import (
    history_request,
    parse_refinement,
    unresolved_removal,
)
from scheduler.localtime import user_zone
from scheduler.planning import upcoming_sessions_text
from storage.models import Goal
from storage.plan_history import step

YES = re.compile(r"^\s*(yes|y|yep|yeah|ok|okay|sure|go|build|build it|looks good|correct)\b", re.I)
CANCEL = re.compile(r"^\s*(cancel|stop|abort|quit)\b", re.I)
UNDO_BUTTON = {"label": "↩ Undo", "value": "undo"}
REDO_BUTTON = {"label": "↪ Redo", "value": "redo"}
MAX_GOAL_CHARS = 200
MAX_TOPICS = 12
MAX_TOPIC_CHARS = 60
INTAKE_COMMANDS = {
    "cancel",
    "help",
    "plan",
    "newplan",
    "start",
    "timezone",
    "forget",
    "export",
    "progress",
}


def _intake_text(event: dict[str, Any]) -> str:
    """The text of an answer during intake; a shared location becomes coordinates."""
    if event.get("kind") == "location":
        return f"__location__ {event.get('latitude')} {event.get('longitude')}"
    return event_text(event)


def _after_answer(answer: dict[str, Any], update: dict[str, Any], same: str) -> Command[Any]:
    """Commands, routed buttons (e.g. /forget's confirmation) and poll answers that
    arrive mid-intake go through the router; anything else back to `same`."""
    kind = answer.get("kind")
    if (
        kind == "poll_answer"
        or (kind == "command" and answer.get("command") in INTAKE_COMMANDS)
        or (kind == "callback" and callback_node(str(answer.get("data") or "")) is not None)
    ):
        return Command(goto="route", update={**update, "inbox": answer})
    return Command(goto=same, update={**update, "inbox": answer})


def _bounded(parsed: IntakeUpdate) -> IntakeUpdate:
    """Refuse goals and topic lists too long to be a goal (or to show in a message)."""
    fields = dict(parsed.fields)
    problems = list(parsed.problems)
    if len(str(fields.get("goal") or "")) > MAX_GOAL_CHARS:
        del fields["goal"]
        problems.append(texts.GOAL_TOO_LONG.format(limit=MAX_GOAL_CHARS))
    topics = fields.get("topics")
    if topics and (len(topics) > MAX_TOPICS or any(len(t) > MAX_TOPIC_CHARS for t in topics)):
        del fields["topics"]
        problems.append(texts.TOPICS_TOO_LONG.format(count=MAX_TOPICS, limit=MAX_TOPIC_CHARS))
    return IntakeUpdate(fields=fields, problems=problems)


def intake(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    goal = Goal.model_validate(state.get("goal") or {})
    event = state.get("inbox") or {}
    expecting = state.get("asking")
    text = _intake_text(event)
    parsed = _bounded(
        parse_intake(text, today=context_of(runtime).clock().date(), expecting=expecting)
    )
    goal = goal.model_copy(update=parsed.fields)
    missing = missing_fields(goal)
    update: dict[str, Any] = {"goal": goal.model_dump(mode="json"), "phase": "intake"}
    if not missing:
        return Command(goto="confirm", update={**update, "phase": "confirm", "asking": None})
    field = missing[0]
    problems = list(parsed.problems)
    if not problems and expecting == field and text.strip():
        problems = [texts.NOT_UNDERSTOOD[field]]
    replies = [question(field, problems)]
    if expecting is None and parsed.fields:
        replies.insert(0, reply(understood(goal, parsed.fields)))
    answer = interrupt({"replies": replies})
    return _after_answer(answer, {**update, "asking": field}, "intake")


def confirm(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    goal = Goal.model_validate(state.get("goal") or {})
    event = state.get("inbox") or {}
    problems: list[str] = []
    if state.get("phase") == "confirm" and state.get("asking") == "confirm":
        text = event_text(event)
        if YES.match(text):
            return Command(goto="generate", update={"asking": None})
        if CANCEL.match(text):
            return Command(goto="cancel")
        parsed = _bounded(
            parse_intake(_intake_text(event), today=context_of(runtime).clock().date())
        )
        problems = list(parsed.problems)
        if parsed.fields:
            goal = goal.model_copy(update=parsed.fields)
        elif not problems:
            problems = [texts.CONFIRM_HINT]
    update = {"goal": goal.model_dump(mode="json"), "phase": "confirm", "asking": "confirm"}
    answer = interrupt({"replies": [confirmation(goal, problems)]})
    return _after_answer(answer, update, "confirm")


async def generate(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = context_of(runtime)
    goal = Goal.model_validate(state.get("goal") or {})
    uid = user_id(state)
    units = await pending_syllabus(ctx.store, uid)
    if units is not None:
        plan = syllabus_plan(goal, units)
        await clear_pending(ctx.store, uid)
    else:
        plan = await ctx.build_plan(goal, progress=ctx.progress)
    version = await ctx.store.save_plan(uid, plan, goal, note="created")
    scheduled = await ctx.on_plan_changed(uid, version, plan, goal)
    generic = []
    if plan.meta.source == "template":
        generic = [reply(texts.GENERIC_PLAN.format(goal=goal_subject(goal.goal)))]
    return {
        "phase": "planned",
        "asking": None,
        "replies": [
            {"kind": "plan", "version": version, "plan": plan.model_dump(mode="json")},
            *generic,
            *scheduled,
            reply(texts.AFTER_PLAN),
        ],
    }


async def start(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    active = await context_of(runtime).store.active_plan(user_id(state))
    if active is not None:
        return finish(state, [reply(texts.WELCOME_BACK)])
    return Command(
        goto="intake",
        update={
            "replies": [reply(texts.WELCOME)],
            "phase": "intake",
            "goal": {},
            "asking": None,
            "inbox": {},
        },
    )


def help_node(state: AgentState) -> Command[Any]:
    return finish(state, [reply(texts.HELP)])


def new_plan(state: AgentState) -> Command[Any]:
    return Command(
        goto="intake",
        update={
            "replies": [reply(texts.NEW_PLAN)],
            "phase": "intake",
            "goal": {},
            "asking": None,
            "inbox": {},
        },
    )


async def cancel(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    if state.get("phase") not in {"intake", "confirm"}:
        return finish(state, [reply(texts.NOTHING_TO_CANCEL)])
    has_plan = await context_of(runtime).store.active_plan(user_id(state)) is not None
    return finish(
        state,
        [reply(texts.CANCELLED)],
        phase="planned" if has_plan else "idle",
        goal={},
        asking=None,
    )


async def show_plan(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    active = await ctx.store.active_plan(uid)
    if active is None:
        return finish(state, [reply(texts.NO_PLAN)])
    version, plan, goal = active
    shown = {"kind": "plan", "version": version, "plan": plan.model_dump(mode="json")}
    shown["app"] = "plan"  # with an HTTPS public URL: an "📅 Open plan" Mini App button
    zone = user_zone(await ctx.store.get_user(uid), goal.timezone)
    upcoming = await upcoming_sessions_text(ctx.store, uid, version, zone, ctx.clock())
    return finish(state, [shown, *([reply(upcoming)] if upcoming else [])])


async def show_week(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    event = state.get("inbox") or {}
    active = await context_of(runtime).store.active_plan(user_id(state))
    try:
        number = int(str(event.get("data", "")).split(":", 1)[1])
    except (IndexError, ValueError):
        number = 0
    if active is None:
        return finish(state, [reply(texts.NO_PLAN)])
    _version, plan, _goal = active
    week = next((w for w in plan.weeks if w.number == number), None)
    if week is None:
        return finish(state, [reply(texts.NO_SUCH_WEEK.format(weeks=len(plan.weeks)))])
    shown = {"kind": "week", "week": week.model_dump(mode="json"), "plan_title": plan.title}
    return finish(state, [shown])


def unknown_command(state: AgentState) -> Command[Any]:
    return finish(state, [reply(texts.UNKNOWN)])


async def refine(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    ctx = context_of(runtime)
    uid = user_id(state)
    text = event_text(state.get("inbox") or {})
    active = await ctx.store.active_plan(uid)
    if active is None:
        return finish(state, [reply(texts.NO_PLAN)], phase="idle")
    version, plan, goal = active
    way = history_request(text)
    if way is not None:
        return finish(state, await _undo(ctx, uid, version, plan, way))
    if ctx.llm is not None:
        ops = await ctx.llm.parse_refinement(text, plan, lambda t: parse_refinement(t, plan))
    else:
        ops = parse_refinement(text, plan)
    if not ops and unresolved_removal(text):
        example = plan.topics[0] if plan.topics else "a topic"
        return finish(state, [reply(texts.WHICH_TOPIC_TO_REMOVE.format(example=example))])
    if not ops:
        return finish(state, [reply(texts.PLANNED_HINT)])
    changed, new_goal, notes = apply_ops(plan, goal, ops)
    if changed == plan:
        return finish(state, [reply("\n".join([*notes, texts.NO_CHANGE]))])
    new_version = await ctx.store.save_plan(uid, changed, new_goal, note=text[:200])
    scheduled = await ctx.on_plan_changed(uid, new_version, changed, new_goal)
    summary = describe_diff(diff_plans(plan, changed))
    schedule = [str(r["text"]) for r in scheduled if r.get("kind") == "text"]
    body = "\n".join([texts.REFINED.format(version=new_version), summary, *notes])
    body = "\n\n".join([body, *schedule])
    return finish(state, [reply(body, options=[UNDO_BUTTON])])


async def _undo(
    ctx: AgentContext, uid: int, version: int, plan: Any, way: str = "undo"
) -> list[dict[str, Any]]:
    """Step back (or, for "redo", forward) in the user's history of plan versions."""
    target = await step(ctx.store, uid, expected=version, way="redo" if way == "redo" else "undo")
    if target is None:
        return [reply(texts.NOTHING_TO_REDO if way == "redo" else texts.NOTHING_TO_UNDO)]
    restored = await ctx.store.active_plan(uid)
    assert restored is not None
    scheduled = await ctx.on_plan_changed(uid, target, restored[1], restored[2])
    summary = describe_diff(diff_plans(plan, restored[1]))
    button = UNDO_BUTTON if way == "redo" else REDO_BUTTON
    text = texts.UNDONE.format(version=target, summary=summary)
    return [reply(text, options=[button]), *scheduled]


FEATURE = Feature(
    name="planning",
    nodes={
        "start": start,
        "help": help_node,
        "new_plan": new_plan,
        "cancel": cancel,
        "show_plan": show_plan,
        "show_week": show_week,
        "unknown_command": unknown_command,
        "refine": refine,
    },
    commands={
        "start": "start",
        "help": "help",
        "newplan": "new_plan",
        "plan": "show_plan",
        "cancel": "cancel",
    },
    callbacks={"week:": "show_week", "plan": "show_plan"},
    priority=90,
)

__all__ = ["END", "FEATURE", "confirm", "generate", "intake"]
