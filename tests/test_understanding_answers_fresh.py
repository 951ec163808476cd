"""A table of fresh replies to one intake question or to the card, for the classes the
fifth blind set showed (issue 9): a level said in other words or another language, bare
amounts in other languages, non-answers, and corrections at the card. Every message is new
and in a different shape from the set's. Rows go through the same path as
`learnplan understand --rules` and are scored by the bench's rules.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.intake_table import WEEKDAYS, cases, fields, misread, output

Row = tuple[str, str | None, dict[str, Any], str, dict[str, Any]]

SKILL_WORDS: list[Row] = [
    ("s01", "skill_level", {"goal": "Rust"}, "total n00b tbh", fields(skill_level="beginner")),
    (
        "s02",
        "skill_level",
        {"goal": "poker"},
        "somewhere in the middle, not bad not great",
        fields(skill_level="intermediate"),
    ),
    (
        "s03",
        "skill_level",
        {"goal": "Italian"},
        "I get by in a conversation but my grammar is shaky",
        fields(skill_level="intermediate"),
    ),
    ("s04", "skill_level", {"goal": "niemiecki"}, "zaawansowany", fields(skill_level="advanced")),
    (
        "s05",
        "skill_level",
        {"goal": "hiszpański"},
        "jestem początkująca",
        fields(skill_level="beginner"),
    ),
    ("s06", "skill_level", {"goal": "Excel"}, "nada, zilch", fields(skill_level="beginner")),
    (
        "s07",
        "skill_level",
        {"goal": "ukulele"},
        "I know the open chords, that's it",
        fields(skill_level="intermediate"),
    ),
]

OTHER_LANGUAGES: list[Row] = [
    ("o01", "hours_per_week", {"goal": "Go"}, "cztery godziny", fields(hours_per_week=4)),
    ("o02", "hours_per_week", {"goal": "Go"}, "zwei Stunden", fields(hours_per_week=2)),
    ("o03", "weeks", {"goal": "Go"}, "seis semanas", fields(weeks=6)),
    ("o04", "weeks", {"goal": "Go"}, "10 Wochen", fields(weeks=10)),
    ("o05", "weeks", {"goal": "Go"}, "osiem tygodni", fields(weeks=8)),
    (
        "o06",
        "availability",
        {"goal": "Go"},
        "Dienstags ab 19 Uhr",
        fields(availability=[{"days": ["tue"], "start": "19:00"}]),
    ),
    (
        "o07",
        "availability",
        {"goal": "Go"},
        "los sábados de 9 a 11",
        fields(
            hours_per_week=2, availability=[{"days": ["sat"], "start": "09:00", "end": "11:00"}]
        ),
    ),
    (
        "o08",
        "availability",
        {"goal": "Go"},
        "Mo-Fr von 18 bis 20 Uhr",
        fields(
            hours_per_week=10, availability=[{"days": WEEKDAYS, "start": "18:00", "end": "20:00"}]
        ),
    ),
]


def nonanswer(kind: str) -> dict[str, Any]:
    return {"intent": "nonanswer", "fields": {}, "nonanswer": kind}


NON_ANSWERS: list[Row] = [
    ("n01", "weeks", {"goal": "Go"}, "skip that for now pls", nonanswer("later")),
    ("n02", "hours_per_week", {"goal": "Go"}, "let me check my schedule", nonanswer("later")),
    ("n03", "topics", {"goal": "Go"}, "gimme a sec to think about it", nonanswer("later")),
    ("n04", "availability", {"goal": "Go"}, "whenever suits you", nonanswer("anything")),
    ("n05", "goal", {}, "still deciding tbh", nonanswer("unsure")),
    ("n06", "goal", {}, "a hundred percent yes", nonanswer("yes")),
    ("n07", "confirm", {"goal": "Go", "weeks": 6}, "ja, passt", nonanswer("yes")),
    ("n09", "hours_per_week", {"goal": "Go"}, "not a lot... maybe 3", fields(hours_per_week=3)),
    ("n10", "skill_level", {"goal": "Go"}, "not a lot", fields(skill_level="beginner")),
    ("n08", "confirm", {"goal": "Go", "weeks": 6}, "sí, perfecto", nonanswer("yes")),
]

CARD: dict[str, Any] = {
    "goal": "Spanish",
    "skill_level": "beginner",
    "hours_per_week": 4,
    "weeks": 8,
    "topics": ["grammar", "vocabulary"],
    "availability": [{"days": ["sat", "sun"]}],
    "timezone": "Europe/Madrid",
}

CARD_CORRECTIONS: list[Row] = [
    ("c01", "confirm", CARD, "Vale, pero son diez semanas, no 8", fields(weeks=10)),
    (
        "c02",
        "confirm",
        CARD,
        "it should read Business Spanish, not just Spanish",
        fields(goal="Business Spanish"),
    ),
    (
        "c03",
        "confirm",
        CARD,
        "please also include listening and reading",
        fields(topics=["grammar", "vocabulary", "listening", "reading"]),
    ),
    (
        "c04",
        "confirm",
        CARD,
        "remove sat and sun, mondays and wednesdays instead",
        fields(availability=[{"days": ["mon", "wed"]}]),
    ),
    ("c05", "confirm", CARD, "it should say 12 weeks", fields(weeks=12)),
    ("c06", "timezone", {"goal": "Go"}, "same timezone as Tokyo", fields(timezone="Asia/Tokyo")),
    ("c07", "timezone", {"goal": "Go"}, "same as Berlin", fields(timezone="Europe/Berlin")),
]

# Rows the rules still misread, each with why (kept visible rather than deleted).
KNOWN_MISSES: dict[str, str] = {}


@pytest.mark.parametrize(
    ("asking", "goal", "text", "expect"),
    cases([*SKILL_WORDS, *OTHER_LANGUAGES, *NON_ANSWERS, *CARD_CORRECTIONS], KNOWN_MISSES),
)
def test_fresh_answer(
    asking: str | None, goal: dict[str, Any], text: str, expect: dict[str, Any]
) -> None:
    got = output(asking, goal, text)
    wrong = misread(expect, got)
    assert not wrong, f"{text!r}: wrong {wrong}; got {got}"
