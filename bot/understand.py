"""`learnplan understand`: what the bot understands, one JSON line per JSON line on stdin.

Input: {"text", "phase", "asking", "goal", "plan", "today"} (UNDERSTANDING.md); output:
`Meaning.to_output()`. A line that can't be read gives {"error": "..."} and the run goes on.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import date, time
from typing import IO, Any

from pydantic import ValidationError

from agent.understanding.meaning import DAY_NAMES, Understander, UnderstandingContext
from storage.models import Goal


def _slots(windows: list[Any]) -> list[dict[str, Any]]:
    """Goal availability given as output windows ({"days", "start", "end"}) → Slot dicts."""
    slots: list[dict[str, Any]] = []
    for window in windows:
        if not isinstance(window, dict) or "days" not in window:
            slots.append(window)
            continue
        # Windows known only by their days (a context, not a schedule) get an evening slot.
        start = time.fromisoformat(window.get("start") or "18:00")
        end = time.fromisoformat(window.get("end") or "20:00")
        if end <= start:
            end = time(23, 59)
        for day in window["days"]:
            slots.append({"weekday": DAY_NAMES.index(day), "start": start, "end": end})
    return slots


def _goal(raw: Any) -> Goal:
    data = {k: v for k, v in dict(raw or {}).items() if v is not None}
    if isinstance(data.get("availability"), list):
        data["availability"] = _slots(data["availability"])
    if "topics" in data:
        data.setdefault("topics_answered", True)
    return Goal.model_validate(data)


def read_request(line: str) -> tuple[str, UnderstandingContext]:
    """The text and its context from one input line (raises ValueError when unreadable)."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise ValueError('expected an object with a "text" string')
    try:
        ctx = UnderstandingContext(
            phase=raw.get("phase") or "intake",
            asking=raw.get("asking"),
            goal=_goal(raw.get("goal")),
            plan=raw.get("plan"),
            today=date.fromisoformat(raw["today"]) if raw.get("today") else date.today(),
        )
    except (ValidationError, ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"bad context: {str(exc).splitlines()[0]}") from None
    return raw["text"], ctx


async def understand_lines(understander: Understander, source: IO[str], sink: IO[str]) -> int:
    """Answer every line of `source` on `sink`; the number of lines that failed."""
    failed = 0
    for line in source:
        if not line.strip():
            continue
        try:
            text, ctx = read_request(line)
            result: dict[str, Any] = (await understander.understand(text, ctx)).to_output()
        except ValueError as exc:
            failed += 1
            result = {"error": str(exc)}
        sink.write(json.dumps(result, ensure_ascii=False) + "\n")
        sink.flush()
    return failed


def run(understander: Understander) -> int:
    asyncio.run(understand_lines(understander, sys.stdin, sys.stdout))
    return 0
