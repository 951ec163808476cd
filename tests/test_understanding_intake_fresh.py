"""Fresh intake messages, written for issue 9 before the rules were tuned against them.

Each row is a first intake message or a one-question answer, with what a careful reader
takes from it. They go through the same path as `learnplan understand --rules` (the request
line, the rules understander, `Meaning.to_output`) and are scored by the bench's own rules,
so a row passes exactly when the bench would count it fully right.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.intake_table import WEEKDAYS, cases, fields, misread, output

RUST = {
    "goal": "Rust",
    "skill_level": "beginner",
    "hours_per_week": 6.0,
    "weeks": 6,
    "topics": ["ownership", "async"],
    "availability": [{"days": ["tue", "thu"]}],
    "timezone": "Europe/London",
}


def unsure() -> dict[str, Any]:
    return {"intent": "nonanswer", "fields": {}, "nonanswer": "unsure"}


# (id, asking, goal so far, text, expected meaning)
FIRST: list[tuple[str, str | None, dict[str, Any], str, dict[str, Any]]] = [
    (
        "f01",
        None,
        {},
        "Hi! I'd like to get into woodworking, complete newbie, maybe 3 hours a week",
        fields(goal="woodworking", skill_level="beginner", hours_per_week=3),
    ),
    (
        "f02",
        None,
        {},
        "Need to pass the AWS Solutions Architect exam by March 15. I'm intermediate, ~6h/week",
        fields(
            goal="pass the AWS Solutions Architect exam",
            deadline="2027-03-15",
            skill_level="intermediate",
            hours_per_week=6,
            alts=["AWS Solutions Architect exam", "AWS Solutions Architect"],
        ),
    ),
    (
        "f03",
        None,
        {},
        "teach me japanese pls, absolute beginner, 20 min a day",
        fields(goal="Japanese", skill_level="beginner", hours_per_week=2.3333),
    ),
    (
        "f04",
        None,
        {},
        "Data analysis: SQL, Tableau and Excel. 8 weeks, 5 hrs per week. Based in Lisbon",
        fields(
            goal="data analysis",
            topics=["SQL", "Tableau", "Excel"],
            weeks=8,
            hours_per_week=5,
            timezone="Europe/Lisbon",
        ),
    ),
    (
        "f05",
        None,
        {},
        "I'm a nurse in Manchester and want to learn Spanish, 2 hrs a week",
        fields(goal="Spanish", hours_per_week=2, timezone="Europe/London"),
    ),
    (
        "f06",
        None,
        {},
        "photography - mostly portraits and lighting. intermediate. weekends only",
        fields(
            goal="photography",
            topics=["portraits", "lighting"],
            skill_level="intermediate",
            availability=[{"days": ["sat", "sun"]}],
        ),
    ),
    (
        "f07",
        None,
        {},
        "wanna get better at chess, intermediate player, an hour every day",
        fields(goal="chess", skill_level="intermediate", hours_per_week=7),
    ),
    (
        "f08",
        None,
        {},
        "Can you make me a plan for Kotlin? Android dev is new to me. 4h weekly for 10 weeks",
        fields(goal="Kotlin", skill_level="beginner", hours_per_week=4, weeks=10),
    ),
    (
        "f09",
        None,
        {},
        "Learn German to B1, currently A2. 5 hours a week. I live in Hamburg",
        fields(
            goal="German",
            skill_level="beginner",
            hours_per_week=5,
            timezone="Europe/Berlin",
            alts=["German to B1"],
        ),
    ),
    (
        "f10",
        None,
        {},
        "statistics for my master's, I'm rusty, about 4 hours a week, deadline 30 april",
        fields(
            goal="statistics",
            skill_level="intermediate",
            hours_per_week=4,
            deadline="2027-04-30",
            alts=["statistics for my master's"],
        ),
    ),
    (
        "f11",
        None,
        {},
        "Bonjour! I would like learn English for my job, I am beginner, "
        "3 hours in a week, I live in Lyon",
        fields(
            goal="English",
            skill_level="beginner",
            hours_per_week=3,
            timezone="Europe/Paris",
            alts=["English for my job"],
        ),
    ),
    (
        "f12",
        None,
        {},
        "help me learn the violin 🎻 never touched one, 30 mins a day",
        fields(goal="violin", skill_level="beginner", hours_per_week=3.5),
    ),
    (
        "f13",
        None,
        {},
        "React + TypeScript, I'm a backend dev (advanced in Java) but new to frontend. 6 weeks",
        fields(
            goal="React + TypeScript",
            skill_level="beginner",
            weeks=6,
            alts=["React and TypeScript", "React"],
        ),
    ),
    (
        "f14",
        None,
        {},
        "ok so I want to learn how to bake sourdough bread",
        fields(
            goal="bake sourdough bread",
            alts=["sourdough bread", "sourdough", "baking sourdough bread"],
        ),
    ),
    (
        "f15",
        None,
        {},
        "Machine learning, esp. neural networks & NLP, advanced, 10h/wk, Bangalore",
        fields(
            goal="machine learning",
            topics=["neural networks", "NLP"],
            skill_level="advanced",
            hours_per_week=10,
            timezone="Asia/Kolkata",
        ),
    ),
    (
        "f16",
        None,
        {},
        "I want to study for the GRE, test is on April 3rd, 2 hrs each weekday",
        fields(
            goal="GRE",
            deadline="2027-04-03",
            hours_per_week=10,
            availability=[{"days": WEEKDAYS}],
            alts=["the GRE", "GRE test", "for the GRE"],
        ),
    ),
    ("f17", None, {}, "hello", {"intent": "smalltalk", "fields": {}}),
    ("f17b", None, {}, "ayo", {"intent": "smalltalk", "fields": {}}),
    ("f17c", None, {}, "hey whats up", {"intent": "smalltalk", "fields": {}}),
    ("f17d", None, {}, "hello? anyone there", {"intent": "smalltalk", "fields": {}}),
    ("f18", None, {}, "no idea what to learn honestly", unsure()),
    (
        "f19",
        None,
        {},
        "public speaking. I get super nervous. 1h a week, Tuesday evenings",
        fields(goal="public speaking", hours_per_week=1, availability=[{"days": ["tue"]}]),
    ),
    (
        "f20",
        None,
        {},
        "blender 3d modelling from zero, 5h/week, Toronto",
        fields(
            goal="blender 3d modelling",
            skill_level="beginner",
            hours_per_week=5,
            timezone="America/Toronto",
            alts=["Blender", "3d modelling"],
        ),
    ),
    (
        "f21",
        None,
        {},
        "Korean!! total beginner, 15 minutes every day, Seoul time",
        fields(goal="Korean", skill_level="beginner", hours_per_week=1.75, timezone="Asia/Seoul"),
    ),
    (
        "f22",
        None,
        {},
        "I'd love to master Excel — pivot tables, VLOOKUP, macros. "
        "I know the basics. 2 hours a week",
        fields(
            goal="Excel",
            topics=["pivot tables", "VLOOKUP", "macros"],
            skill_level="intermediate",
            hours_per_week=2,
        ),
    ),
    (
        "f23",
        None,
        {},
        "I'm an advanced Python dev looking to pick up Rust, 5 hrs a week",
        fields(goal="Rust", hours_per_week=5),
    ),
    (
        "f24",
        None,
        {},
        "Looking to learn Portuguese before my trip to Rio on March 20, beginner, 4 hours per week",
        fields(goal="Portuguese", deadline="2027-03-20", skill_level="beginner", hours_per_week=4),
    ),
    (
        "f25",
        None,
        {},
        "Guitar. Some experience. Sat & Sun mornings",
        fields(goal="guitar", skill_level="intermediate", availability=[{"days": ["sat", "sun"]}]),
    ),
    (
        "f26",
        None,
        {},
        "I need to learn Docker and Kubernetes for work over 4 weeks, I'm in Berlin, intermediate",
        fields(
            goal="Docker and Kubernetes",
            weeks=4,
            timezone="Europe/Berlin",
            skill_level="intermediate",
            alts=["Docker and Kubernetes for work"],
        ),
    ),
    (
        "f27",
        None,
        {},
        "Watercolour painting, beginner, 2 hours on Saturdays and 1 hour on Wednesdays",
        fields(
            goal="watercolour painting",
            skill_level="beginner",
            hours_per_week=3,
            availability=[{"days": ["wed", "sat"]}],
        ),
    ),
    (
        "f28",
        None,
        {},
        "Get me ready for the IELTS, need band 7, exam on 5 May, I'm B2",
        fields(
            goal="IELTS",
            deadline="2027-05-05",
            skill_level="intermediate",
            alts=["the IELTS", "IELTS exam", "ready for the IELTS"],
        ),
    ),
    (
        "f29",
        None,
        {},
        "sql for marketing analytics, complete beginner, 6h a week for 5 weeks, tz UTC-5",
        fields(
            goal="SQL for marketing analytics",
            skill_level="beginner",
            hours_per_week=6,
            weeks=5,
            timezone="America/Bogota",
            alts=["SQL"],
        ),
    ),
    (
        "f30",
        None,
        {},
        "I want to learn to draw. Anatomy and perspective especially. "
        "About 4 hours a week, mornings before work",
        fields(
            goal="draw",
            topics=["anatomy", "perspective"],
            hours_per_week=4,
            availability=[{"days": WEEKDAYS}],
            alts=["drawing"],
        ),
    ),
    (
        "f31",
        None,
        {},
        "Russian speaker here, want to improve my English writing, upper intermediate, 3h per week",
        fields(
            goal="English writing", skill_level="intermediate", hours_per_week=3, alts=["English"]
        ),
    ),
    (
        "f32",
        None,
        {},
        "hey, can u help me plan learning linear algebra? exam feb 20. 8 hrs a week",
        fields(goal="linear algebra", deadline="2027-02-20", hours_per_week=8),
    ),
]

PY = {"goal": "Python", "skill_level": "beginner"}
ANSWERS: list[tuple[str, str | None, dict[str, Any], str, dict[str, Any]]] = [
    ("a01", "goal", {}, "maybe web design?", fields(goal="web design")),
    ("a02", "goal", {}, "photography, I think", fields(goal="photography")),
    ("a03", "goal", {}, "I don't know yet, something creative maybe", unsure()),
    (
        "a04",
        "skill_level",
        {"goal": "piano"},
        "I took lessons as a kid, so kind of intermediate",
        fields(skill_level="intermediate"),
    ),
    ("a05", "skill_level", {"goal": "Python"}, "total newbie", fields(skill_level="beginner")),
    (
        "a06",
        "skill_level",
        {"goal": "Spanish"},
        "I'm around B1 I think",
        fields(skill_level="intermediate"),
    ),
    ("a07", "skill_level", {"goal": "drawing"}, "never done it", fields(skill_level="beginner")),
    (
        "a08",
        "skill_level",
        {"goal": "SQL"},
        "I've been using it for 5 years at work",
        fields(skill_level="advanced"),
    ),
    ("a09", "skill_level", {"goal": "French"}, "idk how to rate myself", unsure()),
    (
        "a10",
        "hours_per_week",
        PY,
        "an hour on weekdays and 3 hours on saturday",
        fields(hours_per_week=8, availability=[{"days": [*WEEKDAYS, "sat"]}]),
    ),
    ("a11", "hours_per_week", PY, "twenty minutes a day", fields(hours_per_week=2.3333)),
    ("a12", "hours_per_week", PY, "3 hours", fields(hours_per_week=3)),
    ("a13", "hours_per_week", PY, "a couple hours a week tops", fields(hours_per_week=2)),
    ("a14", "hours_per_week", PY, "45 mins every day", fields(hours_per_week=5.25)),
    ("a15", "hours_per_week", PY, "1 hr 3x a week", fields(hours_per_week=3)),
    ("a16", "hours_per_week", PY, "not much, maybe an hour", fields(hours_per_week=1)),
    (
        "a17",
        "hours_per_week",
        PY,
        "why do you ask?",
        {"intent": "nonanswer", "fields": {}, "nonanswer": "question"},
    ),
    ("a18", "weeks", PY, "about 5 weeks", fields(weeks=5)),
    ("a19", "weeks", PY, "by the end of March", fields(deadline="2027-03-31")),
    ("a20", "weeks", PY, "10", fields(weeks=10)),
    ("a21", "weeks", PY, "no rush", {"intent": "nonanswer", "fields": {}, "nonanswer": "anything"}),
    (
        "a22",
        "topics",
        {"goal": "Spanish"},
        "mostly speaking, also some grammar",
        fields(topics=["speaking", "grammar"]),
    ),
    (
        "a23",
        "topics",
        {"goal": "Rust"},
        "error handling & traits",
        fields(topics=["error handling", "traits"]),
    ),
    ("a24", "topics", {"goal": "guitar"}, "nah, you decide", fields(topics=[])),
    (
        "a25",
        "topics",
        PY,
        "I'd like to focus on web scraping and automation",
        fields(topics=["web scraping", "automation"]),
    ),
    (
        "a26",
        "topics",
        {"goal": "Python for data analysis"},
        "pandas mainly",
        fields(topics=["pandas"]),
    ),
    (
        "a27",
        "topics",
        {"goal": "guitar"},
        "strumming patterns, barre chords, and some music theory",
        fields(topics=["strumming patterns", "barre chords", "music theory"]),
    ),
    ("a28", "topics", PY, "no preference", fields(topics=[])),
    (
        "a29",
        "availability",
        PY,
        "weekday mornings before work",
        fields(availability=[{"days": WEEKDAYS}]),
    ),
    (
        "a30",
        "availability",
        PY,
        "Tuesdays and Thursdays after 8pm",
        fields(availability=[{"days": ["tue", "thu"], "start": "20:00"}]),
    ),
    (
        "a31",
        "availability",
        PY,
        "evenings, but not Fridays",
        fields(availability=[{"days": ["mon", "tue", "wed", "thu", "sat", "sun"]}]),
    ),
    (
        "a32",
        "availability",
        PY,
        "only sundays 10-12",
        fields(
            hours_per_week=2, availability=[{"days": ["sun"], "start": "10:00", "end": "12:00"}]
        ),
    ),
    (
        "a33",
        "availability",
        PY,
        "mon-thu 7pm",
        fields(availability=[{"days": ["mon", "tue", "wed", "thu"], "start": "19:00"}]),
    ),
    ("a34", "timezone", PY, "Barcelona", fields(timezone="Europe/Madrid")),
    ("a35", "timezone", PY, "San Francisco", fields(timezone="America/Los_Angeles")),
    ("a36", "timezone", PY, "I live in Porto", fields(timezone="Europe/Lisbon")),
    ("a37", "timezone", PY, "GMT+1", fields(timezone="Africa/Lagos")),
    ("a38", "timezone", PY, "Springfield", {**fields(), "ambiguous": ["timezone"]}),
    ("a39", "timezone", PY, "Vancouver", fields(timezone="America/Vancouver")),
    ("a40", "timezone", PY, "Japan", fields(timezone="Asia/Tokyo")),
    ("a41", "confirm", RUST, "make it 10 weeks please", fields(weeks=10)),
    (
        "a42",
        "confirm",
        RUST,
        "actually I'm in Madrid, not London",
        fields(timezone="Europe/Madrid"),
    ),
    (
        "a43",
        "confirm",
        RUST,
        "add docker to topics",
        fields(topics=["ownership", "async", "docker"]),
    ),
    ("a44", "confirm", RUST, "4 hours a week, not 6", fields(hours_per_week=4)),
    ("a45", "confirm", RUST, "I'm a beginner actually", fields(skill_level="beginner")),
]

# A second batch, written after the first round of fixes and before the second, to check
# that those fixes carry over to messages nobody tuned for.
SECOND: list[tuple[str, str | None, dict[str, Any], str, dict[str, Any]]] = [
    (
        "b01",
        None,
        {},
        "Yo! trying to get into rock climbing, total beginner, weekends",
        fields(
            goal="rock climbing", skill_level="beginner", availability=[{"days": ["sat", "sun"]}]
        ),
    ),
    (
        "b02",
        None,
        {},
        "Need to learn Excel VBA for a new role starting Feb 1. I'm new to VBA. 5 hours per week",
        fields(
            goal="Excel VBA",
            deadline="2027-02-01",
            skill_level="beginner",
            hours_per_week=5,
            alts=["VBA"],
        ),
    ),
    (
        "b03",
        None,
        {},
        "I'd like to study economics — micro and macro. 3h a week for 12 weeks",
        fields(goal="economics", topics=["micro", "macro"], hours_per_week=3, weeks=12),
    ),
    (
        "b04",
        None,
        {},
        "My goal: conversational Mandarin. Beginner. 20 minutes every morning. Singapore",
        fields(
            goal="conversational Mandarin",
            skill_level="beginner",
            hours_per_week=2.3333,
            timezone="Asia/Singapore",
            alts=["Mandarin"],
        ),
    ),
    (
        "b05",
        None,
        {},
        "cooking 🍳 — knife skills, sauces, bread. I'm a decent home cook. 4 hours a week",
        fields(
            goal="cooking",
            topics=["knife skills", "sauces", "bread"],
            skill_level="intermediate",
            hours_per_week=4,
        ),
    ),
    (
        "b06",
        None,
        {},
        "i want to pass my driving theory test on march 3",
        fields(
            goal="pass my driving theory test",
            deadline="2027-03-03",
            alts=["driving theory test", "driving theory", "pass the driving theory test"],
        ),
    ),
    (
        "b07",
        None,
        {},
        "Learn C++ for game dev. Some Python experience. 8 hrs weekly, Warsaw",
        fields(goal="C++ for game dev", hours_per_week=8, timezone="Europe/Warsaw", alts=["C++"]),
    ),
    (
        "b08",
        None,
        {},
        "Photography for my trip to Iceland. Beginner, 2h/week",
        fields(
            goal="photography",
            skill_level="beginner",
            hours_per_week=2,
            alts=["Photography for my trip to Iceland"],
        ),
    ),
    (
        "b09",
        None,
        {},
        "Hi, I'm Ana from Porto 👋 I want to learn UX design, intermediate, 6 hrs/week",
        fields(
            goal="UX design", skill_level="intermediate", hours_per_week=6, timezone="Europe/Lisbon"
        ),
    ),
    (
        "b10",
        None,
        {},
        "guitar - fingerstyle & music theory, 30 min a day",
        fields(goal="guitar", topics=["fingerstyle", "music theory"], hours_per_week=3.5),
    ),
    (
        "b11",
        None,
        {},
        "help me get good at public speaking before my talk on Feb 12",
        fields(goal="public speaking", deadline="2027-02-12"),
    ),
    (
        "b12",
        None,
        {},
        "Spanish A2, want to reach B2 by June 30. 5 hrs a week",
        fields(
            goal="Spanish",
            skill_level="beginner",
            deadline="2027-06-30",
            hours_per_week=5,
            alts=["Spanish B2", "reach B2"],
        ),
    ),
    (
        "b13",
        None,
        {},
        "learning Go (the language) from zero, 10 weeks, 1h a day",
        fields(
            goal="Go",
            skill_level="beginner",
            weeks=10,
            hours_per_week=7,
            alts=["Go (the language)"],
        ),
    ),
    ("b14", None, {}, "idk, something with computers maybe?", unsure()),
    (
        "b15",
        None,
        {},
        "Salut! sorry, English: I want to learn Italian, beginner, in Montreal",
        fields(goal="Italian", skill_level="beginner", timezone="America/Toronto"),
    ),
    (
        "c01",
        "skill_level",
        {"goal": "Spanish"},
        "I can order food and that's about it",
        fields(skill_level="beginner"),
    ),
    (
        "c02",
        "skill_level",
        {"goal": "chess"},
        "intermediate-ish",
        fields(skill_level="intermediate"),
    ),
    ("c03", "skill_level", {"goal": "Python"}, "somewhat advanced", fields(skill_level="advanced")),
    ("c04", "hours_per_week", PY, "roughly 5 hrs", fields(hours_per_week=5)),
    ("c05", "hours_per_week", PY, "two to three hours a week", fields(hours_per_week=2.5)),
    (
        "c06",
        "hours_per_week",
        PY,
        "an hour every weekday",
        fields(hours_per_week=5, availability=[{"days": WEEKDAYS}]),
    ),
    ("c07", "hours_per_week", PY, "half an hour a day", fields(hours_per_week=3.5)),
    ("c08", "weeks", PY, "3 months", fields(weeks=13)),
    ("c09", "weeks", PY, "until the end of April", fields(deadline="2027-04-30")),
    ("c10", "weeks", PY, "six weeks please", fields(weeks=6)),
    (
        "c11",
        "topics",
        {"goal": "photography"},
        "composition, editing in Lightroom",
        fields(topics=["composition", "editing in Lightroom"]),
    ),
    ("c12", "topics", {"goal": "German"}, "nothing in particular", fields(topics=[])),
    (
        "c13",
        "topics",
        {"goal": "JavaScript"},
        "mainly async stuff and the DOM",
        fields(topics=["async", "DOM"]),
    ),
    (
        "c14",
        "availability",
        PY,
        "weeknights after 9",
        fields(availability=[{"days": WEEKDAYS, "start": "21:00"}]),
    ),
    (
        "c15",
        "availability",
        PY,
        "Sunday afternoon and Wednesday evening",
        fields(availability=[{"days": ["wed"]}, {"days": ["sun"]}]),
    ),
    ("c16", "timezone", PY, "Melbourne", fields(timezone="Australia/Melbourne")),
    ("c17", "timezone", PY, "I'm in Lagos", fields(timezone="Africa/Lagos")),
    ("c18", "timezone", PY, "EST", fields(timezone="America/New_York")),
    ("c19", "timezone", PY, "UTC+3", fields(timezone="Europe/Istanbul")),
    ("c20", "confirm", RUST, "only 4 weeks", fields(weeks=4)),
    (
        "c21",
        "confirm",
        RUST,
        "can you make it intermediate instead",
        fields(skill_level="intermediate"),
    ),
    ("c22", "confirm", RUST, "I'm in Tokyo actually", fields(timezone="Asia/Tokyo")),
    ("c23", "goal", {}, "hmm maybe knitting", fields(goal="knitting")),
    ("c24", "goal", {}, "no clue tbh", unsure()),
]

# Rows the rules still misread, each with why (kept visible rather than deleted).
KNOWN_MISSES: dict[str, str] = {
    "f05": "Manchester, NH is as widely named as Manchester, England (60 vs 59 names), and "
    "5x smaller: by the same measure that keeps Portland a question, it asks",
    "c01": "a limited ability said as an example ('I can order food and that's about it') "
    "has no level word; a phrase for it would also fire on 'that's about it' elsewhere",
}


@pytest.mark.parametrize(
    ("asking", "goal", "text", "expect"), cases([*FIRST, *ANSWERS, *SECOND], KNOWN_MISSES)
)
def test_fresh_message(
    asking: str | None, goal: dict[str, Any], text: str, expect: dict[str, Any]
) -> None:
    got = output(asking, goal, text)
    wrong = misread(expect, got)
    assert not wrong, f"{text!r}: wrong {wrong}; got {got}"
