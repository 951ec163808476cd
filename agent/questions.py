"""What the bot says during intake: one question per missing field."""

from __future__ import annotations

from typing import Any

from agent import texts
from scheduler.localtime import zone_label
from storage.models import Goal

QUESTIONS: dict[str, str] = {
    "goal": "What do you want to learn? Tell me in your own words.",
    "skill_level": "How would you rate your current level?",
    "hours_per_week": "How many hours a week can you study? (1–60)",
    "weeks": "Over how many weeks — or by which date? (1–52 weeks)",
    "topics": "Any specific topics to cover? List them, or tap Skip.",
    "availability": (
        "When can you study? For example: “weekday evenings 19:00–21:00, Saturday morning”."
    ),
    "timezone": (
        "Which time zone are you in? A city (“Berlin”), a zone name (“Europe/Berlin”) "
        "or an offset (“UTC+2”) all work — or share your location."
    ),
}

OPTIONS: dict[str, list[tuple[str, str]]] = {
    "skill_level": [
        ("Beginner", "beginner"),
        ("Intermediate", "intermediate"),
        ("Advanced", "advanced"),
    ],
    "hours_per_week": [("2 h", "2"), ("5 h", "5"), ("8 h", "8"), ("12 h", "12")],
    "weeks": [("4 weeks", "4"), ("6 weeks", "6"), ("8 weeks", "8"), ("12 weeks", "12")],
    "topics": [("Skip", "skip")],
}

CONFIRM_OPTIONS = [("✅ Build my plan", "yes"), ("✖ Cancel", "cancel")]


def question(field: str, problems: list[str] | None = None) -> dict[str, Any]:
    text = QUESTIONS[field]
    if problems:
        text = "\n".join([*problems, "", text])
    reply: dict[str, Any] = {"kind": "question", "field": field, "text": text}
    if field in OPTIONS:
        reply["options"] = [{"label": label, "value": value} for label, value in OPTIONS[field]]
    if field == "timezone":
        reply["request_location"] = True
    return reply


def _hours(value: float) -> str:
    return f"{value:g} h"


def goal_summary_lines(goal: Goal) -> list[tuple[str, str]]:
    """(label, value) pairs of the collected goal, values being user text."""
    duration = f"{goal.weeks} weeks" if goal.weeks else ""
    if goal.deadline:
        duration = f"{duration} (until {goal.deadline.isoformat()})".strip()
    rows = [
        ("Goal", goal.goal or ""),
        ("Level", goal.skill_level.value if goal.skill_level else ""),
        ("Time", f"{_hours(goal.hours_per_week)} a week" if goal.hours_per_week else ""),
        ("Duration", duration),
        ("Topics", ", ".join(goal.topics) if goal.topics else "—"),
        ("When", goal.availability_text or ""),
        ("Time zone", zone_label(goal.timezone) if goal.timezone else ""),
    ]
    if goal.start_date:
        rows.append(("Start", goal.start_date.isoformat()))
    return rows


def confirmation(goal: Goal, problems: list[str] | None = None) -> dict[str, Any]:
    intro = "\n".join(problems) + "\n\n" if problems else ""
    return {
        "kind": "confirm",
        "text": intro + "Here is what I have. Shall I build the plan?",
        "rows": [list(row) for row in goal_summary_lines(goal)],
        "footer": "You can also just tell me what to change.",
        "options": [{"label": label, "value": value} for label, value in CONFIRM_OPTIONS],
    }


FIELD_LABELS = {
    "goal": "Goal",
    "skill_level": "Level",
    "hours_per_week": "Time",
    "weeks": "Duration",
    "deadline": "Duration",
    "topics": "Topics",
    "availability": "When",
    "timezone": "Time zone",
    "start_date": "Start",
}


def understood(goal: Goal, fields: dict[str, Any]) -> str:
    """Acknowledge what a free-form message already told us, before asking for the rest."""
    labels = {FIELD_LABELS[f] for f in fields if f in FIELD_LABELS}
    parts = [f"{label}: {value}" for label, value in goal_summary_lines(goal) if label in labels]
    return "Got it — " + "; ".join(parts) + "." if parts else "Got it."


# ---- non-answers: per field the right move ------------------------------------------

GOAL_IDEAS = (
    "Python programming",
    "Spanish conversation",
    "Guitar basics",
    "Data analysis with SQL",
    "Machine learning",
    "Public speaking",
)
GOAL_HELP = (
    "No problem — let's find something. What would you like to be able to do in a couple "
    "of months? Tap an idea below, or tell me anything you're curious about "
    "(a language, an instrument, a programming topic, an exam…)."
)
GOAL_QUESTION_BACK = (
    "I turn a learning goal into a week-by-week plan, remind you to study and track your "
    "progress. What would you like to learn? Tap an idea below or tell me in your own words."
)
WHICH_TOPICS = "Which topics? List them, e.g. “ownership, async, testing” — or tap Skip."
NO_TOPICS = "OK — no specific topics; I'll cover the essentials."
# What to say when an answer is not a value, by the field being asked.
EXPLAIN: dict[str, str] = {
    "skill_level": (
        "No problem. Beginner: new to it, or only tried a little. Intermediate: you know "
        "the basics and have used them. Advanced: you use it regularly and want depth."
    ),
    "hours_per_week": (
        "Even 2–3 hours a week gets you somewhere. Tap one below or type a number, e.g. “4”."
    ),
    "weeks": ("Most plans take 4–12 weeks. Tap one below, or type e.g. “8 weeks” or “by March 1”."),
    "topics": (
        "Topics are the parts you want the plan to cover, e.g. “grammar, listening” or "
        "“loops, functions”. If you have none in mind, tap Skip."
    ),
    "availability": (
        "I need a rough idea of when you can study, to schedule sessions — e.g. “weekday "
        "evenings 19:00–21:00”, “Saturday mornings” or “every day 7–8am”."
    ),
    "timezone": (
        "A city is enough — e.g. “Berlin” or “New York” — or a zone like “UTC+2”. "
        "You can also share your location."
    ),
}
TOPICS_SKIP = frozenset({"none", "no", "anything", "unsure", "later"})


def goal_help(text: str = GOAL_HELP) -> dict[str, Any]:
    """Help choosing a goal: a few ideas as buttons (pressing one answers the question)."""
    return {
        "kind": "question",
        "field": "goal",
        "text": text,
        "options": [{"label": idea, "value": idea} for idea in GOAL_IDEAS],
    }


def nonanswer_question(field: str, nonanswer: str) -> dict[str, Any]:
    """The question again, after a non-answer, with an explanation and an example."""
    if field == "goal":
        return goal_help(GOAL_QUESTION_BACK if nonanswer == "question" else GOAL_HELP)
    if field == "topics" and nonanswer == "yes":
        return {**question("topics"), "text": WHICH_TOPICS}
    return question(field, [EXPLAIN.get(field, texts.NOT_UNDERSTOOD.get(field, ""))])


def skips(field: str, nonanswer: str | None) -> bool:
    """Whether a non-answer is an acceptable skip of the (optional) field."""
    return field == "topics" and nonanswer in TOPICS_SKIP
