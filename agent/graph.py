"""The LangGraph agent: route each inbound event to the node of the feature that owns it.

One thread per chat. Intake asks one question at a time with ``interrupt()``;
the bot resumes the interrupted run with the user's next event, so a restart
mid-intake resumes at the same question. Nodes never talk to Telegram: they
append plain replies to the state (or hand them over in the interrupt payload)
and `bot` renders them. Features (`agent.nodes.*`) plug in their own nodes.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command

from agent.context import AgentContext
from agent.features import callback_node, command_node, event_node, features, text_node
from agent.nodes.common import DESTINATIONS, event_text
from agent.nodes.planning import confirm, generate, intake
from agent.state import AgentState
from agent.syllabus import is_outline_message


def _target(event: dict[str, Any], phase: str) -> tuple[str, dict[str, Any]]:
    kind = str(event.get("kind"))
    if kind == "command":
        return command_node(str(event.get("command"))) or "unknown_command", {}
    if kind == "callback":
        node = callback_node(str(event.get("data") or ""))
        if node is not None:
            return node, {}
    if kind == "poll_answer":
        return event_node(kind) or "unknown_command", {}
    if phase in {"intake", "confirm"}:
        return phase, {}
    node = event_node(kind)
    if node is not None:
        return node, {}
    if phase == "planned" and kind in {"text", "callback"}:
        return text_node(event_text(event)) or "refine", {}
    if kind == "text" and is_outline_message(event_text(event)):
        return "import_syllabus", {}
    if kind in {"text", "location"}:
        return "intake", {"phase": "intake", "goal": {}, "asking": None}
    return "unknown_command", {}


def route(state: AgentState) -> Command[Any]:
    event = state.get("inbox") or {}
    node, update = _target(event, state.get("phase", "idle"))
    ident = {"user_id": event.get("user_id"), "chat_id": event.get("chat_id")}
    return Command(goto=node, update={**ident, **update})


def build_graph() -> StateGraph:
    graph = StateGraph(AgentState, context_schema=AgentContext)
    feature_nodes = {name: fn for f in features() for name, fn in f.nodes.items()}
    graph.add_node("route", route, destinations=("intake", "confirm", *feature_nodes))
    graph.add_node("intake", intake, destinations=("intake", "confirm", "route"))
    graph.add_node("confirm", confirm, destinations=("confirm", "generate", "cancel", "route"))
    graph.add_node("generate", generate)
    for name, fn in feature_nodes.items():
        graph.add_node(name, fn, destinations=DESTINATIONS)
    graph.add_edge(START, "route")
    graph.add_edge("generate", END)
    return graph
