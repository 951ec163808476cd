"""Goal intake, plan generation, showing the plan, refinement and undo."""

from __future__ import annotations

import re
from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent import texts
from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import event_text, finish, reply, user_id
from agent.nodes.meaning import context_for, meaning_of, understand_event
from agent.nodes.syllabus import PENDING, pending_syllabus
from agent.nodes.zone_choice import STATE_KEY, zone_options_state, zone_question
from agent.offline import syllabus_plan
from agent.planner import goal_subject
from agent.questions import (
    NO_TOPICS,
    confirmation,
    nonanswer_question,
    question,
    skips,
    understood,
)
from agent.refine import apply_ops, describe_diff, diff_plans
from agent.routing import route_event
from agent.state import AgentState
from agent.understanding.adapters import (
    fresh_plan,
    history,
    missing_fields,
    unresolved_removal,
)
from agent.understanding.answers import SMALLTALK_INTAKE
from agent.understanding.meaning import Meaning
from agent.understanding.refinement_pending import PENDING_FIELDS
from scheduler.localtime import user_zone
from scheduler.planning import upcoming_sessions_text
from storage.models import Goal, Plan
from storage.plan_history import step
from storage.schedule_view import read_user_and_schedules

YES = re.compile(r"^\s*(yes|y|yep|yeah|ok|okay|sure|go|build|build it|looks good|correct)\b", re.I)
CANCEL = re.compile(r"^\s*(cancel|stop|abort|quit)\b", re.I)
UNDO_BUTTON = {"label": "↩ Undo", "value": "undo"}
REDO_BUTTON = {"label": "↪ Redo", "value": "redo"}


async def _after_answer(
    state: AgentState,
    runtime: Runtime[AgentContext],
    answer: dict[str, Any],
    update: dict[str, Any],
) -> Command[Any]:
    """Every answer is routed as a new event is (`agent.routing`): text is understood
    once; commands (which then repeat the pending question), routed buttons and poll
    answers go to their feature. Routed here, in the step that received the answer,
    rather than by one more graph step through the router."""
    node, routed = await route_event({**state, **update, "inbox": answer}, runtime)
    return Command(goto=node, update={**update, "inbox": answer, **routed})


def _apply(goal: Goal, fields: dict[str, Any]) -> Goal:
    return Goal.model_validate({**goal.model_dump(mode="json"), **fields})


def _intake_reply(
    goal: Goal, meaning: Meaning | None, expecting: str | None, said: str = ""
) -> tuple[Goal, list[dict[str, Any]], str | None]:
    """The goal after the answer, what to say, and the field asked next (None: confirm)."""
    replies: list[dict[str, Any]] = []
    asked = expecting or "goal"
    if meaning is not None and meaning.confident:
        goal = _apply(goal, meaning.fields)
        if not meaning.fields and skips(asked, meaning.nonanswer):
            goal = goal.model_copy(update={"topics": [], "topics_answered": True})
            replies.append(reply(NO_TOPICS))
    missing = missing_fields(goal)
    if not missing:
        return goal, replies, None
    field = missing[0]
    if meaning is None:
        return goal, [*replies, question(field)], field
    if not meaning.confident:
        return goal, [question(field, [texts.NOT_SURE])], field
    if field == "timezone" and len(meaning.zone_options) >= 2:
        return goal, [*replies, zone_question(meaning.zone_options, said)], field
    if not meaning.fields and field == asked and not replies:
        if meaning.nonanswer:
            return goal, [nonanswer_question(field, meaning.nonanswer)], field
        if meaning.intent == "smalltalk":
            return goal, [reply(SMALLTALK_INTAKE), question(field)], field
        if meaning.intent == "question":
            return goal, [reply(texts.QUESTION_IN_INTAKE), question(field)], field
        return goal, [question(field, meaning.problems or [texts.NOT_UNDERSTOOD[field]])], field
    if expecting is None and meaning.fields:
        replies.append(reply(understood(goal, meaning.fields)))
    return goal, [*replies, question(field, meaning.problems)], field


