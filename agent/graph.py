"""The LangGraph agent: route each inbound event to the node of the feature that owns it.

One thread per chat. Intake asks one question at a time with ``interrupt()``;
the bot resumes the interrupted run with the user's next event, so a restart
mid-intake resumes at the same question. The router understands each message once
(`agent.understanding`, kept in the state as ``meaning``): in intake for the intake
nodes, once a plan exists to choose the node by its intent (`agent.routing`; the intake
and confirm nodes route the answer to their question themselves, in the same step).
Nodes never talk to Telegram: they append plain replies to the state (or hand them over
in the interrupt payload) and `bot` renders them. Features (`agent.nodes.*`) plug in
their own nodes.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from agent.context import AgentContext
from agent.features import features
from agent.nodes.common import DESTINATIONS
from agent.nodes.planning import confirm, generate, intake
from agent.routing import route_event
from agent.state import AgentState


async def route(state: AgentState, runtime: Runtime[AgentContext]) -> Command[Any]:
    node, update = await route_event(state, runtime)
    return Command(goto=node, update=update)


def build_graph() -> StateGraph:
    graph = StateGraph(AgentState, context_schema=AgentContext)
    feature_nodes = {name: fn for f in features() for name, fn in f.nodes.items()}
    # An answer to intake or confirm is routed by the node that asked (`agent.routing`).
    routes = ("intake", "confirm", *feature_nodes)
    graph.add_node("route", route, destinations=routes)
    graph.add_node("intake", intake, destinations=routes)
    graph.add_node("confirm", confirm, destinations=("generate", *routes))
    graph.add_node("generate", generate)
    for name, fn in feature_nodes.items():
        graph.add_node(name, fn, destinations=DESTINATIONS)
    graph.add_edge(START, "route")
    graph.add_edge("generate", END)
    return graph
