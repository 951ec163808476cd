"""The agent as a service: one inbound event in, the replies out.

Each chat is one LangGraph thread. If the thread is waiting at an
``interrupt()`` (an intake question), the event resumes it; otherwise it starts
a new run. Events of one chat are handled one at a time, in order — across
instances too, on MongoDB (`storage.chat_turns`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import defaultdict
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver, CheckpointTuple
from langgraph.types import Command

from agent.context import AgentContext, ProgressReporter
from agent.features import feature
from agent.graph import build_graph
from agent.state import RESET
from storage.chat_turns import chat_turn
from storage.checkpoints import TurnCache

# A reply of this kind erases the chat's conversation state once the run is over
# (used by /forget); it is never shown.
FORGET_THREAD = "forget_thread"
# One checkpoint per turn, written when the run ends (or stops at an interrupt) and
# before `handle` returns (on MongoDB, with its pending writes in one update when the
# saver's turn ends), so before any reply is sent: a kill -9 after a reply never
# loses its turn. A kill mid-turn leaves the thread at the previous turn's end (the
# question the user answered is asked again), never at a half-run step.
DURABILITY = "exit"
WEB_THREAD = "web:"
# The channel of the pending write an ``interrupt()`` leaves in the checkpoint
# (LangGraph's own constant is private).
INTERRUPT = "__interrupt__"


def _waiting(saved: CheckpointTuple) -> bool:
    """The run stopped at an ``interrupt()``: its question's write is pending."""
    return any(channel == INTERRUPT for _, channel, _ in saved.pending_writes or ())


class AgentService:
    def __init__(self, checkpointer: BaseCheckpointSaver, context: AgentContext) -> None:
        self.graph = build_graph().compile(checkpointer=checkpointer)
        self.context = context
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def handle(
        self,
        event: dict[str, Any],
        progress: ProgressReporter | None = None,
        *,
        web: bool = False,
    ) -> list[dict[str, Any]]:
        """Run one event. With ``web`` (a Mini App action) it runs in the chat's own web
        thread (``web:<chat id>``), as if the plan were on screen: it never answers, or
        disturbs, a question open in the chat, and needs no conversation state."""
        chat_id = int(event["chat_id"])
        thread = f"{WEB_THREAD}{chat_id}" if web else str(chat_id)
        config: Any = {"configurable": {"thread_id": thread}}
        async with (
            self._locks[chat_id],
            chat_turn(self.context.store, chat_id),
            self._one_read(),
        ):
            await self.context.store.touch_user(int(event["user_id"]), chat_id, event.get("name"))
            saved = await self._latest(config)
            if saved is not None and _waiting(saved) and not web:
                before = len(saved.checkpoint["channel_values"].get("replies", []))
                run_input: Any = Command(resume=event)
            else:
                before = 0
                run_input = {"inbox": event, "replies": [RESET]}
                if web:
                    run_input["phase"] = "planned"
            context = dataclasses.replace(self.context, outbox=[], progress=progress)
            result = await self.graph.ainvoke(
                run_input, config, context=context, durability=DURABILITY
            )
            replies = list(result.get("replies", [])[before:])
            for pending in result.get("__interrupt__", []):
                replies.extend(pending.value.get("replies", []))
            replies.extend(context.outbox)
            if any(r.get("kind") == FORGET_THREAD for r in replies):
                for name in (str(chat_id), f"{WEB_THREAD}{chat_id}"):
                    await self.graph.checkpointer.adelete_thread(name)  # type: ignore[union-attr]
        return [r for r in replies if r.get("kind") != FORGET_THREAD]

    def _one_read(self) -> contextlib.AbstractAsyncContextManager[None]:
        """The thread is read once per turn: `_latest` and the run share the read."""
        saver = self.graph.checkpointer
        if isinstance(saver, TurnCache):
            return saver.turn()
        return contextlib.nullcontext()

    async def _latest(self, config: Any) -> CheckpointTuple | None:
        """The thread's latest checkpoint, as the run will start from it. Not
        `aget_state`: that builds the whole snapshot (channels, next tasks) to answer one
        question, is the thread waiting at an ``interrupt()``?"""
        saver: Any = self.graph.checkpointer
        if isinstance(saver, TurnCache):
            return await saver.apeek_tuple(config)
        return await saver.aget_tuple(config)  # type: ignore[no-any-return]

    async def reply_sent(self, reply: dict[str, Any], result: dict[str, Any]) -> None:
        """Tell the feature that asked (``reply["notify"]``) what Telegram answered."""
        owner = feature(str(reply.get("notify")))
        if owner is not None and owner.on_sent is not None:
            await owner.on_sent(self.context, reply, result)