async def intake(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """One intake question at a time; the router's `Meaning` of the answer fills the goal."""
    goal = Goal.model_validate(state.get("goal") or {})
    meaning = meaning_of(state)
    said = event_text(state.get("inbox") or {})
    goal, replies, field = _intake_reply(goal, meaning, state.get("asking"), said)
    update: dict[str, Any] = {"goal": goal.model_dump(mode="json"), "phase": "intake"}
    if meaning is not None and len(meaning.zone_options) >= 2:
        # The place buttons ("tz:<index>") are checked against these (agent.nodes.profile).
        update[STATE_KEY] = zone_options_state(meaning.zone_options)
    if field is None:
        return Command(goto="confirm", update={**update, "phase": "confirm", "asking": None})
    answer = interrupt({"replies": replies})
    return await _after_answer(state, runtime, answer, {**update, "asking": field})


async def confirm(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """The card of what was understood; a correction changes it, only "yes" (or the
    button) builds the plan."""
    goal = Goal.model_validate(state.get("goal") or {})
    event = state.get("inbox") or {}
    meaning = meaning_of(state)
    problems: list[str] = []
    options: dict[str, Any] | None = None
    if state.get("asking") == "confirm" and meaning is not None:
        text = event_text(event)
        if meaning.confident and meaning.fields:
            goal = _apply(goal, meaning.fields)
            problems = list(meaning.problems)
        elif YES.match(text) or meaning.nonanswer == "yes":
            return Command(goto="generate", update={"asking": None, "meaning": None})
        elif CANCEL.match(text):
            return Command(goto="cancel", update={"meaning": None})
        elif len(meaning.zone_options) >= 2:
            options = zone_question(meaning.zone_options, text)
        else:
            problems = list(meaning.problems) or [texts.CONFIRM_HINT]
    update = {"goal": goal.model_dump(mode="json"), "phase": "confirm", "asking": "confirm"}
    if options is not None and meaning is not None:
        update[STATE_KEY] = zone_options_state(meaning.zone_options)
    card = confirmation(goal, problems)
    answer = interrupt({"replies": [options] if options else [card]})
    return await _after_answer(state, runtime, answer, update)


async def generate(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = context_of(runtime)
    goal = Goal.model_validate(state.get("goal") or {})
    uid = user_id(state)
    # the user's document and schedules in one read: the plan is stored and scheduled next
    await read_user_and_schedules(ctx.store, uid)
    units = await pending_syllabus(ctx.store, uid)
    if units is not None:
        plan = syllabus_plan(goal, units)
    else:
        plan = await ctx.build_plan(goal, progress=ctx.progress)
    cleared = {PENDING: None} if units is not None else None
    saved = await ctx.store.store_plan(uid, plan, goal, note="created", user_fields=cleared)
    version = saved.version
    scheduled = await ctx.on_plan_changed(uid, version, plan, goal, saved=saved)
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


async def new_plan(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """/newplan: start intake — after a confirmation when it would replace a plan."""
    if state.get("phase") not in {"intake", "confirm"}:
        active = await context_of(runtime).store.active_plan(user_id(state))
        if active is not None:
            buttons = [[{"label": label, "data": data} for label, data in texts.REPLACE_OPTIONS]]
            text = texts.REPLACE_PLAN.format(title=active[1].title)
            return finish(state, [reply(text, buttons=buttons)])
    return _restart_intake()


async def new_plan_button(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """The answer to /newplan's confirmation (button data is checked, never trusted)."""
    data = str((state.get("inbox") or {}).get("data") or "")
    if data == "newplan:yes":
        return _restart_intake()
    return finish(state, [reply(texts.KEPT_PLAN)])


def _restart_intake() -> Command[Any]:
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
    if state.get("phase") == "planned" and state.get("asking") in PENDING_FIELDS:
        return finish(state, [reply(texts.PLAN_KEPT)], asking=None)  # drops "how many?"
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
    upcoming = await upcoming_sessions_text(ctx.store, uid, version, zone, ctx.clock(), plan=plan)
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
    """A plan change (the ops of the message's meaning), undo or redo; a new plan in place
    of this one ("start over") gets the /newplan offer."""
    ctx = context_of(runtime)
    uid = user_id(state)
    event = state.get("inbox") or {}
    text = event_text(event)
    active = await ctx.store.active_plan(uid)
    if active is None:
        return finish(state, [reply(texts.NO_PLAN)], phase="idle")
    version, plan, goal = active
    meaning = meaning_of(state)
    if meaning is None:
        uctx = context_for(ctx, phase="planned", asking=None, goal=None, plan=plan)
        meaning = await understand_event(ctx, event, uctx)
    if meaning.intent == "redo" and fresh_plan(text):
        # "redo it from scratch" asks for a new plan, not the undone change back
        return await new_plan(state, runtime)
    way = meaning.intent if meaning.intent in {"undo", "redo"} else history(text)
    if way is not None:
        return finish(state, await _undo(ctx, uid, version, plan, way))
    ops = meaning.ops if meaning.intent == "refine" else []
    if not ops and meaning.intent == "refine" and meaning.unclear:
        # Asked, and kept as the pending question: the next message may be just "9".
        field = meaning.unclear[0]
        text = "\n".join([*meaning.problems, _how_many(field, plan)])
        return finish(state, [reply(text)], asking=field)
    if meaning.intent == "nonanswer" and meaning.nonanswer == "no":
        return finish(state, [reply(texts.PLAN_KEPT)])  # "never mind" to that question
    if not ops and unresolved_removal(text):
        example = plan.topics[0] if plan.topics else "a topic"
        return finish(state, [reply(texts.WHICH_TOPIC_TO_REMOVE.format(example=example))])
    if not ops:
        return finish(state, [reply(texts.PLANNED_HINT)])
    changed, new_goal, notes = apply_ops(plan, goal, ops)
    if changed == plan:
        return finish(state, [reply("\n".join([*notes, texts.NO_CHANGE]))])
    saved = await ctx.store.store_plan(uid, changed, new_goal, note=text[:200])
    new_version = saved.version
    scheduled = await ctx.on_plan_changed(uid, new_version, changed, new_goal, saved=saved)
    summary = describe_diff(diff_plans(plan, changed))
    schedule = [str(r["text"]) for r in scheduled if r.get("kind") == "text"]
    body = "\n".join([texts.REFINED.format(version=new_version), summary, *notes])
    body = "\n\n".join([body, *schedule])
    return finish(state, [reply(body, options=[UNDO_BUTTON])])


def _how_many(field: str, plan: Plan) -> str:
    """The question for a change asked without a number ("make it longer", "more hours")."""
    if field == "hours_per_week":
        hours = plan.hours_per_week
        return texts.HOW_MANY_HOURS.format(hours=hours, example=hours + 2)
    weeks = len(plan.weeks)
    return texts.HOW_MANY_WEEKS.format(weeks=weeks, example=weeks + 2)


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
        "new_plan_button": new_plan_button,
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
    callbacks={"week:": "show_week", "plan": "show_plan", "newplan:": "new_plan_button"},
    priority=90,
)

__all__ = ["END", "FEATURE", "confirm", "generate", "intake"]
