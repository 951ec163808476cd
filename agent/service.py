"""The agent as a service: one inbound event in, the replies out.

Each chat is one LangGraph thread. If the thread is waiting at an
``interrupt()`` (an intake question), the event resumes it; otherwise it starts
a new run. Events of one chat are handled one at a time, in order.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from agent.context import AgentContext
from agent.graph import build_graph
from agent.state import RESET


class AgentService:
    def __init__(self, checkpointer: BaseCheckpointSaver, context: AgentContext) -> None:
        self.graph = build_graph().compile(checkpointer=checkpointer)
        self.context = context
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def handle(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = int(event["chat_id"])
        config: Any = {"configurable": {"thread_id": str(chat_id)}}
        async with self._locks[chat_id]:
            snapshot = await self.graph.aget_state(config)
            if snapshot.interrupts:
                before = len(snapshot.values.get("replies", []))
                run_input: Any = Command(resume=event)
            else:
                before = 0
                run_input = {"inbox": event, "replies": [RESET]}
            result = await self.graph.ainvoke(run_input, config, context=self.context)
        replies = list(result.get("replies", [])[before:])
        for pending in result.get("__interrupt__", []):
            replies.extend(pending.value.get("replies", []))
        return replies

    async def forget(self, chat_id: int) -> None:
        """Drop the chat's conversation state (checkpoints) entirely."""
        async with self._locks[chat_id]:
            await self.graph.checkpointer.adelete_thread(str(chat_id))  # type: ignore[union-attr]
