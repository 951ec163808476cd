"""Fresh planned-phase messages (progress, plan changes, questions) written before the rules
were tuned to generalise, scored like `./dev bench understanding` through the rules
understander's public entry point, against the fixture plans of the bench.

The table guards against overfitting the bench sets: different people, domains, typos and
non-native phrasing. Rows still misread are listed in `STILL_WRONG` (strict xfail), so a
fix shows up as an unexpected pass that must be recorded here.

History: the first 79 rows were committed before any change (61 passed); the second batch of
70 was written blind after the first round of fixes (64 passed before the second round); the
last 35 are probes written after round two that were misread then.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from agent.understanding.meaning import PlanView, UnderstandingContext
from agent.understanding.rules import understand
from bench.understanding_score import score_item

PLANS: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "bench" / "understanding" / "plans.json").read_text()
)
TODAY = date(2027, 3, 2)


def _p(intent: str, module: str | None = None, minutes: int | None = None) -> dict[str, Any]:
    return {"intent": intent, "module": module, "minutes": minutes}


def _r(*ops: dict[str, Any]) -> dict[str, Any]:
    return {"intent": "refine", "ops": list(ops)}


def _q(intent: str = "question") -> dict[str, Any]:
    return {"intent": intent}


# (plan, message, expected meaning)
ROWS: list[tuple[str, str, dict[str, Any]]] = [
    # ---- progress
    ("rust6", "finshed lifetimes", _p("done", "w5m1")),
    ("rust6", "traits n generics done, took about 50 mins", _p("done", "w4m2", 50)),
    ("rust6", "week 3's second one is done", _p("done", "w3m2")),
    ("rust6", "the tokio module took me 2 hours but done", _p("done", "w6m1", 120)),
    ("rust6", "45min on borrowing part 2", _p("log", "w2m2", 45)),
    ("rust6", "oops I ticked pattern matching by accident", _p("not_done", "w3m2")),
    ("rust6", "still working on structs, did 30 minutes", _p("partial", "w3m1", 30)),
    ("rust6", "completed module 1 of week 4", _p("done", "w4m1")),
    ("rust6", "done!", _p("done")),
    ("spanish8", "hice greetings and introductions, listo", _p("done", "w1m1")),
    ("spanish8", "the preterite second part is done", _p("done", "w4m2")),
    ("spanish8", "i finish the quiz of week 4", _p("done", "w4m3")),
    ("spanish8", "an hour of listening practice today", _p("log", "w5m2", 60)),
    ("spanish8", "subjunctive is half done", _p("partial", "w7m1")),
    ("spanish8", "please undo my last done, I did not finish debates", _p("not_done", "w7m2")),
    ("data4", "done with jupyter", _p("done", "w1m2")),
    ("data4", "numpy arrays - 1h20, finished", _p("done", "w1m3", 80)),
    ("data4", "did about 40 minutes of grouping & aggregation", _p("log", "w2m3", 40)),
    ("data4", "cleaning data is about 70% done", _p("partial", "w2m2")),
    ("data4", "the last module of week 2 is finished", _p("done", "w2m3")),
    ("aws10", "EC2 fundamentals complete", _p("done", "w2m1")),
    ("aws10", "vpc basics completed in 35 minutes", _p("done", "w4m1", 35)),
    ("aws10", "spent 1.5 hrs on cloudwatch monitoring", _p("log", "w8m1", 90)),
    ("aws10", "well architected framwork done", _p("done", "w9m1")),
    ("aws10", "route53 ✅", _p("done", "w6m2")),
    ("aws10", "unmark the dynamodb one, not finished yet", _p("not_done", "w5m2")),
    ("aws10", "logged 25m", _p("log", None, 25)),
    ("guitar5", "finally nailed barre chords!!", _p("done", "w4m1")),
    ("guitar5", "20 mins fingerpicking", _p("log", "w4m2", 20)),
    ("guitar5", "strumming patterns pt 2 done", _p("done", "w3m2")),
    ("guitar5", "recorded myself, 15 min, done", _p("done", "w5m2", 15)),
    ("guitar5", "didnt finish chord changes, only 10 min", _p("partial", "w3m1", 10)),
    # ---- plan changes
    ("rust6", "can you add one more week please", _r({"op": "set_weeks", "weeks": 7})),
    ("rust6", "make the plan 2 weeks shorter", _r({"op": "set_weeks", "weeks": 4})),
    ("rust6", "week 5 is too heavy for me", _r({"op": "lighter_week", "week": 5})),
    ("rust6", "i would like to drop the quiz", _r({"op": "drop_quiz", "week": None})),
    ("rust6", "switch week 4 with week 5", _r({"op": "swap_weeks", "week": 4, "other_week": 5})),
    ("rust6", "make week 1 a bit more intense", _r({"op": "heavier_week", "week": 1})),
    ("rust6", "take out closures", _r({"op": "remove_topic", "topic": "closures"})),
    ("spanish8", "I only have 2 hours per week now", _r({"op": "set_hours", "hours": 2})),
    (
        "spanish8",
        "could we add a module about food vocabulary",
        _r({"op": "add_topic", "topic": "food vocabulary"}),
    ),
    (
        "spanish8",
        "get rid of telling stories",
        _r({"op": "remove_topic", "topic": "telling stories"}),
    ),
    ("spanish8", "extend the plan to 12 weeks", _r({"op": "set_weeks", "weeks": 12})),
    ("spanish8", "week 7 should be easier", _r({"op": "lighter_week", "week": 7})),
    ("spanish8", "more about the imperfect", _r({"op": "more_on", "topic": "imperfect"})),
    ("spanish8", "halve the hours", _r({"op": "set_hours", "hours": 1.5})),
    ("data4", "lets do 10 hours a week", _r({"op": "set_hours", "hours": 10})),
    ("data4", "make week 4 the first week", _r({"op": "move_week", "week": 4, "to": 1})),
    ("data4", "add scikit-learn basics", _r({"op": "add_topic", "topic": "scikit-learn basics"})),
    ("data4", "I'd rather not have quizzes", _r({"op": "drop_quiz", "week": None})),
    ("data4", "one week less please", _r({"op": "set_weeks", "weeks": 3})),
    ("aws10", "i want more hands on labs", _r({"op": "more_practice"})),
    (
        "aws10",
        "could you swap the third and fourth weeks",
        _r({"op": "swap_weeks", "week": 3, "other_week": 4}),
    ),
    ("aws10", "I need less hours, maybe 4 a week", _r({"op": "set_hours", "hours": 4})),
    ("aws10", "drop the last two weeks", _r({"op": "set_weeks", "weeks": 8})),
    ("aws10", "it'd be nice to have more on IAM", _r({"op": "more_on", "topic": "IAM"})),
    ("aws10", "undo pls", {"intent": "undo", "ops": []}),
    ("guitar5", "put week 4 before week 2", _r({"op": "move_week", "week": 4, "to": 2})),
    (
        "guitar5",
        "less theory, more playing pls",
        _r({"op": "less_reading"}, {"op": "more_practice"}),
    ),
    ("guitar5", "could you add blues scales", _r({"op": "add_topic", "topic": "blues scales"})),
    ("guitar5", "go back to previous version", {"intent": "undo", "ops": []}),
    ("guitar5", "i changed my mind, redo", {"intent": "redo", "ops": []}),
    # ---- questions, small talk, not understood
    ("rust6", "what am I doing tomorrow", _q()),
    ("rust6", "how much time is left in this plan", _q()),
    ("spanish8", "whats the plan for week 3", _q()),
    ("data4", "is the capstone hard?", _q()),
    ("aws10", "wich module should i do now", _q()),
    ("aws10", "do i need to finish week 1 before week 2?", _q()),
    ("aws10", "remind me what's in week 6", _q()),
    ("guitar5", "how long does each session last", _q()),
    ("data4", "could you tell me my progress", _q()),
    ("spanish8", "show my schedule please", _q()),
    ("guitar5", "merci beaucoup", _q("smalltalk")),
    ("guitar5", "great, thx a lot!", _q("smalltalk")),
    ("rust6", "good night", _q("smalltalk")),
    ("rust6", "heya 👋", _q("smalltalk")),
    ("rust6", "nice one, cheers", _q("smalltalk")),
    ("data4", "my cat walked on the keyboard", _q("unknown")),
    ("spanish8", "asdfgh", _q("unknown")),
    # ---- a second batch, written blind after the first round of fixes
    ("rust6", "w4m1 ✔️ 1 hour 10 min", _p("done", "w4m1", 70)),
    ("rust6", "Finished 'Structs and enums' in forty minutes", _p("done", "w3m1", 40)),
    ("rust6", "closures & iterators: 3/4 done", _p("partial", "w5m2")),
    ("rust6", "couldn't finish async today, did 25 min", _p("partial", "w6m1", 25)),
    ("rust6", "put in 2h on the CLI project", _p("log", "w6m2", 120)),
    ("rust6", "undo w5m1 please, wrong button", _p("not_done", "w5m1")),
    ("rust6", "the second module of week 6 is complete", _p("done", "w6m2")),
    ("rust6", "cargo basics done", _p("done", "w1m1")),
    ("spanish8", "ya terminé the podcasts one", _p("done", "w5m2")),
    ("spanish8", "I studied the imperfect for half an hour", _p("log", "w6m1", 30)),
    ("spanish8", "quiz weeks 1-4 done, 8/10 😀", _p("done", "w4m3")),
    ("spanish8", "travel and directions: not finished, 20 minutes in", _p("partial", "w5m1", 20)),
    ("spanish8", "mark opinions and debates as done", _p("done", "w7m2")),
    ("data4", "matplotlib viz complete ✅", _p("done", "w3m1")),
    ("data4", "SQL for analysts half done", _p("partial", "w3m2")),
    ("data4", "done: statistics basics (took 55m)", _p("done", "w4m1", 55)),
    ("data4", "1h on jupyter", _p("log", "w1m2", 60)),
    ("data4", "oops, I didn't mean to mark numpy arrays", _p("not_done", "w1m3")),
    ("data4", "module 3 of week 1 finished", _p("done", "w1m3")),
    ("aws10", "lambda and api gateway finished in 1h 40m", _p("done", "w7m1", 100)),
    ("aws10", "s3 lifecycle done", _p("done", "w3m2")),
    ("aws10", "did 50 minutes of iam", _p("log", "w1m2", 50)),
    ("aws10", "autoscaling done", _p("done", "w6m1")),
    ("aws10", "the VPC peering one wasn't actually finished", _p("not_done", "w4m2")),
    ("guitar5", "tuning the guitar ✅", _p("done", "w1m1")),
    ("guitar5", "finger picking done 🎸", _p("done", "w4m2")),
    ("guitar5", "practiced strumming patterns part 1 for 30 mins", _p("log", "w2m2", 30)),
    ("guitar5", "couldnt finish my first song, 15 min", _p("partial", "w5m1", 15)),
    ("rust6", "3 extra weeks please", _r({"op": "set_weeks", "weeks": 9})),
    ("rust6", "i think 4 hours per week is more realistic", _r({"op": "set_hours", "hours": 4})),
    ("rust6", "make week 3 less intense", _r({"op": "lighter_week", "week": 3})),
    ("rust6", "swap week one and week two", _r({"op": "swap_weeks", "week": 1, "other_week": 2})),
    (
        "rust6",
        "add a section on macros and unsafe rust",
        _r({"op": "add_topic", "topic": "macros"}, {"op": "add_topic", "topic": "unsafe rust"}),
    ),
    ("rust6", "less theory please", _r({"op": "less_reading"})),
    ("spanish8", "I'd love more on ordering food", _r({"op": "more_on", "topic": "ordering food"})),
    ("spanish8", "move week 8 to week 1", _r({"op": "move_week", "week": 8, "to": 1})),
    ("spanish8", "can the plan be 10 weeks instead", _r({"op": "set_weeks", "weeks": 10})),
    ("spanish8", "week 2 is way too easy", _r({"op": "heavier_week", "week": 2})),
    ("spanish8", "remove the quiz in week 4", _r({"op": "drop_quiz", "week": 4})),
    ("spanish8", "please cut podcasts", _r({"op": "remove_topic", "topic": "podcasts"})),
    ("data4", "i want it to be 6 weeks long", _r({"op": "set_weeks", "weeks": 6})),
    ("data4", "reduce to 5 hours weekly", _r({"op": "set_hours", "hours": 5})),
    ("data4", "more exercises, fewer docs", _r({"op": "more_practice"}, {"op": "less_reading"})),
    ("data4", "put week 3 at the beginning", _r({"op": "move_week", "week": 3, "to": 1})),
    ("aws10", "the plan is too easy for me", _r({"op": "harder"})),
    ("aws10", "I'd like to add ECS", _r({"op": "add_topic", "topic": "ECS"})),
    (
        "aws10",
        "get rid of the practice exams",
        _r({"op": "remove_topic", "topic": "practice exams"}),
    ),
    ("aws10", "give me two more hours a week", _r({"op": "set_hours", "hours": 8})),
    ("aws10", "can we make it shorter by 2 weeks?", _r({"op": "set_weeks", "weeks": 8})),
    ("guitar5", "swap the last two weeks", _r({"op": "swap_weeks", "week": 4, "other_week": 5})),
    ("guitar5", "add some jazz chords", _r({"op": "add_topic", "topic": "jazz chords"})),
    ("guitar5", "make the first week shorter", _r({"op": "lighter_week", "week": 1})),
    ("guitar5", "undo the last thing", {"intent": "undo", "ops": []}),
    ("guitar5", "go back one version", {"intent": "undo", "ops": []}),
    ("rust6", "whens my next lesson", _q()),
    ("rust6", "what's week 5 about", _q()),
    ("spanish8", "how many hours did I study", _q()),
    ("spanish8", "can i change the reminder time?", _q()),
    ("data4", "where can I find the capstone dataset", _q()),
    ("aws10", "how's my streak going", _q()),
    ("aws10", "is week 9 the last before the exam?", _q()),
    ("guitar5", "what should I practice tonight", _q()),
    ("data4", "explain pandas groupby to me", _q()),
    ("guitar5", "thank youuu", _q("smalltalk")),
    ("data4", "ok thanks, will do", _q("smalltalk")),
    ("rust6", "gm", _q("smalltalk")),
    ("aws10", "haha nice", _q("smalltalk")),
    ("spanish8", "hola! 😊", _q("smalltalk")),
    ("guitar5", "the weather is nice today", _q("unknown")),
    ("rust6", "purple monkey dishwasher", _q("unknown")),
    # ---- probes written after round two; misread then, fixed in rounds three to five
    ("rust6", "week 3s last one finished", _p("done", "w3m3")),
    ("rust6", "ownership part two done", _p("done", "w2m2")),
    ("rust6", "the 2nd ownership module is done", _p("done", "w2m2")),
    ("aws10", "done with the 2nd practice exam", _p("done", "w10m1")),
    ("rust6", "did 20 minutes, will continue tomorrow", _p("partial", None, 20)),
    ("spanish8", "i have finish the numbers module", _p("done", "w1m2")),
    ("rust6", "i'm through with structs and enums", _p("done", "w3m1")),
    ("rust6", "can you unmark pattern matching", _p("not_done", "w3m2")),
    ("rust6", "remove the check from w2m2", _p("not_done", "w2m2")),
    ("rust6", "an hour and a half of iterators", _p("log", "w5m2", 90)),
    ("data4", "matplotlib ✓", _p("done", "w3m1")),
    ("aws10", "cloudwatch 👍", _p("done", "w8m1")),
    ("guitar5", "Em and Am chords done!", _p("done", "w1m2")),
    ("rust6", "I want the plan to end a week earlier", _r({"op": "set_weeks", "weeks": 5})),
    ("rust6", "week 6 first, then the rest", _r({"op": "move_week", "week": 6, "to": 1})),
    (
        "rust6",
        "make week 2 and 3 lighter",
        _r({"op": "lighter_week", "week": 2}, {"op": "lighter_week", "week": 3}),
    ),
    ("spanish8", "more grammar pls", _r({"op": "more_on", "topic": "grammar"})),
    (
        "data4",
        "it'd be great to have seaborn in there",
        _r({"op": "add_topic", "topic": "seaborn"}),
    ),
    ("data4", "8h is too much, 6 per week", _r({"op": "set_hours", "hours": 6})),
    (
        "guitar5",
        "can we remove barre chords, my fingers hurt",
        _r({"op": "remove_topic", "topic": "barre chords"}),
    ),
    ("rust6", "plese make week 2 ligther", _r({"op": "lighter_week", "week": 2})),
    ("rust6", "week 3 is to heavy", _r({"op": "lighter_week", "week": 3})),
    ("rust6", "add week", _r({"op": "set_weeks", "weeks": 7})),
    ("rust6", "5 hours instead", _r({"op": "set_hours", "hours": 5})),
    ("rust6", "change week 2 with week 4", _r({"op": "swap_weeks", "week": 2, "other_week": 4})),
    ("rust6", "I want learn about macros too", _r({"op": "add_topic", "topic": "macros"})),
    ("aws10", "i need 14 weeks", _r({"op": "set_weeks", "weeks": 14})),
    ("rust6", "I preferred the old version", {"intent": "undo", "ops": []}),
    ("aws10", "is 6 hours a week enough for the exam?", _q()),
    ("rust6", "my schedule", _q()),
    ("spanish8", "next lesson when", _q()),
    ("guitar5", "hey can you help me", _q()),
    ("guitar5", "hi, how are you?", _q("smalltalk")),
    ("rust6", "thanks a bunch", _q("smalltalk")),
    ("rust6", "the bus was late today", _q("unknown")),
]

# Rows the rules still misread (index into ROWS); see the module docstring.
STILL_WRONG: set[int] = set()


def _wrong(plan: str, text: str, expect: dict[str, Any]) -> list[str]:
    ctx = UnderstandingContext(
        phase="planned", plan=PlanView.model_validate(PLANS[plan]), today=TODAY
    )
    output = understand(text, ctx).to_output()
    return [name for name, ok in score_item(expect, output).items() if not ok]


@pytest.mark.parametrize(
    ("index", "plan", "text", "expect"),
    [
        pytest.param(
            i,
            *row,
            id=row[1][:40],
            marks=[pytest.mark.xfail(strict=True, reason="still misread")]
            if i in STILL_WRONG
            else [],
        )
        for i, row in enumerate(ROWS)
    ],
)
def test_fresh_planned_message(index: int, plan: str, text: str, expect: dict[str, Any]) -> None:
    assert _wrong(plan, text, expect) == [], (index, text)
