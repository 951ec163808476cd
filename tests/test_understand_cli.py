"""`learnplan understand` as a subprocess: one JSON line out per JSON line in, the configured
LLM unless --rules, and a bad line gives an error for that line only."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.fakes.openai_api import FakeOpenAI

LEARNPLAN = str(Path(sys.executable).parent / "learnplan")
PLAN = {
    "weeks": [
        {
            "week": 1,
            "modules": [{"id": "w1m1", "title": "Basics"}, {"id": "w1m2", "title": "Loops"}],
        },
        {"week": 2, "modules": [{"id": "w2m1", "title": "Functions"}]},
    ],
    "hours_per_week": 5,
}
LINES = [
    {
        "text": "I want to learn Rust, 6 weeks, 5h/week, beginner, Berlin",
        "phase": "intake",
        "asking": None,
        "goal": {},
        "plan": None,
        "today": "2026-12-01",
    },
    {
        "text": "done with loops, took 40 min",
        "phase": "planned",
        "plan": PLAN,
        "today": "2026-12-01",
    },
    "this is not json",
    {"phase": "planned"},
    {"text": "make week 2 lighter", "phase": "planned", "plan": PLAN, "today": "2026-12-01"},
    {"text": "hi", "phase": "intake", "today": "not a date"},
]


def _understand(args: list[str], lines: list[Any], tmp: Path, **env: str) -> list[dict]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LEARNPLAN_", "TELEGRAM_", "OPENAI_"))
    }
    environment.update({"LEARNPLAN_DATA_DIR": str(tmp), **env})
    stdin = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    result = subprocess.run(
        [LEARNPLAN, "understand", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@contextmanager
def _fake_llm() -> Iterator[FakeOpenAI]:
    """The fake OpenAI server on its own event loop in a thread (the test blocks on the
    subprocess)."""
    fake = FakeOpenAI()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(timeout=30)
    try:
        yield fake
    finally:
        asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


def test_rules_answer_every_line_and_a_bad_line_gives_an_error(tmp_path: Path) -> None:
    results = _understand(["--rules"], LINES, tmp_path)
    assert len(results) == len(LINES)
    first, done, not_json, no_text, refine, bad_date = results
    assert first["intent"] == "intake" and first["source"] == "rules"
    assert first["fields"]["weeks"] == 6 and first["fields"]["timezone"] == "Europe/Berlin"
    assert set(first["fields"]) == {
        "goal",
        "skill_level",
        "hours_per_week",
        "weeks",
        "deadline",
        "topics",
        "availability",
        "timezone",
    }
    assert (done["intent"], done["module"], done["minutes"]) == ("done", "w1m2", 40)
    assert "error" in not_json and "error" in no_text and "error" in bad_date
    assert refine["ops"] == [{"op": "lighter_week", "week": 2}]


def test_asking_for_the_deadline_is_the_length_question(tmp_path: Path) -> None:
    """The bot asks for the length once, as `weeks`; a caller naming `deadline` asks the
    same question and is answered, not refused as a bad context."""
    line = {
        "text": "exam is on april 9",
        "phase": "intake",
        "asking": "deadline",
        "goal": {"goal": "CCNA"},
        "today": "2027-02-08",
    }
    (result,) = _understand(["--rules"], [line], tmp_path)
    assert "error" not in result, result
    assert (result["intent"], result["fields"]["deadline"]) == ("intake", "2027-04-09")


def test_the_configured_llm_is_used_unless_rules_are_forced(tmp_path: Path) -> None:
    with _fake_llm() as fake:
        fake.answers["Understanding"] = {"intent": "smalltalk", "confidence": 0.9}
        env = {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "x"}
        line = {"text": "cheers mate, you're a star", "phase": "planned", "today": "2026-12-01"}
        (llm,) = _understand([], [line], tmp_path, **env)
        assert (llm["intent"], llm["source"]) == ("smalltalk", "llm")
        asked = len(fake.requests)
        (ruled,) = _understand(["--rules"], [line], tmp_path, **env)
        assert ruled["source"] == "rules" and len(fake.requests) == asked
