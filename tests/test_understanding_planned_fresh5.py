"""Fifth fresh table, plan changes only (the weakest group on holdout2), written blind after
round 4 and committed before any change it prompted. Rows still misread are in `STILL_WRONG`
(strict xfail). The rows after it, one or more per class of holdout3/holdout4 plan-change and
small-talk failures, were added with the fixes, in wording other than the sets'.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.planned_table import cases, wrong
from tests.planned_table import progress as _p
from tests.planned_table import refine as _r

# (plan, message, expected meaning)
ROWS: list[tuple[str, str, dict[str, Any]]] = [
    ("rust6", "week 2 feels too packed", _r({"op": "lighter_week", "week": 2})),
    ("rust6", "could we stretch it to 9 weeks", _r({"op": "set_weeks", "weeks": 9})),
    ("rust6", "I only have 3h a week from now on", _r({"op": "set_hours", "hours": 3})),
    ("rust6", "get rid of the final project", _r({"op": "remove_topic", "topic": "final project"})),
    (
        "rust6",
        "can you put week 5 after week 6",
        _r({"op": "swap_weeks", "week": 5, "other_week": 6}),
    ),
    ("rust6", "lifetimes week is brutal, lighten it", _r({"op": "lighter_week", "week": 5})),
    (
        "rust6",
        "add testing and benchmarking",
        _r({"op": "add_topic", "topic": "testing"}, {"op": "add_topic", "topic": "benchmarking"}),
    ),
    ("spanish8", "I want the plan to be harder", _r({"op": "harder"})),
    ("spanish8", "swap the first two weeks", _r({"op": "swap_weeks", "week": 1, "other_week": 2})),
    ("spanish8", "remove the last week", _r({"op": "set_weeks", "weeks": 7})),
    ("spanish8", "week 8 could be heavier", _r({"op": "heavier_week", "week": 8})),
    ("data4", "make it 6 weeks long", _r({"op": "set_weeks", "weeks": 6})),
    ("data4", "skip the quiz in week 3", _r({"op": "drop_quiz", "week": 3})),
    ("data4", "i'd like more pandas", _r({"op": "more_on", "topic": "pandas"})),
    ("data4", "week 2 → lighter", _r({"op": "lighter_week", "week": 2})),
    ("aws10", "delete week 7 please", _r({"op": "drop_week", "week": 7})),
    ("aws10", "move the cloudwatch week up to week 2", _r({"op": "move_week", "week": 8, "to": 2})),
    ("aws10", "make the serverless week heavier", _r({"op": "heavier_week", "week": 7})),
    ("aws10", "cut 2 hours from my weekly time", _r({"op": "set_hours", "hours": 4})),
    ("guitar5", "add a week", _r({"op": "set_weeks", "weeks": 6})),
    ("guitar5", "put the barre chords week last", _r({"op": "move_week", "week": 4, "to": 5})),
    ("guitar5", "too much in wk 4", _r({"op": "lighter_week", "week": 4})),
    ("guitar5", "easier plan please", _r({"op": "easier"})),
    ("rust6", "change it back", {"intent": "undo", "ops": []}),
    ("aws10", "go back one version", {"intent": "undo", "ops": []}),
    # ---- holdout3/holdout4 classes, added with their fixes in new wording (never the sets')
    ("rust6", "ditch the quiz", _r({"op": "drop_quiz", "week": 3})),
    ("data4", "i don't want the quiz", _r({"op": "drop_quiz", "week": 3})),
    ("rust6", "no more quizzes", _r({"op": "drop_quiz", "week": None})),
    ("spanish8", "elimina el examen de la semana 4", _r({"op": "drop_quiz", "week": 4})),
    ("rust6", "supprime le quiz de la semaine 3", _r({"op": "drop_quiz", "week": 3})),
    ("rust6", "start over with a new plan", {"intent": "redo"}),
    ("data4", "regenerate the whole plan from scratch", {"intent": "redo"}),
    ("guitar5", "give me a completely different plan", {"intent": "redo"}),
    ("rust6", "what is a new plan?", {"intent": "question"}),
    ("guitar5", "could you make it a bit shorter", {"intent": "refine", "ambiguous": ["weeks"]}),
    ("aws10", "i need less study time", {"intent": "refine", "ambiguous": ["hours_per_week"]}),
    ("rust6", "make week 2 shorter", _r({"op": "lighter_week", "week": 2})),
    ("data4", "make it 6 weeks, i mean 7", _r({"op": "set_weeks", "weeks": 7})),
    (
        "guitar5",
        "add a section on scales - i meant arpeggios",
        _r({"op": "add_topic", "topic": "arpeggios"}),
    ),
    ("rust6", "make week 4 heavier no wait week 5", _r({"op": "heavier_week", "week": 5})),
    ("rust6", "make week 2 lighter, i mean it's a lot", _r({"op": "lighter_week", "week": 2})),
    ("spanish8", "quiero 5 horas por semana", _r({"op": "set_hours", "hours": 5})),
    ("rust6", "nur 3 Stunden pro Woche", _r({"op": "set_hours", "hours": 3})),
    ("rust6", "8 semaines au lieu de 6", _r({"op": "set_weeks", "weeks": 8})),
    (
        "spanish8",
        "añade un módulo sobre el subjuntivo",
        _r({"op": "add_topic", "topic": "subjuntivo"}),
    ),
    ("spanish8", "la semana 3 es demasiado", _r({"op": "lighter_week", "week": 3})),
    ("rust6", "zurück zur vorherigen Version", {"intent": "undo"}),
    ("aws10", "week 9: heavier", _r({"op": "heavier_week", "week": 9})),
    ("rust6", "can we start from scratch", {"intent": "redo"}),
    ("rust6", "add a guitar solo section", _r({"op": "add_topic", "topic": "guitar solo"})),
    ("rust6", "deshaz el último cambio", {"intent": "undo"}),
    ("data4", "bitte rückgängig machen", {"intent": "undo"}),
    ("guitar5", "annule le dernier changement", {"intent": "undo"}),
    ("rust6", "revert to the old version of the plan", {"intent": "undo"}),
    ("guitar5", "longer: 8 weeks", _r({"op": "set_weeks", "weeks": 8})),
    ("rust6", "make it 4 weeks in total", _r({"op": "set_weeks", "weeks": 4})),
    ("rust6", "7 hrs per week would be ok for me", _r({"op": "set_hours", "hours": 7})),
    ("guitar5", "3 hours weekly sounds good", _r({"op": "set_hours", "hours": 3})),
    ("aws10", "+2h per week", _r({"op": "set_hours", "hours": 8})),
    ("rust6", "-1 hour a week", _r({"op": "set_hours", "hours": 4})),
    ("aws10", "cut down to 3 hours a week", _r({"op": "set_hours", "hours": 3})),
    ("guitar5", "pack more into week 3, it's too light", _r({"op": "heavier_week", "week": 3})),
    ("rust6", "make week 4 lighter, it's too hard", _r({"op": "lighter_week", "week": 4})),
    ("aws10", "week 6 is terrifying, lighter", _r({"op": "lighter_week", "week": 6})),
    ("rust6", "week 2 hmm. heavier please", _r({"op": "heavier_week", "week": 2})),
    ("data4", "include something about regex", _r({"op": "add_topic", "topic": "regex"})),
    ("rust6", "remove the async thing", _r({"op": "remove_topic", "topic": "async"})),
    ("data4", "tougher problems please", _r({"op": "harder"})),
    ("spanish8", "more difficult questions, i'm not a beginner", _r({"op": "harder"})),
    ("rust6", "more on traits, great stuff", _r({"op": "more_on", "topic": "traits"})),
    ("rust6", "hehehe okk", {"intent": "smalltalk"}),
    ("aws10", "lolol cool", {"intent": "smalltalk"}),
    # chat acknowledgements and laughter in other spellings and languages
    ("rust6", "hmm okay", {"intent": "smalltalk"}),
    ("guitar5", "yep nice", {"intent": "smalltalk"}),
    ("spanish8", "jajajaja", {"intent": "smalltalk"}),
    ("data4", "lolz ok", {"intent": "smalltalk"}),
    ("rust6", "okey dokey", {"intent": "smalltalk"}),
    ("aws10", "aight thx", {"intent": "smalltalk"}),
    ("rust6", "mdr", {"intent": "smalltalk"}),
    ("guitar5", "jeje ok", {"intent": "smalltalk"}),
    ("rust6", "hmm", {"intent": "smalltalk"}),
    # holdout5 plan-change classes, other wording: "shave/knock N weeks off", "move week N
    # up so it becomes week M", hyphenated "week-3", "up it to", "take X out", a topic after
    # "a topic:", doubled hours and difficulty in other languages
    ("rust6", "knock two weeks off the plan", _r({"op": "set_weeks", "weeks": 4})),
    ("rust6", "shave one week off", _r({"op": "set_weeks", "weeks": 5})),
    (
        "spanish8",
        "move week 4 up so that it becomes week 3",
        _r({"op": "move_week", "week": 4, "to": 3}),
    ),
    ("data4", "no week-3 quiz please", _r({"op": "drop_quiz", "week": 3})),
    ("guitar5", "up it to 6 hours a week", _r({"op": "set_hours", "hours": 6})),
    ("spanish8", "adicione um tópico: ditados", _r({"op": "add_topic", "topic": "ditados"})),
    ("rust6", "add a new topic: macros", _r({"op": "add_topic", "topic": "macros"})),
    (
        "guitar5",
        "take fingerpicking out, I don't need it",
        _r({"op": "remove_topic", "topic": "fingerpicking"}),
    ),
    ("rust6", "raddoppia le ore", _r({"op": "set_hours", "hours": 10})),
    ("guitar5", "un poco más fácil, por favor", _r({"op": "easier"})),
    ("spanish8", "a little harder, please", _r({"op": "harder"})),
    # small talk: signing off till tomorrow, a sigh about the weekday, Polish thanks
    ("rust6", "good night, talk to you tomorrow", {"intent": "smalltalk"}),
    ("guitar5", "ugh, mondays", {"intent": "smalltalk"}),
    ("aws10", "super plan, dzięki!", {"intent": "smalltalk"}),
    # new-writer classes probed after holdout5: a report that goes on to a question is the
    # report; "haven't touched X" is not done; "week one" is week 1; polite gerund requests
    # ("would you mind lightening week N"); a wish with "if" names no topic; confusion is a
    # question; praise of the plan is small talk
    ("rust6", "finished structs and enums, what's next?", _p("done", "w3m1")),
    ("aws10", "DynamoDB done! btw how long is week 6?", _p("done", "w5m2")),
    ("rust6", "how long is week 4? i finished traits", {"intent": "question"}),
    ("rust6", "pattern matching, what is it about?", {"intent": "question"}),
    ("data4", "haven't touched the SQL module yet", _p("not_done", "w3m2")),
    ("guitar5", "didn't have time for fingerpicking", _p("not_done", "w4m2")),
    ("spanish8", "second module of week three done", _p("done", "w3m2")),
    ("rust6", "week two module one finished", _p("done", "w2m1")),
    ("rust6", "would you mind easing week 2 a little?", _r({"op": "lighter_week", "week": 2})),
    ("aws10", "reducing week 3 would really help", _r({"op": "lighter_week", "week": 3})),
    ("rust6", "i'd love if week 4 were lighter", _r({"op": "lighter_week", "week": 4})),
    ("rust6", "i don't understand how lifetimes work", {"intent": "question"}),
    ("data4", "I'm confused about groupby", {"intent": "question"}),
    ("rust6", "nice plan!", {"intent": "smalltalk"}),
    ("guitar5", "looks great, thanks", {"intent": "smalltalk"}),
    # a share after a colon is partial; "couldn't practise X" is not done ("practise" is no
    # typo of "practised"); roman part numbers; "made it through X" is done
    ("spanish8", "ser vs estar: 40%", _p("partial", "w3m1")),
    ("spanish8", "couldn't practise ordering food", _p("not_done", "w2m2")),
    ("guitar5", "didn't study fingerpicking this week", _p("not_done", "w4m2")),
    ("guitar5", "strumming patterns II ✅", _p("done", "w3m2")),
    ("data4", "made it through the numpy lesson", _p("done", "w1m3")),
    # a week said to be a bit light asks for more; excitement and "looks tough" are chat
    ("guitar5", "week 2 seems a bit light", _r({"op": "heavier_week", "week": 2})),
    ("rust6", "can't wait!", {"intent": "smalltalk"}),
    ("aws10", "wow, looks hard", {"intent": "smalltalk"}),
]

# Rows the rules still misread (index into ROWS); see the module docstring.
STILL_WRONG: set[int] = set()


@pytest.mark.parametrize(("index", "plan", "text", "expect"), cases(ROWS, STILL_WRONG))
def test_fresh5_planned_message(index: int, plan: str, text: str, expect: dict[str, Any]) -> None:
    assert wrong(plan, text, expect) == [], (index, text)
