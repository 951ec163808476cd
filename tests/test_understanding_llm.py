"""The LLM understander against the fake OpenAI-compatible server over HTTP: a valid answer
is used for every intent; every fault (schema break, invalid JSON, unknown module, hours or
weeks out of range, a timeout, HTTP 500) ends in the rules' answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from agent.llm import make_chat_model
from agent.understanding import rules
from agent.understanding.answers import Answerer
from agent.understanding.llm import LLMUnderstander
from agent.understanding.meaning import ModuleView, PlanView, UnderstandingContext, WeekView
from storage.models import Goal
from tests.fakes.openai_api import FakeOpenAI

TODAY = date(2026, 12, 1)
PLAN = PlanView(
    hours_per_week=5,
    title="Python",
    weeks=[
        WeekView(
            week=1,
            hours=5,
            modules=[
                ModuleView(id="w1m1", title="Python basics", hours=2.5),
                ModuleView(id="w1m2", title="Loops", hours=2.5),
            ],
        ),
        WeekView(week=2, hours=5, modules=[ModuleView(id="w2m1", title="Functions", hours=5)]),
        WeekView(week=3, hours=5, modules=[ModuleView(id="w3m1", title="Testing", hours=5)]),
    ],
)
PLANNED = UnderstandingContext(phase="planned", plan=PLAN, today=TODAY)
FIRST = UnderstandingContext(phase="intake", today=TODAY)
TOPICS = UnderstandingContext(
    phase="intake", asking="topics", goal=Goal(goal="Rust", weeks=6), today=TODAY
)


def _answer(intent: str, **extra: Any) -> dict[str, Any]:
    return {"intent": intent, "confidence": 0.9, **extra}


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    yield fake
    await fake.stop()


def _understander(fake: FakeOpenAI, timeout: float = 10) -> LLMUnderstander:
    chat = make_chat_model(model="fake", base_url=fake.base_url, api_key="x", timeout=timeout)
    return LLMUnderstander(chat, timeout=timeout)


VALID = [
    (
        "I'd like to get into rust, six weeks, five hours a week",
        FIRST,
        _answer("intake", fields={"goal": "Rust", "weeks": 6, "hours_per_week": 5}),
        {"goal": "Rust", "weeks": 6, "hours_per_week": 5},
    ),
    ("eh whatever", TOPICS, _answer("nonanswer", nonanswer="anything"), {}),
    ("knocked out the loops one", PLANNED, _answer("done", module="w1m2"), {"module": "w1m2"}),
    ("loops wasn't really finished", PLANNED, _answer("not_done", module="w1m2"), {}),
    ("got halfway through functions", PLANNED, _answer("partial", module="w2m1"), {}),
    ("put in forty mins", PLANNED, _answer("log", minutes=40), {"minutes": 40}),
    (
        "week two feels like a lot",
        PLANNED,
        _answer("refine", ops=[{"op": "lighter_week", "week": 2}]),
        {"ops": [{"op": "lighter_week", "week": 2}]},
    ),
    ("scrap that last edit", PLANNED, _answer("undo"), {}),
    ("actually bring it back", PLANNED, _answer("redo"), {}),
    ("what comes after loops", PLANNED, _answer("question"), {}),
    ("you're a star", PLANNED, _answer("smalltalk"), {}),
    ("purple monkey dishwasher", PLANNED, _answer("unknown"), {}),
]


@pytest.mark.parametrize(
    ("text", "ctx", "answer", "expected"), VALID, ids=[v[2]["intent"] for v in VALID]
)
async def test_a_valid_answer_is_used_for_every_intent(
    llm: FakeOpenAI,
    text: str,
    ctx: UnderstandingContext,
    answer: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    llm.answers["Understanding"] = answer
    meaning = await _understander(llm).understand(text, ctx)
    assert meaning.source == "llm" and meaning.intent == answer["intent"]
    output = meaning.to_output()
    for key, value in expected.items():
        if key in output["fields"]:
            assert output["fields"][key] == value
        else:
            assert output[key] == value
    request = llm.requests_for("Understanding")[-1]
    prompt = request["messages"][0]["content"]
    if ctx.plan is not None:
        assert "w1m2 Loops" in prompt
    assert request["messages"][-1]["content"] == text


BROKEN = [
    ("done w1m2", PLANNED, _answer("done", module="w9m9")),
    ("done w1m2", PLANNED, _answer("done", module="ambiguous", candidates=["x1", "x2"])),
    ("done w1m2, took 30 min", PLANNED, _answer("log", minutes=100000)),
    ("make it 8 weeks", PLANNED, _answer("refine", ops=[{"op": "set_hours", "hours": 500}])),
    ("make week 2 lighter", PLANNED, _answer("refine", ops=[{"op": "lighter_week", "week": 7}])),
    ("make week 2 lighter", PLANNED, _answer("refine", ops=[{"op": "fly_to_mars"}])),
    ("make week 2 lighter", PLANNED, _answer("refine")),
    ("Learn Rust, 5h/week", FIRST, _answer("intake", fields={"hours_per_week": 400})),
    ("Learn Rust, 6 weeks", FIRST, _answer("intake", fields={"weeks": 0})),
    ("Learn Rust, Berlin", FIRST, _answer("intake", fields={"timezone": "Mars/Olympus"})),
    ("Learn Rust", FIRST, _answer("intake", fields={"topics": ["x" * 300]})),
    ("Learn Rust", FIRST, {"intent": "intake", "fields": {"goal": "Rust"}, "confidence": 7}),
    ("Learn Rust", FIRST, "definitely Rust!"),
]


@pytest.mark.parametrize(("text", "ctx", "answer"), BROKEN)
async def test_an_answer_that_fails_the_checks_falls_back_to_the_rules(
    llm: FakeOpenAI, text: str, ctx: UnderstandingContext, answer: dict[str, Any] | str
) -> None:
    llm.answers["Understanding"] = answer
    meaning = await _understander(llm).understand(text, ctx)
    assert meaning == rules.understand(text, ctx)
    assert meaning.source == "rules"


async def test_what_a_small_model_adds_beyond_the_answer_is_dropped_not_fatal(
    llm: FakeOpenAI,
) -> None:
    """Seen with a 1.5B model: "yes!!" to the topics question came back with every field
    filled, a deadline of today among them. Fields that were not asked for and that the
    rules do not read in the message are dropped and the answer kept; a non-intake answer
    carries no goal fields at all."""
    junk = {"topics": ["async", "traits"], "deadline": TODAY.isoformat(), "weeks": 0}
    junk |= {"skill_level": "beginner", "hours_per_week": 4}
    llm.answers["Understanding"] = _answer("intake", fields=junk)
    meaning = await _understander(llm).understand("async and traits", TOPICS)
    assert meaning.source == "llm"
    assert meaning.to_output()["fields"]["topics"] == ["async", "traits"]
    assert not {"deadline", "weeks", "skill_level", "hours_per_week"} & set(meaning.fields)
    llm.answers["Understanding"] = _answer("intake", fields={"topics": ["async"], "weeks": 8})
    meaning = await _understander(llm).understand("async, and make it 8 weeks", TOPICS)
    assert meaning.source == "llm" and meaning.fields["weeks"] == 8, "the rules read it too"
    llm.answers["Understanding"] = _answer("smalltalk", fields={"goal": "nothing"})
    meaning = await _understander(llm).understand("hii there", FIRST)
    assert meaning.source == "llm" and meaning.intent == "smalltalk" and not meaning.fields
    llm.answers["Understanding"] = _answer("intake", fields={"topics": ["x" * 300]})
    meaning = await _understander(llm).understand("async and traits", TOPICS)
    assert meaning.source == "rules", "the asked field is checked as ever"


@pytest.mark.parametrize("fault", ["schema_break", "not_json", "error500"])
async def test_a_broken_reply_falls_back_to_the_rules(llm: FakeOpenAI, fault: str) -> None:
    llm.faults["Understanding"] = fault
    meaning = await _understander(llm).understand("done w1m2, took 45 min", PLANNED)
    assert meaning.source == "rules"
    assert (meaning.intent, meaning.module, meaning.minutes) == ("done", "w1m2", 45)


async def test_a_slow_llm_times_out_into_the_rules(llm: FakeOpenAI) -> None:
    llm.faults["Understanding"] = "slow"
    llm.slow_seconds = 2
    meaning = await _understander(llm, timeout=0.3).understand("make it 8 weeks", PLANNED)
    assert meaning.source == "rules" and meaning.intent == "refine"
    assert meaning.to_output()["ops"] == [{"op": "set_weeks", "weeks": 8}]


async def test_locations_and_commands_never_reach_the_llm(llm: FakeOpenAI) -> None:
    understander = _understander(llm)
    await understander.understand("/done w1m2", PLANNED)
    await understander.understand("__location__ 52.52 13.40", FIRST)
    assert llm.requests_for("Understanding") == []


async def test_deadline_arithmetic_is_done_in_code(llm: FakeOpenAI) -> None:
    llm.answers["Understanding"] = _answer(
        "intake", fields={"goal": "Spanish", "deadline": "2027-01-12"}
    )
    meaning = await _understander(llm).understand("Spanish by mid January", FIRST)
    assert (
        meaning.fields["weeks"] == 6 and meaning.to_output()["fields"]["deadline"] == "2027-01-12"
    )


async def test_a_question_is_answered_from_the_plan(llm: FakeOpenAI) -> None:
    chat = make_chat_model(model="fake", base_url=llm.base_url, api_key="x", timeout=10)
    llm.answers["Answer"] = {"answer": "Next up is “Loops” (w1m2), 2.5 h."}
    answer = await Answerer(chat).answer("what's next?", PLAN, "Next sessions:\nTue 19:00 Loops")
    assert answer == "Next up is “Loops” (w1m2), 2.5 h."
    prompt = llm.requests_for("Answer")[-1]["messages"][0]["content"]
    assert "w1m2 Loops (2.5 h)" in prompt and "Tue 19:00 Loops" in prompt


@pytest.mark.parametrize("reply", [{"answer": "   "}, {"answer": "x" * 1501}, "no json"])
async def test_an_unusable_answer_points_at_the_command(
    llm: FakeOpenAI, reply: dict[str, Any] | str
) -> None:
    chat = make_chat_model(model="fake", base_url=llm.base_url, api_key="x", timeout=10)
    llm.answers["Answer"] = reply
    answer = await Answerer(chat).answer("when is my next session?", PLAN, None)
    assert "/today" in answer


async def test_without_an_llm_a_question_gets_the_matching_command() -> None:
    answerer = Answerer()
    assert "/today" in await answerer.answer("when's my next session", PLAN, None)
    assert "/progress" in await answerer.answer("how far am I?", PLAN, None)
    assert "/plan" in await answerer.answer("why is week 3 so heavy?", PLAN, None)
    assert "/newplan" in await answerer.answer("what's next?", None, None)


PENDING = UnderstandingContext(phase="planned", asking="weeks", plan=PLAN, today=TODAY)


async def test_a_reply_to_the_pending_question_never_reaches_the_llm(llm: FakeOpenAI) -> None:
    """ "9" or "never mind" right after "How many weeks should it have?" is read by the
    rules, the same way with or without an LLM."""
    understander = _understander(llm)
    meaning = await understander.understand("9", PENDING)
    assert meaning.to_output()["ops"] == [{"op": "set_weeks", "weeks": 9}]
    meaning = await understander.understand("never mind", PENDING)
    assert (meaning.intent, meaning.nonanswer) == ("nonanswer", "no")
    assert llm.requests_for("Understanding") == []


async def test_a_length_read_as_intake_once_a_plan_exists_is_a_plan_change(
    llm: FakeOpenAI,
) -> None:
    llm.answers["Understanding"] = _answer("intake", fields={"weeks": 9})
    meaning = await _understander(llm).understand("nine-ish, i reckon", PENDING)
    assert meaning.source == "llm" and meaning.intent == "refine" and not meaning.fields
    assert meaning.to_output()["ops"] == [{"op": "set_weeks", "weeks": 9}]
    prompt = llm.requests_for("Understanding")[-1]["messages"][0]["content"]
    assert "just asked for: weeks" in prompt
