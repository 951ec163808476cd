"""The terminal chat's side of a conversation: the same replies as on Telegram.

Buttons are answered by typing their label or value ("Week 1", "yes", "w1m2", a module
title); quiz polls are printed numbered and answered by typing the number; documents and
the progress chart are saved to the data directory and their paths printed.

While the chat runs, the terminal is also the reminder runner's sender
(`terminal_reminders`): a study reminder that falls due is printed between turns, with
its buttons answerable like any other reply's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.service import AgentService
from bot.events import text_event
from bot.render import render_plain, render_reply

if TYPE_CHECKING:
    from bot.runtime import Runtime

NOT_HERE = (
    "(Reminders are not shown in this chat: its database also holds other users, whose "
    "reminders belong to the Telegram bot.)"
)

_NOT_WORD = re.compile(r"[^\w]+")
_ANSWER_WORDS = frozenset({"yes", "no", "ok", "cancel", "skip"})


def _key(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).strip()


class Terminal:
    def __init__(self, service: AgentService, data_dir: Path, user_id: int) -> None:
        self.service = service
        self.out_dir = data_dir / "chat-files"
        self.user_id = user_id
        self.choices: dict[str, str] = {}
        self.polls: list[tuple[str, int]] = []
        self._polls_sent = 0

    def event_for(self, text: str) -> dict[str, Any]:
        """The agent event for a typed line: a poll answer, a button, or plain text."""
        base = {"user_id": self.user_id, "chat_id": self.user_id, "name": "you"}
        if self.polls and text.isdigit():
            poll_id, count = self.polls[0]
            if 1 <= int(text) <= count:
                self.polls.pop(0)
                return {**base, "kind": "poll_answer", "poll_id": poll_id,
                        "option_ids": [int(text) - 1], "text": ""}  # fmt: skip
        data = self.choices.get(_key(text))
        if data is not None and not text.startswith("/"):
            return {**base, "kind": "callback", "data": data, "text": ""}
        return text_event(text, user_id=self.user_id, chat_id=self.user_id, name="you")

    async def show(self, replies: list[dict[str, Any]]) -> list[str]:
        """Print-ready blocks for the agent's replies; remembers their buttons and polls."""
        self.choices = {}
        blocks = []
        for reply in replies:
            kind = reply.get("kind")
            if kind in {"document", "photo"}:
                blocks.append(self._save(reply))
            elif kind == "poll":
                blocks.append(await self._poll(reply))
            else:
                self._remember_buttons(reply)
                blocks.append(render_plain(reply))
        return blocks

    def _save(self, reply: dict[str, Any]) -> str:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        name = Path(str(reply.get("filename") or "file")).name or "file"
        path = self.out_dir / name
        path.write_bytes(bytes(reply["data"]))
        caption = str(reply.get("caption") or "").strip()
        return f"{caption}\nSaved to {path}" if caption else f"Saved to {path}"

    async def _poll(self, reply: dict[str, Any]) -> str:
        self._polls_sent += 1
        poll_id = f"chat{self._polls_sent}"
        options = [str(o) for o in reply.get("options") or []]
        if reply.get("notify"):
            await self.service.reply_sent(reply, {"poll": {"id": poll_id}})
        self.polls.append((poll_id, len(options)))
        lines = [f"❓ {reply.get('question')}"]
        lines += [f"  {i}) {o}" for i, o in enumerate(options, start=1)]
        lines.append("  (type the number of your answer)")
        return "\n".join(lines)

    def _remember_buttons(self, reply: dict[str, Any]) -> None:
        for row in render_reply(reply).buttons:
            for button in row:
                names = [button.label, *button.label.split(" · ")]
                if button.data.startswith("a:"):
                    names.append(button.data[2:])
                first = _key(button.label).split(" ", 1)[0]
                if first in _ANSWER_WORDS:
                    names.append(first)  # "yes" answers "🗑 Yes, delete everything"
                for name in names:
                    if _key(name):
                        self.choices.setdefault(_key(name), button.data)


class NotThisChat(RuntimeError):
    """A reminder for another user reached the terminal's sender."""


@asynccontextmanager
async def terminal_reminders(
    runtime: Runtime, terminal: Terminal, write: Callable[[str], None]
) -> AsyncIterator[bool]:
    """Run the runtime's reminder runner with the terminal as its sender while the chat
    is open; yields whether it runs.

    It runs only on the embedded database holding no user but the terminal's: the
    runner sends every user's due reminders, and those of Telegram users must stay for
    the Telegram bot (a shared MongoDB, or a data directory the bot also used)."""

    async def send(chat_id: int, user_id: int, replies: list[dict[str, Any]]) -> None:
        if user_id != terminal.user_id:
            raise NotThisChat(f"reminder for user {user_id} in the terminal chat")
        for block in await terminal.show(replies):
            write(block + "\n")

    store = runtime.store
    other = await store.run(
        store.db.users.find_one, {"user_id": {"$ne": terminal.user_id}}, {"_id": 1}
    )
    if runtime.settings.mongodb_uri is not None or other is not None:
        write(NOT_HERE + "\n")
        yield False
        return
    runtime.reminders.attach(send)
    await runtime.reminders.start(background=True)
    try:
        yield True
    finally:
        await runtime.reminders.stop()
