"""A second table of fresh intake messages, written for issue 9 before the rules were fixed.

The classes come from the second blind set's misses (non-answers that defer, delegate or ask
back; hours said per day or per session; skill said as a person noun or in another language;
lists in brackets, slashes and bullets; day-first dates; corrections at the confirmation
card), but every message here is new and in a different shape from the set's. Rows go
through the same path as `learnplan understand --rules` and are scored by the bench's rules.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from agent.understanding.rules import understand
from bot.understand import read_request
from tests.intake_table import TODAY, WEEKDAYS, cases, fields, misread, output

CARD = {
    "goal": "Spanish",
    "skill_level": "beginner",
    "hours_per_week": 4.0,
    "weeks": 8,
    "topics": ["grammar", "listening"],
    "availability": [{"days": ["mon", "tue", "wed", "thu", "fri"]}],
    "timezone": "Europe/Paris",
}


def non(kind: str) -> dict[str, Any]:
    return {"intent": "nonanswer", "fields": {}, "nonanswer": kind}


Row = tuple[str, str | None, dict[str, Any], str, dict[str, Any]]

NONANSWERS: list[Row] = [
    ("n01", "goal", {}, "let me sleep on it", non("later")),
    ("n02", "goal", {}, "give me a day to think", non("later")),
    ("n03", None, {}, "I'll think about it and come back", non("later")),
    ("n04", "goal", {}, "idk, you pick something", non("anything")),
    ("n05", "hours_per_week", {"goal": "Python"}, "as many as you think I need", non("anything")),
    ("n06", "hours_per_week", {"goal": "Python"}, "however much you recommend", non("anything")),
    ("n07", "skill_level", {"goal": "piano"}, "what counts as intermediate?", non("question")),
    (
        "n08",
        "skill_level",
        {"goal": "chess"},
        "is beginner or intermediate better for me?",
        non("question"),
    ),
    ("n09", "topics", {"goal": "Python"}, "sure thing", non("yes")),
    ("n10", "topics", {"goal": "Python"}, "no idea, I'm new to this", non("unsure")),
    ("n11", "topics", {"goal": "Python"}, "not sure, never studied it", non("unsure")),
    ("n12", "weeks", {"goal": "Python"}, "could you ask me that later?", non("later")),
]

HOURS: list[Row] = [
    ("h01", "hours_per_week", {"goal": "Python"}, "2x 1h a day", fields(hours_per_week=14)),
    ("h02", "hours_per_week", {"goal": "Python"}, "90 min, twice a day", fields(hours_per_week=21)),
    ("h03", "hours_per_week", {"goal": "Python"}, "like 3 a day", fields(hours_per_week=21)),
    ("h04", "hours_per_week", {"goal": "Python"}, "maybe 1 a day", fields(hours_per_week=7)),
    ("h05", None, {}, "Learn Go. hours: 6/week", fields(goal="Go", hours_per_week=6)),
    (
        "h06",
        "hours_per_week",
        {"goal": "Python"},
        "5-6 hours a week, say 5",
        fields(hours_per_week=5),
    ),
    (
        "h07",
        None,
        {},
        "Learn Rust, 45 minutes Monday to Friday",
        fields(goal="Rust", hours_per_week=3.75, availability=[{"days": WEEKDAYS}]),
    ),
    (
        "h08",
        "availability",
        {"goal": "Python", "skill_level": "beginner"},
        "saturdays only, 3h",
        fields(hours_per_week=3, availability=[{"days": ["sat"]}]),
    ),
    (
        "h09",
        None,
        {},
        "learn chess, an hour every day except Sunday",
        fields(
            goal="chess",
            hours_per_week=6,
            availability=[{"days": ["mon", "tue", "wed", "thu", "fri", "sat"]}],
        ),
    ),
]

SKILL: list[Row] = [
    (
        "s01",
        None,
        {},
        "I'm an advanced guitarist, want to learn jazz comping",
        fields(goal="jazz comping", skill_level="advanced", alts=["jazz guitar comping"]),
    ),
    (
        "s02",
        None,
        {},
        "I want to learn Portuguese from nothing",
        fields(goal="Portuguese", skill_level="beginner"),
    ),
    (
        "s03",
        None,
        {},
        "je suis débutant, I want to learn piano",
        fields(goal="piano", skill_level="beginner"),
    ),
    (
        "s04",
        "skill_level",
        {"goal": "Kotlin"},
        "expert at C#, zero Kotlin",
        fields(skill_level="beginner"),
    ),
    (
        "s05",
        None,
        {},
        "Ukulele, soy principiante, 2 horas por semana",
        fields(goal="ukulele", skill_level="beginner", hours_per_week=2),
    ),
]

TOPICS: list[Row] = [
    (
        "t01",
        None,
        {},
        "French cooking (sauces, pastry, bread)",
        fields(goal="French cooking", topics=["sauces", "pastry", "bread"]),
    ),
    (
        "t02",
        "topics",
        {"goal": "web development"},
        "react / redux / typescript",
        fields(topics=["react", "redux", "typescript"]),
    ),
    (
        "t03",
        "topics",
        {"goal": "Python"},
        "* loops\n* functions\n* classes",
        fields(topics=["loops", "functions", "classes"]),
    ),
    (
        "t04",
        "topics",
        {"goal": "guitar"},
        "1) chords\n2) scales\n3) rhythm",
        fields(topics=["chords", "scales", "rhythm"]),
    ),
    (
        "t05",
        None,
        {},
        "Violin. beginner. want to work on bowing and scales",
        fields(goal="violin", skill_level="beginner", topics=["bowing", "scales"]),
    ),
    (
        "t06",
        None,
        {},
        "Hello! I want to work on my backhand. 2h a week",
        fields(goal="backhand", hours_per_week=2, alts=["my backhand"]),
    ),
]

DATES_AND_GOALS: list[Row] = [
    (
        "d01",
        None,
        {},
        "driving theory. Exam 14.02.",
        fields(goal="driving theory", deadline="2027-02-14"),
    ),
    (
        "d02",
        None,
        {},
        "Biology, the test is on 03.05., 5h a week",
        fields(goal="biology", deadline="2027-05-03", hours_per_week=5),
    ),
    (
        "g01",
        None,
        {},
        "I need Spanish for my trip to Peru",
        fields(goal="Spanish", alts=["Spanish for my trip to Peru"]),
    ),
    (
        "g02",
        None,
        {},
        "prep me for the citizenship test, it's on March 30",
        fields(goal="citizenship test", deadline="2027-03-30", alts=["the citizenship test"]),
    ),
    ("g03", "confirm", CARD, "make the goal Italian rather than Spanish", fields(goal="Italian")),
]

PLACES_AND_CARD: list[Row] = [
    ("p01", "timezone", {"goal": "Python"}, "Canada, Toronto", fields(timezone="America/Toronto")),
    (
        "p02",
        "timezone",
        {"goal": "Python"},
        "USA - Seattle",
        fields(timezone="America/Los_Angeles"),
    ),
    ("p03", "confirm", CARD, "I'm in Madrid now actually", fields(timezone="Europe/Madrid")),
    (
        "p04",
        None,
        {},
        "Learn Maori, based in Wellington NZ",
        fields(goal="Maori", timezone="Pacific/Auckland"),
    ),
    (
        "c01",
        "confirm",
        CARD,
        "please also include speaking",
        fields(topics=["grammar", "listening", "speaking"]),
    ),
    (
        "c02",
        "confirm",
        CARD,
        "replace grammar with reading",
        fields(topics=["reading", "listening"]),
    ),
    (
        "c03",
        "confirm",
        CARD,
        "weekends instead of weekdays",
        fields(availability=[{"days": ["sat", "sun"]}]),
    ),
    ("c04", "confirm", CARD, "hours: 3, not 4", fields(hours_per_week=3)),
]

# The fourth blind set's answer classes, in new shapes: a field named before its value or
# set against the old one at the card, plain confirmations, deferrals in chat spelling, a
# shrug before a question back, "any day" as no constraint, a hedge after the answer, a
# purpose without a subject, and "you pick" for topics (a non-answer the intake skips).
CARD_REPLIES: list[Row] = [
    ("k01", "confirm", CARD, "set weeks to 12", fields(weeks=12)),
    ("k02", "confirm", CARD, "bump hours to 6", fields(hours_per_week=6)),
    ("k03", "confirm", CARD, "weeks from 8 to 6", fields(weeks=6)),
    ("k04", "confirm", CARD, "advanced not beginner", fields(skill_level="advanced")),
    ("k05", "confirm", CARD, "6 hrs not 4", fields(hours_per_week=6)),
    ("k06", "confirm", CARD, "ok but change weeks to 10", fields(weeks=10)),
    ("k07", "confirm", CARD, "Lisbon not Paris", fields(timezone="Europe/Lisbon")),
    ("k08", "confirm", CARD, "yeah looks fine", non("yes")),
    ("k09", "confirm", CARD, "yep, all set", non("yes")),
    ("k10", "confirm", CARD, "lgtm 👍", non("yes")),
    ("k11", "confirm", CARD, "yes please create it", non("yes")),
    ("k12", "confirm", CARD, "great, go for it", non("yes")),
    ("k13", "confirm", CARD, "a little more intermediate", fields(skill_level="intermediate")),
    ("k14", "confirm", CARD, "more intermediate", fields(skill_level="intermediate")),
]

REPLIES: list[Row] = [
    ("r01", "weeks", {"goal": "Python"}, "can u come back to this later", non("later")),
    ("r02", "hours_per_week", {"goal": "Python"}, "gotta go, later", non("later")),
    ("r03", "goal", {}, "brb", non("later")),
    ("r04", "topics", {"goal": "Python"}, "u pick for me", non("anything")),
    ("r05", "topics", {"goal": "Python"}, "whatever u think", non("anything")),
    ("r06", "topics", {"goal": "Python"}, "um not sure, like what?", non("question")),
    ("r07", "topics", {"goal": "Python"}, "so what would you suggest?", non("question")),
    ("r08", "goal", {}, "hmm what's popular?", non("question")),
    ("r09", "availability", {"goal": "Swedish"}, "honestly any day", non("anything")),
    ("r10", "availability", {"goal": "Swedish"}, "any day works", non("anything")),
    ("r11", "goal", {}, "german probably", fields(goal="German")),
    ("r12", "goal", {}, "rust i suppose", fields(goal="Rust")),
    ("r13", "goal", {}, "idk, something for my job", non("unsure")),
    ("r14", "topics", {"goal": "Python"}, "nah thx", fields(topics=[])),
    (
        "r15",
        "topics",
        {"goal": "Python"},
        "1. loops 2. functions 3. classes",
        fields(topics=["loops", "functions", "classes"]),
    ),
    (
        "r16",
        "topics",
        {"goal": "Rust"},
        "traits + generics, and macros",
        fields(topics=["traits", "generics", "macros"]),
    ),
    (
        "r17",
        "topics",
        {"goal": "French"},
        "grammaire et conjugaison",
        fields(topics=["grammaire", "conjugaison"]),
    ),
    ("r18", "skill_level", {"goal": "drums"}, "nothing. zilch.", fields(skill_level="beginner")),
    (
        "r19",
        "skill_level",
        {"goal": "violin"},
        "played for years, I perform regularly",
        fields(skill_level="advanced"),
    ),
]

ALL_BUT = {"fri": ["mon", "tue", "wed", "thu", "sat", "sun"]}
UNCLEAR_DEADLINE: dict[str, Any] = {"intent": "intake", "fields": {}, "ambiguous": ["deadline"]}

# Follow-ups in new wording: chat acknowledgements are a yes at the card and after a yes/no
# question ("kk" was read as Kuching), laughter is no topic; a slashed date whose numbers
# could each be the month, or a season, is asked about; holidays ("before" = the day before);
# days left out of "any day"/"every day"/"weekdays"; a time-of-day word in a topic.
FOLLOW_UPS: list[Row] = [
    ("f01", "confirm", CARD, "yep cool", non("yes")),
    ("f02", "confirm", CARD, "okey dokey", non("yes")),
    ("f03", "confirm", CARD, "kk", non("yes")),
    ("f04", "confirm", CARD, "aight", non("yes")),
    ("f05", "confirm", CARD, "hmm okay", non("yes")),
    ("f06", "topics", {"goal": "Python"}, "yep cool", non("yes")),
    ("f07", "topics", {"goal": "Python"}, "okie", non("yes")),
    ("f08", "topics", {"goal": "Python"}, "hahahaha", {"intent": "smalltalk", "fields": {}}),
    ("f09", "topics", {"goal": "Python"}, "xD", {"intent": "smalltalk", "fields": {}}),
    ("f10", "weeks", {"goal": "Python"}, "4/6", UNCLEAR_DEADLINE),
    ("f11", "weeks", {"goal": "Python"}, "by 1/2", UNCLEAR_DEADLINE),
    (
        "f12",
        None,
        {},
        "learn Go by 7/8, 3h a week",
        {
            "intent": "intake",
            "fields": {"goal": "Go", "hours_per_week": 3},
            "ambiguous": ["deadline"],
        },
    ),
    ("f13", "weeks", {"goal": "Python"}, "by the end of summer", UNCLEAR_DEADLINE),
    ("f14", "weeks", {"goal": "Python"}, "before spring", UNCLEAR_DEADLINE),
    ("f15", "weeks", {"goal": "Python"}, "20/11", fields(deadline="2027-11-20")),
    ("f16", "weeks", {"goal": "Python"}, "6/6", fields(deadline="2027-06-06")),
    ("f17", "weeks", {"goal": "Python"}, "before xmas", fields(deadline="2027-12-24")),
    ("f18", "weeks", {"goal": "Python"}, "by christmas day", fields(deadline="2027-12-25")),
    ("f19", "weeks", {"goal": "Python"}, "before new year's eve", fields(deadline="2027-12-30")),
    ("f20", "weeks", {"goal": "Python"}, "until easter", fields(deadline="2027-03-28")),
    ("f21", "weeks", {"goal": "Python"}, "by halloween", fields(deadline="2027-10-31")),
    (
        "f22",
        "availability",
        {"goal": "Rust"},
        "any day except friday",
        fields(availability=[{"days": ALL_BUT["fri"]}]),
    ),
    (
        "f23",
        "availability",
        {"goal": "Rust"},
        "every day but sundays",
        fields(availability=[{"days": [*WEEKDAYS, "sat"]}]),
    ),
    (
        "f24",
        "availability",
        {"goal": "Rust"},
        "weekdays except thu",
        fields(availability=[{"days": ["mon", "tue", "wed", "fri"]}]),
    ),
    (
        "f25",
        "topics",
        {"goal": "photography"},
        "landscapes, and some night photography too",
        fields(topics=["landscapes", "night photography"]),
    ),
    (
        "f26",
        "topics",
        {"goal": "yoga"},
        "morning flows mostly",
        fields(topics=["morning flows"]),
    ),
    (
        "f28",
        "availability",
        {"goal": "Rust"},
        "any day but friday",
        fields(availability=[{"days": ALL_BUT["fri"]}]),
    ),
    (
        "f29",
        "availability",
        {"goal": "Rust"},
        "weekdays but wed",
        fields(availability=[{"days": ["mon", "tue", "thu", "fri"]}]),
    ),
    # fully timed windows with no stated amount: their weekly total is reported (README)
    (
        "f27",
        "availability",
        {"goal": "Rust"},
        "every day 6-7am",
        fields(
            hours_per_week=7,
            availability=[{"days": [*WEEKDAYS, "sat", "sun"], "start": "06:00", "end": "07:00"}],
        ),
    ),
]

# Rows the rules still misread, each with why (kept visible rather than deleted).
KNOWN_MISSES: dict[str, str] = {}


@pytest.mark.parametrize(
    ("asking", "goal", "text", "expect"),
    cases(
        [
            *NONANSWERS,
            *HOURS,
            *SKILL,
            *TOPICS,
            *DATES_AND_GOALS,
            *PLACES_AND_CARD,
            *CARD_REPLIES,
            *REPLIES,
            *FOLLOW_UPS,
        ],
        KNOWN_MISSES,
    ),
)
def test_fresh_message(
    asking: str | None, goal: dict[str, Any], text: str, expect: dict[str, Any]
) -> None:
    got = output(asking, goal, text)
    wrong = misread(expect, got)
    assert not wrong, f"{text!r}: wrong {wrong}; got {got}"


@pytest.mark.parametrize(
    "text", ["remove Paris", "drop Paris please", "not Paris", "take Paris off, I moved"]
)
def test_a_place_taken_off_the_card_is_not_the_zone(text: str) -> None:
    got = output("confirm", CARD, text)
    assert got["fields"].get("timezone") in (None, ""), got


@pytest.mark.parametrize("text", ["not 8 weeks", "not beginner"])
def test_a_value_only_negated_at_the_card_changes_nothing(text: str) -> None:
    """It says what is wrong, not what is right: the bot asks what to change."""
    got = output("confirm", CARD, text)
    stored = {k: v for k, v in got["fields"].items() if v not in (None, [], "")}
    assert not stored, got


@pytest.mark.parametrize(
    ("asking", "text"),
    [
        ("goal", "not sure yet"),
        ("goal", "no"),
        ("goal", "yes"),
        ("goal", "anything"),
        ("goal", "you choose"),
        ("goal", "what do you suggest?"),
        ("skill_level", "later"),
        ("timezone", "none"),
        ("weeks", "idk"),
        ("weeks", "can u ask me about that later"),
        ("availability", "any day really"),
        ("goal", "later pls, gotta run"),
        ("topics", "u choose"),
    ],
)
def test_a_nonanswer_is_never_stored(asking: str, text: str) -> None:
    got = output(asking, {"goal": "Python"} if asking != "goal" else {}, text)
    stored = {k: v for k, v in got["fields"].items() if v not in (None, [], "")}
    assert not stored, got


@pytest.mark.parametrize(
    ("goal", "text", "hours"),
    [
        ({"goal": "Rust"}, "every day 6-7am", 7.0),
        ({"goal": "Rust"}, "tue and thu 18:00-19:30", 3.0),
        ({"goal": "Rust"}, "sat 10-12, sun 16:00-17:00", 3.0),
        ({"goal": "Rust"}, "mon and wed 7-9pm", 4.0),
        ({"goal": "Rust"}, "weekday evenings", None),  # a default window: not stated
        ({"goal": "Rust"}, "mon-fri after 7pm", None),  # open-ended
        ({"goal": "Rust"}, "mon-fri 9-5", None),  # when they are free, not how long
        ({"goal": "Rust", "hours_per_week": 4}, "every day 6-7am", None),  # hours known
    ],
)
def test_clock_windows_give_the_weekly_hours_as_computed(
    goal: dict[str, Any], text: str, hours: float | None
) -> None:
    """Fully timed windows with no stated amount give the weekly hours the card shows, and
    they are reported (README, `learnplan understand`); never over hours the user gave."""
    message, ctx = read_request(
        json.dumps(
            {
                "text": text,
                "phase": "intake",
                "asking": "availability",
                "goal": goal,
                "today": TODAY,
            }
        )
    )
    meaning = understand(message, ctx)
    assert meaning.fields.get("hours_per_week") == hours
    assert "hours_per_week" not in meaning.derived
    reported = meaning.to_output()["fields"]["hours_per_week"]
    assert reported == (None if hours is None else int(hours) if hours.is_integer() else hours)
