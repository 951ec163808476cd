"""A chat's updates are processed one at a time, in the order they were accepted.

Within a process, python-telegram-bot hands updates to `ChatOrder` in the order it
received them, and a per-chat lock (FIFO) keeps that order. Across instances on
MongoDB, the webhook receiver queues each update in the chat's thread document (which
carries the chat's lease) before it answers Telegram (`storage.chat_turns.queue_update`),
and `ChatOrder` takes the chat's turn for that update (`chat_turn`), which waits until
no earlier update of the chat is queued. The turn covers the whole update, replies
included, so every handler runs inside it (the handlers' own `chat_turn` is then
re-entrant) and every accepted update leaves the queue, whether or not a handler
answers it.

At start-up, before any update is served, `resume_turns` frees the chats that an
earlier run of this instance (same ``LEARNPLAN_INSTANCE_ID``) left busy when it was
killed, and runs again the updates it had acknowledged but not started
(`storage.chat_restart`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from storage.chat_restart import release_own_turns
from storage.chat_turns import chat_turn
from storage.engine import StorageError
from storage.store import Store

log = logging.getLogger(__name__)


def order_key(update: object) -> int | None:
    """The chat whose order an update belongs to (a poll answer: its user's private
    chat), or None."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrder(BaseUpdateProcessor):
    """Up to ``max_concurrent_updates`` updates at once, one chat's in order."""

    def __init__(self, store: Store, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.store = store
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            await coroutine
            return
        update_id = update.update_id if isinstance(update, Update) else None
        async with self._locks[key], contextlib.AsyncExitStack() as turn:
            try:
                await turn.enter_async_context(chat_turn(self.store, key, update_id=update_id))
            except StorageError as exc:
                # The handler tries again and tells the user storage is unreachable.
                log.warning("could not take chat %s's turn: %s", key, exc)
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""


async def resume_turns(application: Application) -> int:
    """Start-up, before updates are served: free the chats this instance's earlier run
    left busy and queue the updates it had acknowledged but not run, in their order (they
    run first). Returns how many; a storage error only logs (the leases then expire)."""
    processor = application.update_processor
    if not isinstance(processor, ChatOrder):
        return 0
    try:
        payloads = await release_own_turns(processor.store)
    except StorageError as exc:
        log.warning("could not free the chats of this instance's earlier run: %s", exc)
        return 0
    for payload in payloads:
        update = Update.de_json(json.loads(payload), application.bot)
        if update is not None:
            await application.update_queue.put(update)
    return len(payloads)
