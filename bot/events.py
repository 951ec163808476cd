"""Turn a line the user typed into an agent event — the same for Telegram and the terminal."""

from __future__ import annotations

from typing import Any


def text_event(text: str, *, user_id: int, chat_id: int, name: str | None) -> dict[str, Any]:
    """A command event for "/cmd[@bot] args", otherwise a text event."""
    base = {"user_id": user_id, "chat_id": chat_id, "name": name, "text": text}
    if text.startswith("/"):
        head, _, args = text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        return {**base, "kind": "command", "command": command, "args": args}
    return {**base, "kind": "text"}
