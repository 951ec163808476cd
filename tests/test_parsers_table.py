"""Table tests for the rule-based parsers (`agent.understanding.intake`,
`agent.understanding.refinement`).

Each intake row is (message, expecting, expected fields). Only the listed fields are
compared (slots as full lists); `ABSENT` means the field must not be set, and a row
expects no problems unless it lists `"problems": True`. Each refinement row is
(message, expected ops), comparing each op's kind and the listed attributes.

The suite prints the overall accuracy (`pytest -s`) and fails below 95%.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from agent.understanding.intake import parse_intake
from agent.understanding.refinement import parse_refinement
from storage.models import SkillLevel, Slot

TODAY = date(2026, 1, 14)  # a Wednesday
THRESHOLD = 0.95
ABSENT = object()

BEG, MID, ADV = SkillLevel.BEGINNER, SkillLevel.INTERMEDIATE, SkillLevel.ADVANCED
WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def slots(days: tuple[int, ...], start: str, end: str) -> list[Slot]:
    return [
        Slot(weekday=d, start=time.fromisoformat(start), end=time.fromisoformat(end)) for d in days
    ]


def joined(*groups: list[Slot]) -> list[Slot]:
    return sorted((s for g in groups for s in g), key=lambda s: (s.weekday, s.start))


INTAKE_ROWS: list[tuple[str, str | None, dict[str, Any]]] = [
    # ---- whole messages, any order and wording
    (
        "I want to learn Rust, 6 weeks, 5h/week, beginner, evenings after 7pm, Berlin",
        None,
        {
            "goal": "Rust",
            "weeks": 6,
            "hours_per_week": 5.0,
            "skill_level": BEG,
            "availability": slots(EVERY_DAY, "19:00", "21:00"),
            "timezone": "Europe/Berlin",
        },
    ),
    (
        "Learn fine-tuning LLMs with LoRA and QLoRA. intermediate. 8 hours a week for 2 months, "
        "weekday evenings 19:00-21:00 and Saturday morning, timezone Europe/London",
        None,
        {
            "goal": "fine-tuning LLMs with LoRA and QLoRA",
            "skill_level": MID,
            "hours_per_week": 8.0,
            "weeks": 9,
            "availability": joined(
                slots(WEEKDAYS, "19:00", "21:00"), slots((5,), "08:00", "10:00")
            ),
            "availability_text": "weekday evenings 19:00-21:00 and Saturday morning",
            "timezone": "Europe/London",
        },
    ),
    (
        "Learn Rust, 6 weeks, 5h/week, beginner, evenings after 7pm, Berlin",
        None,
        {"goal": "Rust", "weeks": 6, "hours_per_week": 5.0, "timezone": "Europe/Berlin"},
    ),
    (
        "teach me Kubernetes in 4 weeks, I'm a complete beginner, 10 hours per week",
        None,
        {"goal": "Kubernetes", "weeks": 4, "skill_level": BEG, "hours_per_week": 10.0},
    ),
    (
        "I'd like to get better at chess. About 3 hrs per week, advanced player, Tokyo",
        None,
        {"goal": "chess", "hours_per_week": 3.0, "skill_level": ADV, "timezone": "Asia/Tokyo"},
    ),
    (
        "goal: pass the AWS Solutions Architect exam by March 1",
        None,
        {"goal": "pass the AWS Solutions Architect exam", "deadline": date(2026, 3, 1), "weeks": 7},
    ),
    (
        "I want to learn Spanish in 3 months, an hour a day, no experience",
        None,
        {"goal": "Spanish", "weeks": 13, "hours_per_week": 7.0, "skill_level": BEG},
    ),
    (
        "Learn Python for data analysis, 30 min a day, weekends 10:00-12:00",
        None,
        {
            "goal": "Python for data analysis",
            "hours_per_week": 3.5,
            "availability": slots(WEEKEND, "10:00", "12:00"),
        },
    ),
    (
        "I want to study machine learning, 2h daily, some experience, New York",
        None,
        {
            "goal": "machine learning",
            "hours_per_week": 14.0,
            "skill_level": MID,
            "timezone": "America/New_York",
        },
    ),
    (
        "help me learn Go. I know the basics. 6 hrs/week for 10 weeks. mon wed fri 6-8pm. UTC+2",
        None,
        {
            "goal": "Go",
            "skill_level": MID,
            "hours_per_week": 6.0,
            "weeks": 10,
            "availability": slots((0, 2, 4), "18:00", "20:00"),
            "timezone": "Etc/GMT-2",
        },
    ),
    (
        "master SQL by 2026-04-30, senior dev, 4 hours a week",
        None,
        {
            "goal": "SQL",
            "deadline": date(2026, 4, 30),
            "weeks": 16,
            "skill_level": ADV,
            "hours_per_week": 4.0,
        },
    ),
    (
        "I want to learn React in 8 weeks starting Monday",
        None,
        {"goal": "React", "weeks": 8, "start_date": date(2026, 1, 19)},
    ),
    ("Learn TypeScript, 5-10 hours a week", None, {"goal": "TypeScript", "hours_per_week": 7.5}),
    (
        "I'd like to learn guitar. I'm in Munich.",
        None,
        {"goal": "guitar", "timezone": "Europe/Berlin"},
    ),
    (
        "learn statistics, every day 7am-8am, GMT-5",
        None,
        {
            "goal": "statistics",
            "availability": slots(EVERY_DAY, "07:00", "08:00"),
            "timezone": "Etc/GMT+5",
        },
    ),
    (
        "Learn German, a couple of months, 4h a week",
        None,
        {"goal": "German", "weeks": 9, "hours_per_week": 4.0},
    ),
    (
        "I want to learn advanced Rust macros",
        None,
        {"goal": "advanced Rust macros", "skill_level": ABSENT},
    ),
    (
        "I want to become an expert in Docker",
        None,
        {"goal": "become an expert in Docker", "skill_level": ABSENT},
    ),
    ("I'm a beginner. I want to learn Rust", None, {"goal": "Rust", "skill_level": BEG}),
    ("Rust", None, {"goal": "Rust"}),
    ("hi", None, {"goal": ABSENT}),
    ("thanks!", None, {"goal": ABSENT}),
    (
        "Data engineering, 12 weeks, intermediate",
        None,
        {"goal": "Data engineering", "weeks": 12, "skill_level": MID},
    ),
    (
        "I want to learn Japanese, topics: hiragana, katakana and basic grammar",
        None,
        {"goal": "Japanese", "topics": ["hiragana", "katakana", "basic grammar"]},
    ),
    (
        "learn LLM fine-tuning, focus on LoRA and QLoRA",
        None,
        {"goal": "LLM fine-tuning", "topics": ["LoRA", "QLoRA"]},
    ),
    (
        "learn web development covering HTML, CSS, JavaScript",
        None,
        {"goal": "web development", "topics": ["HTML", "CSS", "JavaScript"]},
    ),
    (
        "I want to learn Rust in 6 weeks, by the end of February",
        None,
        {"goal": "Rust", "weeks": 6, "deadline": date(2026, 2, 28)},
    ),
    (
        "I have 3 years of experience with Python and want to learn Django",
        None,
        # a level about another subject is not the goal's level (issue 9's evaluation set)
        {"goal": "Django", "skill_level": ABSENT, "weeks": ABSENT},
    ),
    ("Good morning! I want to learn Excel", None, {"goal": "Excel", "availability": ABSENT}),
    (
        "learn Phoenix framework in 6 weeks",
        None,
        {"goal": "Phoenix framework", "weeks": 6, "timezone": ABSENT},
    ),
    (
        "learn about the history of Rome",
        None,
        {"goal": "the history of Rome", "timezone": ABSENT},
    ),
    (
        "I want to learn French, 2 hours every weekday",
        None,
        {"goal": "French", "hours_per_week": 10.0},
    ),
    ("learn piano, 45 minutes per day", None, {"goal": "piano", "hours_per_week": 5.25}),
    (
        "study for the GRE, exam on March 3, 6 hours a week",
        None,
        {"goal": "the GRE", "deadline": date(2026, 3, 3), "weeks": 7, "hours_per_week": 6.0},
    ),
    (
        "Learn Rust. Timezone: America/Los_Angeles",
        None,
        {"goal": "Rust", "timezone": "America/Los_Angeles"},
    ),
    (
        "I'm in Kyiv, I want to learn data science",
        None,
        {"goal": "data science", "timezone": "Europe/Kyiv"},
    ),
    (
        "Learn C++, 1.5 hours a day, Sat & Sun mornings",
        None,
        {
            "goal": "C++",
            "hours_per_week": 10.5,
            "availability": slots(WEEKEND, "08:00", "10:00"),
        },
    ),
    (
        "learn photography, 3 hours per week, GMT+1, Tue/Thu evenings",
        None,
        {
            "goal": "photography",
            "hours_per_week": 3.0,
            "timezone": "Etc/GMT-1",
            "availability": slots((1, 3), "19:00", "21:00"),
        },
    ),
    (
        "I want to learn linear algebra for machine learning, 4 weeks, advanced",
        None,
        {"goal": "linear algebra for machine learning", "weeks": 4, "skill_level": ADV},
    ),
    ("I'm intermediate, 7 hrs a week", None, {"skill_level": MID, "hours_per_week": 7.0}),
    ("learn Rust from scratch", None, {"goal": "Rust", "skill_level": BEG}),
    (
        "3 hours a week, 2 months, beginner",
        None,
        {"hours_per_week": 3.0, "weeks": 9, "skill_level": BEG, "goal": ABSENT},
    ),
    (
        "I can spend 6 hours, I live in Barcelona",
        None,
        {"hours_per_week": 6.0, "timezone": "Europe/Madrid"},
    ),
    # ---- answers to a question (expecting)
    ("5", "hours_per_week", {"hours_per_week": 5.0}),
    ("about 6", "hours_per_week", {"hours_per_week": 6.0}),
    ("10h", "hours_per_week", {"hours_per_week": 10.0}),
    ("an hour a day", "hours_per_week", {"hours_per_week": 7.0}),
    ("2.5 hours", "hours_per_week", {"hours_per_week": 2.5}),
    ("maybe 4-6", "hours_per_week", {"hours_per_week": 5.0}),
    ("200", "hours_per_week", {"hours_per_week": ABSENT, "problems": True}),
    ("0", "hours_per_week", {"hours_per_week": ABSENT, "problems": True}),
    ("lots", "hours_per_week", {"hours_per_week": ABSENT}),
    ("10", "weeks", {"weeks": 10}),
    ("six weeks", "weeks", {"weeks": 6}),
    ("in 6 weeks", "weeks", {"weeks": 6}),
    ("2 months", "weeks", {"weeks": 9}),
    ("a month", "weeks", {"weeks": 4}),
    ("3 mo", "weeks", {"weeks": 13}),
    ("half a year", "weeks", {"weeks": 26}),
    ("by March 1", "weeks", {"deadline": date(2026, 3, 1), "weeks": 7}),
    ("end of April", "weeks", {"deadline": date(2026, 4, 30), "weeks": 16}),
    ("0", "weeks", {"weeks": ABSENT, "problems": True}),
    ("100", "weeks", {"weeks": ABSENT, "problems": True}),
    ("Kubernetes for my job", "goal", {"goal": "Kubernetes for my job"}),
    ("I want to learn Rust in 6 weeks", "goal", {"goal": "Rust", "weeks": 6}),
    ("none", "topics", {"topics": [], "topics_answered": True}),
    ("skip", "topics", {"topics": [], "topics_answered": True}),
    ("-", "topics", {"topics": [], "topics_answered": True}),
    ("no preference", "topics", {"topics": [], "topics_answered": True}),
    ("LoRA, QLoRA and evaluation", "topics", {"topics": ["LoRA", "QLoRA", "evaluation"]}),
    (
        "mostly ownership; lifetimes; async",
        "topics",
        {"topics": ["ownership", "lifetimes", "async"]},
    ),
    ("1", "skill_level", {"skill_level": BEG}),
    ("3", "skill_level", {"skill_level": ADV}),
    ("newbie", "skill_level", {"skill_level": BEG}),
    ("some experience", "skill_level", {"skill_level": MID}),
    ("expert", "skill_level", {"skill_level": ADV}),
    ("I know the basics", "skill_level", {"skill_level": MID}),
    ("I've never coded before", "skill_level", {"skill_level": BEG}),
    ("Berlin", "timezone", {"timezone": "Europe/Berlin"}),
    ("new york", "timezone", {"timezone": "America/New_York"}),
    ("UTC+5:30", "timezone", {"timezone": "Asia/Kolkata"}),
    ("+05:30", "timezone", {"timezone": "Asia/Kolkata"}),
    ("GMT-5", "timezone", {"timezone": "Etc/GMT+5"}),
    ("utc", "timezone", {"timezone": "UTC"}),
    ("Europe/Paris", "timezone", {"timezone": "Europe/Paris"}),
    ("I'm in San Francisco", "timezone", {"timezone": "America/Los_Angeles"}),
    ("São Paulo", "timezone", {"timezone": "America/Sao_Paulo"}),
    ("EST", "timezone", {"timezone": "America/New_York"}),
    ("+3", "timezone", {"timezone": "Etc/GMT-3"}),
    ("Germany", "timezone", {"timezone": "Europe/Berlin"}),
    ("Narnia", "timezone", {"timezone": ABSENT}),
    ("USA", "timezone", {"timezone": ABSENT, "problems": True}),
    ("evenings", "availability", {"availability": slots(EVERY_DAY, "19:00", "21:00")}),
    (
        "weekday evenings 19:00–21:00, Saturday morning",
        "availability",
        {
            "availability": joined(
                slots(WEEKDAYS, "19:00", "21:00"), slots((5,), "08:00", "10:00")
            ),
            "availability_text": "weekday evenings 19:00–21:00, Saturday morning",
        },
    ),
    ("mon wed fri 6-8pm", "availability", {"availability": slots((0, 2, 4), "18:00", "20:00")}),
    ("weekends 10:00-12:00", "availability", {"availability": slots(WEEKEND, "10:00", "12:00")}),
    ("every day 7am-8am", "availability", {"availability": slots(EVERY_DAY, "07:00", "08:00")}),
    (
        "Tuesdays and Thursdays 6:30pm to 8pm",
        "availability",
        {"availability": slots((1, 3), "18:30", "20:00")},
    ),
    ("weekends", "availability", {"availability": slots(WEEKEND, "10:00", "12:00")}),
    (
        "lunch breaks on weekdays",
        "availability",
        {"availability": slots(WEEKDAYS, "12:00", "13:00")},
    ),
    ("Mon-Fri 7-9pm", "availability", {"availability": slots(WEEKDAYS, "19:00", "21:00")}),
    (
        "Saturday 10am-1pm and Sunday 2-5pm",
        "availability",
        {"availability": joined(slots((5,), "10:00", "13:00"), slots((6,), "14:00", "17:00"))},
    ),
    ("after 8pm on weekdays", "availability", {"availability": slots(WEEKDAYS, "20:00", "22:00")}),
    ("3 evenings a week", "availability", {"availability": slots((0, 2, 4), "19:00", "21:00")}),
    (
        "weekday mornings and evenings",
        "availability",
        {
            "availability": joined(
                slots(WEEKDAYS, "08:00", "10:00"), slots(WEEKDAYS, "19:00", "21:00")
            )
        },
    ),
    ("10pm-1am", "availability", {"availability": ABSENT, "problems": True}),
    ("19:00-19:10", "availability", {"availability": ABSENT, "problems": True}),
    # ---- fresh phrasings (written after the parser, not tuned to it)
    (
        "Hey! I'd love to learn how to bake sourdough bread. I'm a total newbie and can spare "
        "maybe 2 hours a week. Weekends work best. I'm in London.",
        None,
        {
            "goal": "bake sourdough bread",
            "skill_level": BEG,
            "hours_per_week": 2.0,
            "availability": slots(WEEKEND, "10:00", "12:00"),
            "timezone": "Europe/London",
        },
    ),
    (
        "Looking to pick up Kotlin for Android dev over the next 3 months; "
        "I code in Java professionally",
        None,
        {"goal": "Kotlin for Android dev", "weeks": 13},
    ),
    (
        "Need to learn SQL fast — interview on Feb 20!",
        None,
        {"goal": "SQL fast", "deadline": date(2026, 2, 20), "weeks": 6},
    ),
    (
        "I want to get into ML. 4-5h a week. weekday mornings 6:30-7:30",
        None,
        {
            "goal": "ML",
            "hours_per_week": 4.5,
            "availability": slots(WEEKDAYS, "06:30", "07:30"),
        },
    ),
    (
        "beginner in python, want to learn pandas within 6 weeks",
        None,
        {"goal": "pandas", "skill_level": ABSENT, "weeks": 6},
    ),
    (
        "Plan for learning Terraform: 3h/week, 1 month, intermediate, CET",
        None,
        {
            "goal": "Terraform",
            "hours_per_week": 3.0,
            "weeks": 4,
            "skill_level": MID,
            "timezone": "Europe/Berlin",
        },
    ),
    (
        "I'm an experienced backend engineer wanting to learn Rust, ~8h per week",
        None,
        {"goal": "Rust", "skill_level": ABSENT, "hours_per_week": 8.0},
    ),
    (
        "I want to learn to draw. evenings 8-10",
        None,
        {"goal": "draw", "availability": slots(EVERY_DAY, "20:00", "22:00")},
    ),
    ("learn Mandarin, 20 minutes every day", None, {"goal": "Mandarin", "hours_per_week": 2.33}),
    (
        "I'd like to learn Docker by the end of next month",
        None,
        {"goal": "Docker", "deadline": date(2026, 2, 28), "weeks": 7},
    ),
    (
        "Study calculus: 5 hrs a week, Saturday and Sunday afternoons, PST",
        None,
        {
            "goal": "calculus",
            "hours_per_week": 5.0,
            "availability": slots(WEEKEND, "14:00", "16:00"),
            "timezone": "America/Los_Angeles",
        },
    ),
    (
        "Teach me about investing. I'm based in Toronto",
        None,
        {"goal": "investing", "timezone": "America/Toronto"},
    ),
    (
        "goal - learn Figma, time zone Asia/Singapore",
        None,
        {"goal": "Figma", "timezone": "Asia/Singapore"},
    ),
    (
        "I'd like to learn Rust; I've got 6 weeks and about 4 hours a week",
        None,
        {"goal": "Rust", "weeks": 6, "hours_per_week": 4.0},
    ),
    ("Rust please, 2 months", None, {"goal": "Rust", "weeks": 9}),
    (
        "Improve my English speaking, 1 hour a day, by June",
        None,
        {
            "goal": "English speaking",
            "hours_per_week": 7.0,
            "deadline": date(2026, 6, 1),
            "weeks": 20,
        },
    ),
    ("I want to learn Rust and Go", None, {"goal": "Rust and Go"}),
    (
        "my goal is to learn data visualization with D3",
        None,
        {"goal": "data visualization with D3", "topics": ABSENT},
    ),
    ("Learn Blender - 6 weeks", None, {"goal": "Blender", "weeks": 6}),
    ("a 12-week plan for Elixir", None, {"goal": "Elixir", "weeks": 12}),
    ("learn Vue in about a month", None, {"goal": "Vue", "weeks": 4}),
    ("learn Scala, 6-8 weeks, 3-4 hrs weekly", None, {"weeks": 7, "hours_per_week": 3.5}),
    ("I have around 10 hours per week", None, {"hours_per_week": 10.0}),
    ("up to 5 hours a week, Paris time", None, {"hours_per_week": 5.0, "timezone": "Europe/Paris"}),
    ("I'm on Pacific time", None, {"timezone": "America/Los_Angeles"}),
    ("Sydney, Australia", "timezone", {"timezone": "Australia/Sydney"}),
    ("I live in Amsterdam", "timezone", {"timezone": "Europe/Amsterdam"}),
    ("Central European Time", "timezone", {"timezone": "Europe/Berlin"}),
    ("Moscow", "timezone", {"timezone": "Europe/Moscow"}),
    ("I'm pretty advanced", "skill_level", {"skill_level": ADV}),
    ("somewhere in between", "skill_level", {"skill_level": MID}),
    ("intermediate-ish", "skill_level", {"skill_level": MID}),
    (
        "I'd like to focus on testing and CI/CD",
        "topics",
        {"topics": ["testing", "CI/CD"]},
    ),
    (
        "machine learning for beginners",
        "goal",
        {"goal": "machine learning", "skill_level": BEG},
    ),
    (
        "Monday to Thursday 20:00-22:00",
        "availability",
        {"availability": slots((0, 1, 2, 3), "20:00", "22:00")},
    ),
    ("weekday nights", "availability", {"availability": slots(WEEKDAYS, "21:00", "23:00")}),
    ("Sunday mornings only", "availability", {"availability": slots((6,), "08:00", "10:00")}),
    ("early mornings", "availability", {"availability": slots(EVERY_DAY, "06:00", "08:00")}),
    ("weekdays after work", "availability", {"availability": slots(WEEKDAYS, "18:00", "20:00")}),
    (
        "between 9 and 11 am on Saturdays",
        "availability",
        {"availability": slots((5,), "09:00", "11:00")},
    ),
    (
        "Wed 7pm, Sat 10am",
        "availability",
        {"availability": joined(slots((2,), "19:00", "21:00"), slots((5,), "10:00", "12:00"))},
    ),
    (
        "7 to 9 in the evening on weekdays",
        "availability",
        {"availability": slots(WEEKDAYS, "19:00", "21:00")},
    ),
    (
        "Mornings 7-8 on weekdays and 10-12 on weekends",
        "availability",
        {
            "availability": joined(
                slots(WEEKDAYS, "07:00", "08:00"), slots(WEEKEND, "10:00", "12:00")
            )
        },
    ),
    # ---- third batch (blind: expectations written before running the parser)
    (
        "Hello, I'm Anna. I want to learn Italian before my trip on June 10. "
        "I can study 30 minutes every evening.",
        None,
        {"goal": "Italian", "deadline": date(2026, 6, 10), "weeks": 21, "hours_per_week": 3.5},
    ),
    (
        "Could you make me a plan to learn Git? Total beginner.",
        None,
        {"goal": "Git", "skill_level": BEG},
    ),
    (
        "i wanna learn linux command line, like 3 hrs a week, i'm in berlin",
        None,
        {"goal": "linux command line", "hours_per_week": 3.0, "timezone": "Europe/Berlin"},
    ),
    (
        "Learn Ruby on Rails, intermediate level, 12 hours weekly, 5 weeks",
        None,
        {"goal": "Ruby on Rails", "skill_level": MID, "hours_per_week": 12.0, "weeks": 5},
    ),
    (
        "I need to prepare for the IELTS exam by 15/04/2026",
        None,
        {"goal": "the IELTS exam", "deadline": date(2026, 4, 15), "weeks": 13},
    ),
    (
        "want to get good at public speaking over 8 weeks with about 2h/week",
        None,
        {"goal": "public speaking", "weeks": 8, "hours_per_week": 2.0},
    ),
    (
        "Teach me Rust. I have experience with C++.",
        None,
        {"goal": "Rust", "skill_level": ABSENT},
    ),
    (
        "I'm a senior Java dev, want to learn Kotlin coroutines in 3 weeks",
        None,
        {"goal": "Kotlin coroutines", "skill_level": ABSENT, "weeks": 3},
    ),
    (
        "Learn to play the ukulele, 15 min a day, mornings",
        None,
        {
            "goal": "play the ukulele",
            "hours_per_week": 1.75,
            "availability": slots(EVERY_DAY, "08:00", "10:00"),
        },
    ),
    (
        "teach me photography on weekends, 4 hours/week, Europe/Madrid",
        None,
        {
            "goal": "photography",
            "availability": slots(WEEKEND, "10:00", "12:00"),
            "hours_per_week": 4.0,
            "timezone": "Europe/Madrid",
        },
    ),
    (
        "My goal: run a marathon. 16 weeks. 5 hours a week.",
        None,
        {"goal": "run a marathon", "weeks": 16, "hours_per_week": 5.0},
    ),
    (
        "learn Kubernetes - I'm advanced - 3 hours a week - Asia/Tokyo",
        None,
        {"goal": "Kubernetes", "skill_level": ADV, "hours_per_week": 3.0, "timezone": "Asia/Tokyo"},
    ),
    (
        "I'd like to start learning Spanish next Monday, 20 minutes a day",
        None,
        {"goal": "Spanish", "start_date": date(2026, 1, 19), "hours_per_week": 2.33},
    ),
    ("Learn Rust in 2 weeks, 50 hours a week", None, {"weeks": 2, "hours_per_week": 50.0}),
    (
        "deep learning, 10 weeks, 8h/wk, advanced, Seattle",
        None,
        {
            "goal": "deep learning",
            "weeks": 10,
            "hours_per_week": 8.0,
            "skill_level": ADV,
            "timezone": "America/Los_Angeles",
        },
    ),
    (
        "Learn statistics for A/B testing, 3h a week, Mon and Thu 8-9pm",
        None,
        {
            "goal": "statistics for A/B testing",
            "hours_per_week": 3.0,
            "availability": slots((0, 3), "20:00", "21:00"),
        },
    ),
    ("learn touch typing, 10 minutes a day", None, {"hours_per_week": 1.17}),
    (
        "learn touch typing, 5 minutes a day",
        None,
        {"hours_per_week": ABSENT, "problems": True},
    ),
    ("weekdays 12-1", "availability", {"availability": slots(WEEKDAYS, "12:00", "13:00")}),
    ("Fridays from 5 to 7", "availability", {"availability": slots((4,), "17:00", "19:00")}),
    ("7:30-9am weekdays", "availability", {"availability": slots(WEEKDAYS, "07:30", "09:00")}),
    ("9-11pm", "availability", {"availability": slots(EVERY_DAY, "21:00", "23:00")}),
    (
        "Saturdays 14:00–17:00 and Sundays 10:00–12:00",
        "availability",
        {"availability": joined(slots((5,), "14:00", "17:00"), slots((6,), "10:00", "12:00"))},
    ),
    ("mornings from 6 to 7", "availability", {"availability": slots(EVERY_DAY, "06:00", "07:00")}),
    ("Los Angeles", "timezone", {"timezone": "America/Los_Angeles"}),
    ("Kolkata", "timezone", {"timezone": "Asia/Kolkata"}),
    ("IST", "timezone", {"timezone": "Asia/Kolkata"}),
    ("UTC-3", "timezone", {"timezone": "Etc/GMT+3"}),
    ("GMT+0", "timezone", {"timezone": "UTC"}),
    ("Buenos Aires", "timezone", {"timezone": "America/Argentina/Buenos_Aires"}),
    ("I'm in Mexico City", "timezone", {"timezone": "America/Mexico_City"}),
    ("Hong Kong", "timezone", {"timezone": "Asia/Hong_Kong"}),
    ("never touched it", "skill_level", {"skill_level": BEG}),
    ("pretty experienced", "skill_level", {"skill_level": ADV}),
    ("beginner-ish", "skill_level", {"skill_level": BEG}),
    ("until the end of the year", "weeks", {"deadline": date(2026, 12, 31), "weeks": 51}),
    ("3 weeks please", "weeks", {"weeks": 3}),
    ("8 wks", "weeks", {"weeks": 8}),
    ("5 or 6", "hours_per_week", {"hours_per_week": 5.5}),
    ("about 1h per day", "hours_per_week", {"hours_per_week": 7.0}),
    (
        "Transformers, attention & tokenization",
        "topics",
        {"topics": ["Transformers", "attention", "tokenization"]},
    ),
    ("nothing in particular", "topics", {"topics": [], "topics_answered": True}),
    # unsure is a non-answer, not "no topics" (issue 9)
    ("I'm not sure", "topics", {"topics": ABSENT, "topics_answered": ABSENT}),
    ("the history of jazz", "goal", {"goal": "the history of jazz"}),
    (
        "I want to build a website for my bakery",
        "goal",
        {"goal": "build a website for my bakery"},
    ),
    # ---- realistic chatter found by a false-positive sweep
    (
        "I work night shifts so mornings are best",
        None,
        {"availability": slots(EVERY_DAY, "08:00", "10:00"), "goal": ABSENT},
    ),
    ("Python instead", None, {"goal": "Python"}),
    ("I'm from Germany but live in Tokyo", None, {"timezone": "Asia/Tokyo"}),
    ("learn SAT math", None, {"goal": "SAT math", "availability": ABSENT}),
    ("asap", "weeks", {"deadline": ABSENT, "weeks": ABSENT}),
    (
        "I'd like to learn Rust. Also, I'm available Tuesdays.",
        None,
        {
            "goal": "Rust",
            "availability": slots((1,), "19:00", "21:00"),
            "availability_text": "Tuesdays",
        },
    ),
    ("Learn Spanish, 5 days a week 30 minutes", None, {"goal": "Spanish", "hours_per_week": 2.5}),
    ("at least 4 hours per week", None, {"hours_per_week": 4.0, "goal": ABSENT}),
    ("twice a week for 2 hours", None, {"hours_per_week": 4.0, "goal": ABSENT}),
    (
        "3 evenings a week for 2 hours",
        None,
        # how often is not when (issue 9's evaluation set)
        {"hours_per_week": 6.0, "availability": ABSENT},
    ),
    ("make it 8 weeks", None, {"weeks": 8, "goal": ABSENT}),
    ("change the level to advanced", None, {"skill_level": ADV, "goal": ABSENT}),
    ("Can you start the plan next week?", None, {"start_date": date(2026, 1, 19)}),
    ("I have a dog named Berlin", None, {"timezone": ABSENT}),
    ("I'm 35 years old and want to learn piano", None, {"goal": "piano", "weeks": ABSENT}),
    (
        "start date: 2026-02-01, end date: 2026-04-01",
        None,
        {"start_date": date(2026, 2, 1), "deadline": date(2026, 4, 1), "weeks": 9},
    ),
    (
        "learn Kubernetes with a focus on security and networking",
        None,
        {"goal": "Kubernetes", "topics": ["security", "networking"]},
    ),
    ("3 days a week, Rust", None, {"goal": "Rust"}),
    (
        "every evening except Sunday",
        "availability",
        {"availability": slots((0, 1, 2, 3, 4, 5), "19:00", "21:00")},
    ),
    ("I'm busy on Mondays", "availability", {"availability": ABSENT}),
    (
        "weekday evenings except Friday, Saturday morning",
        "availability",
        {
            "availability": joined(
                slots((0, 1, 2, 3), "19:00", "21:00"), slots((5,), "08:00", "10:00")
            )
        },
    ),
    # ---- dates and absurd values
    ("by 2020-01-01", None, {"deadline": ABSENT, "problems": True}),
    ("deadline 15 March", None, {"deadline": date(2026, 3, 15), "weeks": 9}),
    ("until 2027-02-15", None, {"deadline": date(2027, 2, 15), "weeks": 52}),
    ("start tomorrow", None, {"start_date": date(2026, 1, 15)}),
    ("from 2026-12-01", None, {"start_date": date(2026, 12, 1)}),
    ("starting from 2025-05-01", None, {"start_date": ABSENT, "problems": True}),
    ("200 hours a week", None, {"hours_per_week": ABSENT, "problems": True}),
    ("0 weeks", None, {"weeks": ABSENT, "problems": True}),
    ("100 weeks", None, {"weeks": ABSENT, "problems": True}),
    ("4 weeks, by March 25", None, {"weeks": ABSENT, "deadline": ABSENT, "problems": True}),
]

REFINE_ROWS: list[tuple[str, list[dict[str, Any]]]] = [
    ("make week 2 lighter", [{"kind": "lighter_week", "week": 2}]),
    ("week 3 is too much", [{"kind": "lighter_week", "week": 3}]),
    ("make week 2 harder", [{"kind": "heavier_week", "week": 2}]),
    ("Make week 4 heavier", [{"kind": "heavier_week", "week": 4}]),
    ("I can only do 3 hours a week now", [{"kind": "set_hours", "hours": 3.0}]),
    ("add more on LoRA", [{"kind": "more_on", "topic": "LoRA"}]),
    ("more about LoRA", [{"kind": "more_on", "topic": "LoRA"}]),
    ("include quantization", [{"kind": "add_topic", "topic": "quantization"}]),
    ("drop the topic tokenization", [{"kind": "remove_topic", "topic": "tokenization"}]),
    ("remove evaluation", [{"kind": "remove_topic", "topic": "evaluation"}]),
    ("less on evaluation", [{"kind": "remove_topic", "topic": "evaluation"}]),
    ("swap weeks 3 and 4", [{"kind": "swap_weeks", "week": 3, "other_week": 4}]),
    ("swap week 3 with week 4", [{"kind": "swap_weeks", "week": 3, "other_week": 4}]),
    ("switch weeks 1 and 2", [{"kind": "swap_weeks", "week": 1, "other_week": 2}]),
    ("drop the quiz in week 1", [{"kind": "drop_quiz", "week": 1}]),
    ("no quiz for week 1", [{"kind": "drop_quiz", "week": 1}]),
    ("no quizzes", [{"kind": "drop_quiz", "week": None}]),
    ("make it 8 weeks", [{"kind": "set_weeks", "weeks": 8}]),
    ("extend to 10 weeks", [{"kind": "set_weeks", "weeks": 10}]),
    ("shorten it to 4 weeks", [{"kind": "set_weeks", "weeks": 4}]),
    ("more practice, less reading", [{"kind": "more_practice"}, {"kind": "less_reading"}]),
    ("make it easier", [{"kind": "easier"}]),
    ("too hard", [{"kind": "easier"}]),
    ("too easy", [{"kind": "harder"}]),
    ("make it harder", [{"kind": "harder"}]),
    (
        "make week 2 lighter and swap weeks 3 and 4",
        [{"kind": "lighter_week", "week": 2}, {"kind": "swap_weeks", "week": 3, "other_week": 4}],
    ),
    ("Week two feels way too heavy", [{"kind": "lighter_week", "week": 2}]),
    ("could you make the second week a bit lighter?", [{"kind": "lighter_week", "week": 2}]),
    ("lighten week 5", [{"kind": "lighter_week", "week": 5}]),
    ("I only have 2 hours per week now", [{"kind": "set_hours", "hours": 2.0}]),
    ("change it to 30 min a day", [{"kind": "set_hours", "hours": 3.5}]),
    (
        "swap the second week with the third week",
        [{"kind": "swap_weeks", "week": 2, "other_week": 3}],
    ),
    ("remove the week 2 quiz", [{"kind": "drop_quiz", "week": 2}]),
    ("I don't want any quizzes", [{"kind": "drop_quiz", "week": None}]),
    ("more hands-on projects please", [{"kind": "more_practice"}]),
    ("too much reading", [{"kind": "less_reading"}]),
    ("skip the part about RLHF", [{"kind": "remove_topic", "topic": "RLHF"}]),
    ("add a section on evaluation metrics", [{"kind": "add_topic", "topic": "evaluation metrics"}]),
    ("can we stretch it to 3 months?", [{"kind": "set_weeks", "weeks": 13}]),
    ("this is too advanced for me", [{"kind": "easier"}]),
    ("step it up", [{"kind": "harder"}]),
    (
        "add more on Docker and make week 1 lighter",
        [{"kind": "more_on", "topic": "Docker"}, {"kind": "lighter_week", "week": 1}],
    ),
    ("focus more on deployment", [{"kind": "more_on", "topic": "deployment"}]),
    ("week 3 is too easy", [{"kind": "heavier_week", "week": 3}]),
    ("please make week 1 a little easier", [{"kind": "lighter_week", "week": 1}]),
    ("The third week is way too long", [{"kind": "lighter_week", "week": 3}]),
    ("can you add more exercises?", [{"kind": "more_practice"}]),
    ("less theory please", [{"kind": "less_reading"}]),
    ("I'd like fewer readings", [{"kind": "less_reading"}]),
    ("cut it down to 6 weeks", [{"kind": "set_weeks", "weeks": 6}]),
    ("I now have 10 hours a week", [{"kind": "set_hours", "hours": 10.0}]),
    ("put week 4 before week 3", [{"kind": "swap_weeks", "week": 3, "other_week": 4}]),
    ("get rid of the quiz in week 2", [{"kind": "drop_quiz", "week": 2}]),
    ("drop quizzes", [{"kind": "drop_quiz", "week": None}]),
    ("add Kubernetes", [{"kind": "add_topic", "topic": "Kubernetes"}]),
    (
        "I'd also like to learn about vector databases",
        [{"kind": "add_topic", "topic": "vector databases"}],
    ),
    ("I don't care about RLHF", [{"kind": "remove_topic", "topic": "RLHF"}]),
    ("forget about tokenizers", [{"kind": "remove_topic", "topic": "tokenizers"}]),
    ("too much in week 2", [{"kind": "lighter_week", "week": 2}]),
    ("make it 5 hours a week", [{"kind": "set_hours", "hours": 5.0}]),
    ("3 weeks would be better", [{"kind": "set_weeks", "weeks": 3}]),
    (
        "make week 2 lighter, week 3 heavier",
        [{"kind": "lighter_week", "week": 2}, {"kind": "heavier_week", "week": 3}],
    ),
    ("Swap 2 and 3", [{"kind": "swap_weeks", "week": 2, "other_week": 3}]),
    ("I'm done with week 2", []),
    ("week 2 was great", []),
    ("what about LoRA?", []),
    ("remove week 3", []),
    ("more", []),
    # third batch (blind)
    ("week 1 is way too packed", [{"kind": "lighter_week", "week": 1}]),
    ("can week 4 be lighter?", [{"kind": "lighter_week", "week": 4}]),
    ("less work in week 2 please", [{"kind": "lighter_week", "week": 2}]),
    ("I have more time now, 8 hours a week", [{"kind": "set_hours", "hours": 8.0}]),
    ("switch week 2 and week 5", [{"kind": "swap_weeks", "week": 2, "other_week": 5}]),
    ("I'd rather not do quizzes", [{"kind": "drop_quiz", "week": None}]),
    ("remove the quiz from week 3", [{"kind": "drop_quiz", "week": 3}]),
    ("make the whole plan 6 weeks long", [{"kind": "set_weeks", "weeks": 6}]),
    ("give me more projects", [{"kind": "more_practice"}]),
    ("it's too difficult", [{"kind": "easier"}]),
    ("this is too basic for me", [{"kind": "harder"}]),
    ("add a week on testing", [{"kind": "add_topic", "topic": "testing"}]),
    (
        "please drop the section about prompt engineering",
        [{"kind": "remove_topic", "topic": "prompt engineering"}],
    ),
    ("I'm bored, make it more challenging", [{"kind": "harder"}]),
    (
        "replace LoRA with QLoRA",
        [{"kind": "remove_topic", "topic": "LoRA"}, {"kind": "add_topic", "topic": "QLoRA"}],
    ),
    (
        "make weeks 2 and 3 lighter",
        [{"kind": "lighter_week", "week": 2}, {"kind": "lighter_week", "week": 3}],
    ),
    ("ok", []),
    ("nice plan!", []),
    ("week 3", []),
    ("I missed yesterday's session", []),
    # realistic chatter found by a false-positive sweep
    ("can I add a note?", []),
    ("I have 5 hours this week", []),
    ("I studied 2 hours a day this week", []),
    ("add it to my calendar", []),
    ("skip this session", []),
    ("remove the reminder", []),
    ("drop it", []),
    ("can you explain LoRA?", []),
    ("move my session to 8pm", []),
    (
        "add LoRA, QLoRA and DPO",
        [
            {"kind": "add_topic", "topic": "LoRA"},
            {"kind": "add_topic", "topic": "QLoRA"},
            {"kind": "add_topic", "topic": "DPO"},
        ],
    ),
    (
        "less about theory and more about projects",
        [{"kind": "less_reading"}, {"kind": "more_practice"}],
    ),
    ("can we do 3 hours a week instead of 5", [{"kind": "set_hours", "hours": 3.0}]),
    ("I'd like 10 weeks instead of 8", [{"kind": "set_weeks", "weeks": 10}]),
    (
        "please include more on evaluation, and drop RLHF",
        [{"kind": "more_on", "topic": "evaluation"}, {"kind": "remove_topic", "topic": "RLHF"}],
    ),
    (
        "no quiz in weeks 1 and 2",
        [{"kind": "drop_quiz", "week": 1}, {"kind": "drop_quiz", "week": 2}],
    ),
    ("swap weeks 2 and 2", []),
    # ---- not refinements
    ("done", []),
    ("finished it", []),
    ("undo", []),
    ("hi", []),
    ("/plan", []),
    ("thanks", []),
    ("what's in week 2?", []),
    ("I finished week 1", []),
    ("show me the plan", []),
    ("skip", []),
    ("I did 2 hours today", []),
    ("how many weeks is it?", []),
    ("yes", []),
    ("skip today's session", []),
    ("remind me at 7pm", []),
    ("great, thanks!", []),
]


def _show(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], Slot):
        return "[" + ", ".join(f"{s.weekday}@{s.start:%H:%M}-{s.end:%H:%M}" for s in value) + "]"
    return repr(value)


def check_intake(text: str, expecting: str | None, expected: dict[str, Any]) -> str | None:
    """None when the row passes, else a description of the mismatch."""
    update = parse_intake(text, today=TODAY, expecting=expecting)
    wants_problems = bool(expected.get("problems", False))
    errors = []
    for key, want in expected.items():
        if key == "problems":
            continue
        if want is ABSENT:
            if key in update.fields:
                errors.append(f"{key} should be unset, got {_show(update.fields[key])}")
        elif update.fields.get(key, ABSENT) != want:
            errors.append(f"{key}: want {_show(want)}, got {_show(update.fields.get(key))}")
    if bool(update.problems) != wants_problems:
        errors.append(f"problems: want {wants_problems}, got {update.problems}")
    return "; ".join(errors) or None


def check_refine(text: str, expected: list[dict[str, Any]]) -> str | None:
    ops = parse_refinement(text)
    got = [op.model_dump(exclude_none=True) for op in ops]
    if len(ops) != len(expected):
        return f"want {expected}, got {got}"
    for op, want in zip(ops, expected, strict=True):
        if any(getattr(op, key) != value for key, value in want.items()):
            return f"want {expected}, got {got}"
    return None


def failures() -> list[str]:
    found = []
    for text, expecting, expected in INTAKE_ROWS:
        error = check_intake(text, expecting, expected)
        if error:
            found.append(f"intake {text!r} (expecting={expecting}): {error}")
    for text, expected_ops in REFINE_ROWS:
        error = check_refine(text, expected_ops)
        if error:
            found.append(f"refine {text!r}: {error}")
    return found


def test_table_has_enough_rows() -> None:
    assert len(INTAKE_ROWS) >= 70
    assert len(REFINE_ROWS) >= 30
    assert sum(1 for _, ops in REFINE_ROWS if not ops) >= 5


def test_parser_accuracy() -> None:
    failed = failures()
    total = len(INTAKE_ROWS) + len(REFINE_ROWS)
    ok = total - len(failed)
    pct = ok / total
    summary = f"parser accuracy: {ok}/{total} = {pct:.1%}"
    print(summary)
    assert pct >= THRESHOLD, summary + "\n" + "\n".join(failed)


def test_list_failures() -> None:
    """Prints every failing row (visible with -s); the threshold is enforced above."""
    for line in failures():
        print("FAIL", line)
