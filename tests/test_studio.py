"""langgraph.json points LangGraph Studio / `langgraph dev` at a graph that runs
without injected dependencies."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


async def test_langgraph_json_graph_runs_without_a_context() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, _, attribute = config["graphs"]["learnplan"].partition(":")
    module = importlib.import_module(path.removeprefix("./").removesuffix(".py").replace("/", "."))
    graph = getattr(module, attribute)
    event = {"kind": "command", "command": "help", "text": "/help", "user_id": 1, "chat_id": 1}
    result = await graph.ainvoke({"inbox": event, "replies": []})
    assert any("/newplan" in r.get("text", "") for r in result["replies"])
    event = {"kind": "command", "command": "plan", "text": "/plan", "user_id": 1, "chat_id": 1}
    result = await graph.ainvoke({"inbox": event, "replies": []})
    assert any("don't have a plan" in r.get("text", "") for r in result["replies"])
