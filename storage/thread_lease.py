"""A chat's turn lease lives on its conversation thread's checkpoint document.

On MongoDB, `storage.chat_turns` takes the chat's lease with one findOneAndUpdate on
the document of the chat's thread in ``lg_checkpoints`` (``_id`` = thread ``"<chat
id>"``, namespace ``""``), which also returns that document: the thread's checkpoint
as it stands once no other instance can write it. `HeldThread` hands it to the
checkpoint saver (`storage.checkpoints`) for the turn's first read of the thread, so
the turn needs no separate find; a write of the thread by the saver makes it stale.

The lease's fields (`LEASE_FIELDS`) sit beside the checkpoint's and are never touched
by the saver's writes; /forget (`adelete_thread`) empties a document that a lease or a
queued update still uses instead of deleting it, and the lease's release deletes it
once nothing uses it (`HeldThread.stored` says whether it holds a checkpoint).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

CHECKPOINTS = "lg_checkpoints"
LEASE_FIELDS = ("holder", "until", "turn", "queue")
CHAT_NS = ""  # the graph's namespace: a chat's conversation has no subgraph of its own


def doc_id(thread_id: str, ns: str) -> dict[str, str]:
    return {"thread": thread_id, "ns": ns}


def chat_doc_id(chat_id: int) -> dict[str, str]:
    """The document of the chat's conversation thread, which carries its lease."""
    return doc_id(str(chat_id), CHAT_NS)


@dataclass
class HeldThread:
    """The thread document the lease take returned, until the saver reads or writes it."""

    doc: dict[str, Any] | None
    stored: bool  # the document holds a checkpoint

    def take_doc(self) -> dict[str, Any] | None:
        """The document the first time, if nothing wrote the thread since the take;
        None after (the caller reads storage)."""
        doc, self.doc = self.doc, None
        return doc

    def written(self, *, stored: bool | None = None) -> None:
        self.doc = None
        if stored is not None:
            self.stored = stored


_HELD_THREADS: ContextVar[dict[tuple[str, str], HeldThread] | None] = ContextVar(
    "held_threads", default=None
)


def taken(doc: dict[str, Any]) -> HeldThread:
    """The chat thread's document as the lease take returned it."""
    return HeldThread(doc, stored="checkpoint" in doc)


@contextmanager
def holding(chat_id: int, held: HeldThread) -> Iterator[None]:
    """Within the block (the chat's lease held), ``held`` is the chat thread's document."""
    token = _HELD_THREADS.set({**(_HELD_THREADS.get() or {}), (str(chat_id), CHAT_NS): held})
    try:
        yield
    finally:
        _HELD_THREADS.reset(token)


def held_thread(thread_id: str, ns: str) -> HeldThread | None:
    return (_HELD_THREADS.get() or {}).get((thread_id, ns))


def held_threads_of(thread_id: str) -> list[HeldThread]:
    return [h for (t, _), h in (_HELD_THREADS.get() or {}).items() if t == thread_id]
