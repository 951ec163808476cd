"""Features plug nodes into the graph without editing it.

Each module in `agent.nodes` exports ``FEATURE``. The router sends a command,
a callback (by data prefix), an event kind, or — once a plan exists — free text
that a feature claims, to that feature's node. Every feature node may finish
by returning to a pending intake question (see `agent.nodes.common.finish`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Feature:
    name: str
    nodes: Mapping[str, Callable[..., Any]]
    commands: Mapping[str, str] = field(default_factory=dict)
    callbacks: Mapping[str, str] = field(default_factory=dict)
    events: Mapping[str, str] = field(default_factory=dict)
    claims_text: Callable[[str], bool] | None = None
    text_node: str | None = None
    priority: int = 50
    # Called by the bot after it sent a reply whose "notify" is this feature's name,
    # with (context, reply, telegram_result) — e.g. to remember a quiz poll's id.
    on_sent: Callable[[Any, dict[str, Any], dict[str, Any]], Awaitable[None]] | None = None


@cache
def features() -> tuple[Feature, ...]:
    import agent.nodes

    found = []
    for info in pkgutil.iter_modules(agent.nodes.__path__):
        module = importlib.import_module(f"agent.nodes.{info.name}")
        feature = getattr(module, "FEATURE", None)
        if isinstance(feature, Feature):
            found.append(feature)
    return tuple(sorted(found, key=lambda f: (f.priority, f.name)))


def command_node(command: str) -> str | None:
    return next((f.commands[command] for f in features() if command in f.commands), None)


def callback_node(data: str) -> str | None:
    for feature in features():
        for prefix, node in feature.callbacks.items():
            if data.startswith(prefix):
                return node
    return None


def event_node(kind: str) -> str | None:
    return next((f.events[kind] for f in features() if kind in f.events), None)


def text_node(text: str) -> str | None:
    for feature in features():
        if feature.claims_text is not None and feature.text_node and feature.claims_text(text):
            return feature.text_node
    return None


def feature(name: str) -> Feature | None:
    return next((f for f in features() if f.name == name), None)
