"""`parse_intake`: the extractors composed, non-answers, ambiguity and the contract fields."""

from __future__ import annotations

from datetime import date

import pytest

from agent.understanding.intake import parse_intake
from storage.models import Goal, SkillLevel

TODAY = date(2027, 1, 11)


def test_a_whole_first_message() -> None:
    update = parse_intake(
        "I'm advanced with Excel but new to coding, want to learn Python for data analysis, "
        "mostly pandas and plotting",
        today=TODAY,
    )
    assert update.fields == {
        "skill_level": SkillLevel.BEGINNER,
        "topics": ["pandas", "plotting"],
        "goal": "Python for data analysis",
    }
    assert update.nonanswer is None and update.confidence == 1.0


@pytest.mark.parametrize(
    ("text", "expecting", "kind"),
    [
        ("hmm not sure", None, "unsure"),
        ("something fun", None, "unsure"),
        ("idk", None, "unsure"),
        ("I want to learn a new language but not sure which", None, "unsure"),
        ("idk what to learn tbh, maybe you can suggest?", None, "unsure"),
        ("later", "weeks", "later"),
        ("yes", "topics", "yes"),
        ("dunno", "topics", "unsure"),
        ("why do you need that?", "timezone", "question"),
        ("why does it matter?", "skill_level", "question"),
        ("as much as needed", "hours_per_week", "anything"),
        ("anytime", "availability", "anything"),
    ],
)
def test_nonanswers_are_never_values(text: str, expecting: str | None, kind: str) -> None:
    update = parse_intake(text, today=TODAY, expecting=expecting)
    assert update.fields == {}
    assert update.nonanswer == kind


@pytest.mark.parametrize("text", ["none really", "no preference", "no", "no thx"])
def test_no_topics_is_an_answer_to_the_topics_question(text: str) -> None:
    update = parse_intake(text, today=TODAY, expecting="topics")
    assert update.fields == {"topics": [], "topics_answered": True}


@pytest.mark.parametrize("text", ["whatever you think is best", "you choose", "u choose for me"])
def test_leaving_the_topics_to_the_bot_is_a_nonanswer(text: str) -> None:
    """ "you pick" states no topics: a non-answer, which the intake takes as a skip."""
    update = parse_intake(text, today=TODAY, expecting="topics")
    assert update.fields == {}
    assert update.nonanswer == "anything"


def test_weeks_from_a_deadline_are_marked_derived() -> None:
    update = parse_intake("pass the AWS exam by March 15", today=TODAY)
    assert update.fields["deadline"] == date(2027, 3, 15)
    assert update.fields["weeks"] == 9
    assert update.derived == ["weeks"]
    stated = parse_intake("9 weeks, by March 15", today=TODAY)
    assert stated.derived == []


def test_the_known_goal_decides_which_level_applies() -> None:
    goal = Goal(goal="Power BI")
    update = parse_intake(
        "advanced in SQL, beginner with Power BI", today=TODAY, expecting="skill_level", goal=goal
    )
    assert update.fields == {"skill_level": SkillLevel.BEGINNER}


def test_an_unusable_zone_is_a_problem() -> None:
    update = parse_intake("UTC+20", today=TODAY, expecting="timezone")
    assert "timezone" not in update.fields
    assert update.problems and update.zone_options == []


def test_commands_and_greetings_carry_nothing() -> None:
    assert parse_intake("/plan", today=TODAY).fields == {}
    assert parse_intake("hi", today=TODAY).fields == {}


def test_corrections_at_confirmation() -> None:
    def fields(text: str) -> dict[str, object]:
        return parse_intake(text, today=TODAY, expecting="confirm").fields

    assert fields("Berlin not Paris") == {"timezone": "Europe/Berlin"}
    assert fields("actually 8 weeks") == {"weeks": 8}
    assert fields("change hours to 6") == {"hours_per_week": 6.0}
    assert fields("not beginner, advanced pls") == {"skill_level": SkillLevel.ADVANCED}
    assert fields("drop the topics") == {"topics": [], "topics_answered": True}
    assert parse_intake("looks good", today=TODAY, expecting="confirm").nonanswer == "yes"


def test_a_nonanswer_to_the_zone_question_is_not_a_town() -> None:
    update = parse_intake("same as you", today=TODAY, expecting="timezone")
    assert update.fields == {} and update.nonanswer == "anything"
