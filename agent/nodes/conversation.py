"""Questions about the plan, small talk, and messages the bot is unsure about."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Command

from agent import texts
from agent.context import AgentContext, context_of
from agent.features import Feature
from agent.nodes.common import event_text, finish, reply, user_id
from agent.state import AgentState
from agent.understanding.answers import SMALLTALK
from agent.understanding.meaning import PlanView
from scheduler.localtime import user_zone
from scheduler.planning import upcoming_sessions_text


async def question(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    """ "what's next?", "why is week 3 so heavy?": answered from the plan (with an LLM), or
    the command that shows it."""
    ctx = context_of(runtime)
    uid = user_id(state)
    text = event_text(state.get("inbox") or {})
    active = await ctx.store.active_plan(uid)
    if active is None:
        answer = await ctx.answerer.answer(text, None, None)
        return finish(state, [reply(answer)])
    version, plan, goal = active
    zone = user_zone(await ctx.store.get_user(uid), goal.timezone)
    sessions = await upcoming_sessions_text(ctx.store, uid, version, zone, ctx.clock())
    answer = await ctx.answerer.answer(text, PlanView.of(plan), sessions)
    return finish(state, [reply(answer)])


def smalltalk(state: AgentState) -> Command[Any]:
    return finish(state, [reply(SMALLTALK)])


def unclear(state: AgentState) -> Command[Any]:
    """A meaning too unsure to act on: ask, never guess."""
    return finish(state, [reply(texts.PLANNED_UNSURE)])


FEATURE = Feature(
    name="conversation",
    nodes={"question": question, "smalltalk": smalltalk, "unclear": unclear},
    priority=80,
)
