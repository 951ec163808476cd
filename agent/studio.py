"""Entry point for `langgraph dev` and LangGraph Studio (see langgraph.json).

The platform supplies the checkpointer; without an injected context the nodes use an
in-memory store and the deterministic planner (`agent.context.context_of`).
"""

from agent.graph import build_graph

graph = build_graph().compile()
