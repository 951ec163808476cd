"""Built-in curricula: every data file is valid, goals find the right one, and every
curriculum at every level and many sizes gives a plan the validator accepts."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.curricula import curricula, match
from agent.curricula.models import CEFR_LEVELS
from agent.llm import deterministic
from agent.validator import check_plan
from storage.models import Goal, SkillLevel
from tests.harness import BotUnderTest, texts

SUBJECTS = [
    "python", "javascript", "typescript", "rust", "go", "java", "c", "cpp", "sql",
    "web_development", "data_analysis", "machine_learning", "deep_learning", "llms",
    "statistics", "cloud", "docker_kubernetes", "linux", "git", "cybersecurity", "spanish",
    "german", "french", "english", "japanese", "guitar", "piano", "drawing", "photography",
    "algebra", "calculus", "linear_algebra", "exam_preparation", "public_speaking",
    "personal_finance",
]  # fmt: skip


def test_every_curriculum_file_loads_and_covers_the_required_subjects() -> None:
    library = curricula()
    assert len(library) >= 40
    assert set(SUBJECTS) <= set(library)
    names = [c.name.casefold() for c in library.values()]
    assert len(names) == len(set(names))
    for curriculum in library.values():
        assert sum(len(u.quiz) for u in curriculum.units) >= 2, curriculum.id
        for unit in curriculum.units:
            assert 2 <= len(unit.objectives) <= 3
            assert all("://" not in r.query for r in unit.resources)
    languages = [library[c] for c in ("spanish", "german", "french", "english", "japanese")]
    assert all(c.cefr and {u.level for u in c.units} <= set(CEFR_LEVELS) for c in languages)


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("Learn Rust", "rust"),
        ("I want to learn Rust", "rust"),
        ("conversational spanish", "spanish"),
        ("Spanish B1", "spanish"),
        ("Learn C++", "cpp"),
        ("learn C", "c"),
        ("Learn Go", "go"),
        ("golang", "go"),
        ("Python for data analysis", "data_analysis"),
        ("Learn Python", "python"),
        ("Fine-tune LLMs", "llms"),
        ("deep learning", "deep_learning"),
        ("kubernetes", "docker_kubernetes"),
        ("get better at public speaking", "public_speaking"),
        ("underwater basket weaving", None),
        ("learning", None),
        ("go to the gym, swim and run", None),
        ("", None),
    ],
)
def test_goals_find_their_curriculum(goal: str, expected: str | None) -> None:
    found = match(goal)
    assert (found.id if found else None) == expected


def test_learn_rust_for_six_weeks_is_about_rust() -> None:
    goal = Goal(goal="Learn Rust", skill_level=SkillLevel.BEGINNER, hours_per_week=5, weeks=6)
    plan = deterministic(goal)
    assert check_plan(plan, goal) == []
    assert plan.meta.source == "curriculum" and plan.meta.curriculum == "rust"
    titles = " ".join(m.title for m in plan.modules()).lower()
    for subject in ("ownership", "borrowing", "traits", "error handling", "cargo"):
        assert subject in titles
    quiz = [q for w in plan.weeks if w.quiz for q in w.quiz.questions]
    assert any("Cargo" in q.question for q in quiz), "the curriculum's own questions are used"
    assert all(r.url.startswith("https://") for m in plan.modules() for r in m.resources)


def test_level_and_topics_choose_the_units() -> None:
    advanced = Goal(goal="Rust", skill_level=SkillLevel.ADVANCED, hours_per_week=6, weeks=2)
    titles = [m.title for m in deterministic(advanced).modules()]
    assert "Getting started with Rust and Cargo" not in titles
    assert any("Concurrency" in t or "Smart pointers" in t for t in titles)
    short = Goal(
        goal="Rust", skill_level=SkillLevel.BEGINNER, hours_per_week=3, weeks=2, topics=["async"]
    )
    plan = deterministic(short)
    assert check_plan(plan, short) == []
    assert any("async" in " ".join(m.topics).lower() for m in plan.modules())
    b2 = Goal(goal="Spanish B2", skill_level=SkillLevel.BEGINNER, hours_per_week=5, weeks=2)
    assert "Greetings" not in " ".join(m.title for m in deterministic(b2).modules())


def test_unknown_subjects_keep_the_template() -> None:
    goal = Goal(goal="Chess openings", skill_level=SkillLevel.BEGINNER, hours_per_week=4, weeks=3)
    plan = deterministic(goal)
    assert plan.meta.source == "template" and plan.meta.curriculum is None
    assert check_plan(plan, goal) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(curricula())),
    st.sampled_from(list(SkillLevel)),
    st.integers(min_value=1, max_value=30),
    st.one_of(
        st.sampled_from([1.0, 2.5, 4.0, 5.0, 8.0, 12.0, 20.0]),
        st.floats(min_value=0.5, max_value=40, allow_nan=False),
    ),
    st.lists(
        st.sampled_from(["async", "joins", "B1", "pandas", "chords", "", "x" * 70]), max_size=3
    ),
)
def test_every_curriculum_gives_valid_plans(
    cid: str, skill: SkillLevel, weeks: int, hours: float, topics: list[str]
) -> None:
    curriculum = curricula()[cid]
    goal = Goal(
        goal=f"Learn {curriculum.name}",
        skill_level=skill,
        hours_per_week=hours,
        weeks=weeks,
        topics=topics,
    )
    plan = deterministic(goal)
    assert plan.meta.source == "curriculum" and plan.meta.curriculum == cid
    assert check_plan(plan, goal) == []
    assert len(plan.weeks) == weeks


async def test_offline_bot_plans_rust_from_the_curriculum(bot: BotUnderTest) -> None:
    user = 701
    calls = await bot.say(
        user, "Learn Rust, 6 weeks, 5h/week, beginner, weekday evenings 19:00-21:00, Berlin"
    )
    calls = await bot.press_button(user, calls[-1], "Skip")
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    shown = texts(calls)
    assert "Ownership" in shown and "Traits" in shown and "Error handling" in shown
    assert "This plan is generic" not in shown
    calls = await bot.say(user, "/newplan")
    await bot.press_button(user, calls[-1], "Start a new plan")
    calls = await bot.say(
        user, "Chess openings, 3 weeks, 3h/week, beginner, weekends 10:00-12:00, Berlin"
    )
    calls = await bot.press_button(user, calls[-1], "Skip")
    calls = await bot.press_button(user, calls[-1], "Build my plan")
    assert "This plan is generic" in texts(calls) and "paste your course outline" in texts(calls)
