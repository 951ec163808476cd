"""Skill level (`agent.understanding.skill`)."""

from __future__ import annotations

import pytest

from agent.understanding.skill import extract_skill, skill_in
from agent.understanding.text import Scan
from storage.models import SkillLevel

BEG, MID, ADV = SkillLevel.BEGINNER, SkillLevel.INTERMEDIATE, SkillLevel.ADVANCED


@pytest.mark.parametrize(
    ("text", "goal", "level"),
    [
        ("advanced with Excel but new to coding", "Python", BEG),
        ("Advanced in SQL but a beginner with Power BI", "Power BI", BEG),
        ("Linux expert, but k8s is brand new to me", "Kubernetes", BEG),
        ("I'm fluent in Spanish but French is new to me", "French", BEG),
        ("I know Python well but I'm new to ML", "machine learning", BEG),
        ("I'm an intermediate JS dev", "Solidity smart contracts", None),
        ("I'm B1", None, MID),
        ("A2", None, BEG),
        ("C1", None, ADV),
        ("I'm a begginer", None, BEG),
        ("never played before", None, BEG),
        ("total noob", None, BEG),
        ("some experience", None, MID),
        ("a bit rusty", None, MID),
        ("I've been doing it for years", None, ADV),
        ("pretty advanced tbh", None, ADV),
        ("not beginner, advanced pls", None, ADV),
        ("I'm not a beginner", None, MID),
        ("I'm B1... wait that's for languages lol. I'm a beginner", "piano", BEG),
        ("I want to become an expert", None, None),
        ("from A2 to B2", None, BEG),
        ("French B2 exam", None, None),
        ("learn advanced Rust", None, None),
        ("never mind", None, None),
        ("Already intermediate at C", "C++ for competitive programming", None),
        ("been coding professionally in Java for 8 years, want Scala", "Scala", None),
        ("I'm a nurse, no experience at all", "basic coding", BEG),
        ("Astronomy for beginners - stargazing", "astronomy", BEG),
        ("total beginner w/ a new canon", "photography", BEG),
        ("zero korean. 1h/day", "Korean", BEG),
        ("zero budget", "guitar", None),
        ("nível intermediário", "inglês", MID),
    ],
)
def test_skill_in(text: str, goal: str | None, level: SkillLevel | None) -> None:
    assert skill_in(text, goal=goal) == level


def test_a_cue_about_another_subject_names_the_goal_when_none_is_known() -> None:
    scan = Scan.of("I'm a beginner at chess")
    subject = extract_skill(scan)
    assert scan.fields["skill_level"] == BEG
    assert subject is not None and scan.display[subject[0] : subject[1]] == "chess"


@pytest.mark.parametrize(
    ("answer", "level"),
    [
        ("intermidiate", MID),
        ("so-so", MID),
        ("kinda in the middle i guess", MID),
        ("none", BEG),
        ("pro", ADV),
        ("3", ADV),
    ],
)
def test_bare_answers_when_asked(answer: str, level: SkillLevel) -> None:
    scan = Scan.of(answer, expecting="skill_level")
    extract_skill(scan)
    assert scan.fields["skill_level"] == level


def test_a_bare_word_is_no_level_unless_asked() -> None:
    assert skill_in("so-so") is None
