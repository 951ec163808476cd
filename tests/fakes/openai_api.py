"""A local OpenAI-compatible server over HTTP on 127.0.0.1, with switchable behaviour.

Modes for plan and outline requests: "valid", "schema_break", "not_json",
"over_budget" (one-shot plans only), "slow", "error500", and for outlines "sloppy"
(URLs as resources, too many modules, blank objectives). ``fail_from_chunk = n`` makes
the n-th and later outline calls fail the ``fail_kind`` way ("error500", "not_json",
"wrong_weeks" or "slow"). It builds its own JSON from the goal in the prompt — simple,
independent of the project's planner — so a valid answer is recognisable (every module
title starts with "LLM:").

Other structured requests (by schema name, e.g. "Understanding", "Answer") are answered
with ``answers[name]`` (a dict, sent as JSON, or a raw string), and can be made to fail
with ``faults[name]`` = "error500" | "slow" | "not_json" | "schema_break".
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web


def _objectives(topic: str, n: int, i: int) -> list[str]:
    return [f"Explain how {topic} works", f"Apply {topic} in an exercise (part {i})"]


def _outline_chunk(request: dict[str, Any], sloppy: bool = False) -> dict[str, Any]:
    """Weeks from_week..to_week of an outline: per week a theme and two modules."""
    topics = request.get("topics") or ["basics"]
    weeks = []
    for n in range(int(request["from_week"]), int(request["to_week"]) + 1):
        topic = topics[(n - 1) % len(topics)]
        modules = [
            {
                "title": f"LLM: {topic} part {i}",
                "objectives": _objectives(topic, n, i),
                "topics": [topic],
                "resources": [f"docs: {topic} guide" if i == 1 else f"practice: {topic} exercises"],
            }
            for i in (1, 2)
        ]
        if sloppy:
            modules[0]["resources"] = ["docs: https://example.com/invented", "video:  "]
            modules[1]["objectives"] = ["", "   "]
            modules += [dict(modules[0], title=f"LLM: extra {k}") for k in range(5)]
        weeks.append({"week": n, "theme": f"Week on {topic}", "modules": modules})
    return {"weeks": weeks}


def _llm_plan(goal: dict[str, Any], hours_factor: float = 1.0) -> dict[str, Any]:
    weeks = int(goal["weeks"])
    hours = float(goal["hours_per_week"]) * hours_factor
    topics = goal.get("topics") or ["basics"]
    start = {"beginner": 1, "intermediate": 2, "advanced": 3}[goal["skill_level"]]
    plan_weeks = []
    for n in range(1, weeks + 1):
        topic = topics[(n - 1) % len(topics)]
        modules = [
            {
                "id": f"w{n}m{i}",
                "title": f"LLM: {topic} part {i}",
                "description": f"Learn what {topic} is for and practise it on a small example.",
                "hours": round(hours / 2, 2),
                "difficulty": min(5, start + (n - 1) // 3),
                "objectives": _objectives(topic, n, i),
                "topics": [topic],
                "resources": [
                    {
                        "kind": "docs",
                        "title": f"{topic} docs",
                        "url": "https://duckduckgo.com/?q=" + topic.replace(" ", "+"),
                    },
                    {
                        "kind": "practice",
                        "title": f"{topic} exercises",
                        "url": "https://github.com/search?q=" + topic.replace(" ", "+"),
                    },
                ],
            }
            for i in (1, 2)
        ]
        plan_weeks.append(
            {
                "number": n,
                "theme": f"Week on {topic}",
                "modules": modules,
                # Each answer sits at its prompt's minimum: here 2 questions of 2 options
                # (2-3 of 2-4 asked); outlines give 2 objectives and 1 resource a module.
                "quiz": {
                    "questions": [
                        {
                            "question": f"Which topic did week {n} cover?",
                            "options": [topic, "Something else"],
                            "correct_index": 0,
                        },
                        {
                            "question": f"What should you be able to do with {topic}?",
                            "options": ["Apply it in an exercise", "Nothing"],
                            "correct_index": 0,
                        },
                    ]
                },
            }
        )
    milestones = [
        {
            "week": w,
            "title": f"Checkpoint {w}",
            "module_ids": [f"w{x}m{i}" for x in range(max(1, w - 2), w + 1) for i in (1, 2)],
        }
        for w in range(3, weeks + 1, 3)
    ]
    if not milestones or milestones[-1]["week"] != weeks:
        milestones.append({"week": weeks, "title": "Finish line", "module_ids": []})
    return {
        "title": f"LLM plan: {goal['goal']}",
        "goal": goal["goal"],
        "skill_level": goal["skill_level"],
        "hours_per_week": goal["hours_per_week"],
        "weeks": plan_weeks,
        "milestones": milestones,
        "topics": goal.get("topics") or [],
    }


class FakeOpenAI:
    def __init__(self) -> None:
        self.mode = "valid"
        self.slow_seconds = 5.0
        self.refine_ops: list[dict[str, Any]] = []
        self.answers: dict[str, dict[str, Any] | str] = {}
        self.faults: dict[str, str] = {}
        self.fail_from_chunk: int | None = None
        self.fail_kind = "error500"
        self.quiz_mode = "valid"
        self.completions: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def plan_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == "Plan"]

    def requests_for(self, schema: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == schema]

    def outline_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == "OutlineChunk"]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _completions(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        name = _schema_name(body)
        if name == "RefineRequest":
            return _answer(body, json.dumps({"ops": self.refine_ops}))
        if name == "OutlineChunk":
            return await self._outline(body)
        if name == "GeneratedQuiz":
            return self._quiz(body)
        if name in self.answers or name in self.faults:
            return await self._structured(body, str(name))
        if name not in (None, "Plan"):
            return web.json_response({"error": {"message": f"no answer for {name}"}}, status=500)
        if self.mode == "error500":
            return web.json_response({"error": {"message": "boom", "type": "server"}}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        goal = _goal_from(body)
        if self.mode == "not_json":
            return _answer(body, "Sure! Here is your plan: week 1 learn stuff, week 2 more stuff")
        if self.mode == "schema_break":
            return _answer(body, json.dumps({"title": 42, "weeks": "many", "modules": None}))
        factor = 3.0 if self.mode == "over_budget" else 1.0
        return self._content(body, json.dumps(_llm_plan(goal, factor)))

    def _content(self, body: dict[str, Any], content: str) -> web.Response:
        self.completions.append(content)
        return _answer(body, content)

    def _quiz(self, body: dict[str, Any]) -> web.Response:
        """Questions on the first module; ``quiz_mode = "long"`` adds ones that break
        Telegram's poll limits (and one valid question with an over-long explanation)."""
        if self.quiz_mode == "error500":
            return web.json_response({"error": {"message": "boom", "type": "server"}}, status=500)
        week = _goal_from(body)
        title = week["modules"][0]["title"]
        questions = [
            {
                "question": f"LLM quiz: what is the aim of “{title}”?",
                "options": ["To meet its objectives", "To skip it", "Nothing"],
                "correct_index": 0,
                "explanation": "Each module has objectives.",
            }
        ]
        if self.quiz_mode == "long":
            questions += [
                {"question": "Why? " * 80, "options": ["a", "b"], "correct_index": 0},
                {
                    "question": "LLM quiz: long option",
                    "options": ["x" * 150, "y"],
                    "correct_index": 1,
                },
                {"question": "LLM quiz: bad index", "options": ["a", "b"], "correct_index": 5},
                {
                    "question": "LLM quiz: long explanation",
                    "options": ["a", "b"],
                    "correct_index": 1,
                    "explanation": "Because " * 60,
                },
            ]
        return self._content(body, json.dumps({"questions": questions}))

    def quiz_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if _schema_name(r) == "GeneratedQuiz"]

    async def _outline(self, body: dict[str, Any]) -> web.Response:
        request = _goal_from(body)
        mode = self.mode
        if (
            self.fail_from_chunk is not None
            and len(self.outline_requests()) >= self.fail_from_chunk
        ):
            mode = self.fail_kind
        if mode == "error500":
            return web.json_response({"error": {"message": "boom", "type": "server"}}, status=500)
        if mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        if mode == "not_json":
            return _answer(body, "Week 1: learn things. Week 2: more things.")
        if mode == "schema_break":
            return _answer(body, json.dumps({"weeks": "four", "modules": None}))
        chunk = _outline_chunk(request, sloppy=mode == "sloppy")
        if mode == "wrong_weeks":
            chunk["weeks"] = chunk["weeks"][:1]
        return self._content(body, json.dumps(chunk))

    async def _structured(self, body: dict[str, Any], name: str) -> web.Response:
        fault = self.faults.get(name)
        if fault == "error500":
            return web.json_response({"error": {"message": "boom", "type": "server"}}, status=500)
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        if fault == "not_json":
            return _answer(body, "Sure! I think the user means something, probably.")
        if fault == "schema_break":
            return _answer(body, json.dumps({"intent": 7, "confidence": "very", "answer": None}))
        reply = self.answers.get(name, {})
        return _answer(body, reply if isinstance(reply, str) else json.dumps(reply))


def _schema_name(body: dict[str, Any]) -> str | None:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt.get("json_schema", {}).get("name")
    tools = body.get("tools") or []
    return tools[0]["function"]["name"] if tools else None


def _goal_from(body: dict[str, Any]) -> dict[str, Any]:
    user = next(m for m in reversed(body["messages"]) if m["role"] == "user")
    content = user["content"] if isinstance(user["content"], str) else user["content"][0]["text"]
    return json.loads(content.split("\n", 1)[1])


def _answer(body: dict[str, Any], content: str) -> web.Response:
    return web.json_response(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
    )
