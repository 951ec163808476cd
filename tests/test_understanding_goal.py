"""The goal (`agent.understanding.goal`)."""

from __future__ import annotations

import pytest

from agent.understanding.goal import find_goal, is_vague_goal
from agent.understanding.text import Scan


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("I want to learn Rust", "Rust"),
        ("teach me Kubernetes in 4 weeks", "Kubernetes in 4 weeks"),
        ("deep learning with pytorch", "deep learning with pytorch"),
        ("I need to learn Terraform for a project", "Terraform"),
        ("learn statistics for A/B testing", "statistics for A/B testing"),
        ("I want to build a website for my bakery", "build a website for my bakery"),
        ("Kubernetes for my job", "Kubernetes for my job"),
        ("learn Portuguese 🇧🇷", "Portuguese"),
        ("learn Portuguese 🇧🇷 for my trip", "Portuguese"),
        ("learn Japanese 🅰 fast", "Japanese"),
        ("Unity ⭐ for fun", "Unity"),
    ],
)
def test_find_goal(text: str, goal: str) -> None:
    hit = find_goal(Scan.of(text))
    assert hit is not None and hit.goal == goal
    assert text[hit.start : hit.end] == goal


def test_the_first_chunk_is_the_goal_when_other_fields_were_found() -> None:
    scan = Scan.of("Rust, 6 weeks")
    scan.take(6, 13)
    scan.fields["weeks"] = 6
    hit = find_goal(scan)
    assert hit is not None and hit.goal == "Rust"


@pytest.mark.parametrize("text", ["hi", "thanks!", "/plan", "what is this?"])
def test_no_goal(text: str) -> None:
    assert find_goal(Scan.of(text)) is None


@pytest.mark.parametrize("goal", ["something fun", "idk", "a new language", "something new"])
def test_vague_goals(goal: str) -> None:
    assert is_vague_goal(goal)


@pytest.mark.parametrize("goal", ["Rust", "fun with Python", "Spanish", "a new recipe"])
def test_specific_goals(goal: str) -> None:
    assert not is_vague_goal(goal)
