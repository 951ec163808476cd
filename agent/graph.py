"""The LangGraph agent: route each inbound event, run intake, plan, refine.

One thread per chat. Intake asks one question at a time with ``interrupt()``;
the bot resumes the interrupted run with the user's next event, so a restart
mid-intake resumes at the same question. Nodes never talk to Telegram: they
append plain replies to the state (or hand them over in the interrupt payload)
and `bot` renders them.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agent import texts
from agent.context import AgentContext, context_of
from agent.intake_parser import missing_fields, parse_intake
from agent.questions import confirmation, question, understood
from agent.refine import apply_ops, describe_diff, diff_plans
from agent.refine_parser import parse_refinement
from agent.state import AgentState
from storage.models import Goal

YES = re.compile(r"^\s*(yes|y|yep|yeah|ok|okay|sure|go|build|build it|looks good|correct)\b", re.I)
CANCEL = re.compile(r"^\s*(cancel|stop|abort|quit)\b", re.I)
UNDO = re.compile(r"^\s*(undo|revert|go back|previous version)\b", re.I)
INTAKE_COMMANDS = {"cancel", "help", "plan", "newplan", "start"}


def _text(event: dict[str, Any]) -> str:
    if event.get("kind") == "callback":
        data = str(event.get("data") or "")
        return data.removeprefix("a:")
    return str(event.get("text") or "")


def _reply(text: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "text", "text": text, **extra}


def _intake_event(event: dict[str, Any]) -> str:
    """The text of an answer during intake; a shared location becomes coordinates."""
    if event.get("kind") == "location":
        return f"__location__ {event.get('latitude')} {event.get('longitude')}"
    return _text(event)


def _merge(goal: Goal, fields: dict[str, Any]) -> Goal:
    return goal.model_copy(update=fields)


# ---- routing ----------------------------------------------------------------


def route(state: AgentState) -> Command[Any]:
    event = state.get("inbox") or {}
    kind = event.get("kind")
    phase = state.get("phase", "idle")
    ident = {"user_id": event.get("user_id"), "chat_id": event.get("chat_id")}
    if kind == "command":
        command = event.get("command")
        target = {
            "start": "start",
            "help": "help",
            "newplan": "new_plan",
            "plan": "show_plan",
            "cancel": "cancel",
        }.get(str(command), "unknown_command")
        return Command(goto=target, update=ident)
    if kind == "callback":
        data = str(event.get("data") or "")
        if data.startswith("week:"):
            return Command(goto="show_week", update=ident)
        if data == "plan":
            return Command(goto="show_plan", update=ident)
    if phase == "intake":
        return Command(goto="intake", update=ident)
    if phase == "confirm":
        return Command(goto="confirm", update=ident)
    if phase == "planned":
        return Command(goto="planned_chat", update=ident)
    if kind in {"text", "location"}:
        return Command(goto="intake", update={**ident, "phase": "intake", "goal": {}})
    return Command(goto="unknown_command", update=ident)


# ---- intake -----------------------------------------------------------------


def _after_answer(answer: dict[str, Any], update: dict[str, Any], same: str) -> Command[Any]:
    """Commands typed mid-intake go through the router; anything else back to `same`."""
    if answer.get("kind") == "command" and answer.get("command") in INTAKE_COMMANDS:
        return Command(goto="route", update={**update, "inbox": answer})
    return Command(goto=same, update={**update, "inbox": answer})


def intake(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    goal = Goal.model_validate(state.get("goal") or {})
    event = state.get("inbox") or {}
    expecting = state.get("asking")
    parsed = parse_intake(
        _intake_event(event), today=context_of(runtime).clock().date(), expecting=expecting
    )
    goal = _merge(goal, parsed.fields)
    missing = missing_fields(goal)
    update: dict[str, Any] = {"goal": goal.model_dump(mode="json"), "phase": "intake"}
    if not missing:
        return Command(goto="confirm", update={**update, "phase": "confirm", "asking": None})
    field = missing[0]
    problems = list(parsed.problems)
    if not problems and expecting == field and _intake_event(event).strip():
        problems = [texts.NOT_UNDERSTOOD[field]]
    replies = [question(field, problems)]
    if expecting is None and parsed.fields:
        replies.insert(0, _reply(understood(goal, parsed.fields)))
    answer = interrupt({"replies": replies})
    return _after_answer(answer, {**update, "asking": field}, "intake")


def confirm(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    goal = Goal.model_validate(state.get("goal") or {})
    event = state.get("inbox") or {}
    problems: list[str] = []
    if state.get("phase") == "confirm" and state.get("asking") == "confirm":
        text = _text(event)
        if YES.match(text):
            return Command(goto="generate", update={"asking": None})
        if CANCEL.match(text):
            return Command(goto="cancel")
        parsed = parse_intake(_intake_event(event), today=context_of(runtime).clock().date())
        problems = list(parsed.problems)
        if parsed.fields:
            goal = _merge(goal, parsed.fields)
        elif not problems:
            problems = [texts.CONFIRM_HINT]
    update = {"goal": goal.model_dump(mode="json"), "phase": "confirm", "asking": "confirm"}
    answer = interrupt({"replies": [confirmation(goal, problems)]})
    return _after_answer(answer, update, "confirm")


async def generate(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = context_of(runtime)
    goal = Goal.model_validate(state.get("goal") or {})
    user_id = int(state["user_id"])
    plan = await ctx.build_plan(goal)
    version = await ctx.store.save_plan(user_id, plan, goal, note="created")
    return {
        "phase": "planned",
        "asking": None,
        "replies": [
            {"kind": "plan", "version": version, "plan": plan.model_dump(mode="json")},
            _reply(texts.AFTER_PLAN),
        ],
    }


# ---- commands -----------------------------------------------------------------


async def start(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    active = await context_of(runtime).store.active_plan(int(state["user_id"]))
    if active is not None:
        return Command(goto=END, update={"replies": [_reply(texts.WELCOME_BACK)]})
    return Command(
        goto="intake",
        update={
            "replies": [_reply(texts.WELCOME)],
            "phase": "intake",
            "goal": {},
            "asking": None,
            "inbox": {},
        },
    )


def help_node(state: AgentState) -> Command[Any]:
    replies = [_reply(texts.HELP)]
    phase = state.get("phase")
    if phase == "intake":
        return Command(goto="intake", update={"replies": replies, "inbox": {}})
    if phase == "confirm":
        return Command(goto="confirm", update={"replies": replies, "inbox": {}, "asking": None})
    return Command(goto=END, update={"replies": replies})


def new_plan(state: AgentState) -> Command[Any]:
    return Command(
        goto="intake",
        update={
            "replies": [_reply(texts.NEW_PLAN)],
            "phase": "intake",
            "goal": {},
            "asking": None,
            "inbox": {},
        },
    )


async def cancel(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    if state.get("phase") not in {"intake", "confirm"}:
        return {"replies": [_reply(texts.NOTHING_TO_CANCEL)]}
    has_plan = await context_of(runtime).store.active_plan(int(state["user_id"])) is not None
    return {
        "replies": [_reply(texts.CANCELLED)],
        "phase": "planned" if has_plan else "idle",
        "goal": {},
        "asking": None,
    }


async def show_plan(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    active = await context_of(runtime).store.active_plan(int(state["user_id"]))
    if active is None:
        replies = [_reply(texts.NO_PLAN)]
    else:
        version, plan, _goal = active
        replies = [{"kind": "plan", "version": version, "plan": plan.model_dump(mode="json")}]
    return _continue(state, replies)


async def show_week(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    event = state.get("inbox") or {}
    active = await context_of(runtime).store.active_plan(int(state["user_id"]))
    try:
        number = int(str(event.get("data", "")).split(":", 1)[1])
    except (IndexError, ValueError):
        number = 0
    if active is None:
        return _continue(state, [_reply(texts.NO_PLAN)])
    _version, plan, _goal = active
    week = next((w for w in plan.weeks if w.number == number), None)
    if week is None:
        return _continue(state, [_reply(texts.NO_SUCH_WEEK.format(weeks=len(plan.weeks)))])
    reply = {"kind": "week", "week": week.model_dump(mode="json"), "plan_title": plan.title}
    return _continue(state, [reply])


def _continue(state: AgentState, replies: list[dict[str, Any]]) -> Command[Any]:
    """Reply, then go back to the pending intake question if one was open."""
    phase = state.get("phase")
    if phase == "intake":
        return Command(goto="intake", update={"replies": replies, "inbox": {}})
    if phase == "confirm":
        return Command(goto="confirm", update={"replies": replies, "inbox": {}, "asking": None})
    return Command(goto=END, update={"replies": replies})


def unknown_command(state: AgentState) -> Command[Any]:
    return _continue(state, [_reply(texts.UNKNOWN)])


# ---- after the plan exists ---------------------------------------------------------


async def planned_chat(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = context_of(runtime)
    user_id = int(state["user_id"])
    text = _text(state.get("inbox") or {})
    active = await ctx.store.active_plan(user_id)
    if active is None:
        return {"replies": [_reply(texts.NO_PLAN)], "phase": "idle"}
    version, plan, goal = active
    if UNDO.match(text):
        previous = await ctx.store.previous_version(user_id, version)
        if previous is None or not await ctx.store.activate_version(
            user_id, previous, expected=version
        ):
            return {"replies": [_reply(texts.NOTHING_TO_UNDO)]}
        restored = await ctx.store.active_plan(user_id)
        assert restored is not None
        summary = describe_diff(diff_plans(plan, restored[1]))
        return {"replies": [_reply(texts.UNDONE.format(version=previous, summary=summary))]}
    if ctx.llm is not None:
        ops = await ctx.llm.parse_refinement(text, plan, parse_refinement)
    else:
        ops = parse_refinement(text)
    if not ops:
        return {"replies": [_reply(texts.PLANNED_HINT)]}
    new_plan_, new_goal, notes = apply_ops(plan, goal, ops)
    diff = diff_plans(plan, new_plan_)
    summary = describe_diff(diff)
    if new_plan_ == plan:
        return {"replies": [_reply("\n".join([*notes, texts.NO_CHANGE]))]}
    new_version = await ctx.store.save_plan(user_id, new_plan_, new_goal, note=text[:200])
    body = "\n".join([texts.REFINED.format(version=new_version), summary, *notes])
    return {"replies": [_reply(body, options=[{"label": "↩ Undo", "value": "undo"}])]}


def build_graph() -> StateGraph:
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node(
        "route",
        route,
        destinations=(
            "start",
            "help",
            "new_plan",
            "show_plan",
            "show_week",
            "cancel",
            "unknown_command",
            "intake",
            "confirm",
            "planned_chat",
        ),
    )
    graph.add_node("intake", intake, destinations=("intake", "confirm", "route"))
    graph.add_node("confirm", confirm, destinations=("confirm", "generate", "cancel", "route"))
    graph.add_node("generate", generate)
    graph.add_node("start", start, destinations=("intake", END))
    graph.add_node("help", help_node, destinations=("intake", "confirm", END))
    graph.add_node("new_plan", new_plan, destinations=("intake",))
    graph.add_node("cancel", cancel)
    graph.add_node("show_plan", show_plan, destinations=("intake", "confirm", END))
    graph.add_node("show_week", show_week, destinations=("intake", "confirm", END))
    graph.add_node("unknown_command", unknown_command, destinations=("intake", "confirm", END))
    graph.add_node("planned_chat", planned_chat)
    graph.add_edge(START, "route")
    for node in ("generate", "cancel", "planned_chat"):
        graph.add_edge(node, END)
    return graph
