"""Topics (`agent.understanding.topics`, through `parse_intake` where the goal matters)."""

from __future__ import annotations

from datetime import date

import pytest

from agent.understanding.intake import parse_intake
from agent.understanding.text import Scan
from agent.understanding.topics import extract_topics, topic_items
from storage.models import Goal

TODAY = date(2027, 1, 11)


@pytest.mark.parametrize(
    ("text", "goal", "topics"),
    [
        ("I want to learn Python, mostly pandas and numpy", "Python", ["pandas", "numpy"]),
        ("Web dev: HTML, CSS, JS", "Web dev", ["HTML", "CSS", "JS"]),
        (
            "Learn Python, pandas, numpy, matplotlib, 6 weeks",
            "Python",
            ["pandas", "numpy", "matplotlib"],
        ),
        ("Learn guitar focusing on chords and strumming", "guitar", ["chords", "strumming"]),
        ("learn Spanish, especially grammar and vocabulary", "Spanish", ["grammar", "vocabulary"]),
        ("data science, things like statistics and SQL", "data science", ["statistics", "SQL"]),
        ("Rust. Intermediate. Async and macros mostly. 6w", "Rust", ["Async", "macros"]),
        ("Chess. Openings and endgames. 20 min a day", "Chess", ["Openings", "endgames"]),
        (
            "Cybersecurity, esp. pentesting and networking",
            "Cybersecurity",
            ["pentesting", "networking"],
        ),
        (
            "Computer networking - TCP/IP, DNS, routing",
            "Computer networking",
            ["TCP/IP", "DNS", "routing"],
        ),
        ("I want to master Excel and PowerPoint", "Excel and PowerPoint", ["Excel", "PowerPoint"]),
    ],
)
def test_topics_and_the_goal_they_leave(text: str, goal: str, topics: list[str]) -> None:
    fields = parse_intake(text, today=TODAY).fields
    assert fields["topics"] == topics
    assert fields["goal"] == goal


@pytest.mark.parametrize(
    "text",
    [
        "Interested in learning Go, the board game, not the language",
        "Git & GitHub basics",
        "Intro to astronomy, casual, 1h/week",
        "Go, the programming language",
    ],
)
def test_no_topics(text: str) -> None:
    assert "topics" not in parse_intake(text, today=TODAY).fields


def test_comma_lists_keep_and_inside_an_item() -> None:
    assert topic_items("supply and demand, elasticity and market failure") == [
        "supply and demand",
        "elasticity",
        "market failure",
    ]
    assert topic_items("ser vs estar + subjunctive") == ["ser vs estar", "subjunctive"]
    assert topic_items("testing and CI/CD") == ["testing", "CI/CD"]


@pytest.mark.parametrize(
    ("answer", "topics"),
    [
        ("yes, SQL and pandas", ["SQL", "pandas"]),
        ("web scraping, APIs, regex", ["web scraping", "APIs", "regex"]),
        ("focus on speaking", ["speaking"]),
    ],
)
def test_answers_to_the_topics_question(answer: str, topics: list[str]) -> None:
    scan = Scan.of(answer, expecting="topics")
    extract_topics(scan)
    assert scan.fields["topics"] == topics


def test_changes_at_confirmation() -> None:
    goal = Goal(goal="Rust", topics=["ownership", "async"])
    added = parse_intake("add SQL to the topics", today=TODAY, expecting="confirm", goal=goal)
    assert added.fields["topics"] == ["ownership", "async", "SQL"]
    removed = parse_intake("remove async from topics", today=TODAY, expecting="confirm", goal=goal)
    assert removed.fields["topics"] == ["ownership"]


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        (
            "Learn Docker, Kubernetes and Terraform, 6 hrs a week",
            "Docker, Kubernetes and Terraform",
        ),
        ("Learn HTML, CSS and JavaScript", "HTML, CSS and JavaScript"),
    ],
)
def test_a_list_of_peers_is_the_goal(text: str, goal: str) -> None:
    fields = parse_intake(text, today=TODAY).fields
    assert fields["goal"] == goal
    assert "topics" not in fields


def test_a_first_chunk_and_its_list() -> None:
    fields = parse_intake("Spanish, grammar and vocab", today=TODAY).fields
    assert fields == {"goal": "Spanish", "topics": ["grammar", "vocab"]}
